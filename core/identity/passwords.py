"""Passwords: argon2id hashing through pwdlib, always off the event loop (a hash takes tens of ms), and
the strength check every new password passes (zxcvbn: common, repeated, sequential, keyboard-pattern,
date and personal passwords are refused, with a field error that says which of these it is)."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import Any

import anyio.to_thread
import zxcvbn
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from core.kernel.errors import FIELD_MESSAGES, Problem
from core.kernel.i18n import Text

_HASHER = PasswordHash((Argon2Hasher(),))

#: Argon2 operations running at once in this process. Each holds 64 MiB and a core for a tenth of a
#: second or more: beyond the cores, more at once only wait for a core while multiplying the memory — a
#: burst of logins would otherwise run one per anyio worker thread (up to 40 at once, 2.5 GiB). With
#: about one web worker per core, four per process keep every core busy during a login peak.
HASHES_AT_ONCE = min(len(os.sched_getaffinity(0)), 4)
_running = threading.BoundedSemaphore(HASHES_AT_ONCE)


def _bounded(work: Callable[..., Any], *args: Any) -> Any:
    """Run one Argon2 operation (in a worker thread) once fewer than HASHES_AT_ONCE are running."""
    with _running:
        return work(*args)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so both answers cost the same time.

    Computed on first need rather than at import: an argon2id hash would add 0.15 s to every start-up.
    """
    return _bounded(_HASHER.hash, "quntuan-no-such-account")


MIN_LENGTH = 10
#: zxcvbn refuses longer input (and its cost grows with length): the first characters are rated, so a
#: longer password is at least as strong as its rated prefix.
RATED_LENGTH = 72

#: Why a password is refused: field error code → message (what to avoid).
WEAKNESS_MESSAGES: dict[str, Text] = {
    "password_common": Text(
        zh_hans="这是常见密码，很容易被猜中",
        zh_hant="這是常見密碼，很容易被猜中",
        en="This is a commonly used password and easy to guess",
    ),
    "password_personal": Text(
        zh_hans="密码不能以用户名或姓名为主",
        zh_hant="密碼不能以使用者名稱或姓名為主",
        en="The password is mostly the login name or the person's name",
    ),
    "password_name": Text(
        zh_hans="姓名本身很容易被猜中",
        zh_hant="姓名本身很容易被猜中",
        en="Names by themselves are easy to guess",
    ),
    "password_word": Text(
        zh_hans="单个常用词很容易被猜中，请用几个不相关的词",
        zh_hant="單個常用詞很容易被猜中，請用幾個不相關的詞",
        en="A common word by itself is easy to guess; use several unrelated words",
    ),
    "password_keyboard": Text(
        zh_hans="键盘上连成一排或一片的按键很容易被猜中",
        zh_hant="鍵盤上連成一排或一片的按鍵很容易被猜中",
        en="Rows and patterns of keys are easy to guess",
    ),
    "password_repeated": Text(
        zh_hans="重复的字符（如 aaa、abcabc）很容易被猜中",
        zh_hant="重複的字元（如 aaa、abcabc）很容易被猜中",
        en='Repeats like "aaa" or "abcabc" are easy to guess',
    ),
    "password_sequence": Text(
        zh_hans="连续的字符（如 abc、6543）很容易被猜中",
        zh_hant="連續的字元（如 abc、6543）很容易被猜中",
        en='Sequences like "abc" or "6543" are easy to guess',
    ),
    "password_date": Text(
        zh_hans="日期和年份很容易被猜中",
        zh_hant="日期和年份很容易被猜中",
        en="Dates and years are easy to guess",
    ),
    "password_weak": Text(
        zh_hans="密码太容易被猜中，请用更长、更少见的密码",
        zh_hant="密碼太容易被猜中，請用更長、更少見的密碼",
        en="Too easy to guess: use a longer, less common password",
    ),
}
# Registered as field messages, so a refusal is answered in the caller's language.
FIELD_MESSAGES.update(WEAKNESS_MESSAGES)

_DICTIONARY_CODES = {
    "passwords": "password_common",
    "user_inputs": "password_personal",
    "female_names": "password_name",
    "male_names": "password_name",
    "surnames": "password_name",
}
_PATTERN_CODES = {
    "spatial": "password_keyboard",
    "repeat": "password_repeated",
    "sequence": "password_sequence",
    "date": "password_date",
    "regex": "password_date",  # zxcvbn's only regex is recent years
}


def weakness(password: str, user_inputs: tuple[str, ...] = (), *, min_score: int) -> str | None:
    """Why ``password`` is too weak (a key of :data:`WEAKNESS_MESSAGES`), or None when it is strong enough.

    ``user_inputs`` are words the password must not lean on (login name, the person's name). The reason
    is the longest pattern zxcvbn found in it, as zxcvbn's own feedback does.
    """
    result = zxcvbn.zxcvbn(password[:RATED_LENGTH], user_inputs=[u for u in user_inputs if u])
    if result["score"] >= min_score:
        return None
    matches = [m for m in result["sequence"] if m["pattern"] != "bruteforce"]
    if not matches:
        return "password_weak"
    longest = max(matches, key=lambda m: len(m["token"]))
    if longest["pattern"] == "dictionary":
        return _DICTIONARY_CODES.get(longest.get("dictionary_name", ""), "password_word")
    return _PATTERN_CODES.get(longest["pattern"], "password_weak")


async def check_strength(
    password: str, user_inputs: tuple[str, ...] = (), *, min_score: int, pointer: str
) -> None:
    """Refuse a weak new password with a 422 on ``pointer`` whose code and message say why.

    Rated in a worker thread: zxcvbn takes tens of milliseconds on a long password.
    """
    code = await anyio.to_thread.run_sync(
        functools.partial(weakness, password, user_inputs, min_score=min_score)
    )
    if code is not None:
        raise Problem.invalid((pointer, code))


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_bounded, _HASHER.hash, password)  # type: ignore[no-any-return]


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches; with no hash, burns the same time and answers False."""
    target = password_hash if password_hash else await anyio.to_thread.run_sync(_dummy_hash)
    ok = await anyio.to_thread.run_sync(_bounded, _HASHER.verify, password, target)
    return bool(ok) and password_hash is not None
