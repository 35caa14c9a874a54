"""Languages: zh-Hans first, zh-Hant and en beside it.

Every user-facing text is a :class:`Text`. Its zh-Hant form may be written out; when it is not,
it is derived from zh-Hans with OpenCC, so a plugin author writes two forms and gets three.
The same conversion folds search terms, so that 工会 finds 工會.
"""

from __future__ import annotations

import functools
import string
from typing import Any, Final

import msgspec
import opencc

from core.kernel.settings import Locale

LOCALES: Final[tuple[Locale, ...]] = ("zh-Hans", "zh-Hant", "en")
DEFAULT_LOCALE: Final[Locale] = "zh-Hans"

_ALIASES: Final[dict[str, Locale]] = {
    "zh": "zh-Hans",
    "zh-hans": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-my": "zh-Hans",
    "zh-hans-cn": "zh-Hans",
    "zh-hant": "zh-Hant",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-mo": "zh-Hant",
    "zh-hant-tw": "zh-Hant",
    "zh-hant-hk": "zh-Hant",
    "en": "en",
}


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_traditional(text: str) -> str:
    """Simplified → Traditional characters (OpenCC ``s2t``)."""
    return str(_converter("s2t").convert(text))


def to_simplified(text: str) -> str:
    """Traditional → Simplified characters (OpenCC ``t2s``); used to fold names for search."""
    return str(_converter("t2s").convert(text))


class Text(msgspec.Struct, frozen=True, kw_only=True):
    """A user-facing text in the three languages. ``zh_hant`` defaults to the OpenCC conversion."""

    zh_hans: str
    en: str
    zh_hant: str | None = None

    def get(self, locale: Locale) -> str:
        if locale == "en":
            return self.en
        if locale == "zh-Hant":
            return self.zh_hant if self.zh_hant is not None else to_traditional(self.zh_hans)
        return self.zh_hans

    def as_dict(self) -> dict[str, str]:
        """All three forms, keyed by BCP 47 tag, as front ends receive them."""
        return {locale: self.get(locale) for locale in LOCALES}

    def format(self, locale: Locale, **params: Any) -> str:
        """The text in ``locale`` with ``{name}`` placeholders filled; unknown placeholders are kept."""
        values = {k: v.get(locale) if isinstance(v, Text) else v for k, v in params.items()}
        return string.Formatter().vformat(self.get(locale), (), _Params(values))


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def negotiate(accept_language: str | None, default: Locale = DEFAULT_LOCALE) -> Locale:
    """Pick the best of our locales for an ``Accept-Language`` header (RFC 9110 §12.5.4)."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, index, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag == "*":
            return default
        while tag:
            if tag in _ALIASES:
                return _ALIASES[tag]
            if tag.startswith("en-"):
                return "en"
            tag = tag.rpartition("-")[0]
    return default
