"""An org's contact phone (联系电话): encrypted at rest, masked unless the reader may see personal data.

The contact phone of a 党支部 or a 基层工会 is often the secretary's own mobile, so it is treated like a
person's phone: stored encrypted by the :class:`~core.kernel.vault.Vault` (``contact_phone_enc``) and
shown in full only to a caller whose ``core.person.personal_data`` reaches the org. Its masked form is
computed when the phone is written (``contact_phone_masked``), so the common read — a reader without
that permission, a page of orgs — selects it like any other column and decrypts nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.identity.permissions import PERSON_PERSONAL_DATA
from core.kernel.access import Principal, Reach, within
from core.kernel.db import Database
from core.kernel.vault import Vault, mask_phone, normalise_phone

#: Associated data of the ciphertext: an org's contact phone cannot pass as a person's phone or ID.
FIELD = "contact_phone"
#: What follows the number itself: an extension (转 123, 分机 8, ext. 9, #9) or a second number.
_EXTENSION = re.compile(r"(转|分机|ext|x|#|,|，|;|；|/|、)", re.IGNORECASE)
_DIGITS = re.compile(r"\d")


def mask_contact_phone(value: str) -> str:
    """The contact phone as anyone may see it: a mobile as ``138****8000``, a landline as ``010-****5678``.

    Only the area code (a landline's leading ``0`` and two or three digits) and at most the last four
    digits stay; at least four digits are always hidden; an extension and any other text are dropped.
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", value)
    main = _EXTENSION.split(text, maxsplit=1)[0]
    digits = "".join(_DIGITS.findall(main))
    if not digits:
        return "****"
    mobile = normalise_phone(main) or normalise_phone(digits)
    if mobile is not None:
        return mask_phone(mobile)
    head = ""
    if digits.startswith("0") and len(digits) >= 10:
        # 010 and 02x are the big cities' three-digit codes; every other area code has four.
        head = digits[:3] if digits[1] in "12" else digits[:4]
    rest = digits[len(head) :]
    tail = rest[-min(4, max(0, len(rest) - 4)) :] if len(rest) > 4 else ""
    return (head + "-" if head else "") + "*" * (len(rest) - len(tail)) + tail


def seal(vault: Vault, value: str) -> dict[str, Any]:
    """The stored columns of a contact phone as entered: its ciphertext (null when empty) and masked form."""
    return {
        "contact_phone_enc": vault.encrypt(FIELD, value) if value else None,
        "contact_phone_masked": mask_contact_phone(value),
    }


@dataclass(frozen=True, slots=True)
class Reveal:
    """Where the caller may see contact phones in full, and the keys to open them."""

    vault: Vault
    reaches: tuple[Reach, ...]

    def phone(self, row: Mapping[str, Any]) -> str:
        """The full phone of an org row (``path``, ``contact_phone_enc``) in reach, else its masked one."""
        token = row["contact_phone_enc"]
        if token and within(row["path"], self.reaches):
            return self.vault.decrypt(FIELD, token)
        return str(row["contact_phone"])


def reveal_for(principal: Principal, vault: Vault) -> Reveal | None:
    """The caller's :class:`Reveal`, or None when ``core.person.personal_data`` reaches no org at all."""
    reaches = tuple(principal.reach(PERSON_PERSONAL_DATA))
    return Reveal(vault, reaches) if reaches else None


def shown(row: Mapping[str, Any], reveal: Reveal | None) -> Mapping[str, Any]:
    """An org row whose ``contact_phone`` (the masked one as selected) is the full one where revealed."""
    if reveal is None or not row.get("contact_phone_enc"):
        return row
    phone = reveal.phone(row)
    return row if phone == row["contact_phone"] else {**row, "contact_phone": phone}


async def reencrypt_contact_phones(db: Database, vault: Vault) -> int:
    """Re-encrypt the contact phones not yet under ``vault.current`` (``quntuan admin reencrypt``)."""
    from core.identity.keys import reencrypt_columns
    from core.orgs.tables import Org

    return await reencrypt_columns(db, vault, Org, {Org.contact_phone_enc: FIELD})
