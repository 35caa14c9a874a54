"""Cursor pagination: ``?limit=`` (default 20, at most 100) and an opaque ``?cursor=``.

Lists are keyset-paginated: the cursor encodes the sort key of the last item sent, so a page costs one
indexed range scan however deep the client goes, and inserts between requests never shift items.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Annotated, Any, Generic, TypeAlias, TypeVar

import msgspec
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from piccolo.columns import Column
from piccolo.columns.combination import And, Or, Where
from piccolo.query import Select

from core.kernel.body import NUL, representable
from core.kernel.errors import Problem, register_problem
from core.kernel.i18n import Text

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

INVALID_CURSOR = register_problem(
    "invalid-cursor",
    400,
    Text(zh_hans="分页游标无效", zh_hant="分頁游標無效", en="Invalid cursor"),
    Text(
        zh_hans="cursor 参数不是本接口给出的游标。",
        zh_hant="cursor 參數不是本介面給出的游標。",
        en="The cursor parameter is not one this endpoint returned.",
    ),
)


class Page(msgspec.Struct, Generic[T], kw_only=True):
    """The envelope of every list: the items and the cursor of the next page (``null`` on the last)."""

    items: list[T]
    next_cursor: str | None = None


class PageRequest(msgspec.Struct, frozen=True):
    limit: int = DEFAULT_LIMIT
    after: tuple[Any, ...] | None = None


#: Annotation for a handler's ``page`` parameter: ``async def list_x(self, page: PageParam) -> Page[X]``.
PageParam: TypeAlias = NamedDependency[PageRequest]


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(list(values))).rstrip(b"=").decode()


def decode_cursor(raw: str) -> tuple[Any, ...]:
    try:
        decoded = msgspec.json.decode(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise Problem(INVALID_CURSOR) from None
    if not isinstance(decoded, list) or not decoded or not all(map(_cursor_value, decoded)):
        raise Problem(INVALID_CURSOR)
    return tuple(decoded)


def _cursor_value(value: Any) -> bool:
    """A sort-key value as :func:`encode_cursor` writes them: a scalar the databases can take (an integer
    within 64 bits, a finite number, a string without U+0000) or null."""
    if isinstance(value, str):
        return NUL not in value
    return value is None or (isinstance(value, int | float) and representable(value))


def provide_page(
    limit: Annotated[
        int, QueryParameter(ge=1, le=MAX_LIMIT, description="Items per page (1–100).")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        QueryParameter(description="Opaque cursor from a previous page's next_cursor.", max_length=512),
    ] = None,
) -> PageRequest:
    """Dependency ``page``: the validated ``limit`` and decoded ``cursor`` of a list request."""
    return PageRequest(limit=limit, after=decode_cursor(cursor) if cursor else None)


def _typed(column: Column, value: Any) -> Any:
    try:
        typed: Any = msgspec.convert(value, type=column.value_type, strict=False)
    except (msgspec.ValidationError, TypeError):
        raise Problem(INVALID_CURSOR) from None
    if not representable(typed):  # a time beyond the years 1–9999 once in UTC
        raise Problem(INVALID_CURSOR)
    return typed


def cursor_values(key: Sequence[Column], after: Sequence[Any]) -> list[Any]:
    """A decoded cursor's values typed as the key's columns (400 when they do not fit)."""
    if len(after) != len(key):
        raise Problem(INVALID_CURSOR)
    return [_typed(col, val) for col, val in zip(key, after, strict=True)]


def after_clause(
    key: Sequence[Column], after: Sequence[Any], *, descending: bool = False
) -> Where | And | Or:
    """``(k1, k2, …) > (v1, v2, …)`` written portably (row-value comparison is not portable)."""
    values = cursor_values(key, after)
    clause: Any = None
    for i in reversed(range(len(key))):
        step = key[i] < values[i] if descending else key[i] > values[i]
        for j in range(i):
            step = (key[j] == values[j]) & step
        clause = step if clause is None else step | clause
    return clause  # type: ignore[no-any-return]


async def paginate(
    query: Select, key: Sequence[Column], page: PageRequest, *, descending: bool = False
) -> tuple[list[dict[str, Any]], str | None]:
    """Run ``query`` for one page ordered by ``key`` (which must be unique); returns rows and next cursor."""
    if page.after is not None:
        query = query.where(after_clause(key, page.after, descending=descending))
    rows = await query.order_by(*key, ascending=not descending).limit(page.limit + 1).run()
    return page_of(rows, key, page)


def page_of(rows: list[Any], key: Sequence[Column], page: PageRequest) -> tuple[list[Any], str | None]:
    """Rows of a query that fetched ``page.limit + 1`` rows in ``key`` order: the page and next cursor."""
    if len(rows) <= page.limit:
        return rows, None
    rows = rows[: page.limit]
    last = rows[-1]
    return rows, encode_cursor([msgspec.to_builtins(last[col._meta.name]) for col in key])
