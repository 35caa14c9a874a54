"""Demo data of the expert library: plausible experts, the same for the same seed.

``expert_rows`` builds rows as the API would store them (folded search keys, pinyin initials, the
discipline index); ``load`` writes them in bulk without audit entries or signals — a seed is a load, not
a sequence of events. The benchmark (``bench/expert_search.py``) seeds 100 000 experts with it.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from typing import Any

from plugins.scitech import disciplines as vocab
from plugins.scitech.experts import ExpertCreate, _index_rows, new_row
from plugins.scitech.tables import ScitechExpert, ScitechExpertDiscipline, ScitechExpertTag

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
