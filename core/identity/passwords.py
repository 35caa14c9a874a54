"""Password hashing: argon2id through pwdlib, always off the event loop (a hash takes tens of ms)."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import Any

import anyio.to_thread
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

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


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_bounded, _HASHER.hash, password)  # type: ignore[no-any-return]


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches; with no hash, burns the same time and answers False."""
    target = password_hash if password_hash else await anyio.to_thread.run_sync(_dummy_hash)
    ok = await anyio.to_thread.run_sync(_bounded, _HASHER.verify, password, target)
    return bool(ok) and password_hash is not None
