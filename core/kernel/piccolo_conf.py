"""Piccolo's configuration module (``PICCOLO_CONF=core.kernel.piccolo_conf``), for Piccolo's own tooling.

``DB`` is the engine of the database the running process bound, or one built from the ``QUNTUAN_*``
settings; ``APP_REGISTRY`` holds the core app and every enabled plugin's app. Developers use it to
write migrations: ``PICCOLO_CONF=core.kernel.piccolo_conf piccolo migrations new union --auto``.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "DB":
        from core.kernel.db import active_database, make_engine
        from core.kernel.settings import load_settings

        active = active_database()
        return active.engine if active is not None else make_engine(load_settings())
    if name == "APP_REGISTRY":
        from piccolo.conf.apps import AppRegistry

        from core.kernel.migrations import app_module_path, sorted_apps
        from core.kernel.plugin_host import make_plugin_manager
        from core.kernel.settings import load_settings

        apps = sorted_apps(make_plugin_manager(load_settings()).registry.piccolo_apps)
        return AppRegistry(apps=[app_module_path(app) for app in apps])
    raise AttributeError(name)
