from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar

ID = "2026-11-21T08:26:48:040335"
VERSION = "1.38.0"
DESCRIPTION = "subscriptions follow their owner's current reach (stored reach dropped); room for encrypted secrets; purge index"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="integration", description=DESCRIPTION
    )

    manager.drop_column(
        table_class_name="Webhook",
        tablename="core_webhook",
        column_name="reach",
        db_column_name="reach",
        schema=None,
    )

    manager.alter_column(
        table_class_name="Webhook",
        tablename="core_webhook",
        column_name="secret",
        db_column_name="secret",
        params={"length": 255},
        old_params={"length": 100},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Webhook",
        tablename="core_webhook",
        column_name="previous_secret",
        db_column_name="previous_secret",
        params={"length": 255},
        old_params={"length": 100},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="WebhookDelivery",
        tablename="core_webhook_delivery",
        column_name="finished_at",
        db_column_name="finished_at",
        params={"index": True},
        old_params={"index": False},
        column_class=Timestamptz,
        old_column_class=Timestamptz,
        schema=None,
    )

    return manager
