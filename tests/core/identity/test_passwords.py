"""Password hashing runs off the event loop, and never more Argon2 operations at once than it allows."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from core.identity import passwords


async def test_a_burst_of_logins_runs_at_most_hashes_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each Argon2 operation holds 64 MiB: a burst must queue for the cores, not run one per thread."""
    running = peak = 0
    lock = threading.Lock()

    class SlowHasher:
        def hash(self, password: str) -> str:
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            time.sleep(0.05)
            with lock:
                running -= 1
            return f"hashed:{password}"

    monkeypatch.setattr(passwords, "_HASHER", SlowHasher())
    burst = 3 * passwords.HASHES_AT_ONCE + 2
    hashes = await asyncio.gather(*(passwords.hash_password(f"password-{i}") for i in range(burst)))
    assert hashes == [f"hashed:password-{i}" for i in range(burst)]
    assert peak == passwords.HASHES_AT_ONCE


async def test_real_hashes_verify() -> None:
    stored = await passwords.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert await passwords.verify_password("correct horse battery", stored)
    assert not await passwords.verify_password("wrong horse battery", stored)
    assert not await passwords.verify_password("correct horse battery", None)
