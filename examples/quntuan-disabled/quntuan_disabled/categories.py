"""Disability categories and grades (GB/T 26341-2010) and the second-generation certificate number:
the holder's 18-character ID number, then one digit for the category and one for the grade."""

from __future__ import annotations

from typing import Literal

from core.sdk import Text, normalise_id_number

Category = Literal["vision", "hearing", "speech", "physical", "intellectual", "mental", "multiple"]

#: Category → (the digit the certificate number carries, its name).
CATEGORIES: dict[str, tuple[str, Text]] = {
    "vision": ("1", Text(zh_hans="视力残疾", zh_hant="視力殘疾", en="Visual")),
    "hearing": ("2", Text(zh_hans="听力残疾", zh_hant="聽力殘疾", en="Hearing")),
    "speech": ("3", Text(zh_hans="言语残疾", zh_hant="言語殘疾", en="Speech")),
    "physical": ("4", Text(zh_hans="肢体残疾", zh_hant="肢體殘疾", en="Physical")),
    "intellectual": ("5", Text(zh_hans="智力残疾", zh_hant="智力殘疾", en="Intellectual")),
    "mental": ("6", Text(zh_hans="精神残疾", zh_hant="精神殘疾", en="Mental")),
    "multiple": ("7", Text(zh_hans="多重残疾", zh_hant="多重殘疾", en="Multiple")),
}
GRADE_NAMES: dict[int, Text] = {
    1: Text(zh_hans="一级", zh_hant="一級", en="Grade 1"),
    2: Text(zh_hans="二级", zh_hant="二級", en="Grade 2"),
    3: Text(zh_hans="三级", zh_hant="三級", en="Grade 3"),
    4: Text(zh_hans="四级", zh_hant="四級", en="Grade 4"),
}


def certificate_number(id_number: str, category: str, grade: int) -> str | None:
    """The certificate number for a holder's ID number, or None when the ID number is not valid."""
    canonical = normalise_id_number(id_number)
    if canonical is None:
        return None
    return canonical + CATEGORIES[category][0] + str(grade)


def mask_certificate_number(number: str) -> str:
    """``110101**********1234`` + category and grade: the region and the last four ID characters kept,
    so a clerk can match a card held up at the counter; the birth date never shows."""
    return number[:6] + "*" * 8 + number[14:]
