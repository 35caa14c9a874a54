"""工会 — the trade union: federations, grassroots unions and union groups."""

from core.sdk import PluginInfo, Text

PLUGIN_INFO = PluginInfo(
    slug="union",
    name=Text(zh_hans="工会", zh_hant="工會", en="Trade union"),
    version="0.1.0",
    core_api=">=1.0,<2",
    description=Text(
        zh_hans="总工会、基层工会（含楼宇工会、街道职业化工会）与工会小组",
        en="Trade-union federations, grassroots unions (including building and street unions) and union groups",
    ),
)
