"""Check digits of Chinese identifiers: the unified social credit code and the resident ID number."""

from __future__ import annotations

import re
from datetime import date
from operator import mul

#: GB 32100-2015: the 31 characters a unified social credit code (统一社会信用代码) is written in.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")

#: GB 11643-1999: weights and check characters of the 18-digit resident ID number (公民身份号码).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def credit_code_check(code17: str) -> str:
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(code17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def valid_credit_code(code: str) -> bool:
    """Whether ``code`` is a well-formed unified social credit code with the right check character."""
    code = code.upper()
    return bool(_CREDIT_RE.match(code)) and credit_code_check(code[:17]) == code[17]


def id_number_check(first17: str) -> str:
    """The check character of the first 17 digits of a resident ID number (ISO 7064 MOD 11-2)."""
    if len(first17) != len(_ID_WEIGHTS):
        raise ValueError("an ID number's check character is computed over 17 digits")
    return _ID_CHECK[sum(map(mul, map(int, first17), _ID_WEIGHTS)) % 11]


def valid_id_number(number: str) -> bool:
    """Whether ``number`` is an 18-digit resident ID number with the right check character."""
    number = number.upper()
    return bool(_ID_RE.match(number)) and id_number_check(number[:17]) == number[17]


def birth_date_of(number: str) -> date | None:
    """The birth date an 18-digit resident ID number states (digits 7 to 14), None when it states none."""
    if not valid_id_number(number):
        return None
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def valid_mobile(phone: str) -> bool:
    return bool(_MOBILE_RE.match(phone))
