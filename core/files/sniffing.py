"""What a file really is: its type sniffed from its first bytes, checked against what the client said.

Sniffing uses ``filetype`` (pure Python, no system library): it recognises images, PDF and the Office
Open XML formats by their magic numbers and, for the latter, by the ZIP members that make a ``.docx`` a
``.docx`` — so a ZIP declared as ``image/png`` or named ``.docx`` is told apart from the real thing.
A file is accepted only when the sniffed type is allowed, the declared ``Content-Type`` (if any beyond
``application/octet-stream``) names the same type, and the name's extension is one of that type's.
"""

from __future__ import annotations

import mimetypes
import unicodedata
from pathlib import PurePosixPath

import filetype

#: Bytes of the start of a file the sniffer reads (filetype reads at most 8 KiB).
HEAD_SIZE = 8192

#: Types clients declare under another name.
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "application/x-pdf": "application/pdf",
}
#: Declared types that say nothing (what many clients send for any file).
_UNDECLARED = frozenset({"", "application/octet-stream", "binary/octet-stream"})


def sniff(head: bytes) -> tuple[str, str] | None:
    """``(mime type, extension)`` recognised from the first bytes, or None when unrecognised."""
    kind = filetype.guess(head)
    return (kind.mime, kind.extension) if kind is not None else None


def normalised_type(declared: str | None) -> str:
    value = (declared or "").split(";", 1)[0].strip().lower()
    return _ALIASES.get(value, value)


def declared_matches(declared: str | None, sniffed: str) -> bool:
    """Whether the client's ``Content-Type`` agrees with the content (saying nothing agrees)."""
    value = normalised_type(declared)
    return value in _UNDECLARED or value == sniffed


def extensions_of(mime: str, sniffed_extension: str) -> set[str]:
    found = {e.lower() for e in mimetypes.guess_all_extensions(mime, strict=False)}
    found.add("." + sniffed_extension.lower())
    if mime == "image/jpeg":
        found |= {".jpg", ".jpeg", ".jpe", ".jfif"}
    return found


def extension_matches(name: str, mime: str, sniffed_extension: str) -> bool:
    """Whether the name ends in an extension of the sniffed type (``.exe`` renamed ``.pdf`` does not)."""
    suffix = PurePosixPath(name).suffix.lower()
    return bool(suffix) and suffix in extensions_of(mime, sniffed_extension)


def clean_name(raw: str | None) -> str:
    """The client's file name reduced to its last path component, NFC, without control characters.

    Stored to be shown and offered on download; storage keys never derive from it. Empty when nothing
    printable is left.
    """
    if not raw:
        return ""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".").strip()
    if len(name) > 255:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: 255 - len(suffix)] + suffix
    return name
