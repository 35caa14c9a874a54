"""共青团 — the Communist Youth League: committees, general branches and branches."""

from core.sdk import PluginInfo, Text

PLUGIN_INFO = PluginInfo(
    slug="youth",
    name=Text(zh_hans="共青团", zh_hant="共青團", en="Communist Youth League"),
    version="0.1.0",
    core_api=">=1.0,<2",
    description=Text(
        zh_hans="团委、团总支与团支部，包括楼宇、园区、商圈团组织",
        en="League committees, general branches and branches, including those in buildings, parks and business districts",
    ),
)
