"""quntuan core: identity, organizations, events and the plugin host for every mass organization.

Plugins must import only from :mod:`core.sdk`; everything else here is internal.
"""

__version__ = "0.1.0"

#: The plugin API this core provides. A plugin declares the range it needs (``PluginInfo.core_api``)
#: as a PEP 440 specifier such as ``">=1.0,<2"``; a plugin whose range excludes this is not loaded.
CORE_API_VERSION = "1.0"
