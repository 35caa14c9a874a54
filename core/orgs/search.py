"""Search keys: names folded so that 工會 finds 工会, and pinyin initials so that ``gh`` finds 工会."""

from __future__ import annotations

import re

from core.kernel.i18n import to_simplified

_SPACE = re.compile(r"\s+")
#: Characters with a meaning in LIKE patterns; dropped from search terms rather than escaped (portable).
_LIKE_SPECIALS = re.compile(r"[%_\\]")


def fold(text: str) -> str:
    """Simplified characters, lower case, no whitespace: the form stored in ``search_name``."""
    return _SPACE.sub("", to_simplified(text)).lower()


def initials(text: str) -> str:
    """Pinyin initials of the folded name (中华全国总工会 → zhqgzgh); other characters kept as they are."""
    from pypinyin import Style, lazy_pinyin  # its dictionaries take 0.2 s to load: only when names change

    return "".join(lazy_pinyin(fold(text), style=Style.FIRST_LETTER, errors="default"))[:200]


def search_term(query: str) -> str:
    """A user's query made safe for a ``LIKE`` pattern and folded like the stored names."""
    return _LIKE_SPECIALS.sub("", fold(query))


def code_term(query: str) -> str:
    """A query as an org code is stored (upper case, no spaces), safe for a ``LIKE`` pattern."""
    return _LIKE_SPECIALS.sub("", _SPACE.sub("", query)).upper()


def is_initials_query(term: str) -> bool:
    return term.isascii() and term.isalpha()
