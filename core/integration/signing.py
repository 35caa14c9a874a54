"""Standard Webhooks signatures (https://www.standardwebhooks.com): what receivers verify.

``webhook-signature`` is ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``, one entry per
valid secret separated by spaces, so during a secret rotation receivers holding either secret accept.
Secrets are ``whsec_`` + base64 of 32 random bytes; at rest they are encrypted with the identity Vault
(AES-GCM with key ids, rotated by ``quntuan admin reencrypt`` like ID numbers and phones).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from core.kernel.vault import Vault

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
SECRET_BYTES = 32
#: Associated data of the ciphertexts: a webhook secret's ciphertext cannot pass for anything else.
SECRET_FIELD = "webhook_secret"  # noqa: S105 (a field name)


def new_secret() -> str:
    """A fresh endpoint secret (32 random bytes; the standard asks for 24 to 64)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def seal_secret(vault: Vault, secret: str) -> str:
    """The secret as stored: encrypted under the Vault's current key."""
    return vault.encrypt(SECRET_FIELD, secret)


def open_secret(vault: Vault, stored: str) -> str:
    """The secret from its stored ciphertext (raises ``DecryptionError`` when no known key opens it)."""
    return vault.decrypt(SECRET_FIELD, stored)


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<signature>`` entry for ``body`` sent as message ``msg_id`` at ``timestamp``."""
    mac = hmac.new(_key(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def signature_header(secrets_: Iterable[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value: one entry per secret, space-separated."""
    return " ".join(sign(s, msg_id, timestamp, body) for s in secrets_)


def webhook_headers(secrets_: Iterable[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets_, msg_id, timestamp, body),
        "content-type": "application/json",
        "user-agent": "quntuan-webhooks/1",
    }
