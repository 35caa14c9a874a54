"""科协 — the Association for Science and Technology, quntuan's first X organization."""

from core.sdk import PluginInfo, Text

PLUGIN_INFO = PluginInfo(
    slug="scitech",
    name=Text(zh_hans="科协", zh_hant="科協", en="Association for Science and Technology"),
    version="0.1.0",
    core_api=">=1.0,<2",
    description=Text(
        zh_hans="各级科协、学会、企业科协与高校科协",
        en="Associations at each level, academic societies, enterprise and university associations",
    ),
)
