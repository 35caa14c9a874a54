"""``quntuan plugins new``: the files of a new plugin package, kept here as ``*.tmpl`` package data and
filled with :class:`string.Template` (``$slug``, ``$package``, ``$classname``, …).

The layout of this folder is the layout of the package written: ``package/`` becomes ``quntuan_<slug>/``
and ``package/migrations/migration.py.tmpl`` the plugin's first migration, named after the moment it is
written, as ``piccolo migrations new`` would.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
from collections.abc import Iterable
from pathlib import Path
from string import Template

from core import CORE_API_VERSION
from core.kernel.declarations import RESERVED_SLUGS, SLUG_RE

HERE = Path(__file__).parent


class TemplateError(ValueError):
    """The slug or the target cannot be used; the message says why."""


def core_api_range() -> str:
    """The range a new plugin declares: this core API's major version, from its minor onwards."""
    major, minor = (int(part) for part in CORE_API_VERSION.split(".")[:2])
    return f">={major}.{minor},<{major + 1}"


def check_slug(slug: str, taken: Iterable[str] = ()) -> None:
    if not SLUG_RE.match(slug):
        raise TemplateError(
            f"slug {slug!r} is not allowed: 2-24 lower-case ASCII letters and digits, starting with a letter"
            " (it is the URL prefix /api/v1/<slug> and the prefix of the plugin's tables)"
        )
    if slug in RESERVED_SLUGS:
        raise TemplateError(f"slug {slug!r} is reserved by the core")
    if slug in set(taken):
        raise TemplateError(f"a plugin {slug!r} is already installed")


def installed_slugs() -> set[str]:
    from core.kernel.plugin_host import ENTRY_POINT_GROUP

    return {ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def generate(
    slug: str,
    parent: Path,
    *,
    name_zh: str | None = None,
    name_en: str | None = None,
    now: dt.datetime | None = None,
) -> Path:
    """Write the package ``quntuan-<slug>`` into ``parent``; returns its directory."""
    check_slug(slug, installed_slugs())
    target = parent / f"quntuan-{slug}"
    if target.exists():
        raise TemplateError(f"{target} already exists")
    now = now or dt.datetime.now(dt.UTC)
    package = f"quntuan_{slug}"
    values = {
        "slug": slug,
        "dist": slug,
        "package": package,
        "classname": slug.capitalize(),
        "name_zh": name_zh or f"{slug} 插件",
        "name_en": name_en or f"{slug.capitalize()} plugin",
        "core_api": core_api_range(),
        "migration_id": now.strftime("%Y-%m-%dT%H:%M:%S:%f"),
    }
    for source in sorted(HERE.rglob("*.tmpl")):
        relative = source.relative_to(HERE).with_suffix("")  # drop .tmpl
        parts = [package if part == "package" else part for part in relative.parts]
        if parts[-1] == "migration.py":
            parts[-1] = f"{slug}_{now.strftime('%Y_%m_%dt%H_%M_%S_%f')}.py"
        out = target.joinpath(*parts)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(Template(source.read_text(encoding="utf-8")).substitute(values), encoding="utf-8")
    return target
