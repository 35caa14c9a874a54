"""Plugin-typed data in the OpenAPI document: each event type's ``details`` as its own schema.

An event type declares ``details`` as a msgspec Struct (the core validates them on every write). The
document then shows every schema that carries ``type`` and ``details`` (``Event``, ``MyEvent``,
``EventCreate``) as a discriminated union on ``type``: one variant per event type with a Struct, whose
``details`` is that Struct's schema (``UnionVolunteerServiceEvent`` …), and ``GenericEvent`` … for the
types without one. Generated clients (openapi-python-client, openapi-typescript) get a typed model per
event type instead of an untyped ``dict``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

import msgspec

from core.kernel.declarations import EventType

_REF = "#/components/schemas/"
#: Components that carry an event type code in ``type`` and its fields in ``details``.
_CARRIERS = ("Event", "MyEvent", "EventCreate")


def pascal(code: str) -> str:
    """``union.volunteer_service`` → ``UnionVolunteerService``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[._\-]", code) if part)


def details_schema(event_type: EventType) -> dict[str, Any] | None:
    """The JSON Schema of an event type's ``details`` (self-contained, with ``$defs``), or None."""
    if event_type.details is None:
        return None
    return msgspec.json.schema(event_type.details)  # type: ignore[no-any-return]


def _details_components(event_types: Mapping[str, EventType]) -> tuple[dict[str, str], dict[str, Any]]:
    """Component name of each typed event type's details, and the components (prefixed per type, so two
    plugins' Structs of one name never collide)."""
    names: dict[str, str] = {}
    components: dict[str, Any] = {}
    for code, event_type in sorted(event_types.items()):
        if event_type.details is None:
            continue
        prefix = pascal(code)
        (top,), defs = msgspec.json.schema_components(
            [event_type.details], ref_template=_REF + prefix + "{name}"
        )
        for name, schema in defs.items():
            # Titled as named: one Struct declared for several types (youth's three meetings) is then
            # several models to a client generator, never two of one name.
            components[prefix + name] = {**schema, "title": prefix + name}
        names[code] = top["$ref"].removeprefix(_REF)
    return names, components


def add_typed_details(document: dict[str, Any], event_types: Mapping[str, EventType]) -> dict[str, Any]:
    """A copy of ``document`` whose event schemas are discriminated unions on ``type``; unchanged when
    no event type declares ``details``."""
    names, details = _details_components(event_types)
    schemas = document.get("components", {}).get("schemas", {})
    carriers = [c for c in _CARRIERS if "details" in schemas.get(c, {}).get("properties", {})]
    if not names or not carriers:
        return document
    document = copy.deepcopy(document)
    schemas = document["components"]["schemas"]
    for name, schema in details.items():
        schemas.setdefault(name, schema)
    untyped = sorted(code for code in event_types if code not in names)
    for carrier in carriers:
        base = schemas[carrier]
        variants: dict[str, str] = {}
        for code, details_name in names.items():
            variant = copy.deepcopy(base)
            variant["title"] = f"{pascal(code)}{carrier}"
            variant["properties"]["type"] = {"type": "string", "enum": [code]}
            variant["properties"]["details"] = {"$ref": _REF + details_name}
            schemas[variant["title"]] = variant
            variants[code] = variant["title"]
        titles = sorted(set(variants.values()))
        generic = {"title": f"Generic{carrier}"}
        if untyped:  # the types without details (never a catch-all: oneOf must match exactly one)
            generic = copy.deepcopy(base)
            generic["title"] = f"Generic{carrier}"
            generic["properties"]["type"] = {"type": "string", "enum": untyped}
            schemas[generic["title"]] = generic
            titles.append(generic["title"])
        schemas[carrier] = {
            "title": carrier,
            "description": base.get("description", ""),
            "oneOf": [{"$ref": _REF + t} for t in titles],
            "discriminator": {
                "propertyName": "type",
                "mapping": {
                    **{code: _REF + t for code, t in sorted(variants.items())},
                    **dict.fromkeys(untyped, _REF + generic["title"]),
                },
            },
        }
    return document
