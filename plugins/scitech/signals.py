"""The signals the scitech plugin emits (ids and codes only, never personal data)."""

from __future__ import annotations

import msgspec

from core.sdk import SignalType, Text
from plugins.scitech.common import name_schemas


class ExpertSignal(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    org: str


EXPERT_ADDED = SignalType(
    name="scitech.expert_added",
    payload=ExpertSignal,
    description=Text(zh_hans="专家入库", zh_hant="專家入庫", en="An expert joined the library"),
)
EXPERT_CHANGED = SignalType(
    name="scitech.expert_changed",
    payload=ExpertSignal,
    description=Text(zh_hans="专家信息变更", zh_hant="專家資訊變更", en="An expert's record changed"),
)


class ReportSignal(msgspec.Struct, frozen=True, kw_only=True):
    process: str
    org: str
    #: instruction (批示) or adoption (采纳), for an adopted report.
    adoption: str = ""


REPORT_SUBMITTED = SignalType(
    name="scitech.report_submitted",
    payload=ReportSignal,
    description=Text(
        zh_hans="咨询报告已报送", zh_hant="諮詢報告已報送", en="A consulting report was submitted"
    ),
)
REPORT_ADOPTED = SignalType(
    name="scitech.report_adopted",
    payload=ReportSignal,
    description=Text(
        zh_hans="咨询报告获批示或采纳", zh_hant="諮詢報告獲批示或採納", en="A consulting report was adopted"
    ),
)


class RecordSignal(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    org: str


ACTIVITY_RECORDED = SignalType(
    name="scitech.activity_recorded",
    payload=RecordSignal,
    description=Text(
        zh_hans="登记了科普活动", zh_hant="登記了科普活動", en="A popularization activity was recorded"
    ),
)
ACTIVITY_CHANGED = SignalType(
    name="scitech.activity_changed",
    payload=RecordSignal,
    description=Text(
        zh_hans="科普活动随活动重新发布而变更",
        zh_hant="科普活動隨活動重新發佈而變更",
        en="A popularization activity changed as its event was published again",
    ),
)
ACTIVITY_CANCELLED = SignalType(
    name="scitech.activity_cancelled",
    payload=RecordSignal,
    description=Text(
        zh_hans="科普活动已取消", zh_hant="科普活動已取消", en="A popularization activity was cancelled"
    ),
)
REACH_REPORTED = SignalType(
    name="scitech.reach_reported",
    payload=RecordSignal,
    description=Text(
        zh_hans="填报了科普受众人数", zh_hant="填報了科普受眾人數", en="An activity's reach was reported"
    ),
)
RESOURCE_CHANGED = SignalType(
    name="scitech.resource_changed",
    payload=RecordSignal,
    description=Text(
        zh_hans="科普资源新增或变更", zh_hant="科普資源新增或變更", en="A resource was added or changed"
    ),
)

SOCIETY_MEMBER_JOINED = SignalType(
    name="scitech.society_member_joined",
    payload=RecordSignal,
    description=Text(zh_hans="学会发展了会员", zh_hant="學會發展了會員", en="A society enrolled a member"),
)
SOCIETY_MEMBER_CHANGED = SignalType(
    name="scitech.society_member_changed",
    payload=RecordSignal,
    description=Text(
        zh_hans="学会会员续期或变更",
        zh_hant="學會會員續期或變更",
        en="A society member was renewed or changed",
    ),
)
DUES_PAID = SignalType(
    name="scitech.dues_paid",
    payload=RecordSignal,
    description=Text(zh_hans="学会会员缴纳会费", zh_hant="學會會員繳納會費", en="A society member paid dues"),
)

STATION_RECORDED = SignalType(
    name="scitech.station_recorded",
    payload=RecordSignal,
    description=Text(
        zh_hans="工作站建立，或登记了项目、成果",
        zh_hant="工作站建立，或登記了項目、成果",
        en="A station, project or result was recorded",
    ),
)
STATION_CHANGED = SignalType(
    name="scitech.station_changed",
    payload=RecordSignal,
    description=Text(
        zh_hans="工作站变更或专家进站",
        zh_hant="工作站變更或專家進站",
        en="A station changed or took an expert",
    ),
)

CONTEST_RECORDED = SignalType(
    name="scitech.contest_recorded",
    payload=RecordSignal,
    description=Text(
        zh_hans="发布了科技比武", zh_hant="發佈了科技比武", en="A technology contest was published"
    ),
)
CONTEST_CHANGED = SignalType(
    name="scitech.contest_changed",
    payload=RecordSignal,
    description=Text(
        zh_hans="科技比武随活动重新发布而变更",
        zh_hant="科技比武隨活動重新發佈而變更",
        en="A technology contest changed as its event was published again",
    ),
)
CONTEST_CANCELLED = SignalType(
    name="scitech.contest_cancelled",
    payload=RecordSignal,
    description=Text(
        zh_hans="科技比武已取消", zh_hant="科技比武已取消", en="A technology contest was cancelled"
    ),
)
CONTEST_DECIDED = SignalType(
    name="scitech.contest_decided",
    payload=RecordSignal,
    description=Text(
        zh_hans="登记了比赛名次", zh_hant="登記了比賽名次", en="A contest's placings were recorded"
    ),
)

SIGNALS: list[SignalType] = [
    EXPERT_ADDED,
    EXPERT_CHANGED,
    REPORT_SUBMITTED,
    REPORT_ADOPTED,
    ACTIVITY_RECORDED,
    ACTIVITY_CHANGED,
    ACTIVITY_CANCELLED,
    REACH_REPORTED,
    RESOURCE_CHANGED,
    SOCIETY_MEMBER_JOINED,
    SOCIETY_MEMBER_CHANGED,
    DUES_PAID,
    STATION_RECORDED,
    STATION_CHANGED,
    CONTEST_RECORDED,
    CONTEST_CHANGED,
    CONTEST_CANCELLED,
    CONTEST_DECIDED,
]

name_schemas(globals())
