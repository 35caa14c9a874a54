from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar import Litestar

from tests.core.integration.support import FAST, PrivateRedis, Receiver
from tests.helpers import with_principal
from tests.processes import free_port


@pytest.fixture
def make_receiver() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(**kwargs: Any) -> Receiver:
        receiver = Receiver(**kwargs)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture
def integration_app(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Any]
) -> Callable[..., Litestar]:
    """``integration_app(principal, **settings)``: core only, fast relay, loopback receivers allowed.

    ``principal`` None: requests authenticate with real tokens (see ``tests/identity_helpers.py``).
    """

    def make(principal: Any, **overrides: Any) -> Litestar:
        settings = make_settings(**{**FAST, **overrides})
        app = make_app(plugins={}, settings_=settings)
        app.state.test_principal = principal
        return app if principal is None else with_principal(app, principal)

    return make


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    redis = PrivateRedis(free_port())
    redis.start()
    yield redis
    redis.stop()
