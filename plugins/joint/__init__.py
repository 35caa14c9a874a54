"""群团联动 — the Party-led "1+3+X" working as one: joint councils with their decisions and follow-up,
referral of requests to the org kind that should serve them, and one picture of a region."""

from core.sdk import PluginInfo, Text

PLUGIN_INFO = PluginInfo(
    slug="joint",
    name=Text(zh_hans="群团联动", zh_hant="群團聯動", en="Joint work of mass organizations"),
    version="0.1.0",
    core_api=">=1.0,<2",
    description=Text(
        zh_hans="群团联席会议、议定事项督办、诉求转办规则与区域群团工作一张图",
        zh_hant="群團聯席會議、議定事項督辦、訴求轉辦規則與區域群團工作一張圖",
        en="Joint councils with decisions and follow-up, referral rules, and one picture of a region",
    ),
)
