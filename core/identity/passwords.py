"""Password hashing: argon2id through pwdlib, always off the event loop (a hash takes tens of ms)."""

from __future__ import annotations

import functools

import anyio.to_thread
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_HASHER = PasswordHash((Argon2Hasher(),))


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so both answers cost the same time.

    Computed on first need rather than at import: an argon2id hash would add 0.15 s to every start-up.
    """
    return _HASHER.hash("quntuan-no-such-account")


MIN_LENGTH = 10


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_HASHER.hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches; with no hash, burns the same time and answers False."""
    target = password_hash if password_hash else await anyio.to_thread.run_sync(_dummy_hash)
    ok = await anyio.to_thread.run_sync(_HASHER.verify, password, target)
    return bool(ok) and password_hash is not None
