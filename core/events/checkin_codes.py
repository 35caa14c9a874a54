"""Signed check-in codes: short, QR-friendly strings that only the platform can mint.

A code is the registration id and an HMAC-SHA256 tag over it (truncated to 80 bits), in
RFC 4648 base32 without padding: upper-case letters and digits only, which QR codes encode in their compact
alphanumeric mode. A forged or altered code fails the constant-time comparison.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from uuid import UUID

_TAG_BYTES = 10
_CONTEXT = b"quntuan.checkin.v1:"


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
