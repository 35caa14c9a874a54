"""The ``integration`` Piccolo app of the core: outbox, webhooks, deliveries."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.integration.tables import OutboxSignal, Webhook, WebhookAttempt, WebhookDelivery

APP_CONFIG = AppConfig(
    app_name="integration",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[OutboxSignal, Webhook, WebhookDelivery, WebhookAttempt],
    migration_dependencies=["core.orgs.piccolo_app"],
    commands=[],
)
