"""quntuan core: identity, organizations, events and the plugin host for every mass organization.

The map (docs/architecture.md has it whole):

- :mod:`core.kernel` — the machinery: app factory, plugin host, hookspecs and declarations, settings,
  database, errors, i18n, guards, observability, CLI. It imports no domain.
- :mod:`core.builtin` — the core's default plugin; :mod:`core.wiring` puts the domains in the app.
- ``core.identity``, ``core.orgs``, ``core.members``, ``core.events``, ``core.processes``,
  ``core.selfservice``, ``core.signup``, ``core.places``, ``core.selections``, ``core.files``,
  ``core.integration`` — the domains.
- :mod:`core.sdk` — the one face for plugins; everything else here is internal.
"""

__version__ = "0.1.0"

#: The plugin API this core provides. A plugin declares the range it needs (``PluginInfo.core_api``)
#: as a PEP 440 specifier such as ``">=1.0,<2"``; a plugin whose range excludes this is not loaded.
CORE_API_VERSION = "1.0"
