"""What identity keeps per app: the signing secret, the personal-data keys and the login throttle."""

from __future__ import annotations

from typing import Any

from core.identity.throttle import Throttle
from core.kernel.settings import Settings
from core.kernel.shared import SharedState
from core.kernel.vault import Vault


class IdentityRuntime:
    """Built once by ``create_app`` and kept on ``app.state.identity``."""

    def __init__(self, settings: Settings, shared: SharedState) -> None:
        self.settings = settings
        self.secret = settings.resolved_secret_key()
        self.vault = Vault.from_settings(settings)
        self.throttle = Throttle(settings, shared)


def identity_of(app_state: Any) -> IdentityRuntime:
    runtime: IdentityRuntime = app_state.identity
    return runtime
