"""Personal data at rest: ID numbers (身份证号) and phones, encrypted, looked up by blind index, masked.

* **Encryption**: AES-256-GCM with a key id in every ciphertext (``v1.<kid>.<base64>``), so keys rotate:
  any known key decrypts, the first configured key encrypts, and :func:`needs_reencryption` finds what
  to rewrite. The field name is bound as associated data, so a phone's ciphertext cannot pass as an ID.
* **Blind index**: HMAC-SHA256 of the normalised value under a separate key, for exact lookup
  (``?id_number=``) without decrypting the table.
* **Validation**: GB 11643 ID numbers (18 characters, the ISO 7064 MOD 11-2 check digit, upper-case X,
  full-width digits normalised) and mainland mobile numbers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

if TYPE_CHECKING:
    from core.kernel.settings import Settings

_KID_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
#: Key id of the key derived from the secret key when no personal-data keys are configured.
DERIVED_KID = "s0"


class DecryptionError(ValueError):
    """A ciphertext that no known key opens (wrong key set, or tampered data)."""


def parse_key_entry(entry: str) -> tuple[str, bytes]:
    """``<kid>:<base64 of 32 bytes>`` → (kid, key); raises ValueError otherwise (never echoes the key)."""
    kid, sep, raw = entry.partition(":")
    if not sep or not _KID_RE.match(kid):
        raise ValueError("bad key id")
    try:
        key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("bad key encoding") from None
    if len(key) != 32:
        raise ValueError("key must be 32 bytes")
    return kid, key


def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())


@dataclass(frozen=True)
class Vault:
    """The keys of one app: encryption keys by id (``current`` encrypts) and the blind-index key."""

    keys: dict[str, bytes]
    current: str
    index_key: bytes
    #: One AES-GCM object per key id, made once (an import encrypts hundreds of thousands of values).
    _ciphers: dict[str, AESGCM] = field(init=False, repr=False, compare=False)
    #: The blind index's HMAC keyed once; each lookup hashes a copy.
    _index_mac: hmac.HMAC = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ciphers", {kid: AESGCM(key) for kid, key in self.keys.items()})
        object.__setattr__(self, "_index_mac", hmac.new(self.index_key, digestmod=hashlib.sha256))

    @classmethod
    def from_settings(cls, settings: Settings) -> Vault:
        secret = settings.resolved_secret_key()
        if settings.personal_data_keys:
            pairs = [parse_key_entry(e) for e in settings.personal_data_keys]
            keys = dict(pairs)
            current = pairs[0][0]
        else:
            keys, current = {}, DERIVED_KID
        # The derived key always decrypts, so configuring keys later does not strand existing rows.
        keys.setdefault(DERIVED_KID, _derive(secret, b"quntuan personal data v1"))
        index_key = (
            hashlib.sha256(settings.blind_index_key.encode()).digest()
            if settings.blind_index_key
            else _derive(secret, b"quntuan blind index v1")
        )
        return cls(keys=keys, current=current, index_key=index_key)

    def encrypt(self, field: str, value: str) -> str:
        nonce = os.urandom(12)
        sealed = self._ciphers[self.current].encrypt(nonce, value.encode(), field.encode())
        return f"v1.{self.current}.{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"

    def decrypt(self, field: str, token: str) -> str:
        try:
            version, kid, body = token.split(".", 2)
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            cipher = self._ciphers.get(kid) if version == "v1" else None
            if cipher is None:
                raise DecryptionError("unknown key")
            return cipher.decrypt(raw[:12], raw[12:], field.encode()).decode()
        except DecryptionError:
            raise
        except Exception:
            raise DecryptionError("cannot decrypt") from None

    def needs_reencryption(self, token: str | None) -> bool:
        return token is not None and token.split(".", 2)[1:2] != [self.current]

    def encrypt_bytes(self, field: str, value: bytes) -> bytes:
        """Like :meth:`encrypt`, for binary payloads (stored uploads): ``v1.<kid>.`` then nonce and
        ciphertext as raw bytes, a third smaller than base64 text."""
        nonce = os.urandom(12)
        sealed = self._ciphers[self.current].encrypt(nonce, value, field.encode())
        return f"v1.{self.current}.".encode() + nonce + sealed

    def decrypt_bytes(self, field: str, token: bytes) -> bytes:
        try:
            version, kid, raw = bytes(token).split(b".", 2)
            cipher = self._ciphers.get(kid.decode()) if version == b"v1" else None
            if cipher is None:
                raise DecryptionError("unknown key")
            return cipher.decrypt(raw[:12], raw[12:], field.encode())
        except DecryptionError:
            raise
        except Exception:
            raise DecryptionError("cannot decrypt") from None

    def needs_reencryption_bytes(self, token: bytes | None) -> bool:
        return bool(token) and bytes(token).split(b".", 2)[1:2] != [self.current.encode()]  # type: ignore[arg-type]

    def subkey(self, purpose: bytes, kid: str | None = None) -> bytes:
        """A key for another purpose (signing audit checkpoints), derived by HKDF from the key ring's key
        ``kid`` (the current one by default), so it rotates with the ring and never equals a data key.
        Raises KeyError for a key id the ring no longer holds."""
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
            self.keys[kid or self.current]
        )

    def blind_index(self, field: str, value: str) -> str:
        mac = self._index_mac.copy()
        mac.update(f"{field}:{value}".encode())
        return mac.hexdigest()


# --- normalisation and validation -----------------------------------------------------------------------


_SEPARATORS = re.compile(r"[\s\-]")


def _halfwidth(value: str) -> str:
    """Full-width digits and letters (ＸＸ, １２３) become ASCII; spaces and hyphens go."""
    if not value.isascii():  # NFKC leaves ASCII as it is
        value = unicodedata.normalize("NFKC", value)
    return _SEPARATORS.sub("", value)


def normalise_id_number(value: str) -> str | None:
    """The canonical form of a resident ID number (居民身份证号码), or None when it is not valid."""
    value = _halfwidth(value).upper()
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return None
    total = sum(int(d) * w for d, w in zip(value[:17], _WEIGHTS, strict=True))
    if _CHECK[total % 11] != value[17]:
        return None
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None
    return value


def normalise_phone(value: str) -> str | None:
    """A mainland mobile number as 11 digits (``+86``/``0086`` dropped), or None when it is not one."""
    value = _halfwidth(value)
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    return value if _PHONE_RE.match(value) else None


def mask_id_number(value: str) -> str:
    """``110101********123X``: region code and last four kept."""
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """``138****8000``."""
    return value[:3] + "****" + value[-4:]
