"""Domain signals in the OpenAPI 3.1 document's ``webhooks``: one POST per signal with its payload.

Each payload Struct's JSON Schema is inlined (OpenAPI's ``components`` are rebuilt by Litestar from
the routes, so signal schemas carry their definitions with them).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.spec import OpenAPIMediaType, Operation, PathItem, RequestBody
from litestar.openapi.spec import OpenAPIResponse as Response

HEADERS_DOC = (
    "Signed per Standard Webhooks: `webhook-id` (the signal id, stable across retries), "
    "`webhook-timestamp`, `webhook-signature` (`v1,<base64 HMAC-SHA256>`, one per valid secret). "
    "Answer 2xx within 10 s; anything else is retried with backoff for about three days; 410 disables "
    "the subscription."
)


def _inline(schema: Any, defs: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.removeprefix("#/$defs/")
            if name in seen:  # recursive payloads stay open rather than loop
                return {"type": "object"}
            return _inline(defs[name], defs, (*seen, name))
        return {k: _inline(v, defs, seen) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(v, defs, seen) for v in schema]
    return schema


def envelope_schema(payload: type) -> dict[str, Any]:
    raw = msgspec.json.schema(payload)
    data = _inline(raw, raw.get("$defs", {}))
    return {
        "type": "object",
        "required": ["type", "timestamp", "data"],
        "properties": {
            "type": {"type": "string", "description": "The signal type"},
            "timestamp": {"type": "string", "format": "date-time"},
            "data": data,
        },
    }


def signal_webhooks(signals: dict[str, Any]) -> dict[str, PathItem]:
    """The ``webhooks`` section for every registered signal type."""
    items: dict[str, PathItem] = {}
    for name, signal in sorted(signals.items()):
        items[name] = PathItem(
            post=Operation(
                operation_id=f"signal_{name.replace('.', '_')}",
                summary=f"{signal.description.zh_hans} · {signal.description.en}",
                description=HEADERS_DOC,
                tags=["webhooks"],
                request_body=RequestBody(
                    required=True,
                    content={"application/json": OpenAPIMediaType(schema=envelope_schema(signal.payload))},  # type: ignore[arg-type]
                ),
                responses={"200": Response(description="Received; any 2xx will do.")},
            )
        )
    return items
