"""The kernel: the platform machinery every domain and plugin runs on, and nothing of any one domain.

The app factory and the plugin host (``app``, ``plugin_host``, ``hookspecs``, ``declarations``), settings and
start-up checks (``settings``, ``startup``, ``config_reference``), storage (``db``, ``migrations``, ``backup``,
``piccolo_conf``, ``shared``), the request's way in and out (``body``, ``cors``, ``security``, ``fastpath``,
``guards``, ``access``, ``preconditions``, ``pagination``, ``errors``, ``i18n``), the document
(``docs``, ``openapi_truth``, ``typed_data``), operations (``observability``, ``metrics_dir``) and the
``quntuan`` command (``cli``).

The kernel imports no domain package (an import contract checks it): the core's own domains reach the app
through :mod:`core.builtin`, registered by the plugin host like any plugin, by name.
"""
