"""Signed check-in codes: short, QR-friendly strings that only the platform can mint.

A person's code is the registration id and an HMAC-SHA256 tag over it (truncated to 80 bits), in
RFC 4648 base32 without padding: upper-case letters and digits only, which QR codes encode in their compact
alphanumeric mode. A forged or altered code fails the constant-time comparison.

A venue code (shown at the venue, scanned by attendees to check themselves in) is the event id, its expiry
(Unix seconds) and a tag over both under another context, so it names one event and stops working when it
expires; a person's code is never a venue code, nor the other way round.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from uuid import UUID

_TAG_BYTES = 10
_CONTEXT = b"quntuan.checkin.v1:"
_VENUE_CONTEXT = b"quntuan.venue.v1:"


def _tag(secret: str, registration_id: UUID) -> bytes:
    return hmac.new(secret.encode(), _CONTEXT + registration_id.bytes, hashlib.sha256).digest()[:_TAG_BYTES]


def checkin_code(secret: str, registration_id: UUID) -> str:
    """The code shown to the attendee (42 characters of ``[A-Z2-7]``)."""
    raw = registration_id.bytes + _tag(secret, registration_id)
    return base64.b32encode(raw).decode().rstrip("=")


def verify_checkin_code(secret: str, code: str) -> UUID | None:
    """The registration id a genuine code names, or None for anything forged, altered or malformed."""
    cleaned = code.strip().upper().replace("-", "").replace(" ", "")
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 16 + _TAG_BYTES:
        return None
    registration_id = UUID(bytes=raw[:16])
    # Compare the whole canonical code, so no other spelling of the same bytes is accepted either.
    if not hmac.compare_digest(cleaned, checkin_code(secret, registration_id)):
        return None
    return registration_id


def _clean(code: str) -> bytes | None:
    cleaned = code.strip().upper().replace("-", "").replace(" ", "")
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        return None
    # Only the one spelling we issue: the last character's spare bits would otherwise let several
    # strings decode to the same code.
    return raw if base64.b32encode(raw).decode().rstrip("=") == cleaned else None


def _venue_tag(secret: str, event_id: UUID, expires: int) -> bytes:
    message = _VENUE_CONTEXT + event_id.bytes + expires.to_bytes(8, "big")
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()[:_TAG_BYTES]


def venue_code(secret: str, event_id: UUID, expires: int) -> str:
    """The code shown at an event's venue until ``expires`` (Unix seconds): 55 characters of ``[A-Z2-7]``."""
    raw = event_id.bytes + expires.to_bytes(8, "big") + _venue_tag(secret, event_id, expires)
    return base64.b32encode(raw).decode().rstrip("=")


def verify_venue_code(secret: str, code: str) -> tuple[UUID, int] | None:
    """The event id and expiry a genuine venue code names (expired or not), or None for anything else."""
    raw = _clean(code)
    if raw is None or len(raw) != 16 + 8 + _TAG_BYTES:
        return None
    event_id, expires = UUID(bytes=raw[:16]), int.from_bytes(raw[16:24], "big")
    if not hmac.compare_digest(raw[24:], _venue_tag(secret, event_id, expires)):
        return None
    return event_id, expires
