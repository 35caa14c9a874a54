"""关爱帮扶: care files for left-behind children (留守儿童) and single-parent families (单亲家庭).

A care file is a process the core runs, opened by a cadre in the name of the child or the family's
representative. It is sensitive like a rights case: its own read permission (``women.care.read``),
minimum fields (the situation as codes, a short note and a guardian's phone, the last two encrypted and
masked), every read and refused read audited by the core. Care contacts (关爱联系人: an executive member,
a volunteer, a teacher) are assigned and visits (走访) recorded as steps, kept in the file's history.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from core.sdk import Deadline, ProcessType, State, Text, Transition
from plugins.women.permissions import CARE_HANDLE, CARE_READ

CARE_FILE = "women.care_file"
Phone = Annotated[str, msgspec.Meta(pattern=r"^1[3-9]\d{9}$")]
Need = Literal["study", "health", "psychological", "livelihood", "safety", "guardianship", "housing"]


class CareFileForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: Literal["left_behind_child", "single_parent_family"]
    guardian: Literal["grandparent", "one_parent", "relative", "other"]
    needs: Annotated[list[Need], msgspec.Meta(max_length=7)] = []
    #: A short note on the situation (personal: encrypted, masked).
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""
    #: The guardian's phone (personal).
    guardian_phone: Phone | None = None


class ContactForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The care contact (关爱联系人) now responsible, by person id, and what they are to the child."""

    contact_person_id: UUID
    relation: Literal["executive", "volunteer", "teacher", "neighbour", "cadre"]


class VisitForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    visited_on: dt.date
    way: Literal["home_visit", "phone", "school", "online"] = "home_visit"
    help: Annotated[
        list[Literal["material", "study", "psychological", "medical", "policy", "none"]],
        msgspec.Meta(max_length=6),
    ] = []


class CloseForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: Literal["parents_returned", "came_of_age", "moved_away", "no_longer_needed", "other"]


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


CARE_FILE_TYPE = ProcessType(
    code=CARE_FILE,
    name=_t("关爱帮扶档案", "關愛幫扶檔案", "Care file"),
    description=_t(
        "留守儿童与单亲家庭的关爱帮扶：关爱联系人、走访记录。",
        "留守兒童與單親家庭的關愛幫扶：關愛聯繫人、走訪記錄。",
        "Care for left-behind children and single-parent families: care contacts and visits.",
    ),
    org_kinds=("women.federation", "women.grassroots"),
    form=CareFileForm,
    personal_fields=("note", "guardian_phone"),
    read_permission=CARE_READ,
    initial="in_care",
    states=(
        State(
            code="in_care",
            name=_t("关爱中", "關愛中", "In care"),
            # A file not visited for a quarter shows as overdue in the queue.
            deadline=Deadline(days=90, action="remind"),
        ),
        State(code="closed", name=_t("已结案", "已結案", "Closed"), final=True, outcome="closed"),
    ),
    transitions=(
        Transition(
            code="assign_contact",
            name=_t("指定关爱联系人", "指定關愛聯繫人", "Assign a care contact"),
            sources=("in_care",),
            target="in_care",
            permission=CARE_HANDLE,
            form=ContactForm,
        ),
        Transition(
            code="visit",
            name=_t("走访记录", "走訪記錄", "Record a visit"),
            sources=("in_care",),
            target="in_care",
            permission=CARE_HANDLE,
            form=VisitForm,
        ),
        Transition(
            code="close",
            name=_t("结案", "結案", "Close"),
            sources=("in_care",),
            target="closed",
            permission=CARE_HANDLE,
            form=CloseForm,
        ),
    ),
)
