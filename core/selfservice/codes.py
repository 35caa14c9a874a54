"""One-time codes and their delivery: the one function :func:`send_code` the SMS providers rewire.

A code is six random digits, stored as a SHA-256 hash only. Delivery goes through the sender set with
:func:`set_code_sender`; the built-in one is :func:`development_log_sender`, which writes the code to the
log (``quntuan.selfservice.codes``) and is meant for development and tests only — a production
deployment installs an SMS provider's sender at start-up.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("quntuan.selfservice.codes")

#: ``(phone, code, purpose)`` → delivered. ``purpose`` names the flow (``claim``…), for the message text.
CodeSender = Callable[[str, str, str], Awaitable[None]]


async def development_log_sender(phone: str, code: str, purpose: str) -> None:
    """Development only: log the code instead of sending it (the phone masked, the code in clear)."""
    log.warning("DEVELOPMENT CODE SENDER: %s code for %s****%s is %s", purpose, phone[:3], phone[-4:], code)


_sender: CodeSender = development_log_sender


def set_code_sender(sender: CodeSender) -> CodeSender:
    """Install the sender every code goes through; returns the previous one."""
    global _sender
    previous, _sender = _sender, sender
    return previous


def provider_sender(sender: Any) -> CodeSender:
    """The configured SMS provider's sender (``QUNTUAN_SMS_PROVIDER``, see :mod:`core.signup.sms`) as the
    sender of claim codes: one way to deliver a code, whatever the flow."""

    async def send(phone: str, code: str, purpose: str) -> None:
        await sender.send(phone, code)

    return send


async def send_code(phone: str, code: str, purpose: str) -> None:
    """Deliver ``code`` to ``phone`` for ``purpose`` through the installed sender."""
    await _sender(phone, code, purpose)


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def same_code(code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_code(code), stored_hash)
