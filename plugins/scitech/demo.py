"""Demo data of the association: plausible experts, popularization activities and resources, the same
for the same seed.

``seed_scitech`` is what ``quntuan demo seed`` adds (``quntuan_demo_seeded``): an expert library at every
association of the region, larger up the tree (a township's has three); the past year's popularization
activities with the people they reached, so the reach report and the statistics have figures; a few
resources per association above the townships. ``expert_rows`` builds rows as the API would store them
(folded search keys, pinyin initials, the discipline index); ``load`` writes them in bulk without audit
entries or signals — a seed is a load, not a sequence of events. The benchmark
(``bench/expert_search.py``) seeds 100 000 experts with it.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from typing import Any

import msgspec

from core.sdk import Org, subtree_bounds, transaction
from plugins.scitech import disciplines as vocab
from plugins.scitech.common import dumps, local_today, now
from plugins.scitech.experts import ExpertCreate, _index_rows, new_row
from plugins.scitech.popularization import _resource_keys
from plugins.scitech.tables import (
    ScitechActivity,
    ScitechExpert,
    ScitechExpertDiscipline,
    ScitechExpertTag,
    ScitechResource,
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉宁波建国志海峰晨阳宇浩然子涵思远博文"
)
EMPLOYERS = (
    "大学",
    "理工大学",
    "农业大学",
    "医科大学",
    "师范大学",
    "农业科学院",
    "中医院",
    "人民医院",
    "研究院",
    "设计院",
    "科技有限公司",
    "机械有限公司",
    "电子股份有限公司",
    "化工集团",
    "水利局",
    "气象局",
)
CITIES = "杭州宁波温州嘉兴湖州绍兴金华衢州舟山台州丽水"
TITLES = (
    ("教授", "senior"),
    ("研究员", "senior"),
    ("正高级工程师", "senior"),
    ("主任医师", "senior"),
    ("副教授", "associate"),
    ("副研究员", "associate"),
    ("高级工程师", "associate"),
    ("副主任医师", "associate"),
    ("讲师", "intermediate"),
    ("工程师", "intermediate"),
    ("主治医师", "intermediate"),
    ("助理研究员", "junior"),
)
TAGS = (
    "人工智能",
    "大数据",
    "工业互联网",
    "智能制造",
    "新能源",
    "储能",
    "芯片设计",
    "机器视觉",
    "数字孪生",
    "乡村振兴",
    "水稻育种",
    "土壤修复",
    "节水灌溉",
    "茶叶加工",
    "智慧农业",
    "中药材",
    "慢病管理",
    "心血管",
    "肿瘤防治",
    "公共卫生",
    "应急管理",
    "防灾减灾",
    "碳达峰",
    "生态修复",
    "海洋经济",
    "科普创作",
    "青少年科技教育",
    "知识产权",
    "科技金融",
    "成果转化",
    "标准化",
    "质量管理",
    "安全生产",
    "新材料",
    "高分子",
    "精密加工",
    "机器人",
    "汽车电子",
    "通信网络",
    "网络安全",
    "区块链",
)


def expert_rows(rng: random.Random, n: int, orgs: Sequence[tuple[uuid.UUID, str]]) -> list[dict[str, Any]]:
    """``n`` experts over ``orgs`` ((id, path) pairs), with one to three disciplines and two to five tags."""
    second = [d.code for d in vocab.vocabulary().values() if d.parent]
    rows = []
    for _ in range(n):
        org, path = rng.choice(orgs)
        title, grade = rng.choice(TITLES)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        data = ExpertCreate(
            org=org,
            name=name,
            title=title,
            title_grade=grade,  # type: ignore[arg-type]
            employer=rng.choice(CITIES[::2]) + rng.choice(CITIES[1::2]) + rng.choice(EMPLOYERS),
            disciplines=rng.sample(second, rng.choice((1, 1, 2, 3))),
            tags=rng.sample(TAGS, rng.randint(2, 5)),
            willing=rng.random() < 0.8,
            max_engagements=rng.choice((2, 3, 3, 5)),
        )
        rows.append(new_row(data, path))
    return rows


async def load(rows: Sequence[dict[str, Any]], chunk: int = 1000) -> None:
    """Write experts and their index rows in bulk (no audit, no signals: a seed is a load)."""
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        await ScitechExpert.insert(*(ScitechExpert(**r) for r in part)).run()
        disciplines: list[ScitechExpertDiscipline] = []
        tags: list[ScitechExpertTag] = []
        for row in part:
            d, t = _index_rows(row)
            disciplines += d
            tags += t
        await ScitechExpertDiscipline.insert(*disciplines).run()
        await ScitechExpertTag.insert(*tags).run()


#: Experts in the library of an association, by its level.
LIBRARY_SIZE = {"national": 60, "province": 40, "city": 20, "county": 8, "township": 3}
#: Popularization activities an association held in the past year, by level: (fewest, most).
ACTIVITIES = {"national": (8, 12), "province": (6, 10), "city": (5, 8), "county": (3, 6)}
ACTIVITY_TITLES = (
    ("lecture", "走进人工智能科普讲座"),
    ("lecture", "健康生活方式专家讲座"),
    ("lecture", "防灾减灾科普讲座"),
    ("science_day", "全国科普日主场活动"),
    ("science_day", "科技活动周开放日"),
    ("visit", "青少年走进科研院所"),
    ("visit", "科技馆研学开放日"),
    ("caravan", "科普大篷车进乡村"),
    ("caravan", "科普大篷车进校园"),
    ("other", "科学家精神宣讲"),
)
RESOURCES = (
    ("article", "认识大语言模型", ["人工智能", "科普创作"]),
    ("article", "秋冬季流感防护要点", ["公共卫生"]),
    ("video", "地震来了怎么办", ["防灾减灾", "应急管理"]),
    ("video", "一粒种子的旅程", ["水稻育种", "乡村振兴"]),
    ("exhibit", "机器人互动展品", ["机器人", "青少年科技教育"]),
    ("exhibit", "碳中和主题展板", ["碳达峰", "生态修复"]),
)

MEDIA = {"article": "文章", "video": "视频", "exhibit": "展品"}


class DemoCounts(msgspec.Struct, kw_only=True):
    experts: int
    activities: int
    resources: int


async def seed_scitech(root_path: str, seed: int) -> DemoCounts:
    """Add the association's demo records under ``root_path`` (``quntuan_demo_seeded``); a subtree that
    already has experts is left as it is, so a second call adds nothing."""
    rng = random.Random(f"scitech-{seed}")
    low, high = subtree_bounds(root_path)
    if (
        await ScitechExpert.exists()
        .where((ScitechExpert.org_path >= low) & (ScitechExpert.org_path < high))
        .run()
    ):
        return DemoCounts(experts=0, activities=0, resources=0)
    associations = (
        await Org.select(Org.id, Org.path, Org.level)
        .where((Org.path >= low) & (Org.path < high) & (Org.kind == "scitech.association"))
        .order_by(Org.path)
        .run()
    )
    experts: list[dict[str, Any]] = []
    for org in associations:
        size = LIBRARY_SIZE.get(org["level"], 3)
        experts += expert_rows(rng, size, [(org["id"], org["path"])])
    today, at = local_today(), now()
    activities: list[ScitechActivity] = []
    resources: list[ScitechResource] = []
    for org in associations:
        fewest, most = ACTIVITIES.get(org["level"], (1, 2))  # a township's: one or two
        for _ in range(rng.randint(fewest, most)):
            kind, title = rng.choice(ACTIVITY_TITLES)
            offline = rng.randint(30, 400) if kind != "science_day" else rng.randint(500, 5000)
            online = rng.choice((0, 0, rng.randint(200, 20000)))
            activities.append(
                ScitechActivity(
                    org=org["id"],
                    org_path=org["path"],
                    kind=kind,
                    title=title,
                    held_on=today - dt.timedelta(days=rng.randrange(365)),
                    offline=offline,
                    online=online,
                    status="held",
                    created_at=at,
                    updated_at=at,
                )
            )
        if org["level"] in ACTIVITIES:
            for kind, title, tags in rng.sample(RESOURCES, rng.randint(1, 3)):
                row: dict[str, Any] = {
                    "org": org["id"],
                    "org_path": org["path"],
                    "kind": kind,
                    "title": title,
                    "summary": f"{title}：面向公众的科普{MEDIA[kind]}。",
                    "url": "",
                    "tags": dumps(tags),
                    "status": "published",
                    "created_at": at,
                    "updated_at": at,
                }
                row.update(_resource_keys(row))
                resources.append(ScitechResource(**row))
    async with transaction():  # all or nothing: a region half seeded would pass for a seeded one
        await load(experts)
        for start in range(0, len(activities), 1000):
            await ScitechActivity.insert(*activities[start : start + 1000]).run()
        for start in range(0, len(resources), 1000):
            await ScitechResource.insert(*resources[start : start + 1000]).run()
    return DemoCounts(experts=len(experts), activities=len(activities), resources=len(resources))
