"""妇联 — the Women's Federation: federations, grassroots federations and women's groups (1+10+95+N)."""

from core.sdk import PluginInfo, Text

PLUGIN_INFO = PluginInfo(
    slug="women",
    name=Text(zh_hans="妇联", zh_hant="婦聯", en="Women's Federation"),
    version="0.1.0",
    core_api=">=1.0,<2",
    description=Text(
        zh_hans="各级妇联、村（社区）及楼宇、企业妇联与妇女小组",
        en="Women's federations at each level, grassroots federations in villages, communities, buildings and enterprises, and women's groups",
    ),
)
