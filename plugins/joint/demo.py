"""The joint plugin's part of ``quntuan demo seed``: for the seeded region, a joint council at its root whose
members are the federations of every installed plugin beneath it, with a first meeting; a service menu
(services of the federations of the root and the level below, by plugin, with places per month, some
citing the survey's needs, and a partner social organization); and a needs survey of the region whose run
of this quarter about one person in ten has answered — the same for the same seed.

Rows are written in bulk, without audit entries or signals: a seed is a load, not a sequence of events.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core.sdk import Org, Person, subtree_bounds, transaction
from plugins.joint.surveys import quarter_of
from plugins.joint.tables import (
    JointCouncil,
    JointMeeting,
    JointMember,
    JointPartner,
    JointService,
    JointServiceNeed,
    JointSurvey,
    JointSurveyAnswer,
    JointSurveyRespondent,
    JointSurveyRun,
    JointSurveySheet,
)

#: Services a federation of a plugin publishes: (title, description, eligibility, need type, capacity).
SERVICES: dict[str, list[tuple[str, str, str, str, int | None]]] = {
    "union": [
        ("职工法律咨询", "工会律师每周坐班，解答劳动合同、工资、工伤问题", "辖区职工", "wage_arrears", 40),
        (
            "困难职工帮扶",
            "走访困难职工家庭，办理生活救助和医疗互助",
            "困难职工及家庭",
            "worker_hardship",
            None,
        ),
    ],
    "women": [
        ("家庭教育指导", "家庭教育指导师一对一咨询", "辖区家庭", "family_dispute", 30),
        ("妇女维权热线", "受理家庭暴力、婚姻家庭纠纷求助", "辖区妇女", "domestic_violence", None),
    ],
    "youth": [
        ("青少年心理辅导", "专业社工与心理咨询师提供辅导", "辖区青少年", "minor_protection", 20),
        ("青年就业见习", "对接见习岗位，提供就业创业指导", "16-35 岁青年", "youth_employment", 50),
    ],
    "scitech": [
        ("社区科普讲座", "科技工作者进社区讲健康、防灾与新技术", "辖区群众", "science_outreach", 100),
    ],
}
#: Which survey option a plugin's first service answers.
ANSWERS = {"union": "legal", "women": "family", "youth": "youth", "scitech": "science"}
QUESTIONS = [
    {
        "code": "need",
        "kind": "single",
        "text": "您家最需要哪一类服务",
        "options": [
            {"code": "legal", "label": "法律援助"},
            {"code": "family", "label": "婚姻家庭"},
            {"code": "youth", "label": "青少年成长"},
            {"code": "elderly", "label": "养老照护"},
            {"code": "science", "label": "科普健康"},
        ],
        "required": True,
    },
    {
        "code": "time",
        "kind": "multiple",
        "text": "方便参加服务的时间",
        "options": [
            {"code": "weekday", "label": "工作日白天"},
            {"code": "evening", "label": "工作日晚上"},
            {"code": "weekend", "label": "周末"},
        ],
        "required": True,
    },
    {
        "code": "satisfaction",
        "kind": "rating",
        "text": "对本区域群团服务的满意度",
        "options": [],
        "required": True,
    },
    {"code": "advice", "kind": "text", "text": "其他意见和建议", "options": [], "required": False},
]
ADVICE = (
    "希望多办周末活动",
    "社区活动室开放时间再长一些",
    "希望有针对老年人的智能手机培训",
    "法律咨询能否线上预约",
)
PERSONS_READ = 5000
ANSWERED_AT_MOST = 300


def _id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


async def seed_joint(root_path: str, seed: int) -> dict[str, int]:
    """Add the joint plugin's demo records under ``root_path``; returns what was written, by kind."""
    rng = random.Random(f"joint-{seed}")
    root = await Org.select(Org.id, Org.path, Org.name, Org.depth).where(Org.path == root_path).first().run()
    if root is None or await JointCouncil.exists().where(JointCouncil.org == root["id"]).run():
        return {}
    low, high = subtree_bounds(root_path)
    depth = root["depth"]
    # The federations of the root and of the level below it (a province's and its cities').
    federations = [
        o
        for o in await Org.select(Org.id, Org.path, Org.kind, Org.name, Org.depth)
        .where(
            (Org.path >= low)
            & (Org.path < high)
            & (Org.status == "active")
            & Org.depth.is_in([depth + 1, depth + 2])
        )
        .order_by(Org.path)
        .run()
        if o["kind"].split(".")[0] in SERVICES and not o["kind"].startswith("party.")
    ]
    members = [o for o in federations if o["depth"] == depth + 1]
    moment = datetime.now(UTC).replace(microsecond=0)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    written = {"councils": 0, "services": 0, "responses": 0}

    council = {
        "id": _id(rng),
        "org": root["id"],
        "org_path": root_path,
        "name": f"{root['name'].removesuffix('委员会')}群团工作联席会议",
        "description": "党建带群建，统筹工会、共青团、妇联等群团组织共同服务群众。",
        "status": "active",
        "version": 1,
        "created_at": moment,
        "updated_at": moment,
    }
    member_rows = [
        JointMember(
            id=_id(rng),
            council=council["id"],
            org=o["id"],
            org_path=o["path"],
            org_kind=o["kind"],
            role="convenor" if i == 0 else "member",
            created_at=moment,
        )
        for i, o in enumerate(members)
    ]
    meeting = JointMeeting(
        id=_id(rng),
        council=council["id"],
        org_path=root_path,
        title="本季度群团工作联席会议",
        starts_at=moment + timedelta(days=7),
        place=f"{root['name']}党群服务中心",
        agenda=["通报上季度群众需求调查结果", "研究服务清单调整", "部署下季度重点任务"],
        created_at=moment,
        updated_at=moment,
    )

    survey_id = _id(rng)
    survey = JointSurvey(
        id=survey_id,
        org=root["id"],
        org_path=root_path,
        title=f"{quarter_of(today)} 群众需求调查",
        description="了解群众最需要的服务，作为调整服务清单的依据。",
        audience="region",
        questions=QUESTIONS,
        status="active",
        created_by=uuid.UUID(int=0),
        created_at=moment,
        updated_at=moment,
    )
    services, needs = [], []
    for org in federations:
        plugin = org["kind"].split(".")[0]
        for n, (title, description, eligibility, need_type, capacity) in enumerate(SERVICES[plugin]):
            service_id = _id(rng)
            services.append(
                JointService(
                    id=service_id,
                    org=org["id"],
                    org_path=org["path"],
                    title=title,
                    description=description,
                    eligibility=eligibility,
                    audience="public",
                    need_type=need_type,
                    location=f"{org['name']}服务窗口",
                    capacity=capacity,
                    period="month",
                    status="published",
                    created_by=uuid.UUID(int=0),
                    created_at=moment,
                    updated_at=moment,
                )
            )
            if n == 0:
                needs.append(
                    JointServiceNeed(
                        service=service_id, survey=survey_id, question="need", option=ANSWERS[plugin]
                    )
                )
    women = next((o for o in federations if o["kind"].startswith("women.")), None)
    partners = []
    if women is not None:
        partners.append(
            JointPartner(
                id=_id(rng),
                org=women["id"],
                org_path=women["path"],
                name="阳光家庭社会工作服务中心",
                kind="social_org",
                description="承接家庭教育、婚姻家庭纠纷调解等服务",
                need_types=["family_dispute", "domestic_violence"],
                created_at=moment,
                updated_at=moment,
            )
        )

    run_id = _id(rng)
    people = (
        await Person.select(Person.id, Person.home_org.id, Person.home_org.path)
        .where((Person.home_org.path >= low) & (Person.home_org.path < high))
        .order_by(Person.id)
        .limit(PERSONS_READ)
        .run()
    )
    answering = [p for p in people if rng.random() < 0.1][:ANSWERED_AT_MOST]
    respondents, sheets, answers = [], [], []
    options = [o["code"] for o in QUESTIONS[0]["options"]]
    for p in answering:
        sheet = _id(rng)
        respondents.append(JointSurveyRespondent(id=_id(rng), run=run_id, person=p["id"], created_at=moment))
        sheets.append(
            JointSurveySheet(
                id=sheet, run=run_id, survey=survey_id, org=p["home_org.id"], org_path=p["home_org.path"]
            )
        )
        base = {"sheet": sheet, "run": run_id, "org_path": p["home_org.path"]}
        answers.append(
            JointSurveyAnswer(**base, question="need", option=rng.choices(options, (30, 20, 15, 25, 10))[0])
        )
        for code in rng.sample(("weekday", "evening", "weekend"), rng.randint(1, 3)):
            answers.append(JointSurveyAnswer(**base, question="time", option=code))
        answers.append(
            JointSurveyAnswer(
                **base, question="satisfaction", rating=rng.choices((1, 2, 3, 4, 5), (3, 5, 17, 40, 35))[0]
            )
        )
        if rng.random() < 0.2:
            answers.append(JointSurveyAnswer(**base, question="advice", text=rng.choice(ADVICE)))
    run = JointSurveyRun(
        id=run_id,
        survey=survey_id,
        org_path=root_path,
        period=quarter_of(today),
        status="open",
        responses=len(sheets),
        opened_at=moment,
    )

    async with transaction():
        await JointCouncil.insert(JointCouncil(**council)).run()
        for table, rows in (
            (JointMember, member_rows),
            (JointMeeting, [meeting]),
            (JointSurvey, [survey]),
            (JointSurveyRun, [run]),
            (JointService, services),
            (JointServiceNeed, needs),
            (JointPartner, partners),
            (JointSurveyRespondent, respondents),
            (JointSurveySheet, sheets),
            (JointSurveyAnswer, answers),
        ):
            for at in range(0, len(rows), 500):
                await table.insert(*rows[at : at + 500]).run()
    written.update(councils=1, services=len(services), responses=len(sheets))
    return written
