"""The plugin's tables (every change needs a migration in ``migrations/``)."""

import uuid
from pathlib import Path

from piccolo.columns import UUID, Date, Integer, Timestamptz, Varchar
from piccolo.conf.apps import AppConfig
from piccolo.table import Table


class DisabledCertificate(Table, tablename="disabled_certificate"):
    """One 残疾人证 of the registry: whose, issued by which org, category and grade, validity, status.

    The number embeds the holder's ID number: it is stored only encrypted (``number_enc``, Vault field
    ``disabled_certificate_number``) with a blind index of the holder's ID number for exact lookup.
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    person = UUID(index=True)  #: the platform's person holding the certificate
    org = UUID(index=True)  #: the issuing (registering) 残联
    org_path = Varchar(length=255, index=True)  #: a copy of the org's path, kept current by the core
    number_enc = Varchar(length=255)
    id_number_index = Varchar(length=64, index=True)
    category = Varchar(length=16, index=True)
    grade = Integer()
    issued_on = Date()
    valid_until = Date()
    status = Varchar(length=16, default="valid")
    process = UUID(null=True, default=None)  #: the 残疾人证申领 process it was issued by, if any
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()


APP_CONFIG = AppConfig(
    app_name="disabled",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[DisabledCertificate],
    migration_dependencies=["core.orgs.piccolo_app", "core.identity.piccolo_app"],
)
