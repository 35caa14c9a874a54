"""The hook implementations the platform loads (entry point ``quntuan.plugins``: ``disabled``); thin,
they return declarations or call the plugin's modules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from piccolo.conf.apps import AppConfig

from core.sdk import (
    BuiltinRole,
    OrgKind,
    OrgPathColumn,
    Permission,
    PersonalDataTable,
    PluginInfo,
    ProcessType,
    SignalType,
    StatFigure,
    Text,
    hookimpl,
)

from . import INFO
from .certificates import NUMBER_FIELD, CertificateController
from .kinds import ORG_KINDS
from .permissions import PERMISSIONS, ROLES
from .processes import PROCESS_TYPES
from .signals import CERTIFICATE_CHANGED, CERTIFICATE_REGISTERED
from .statistics import figures
from .tables import APP_CONFIG, DisabledCertificate


@hookimpl
def quntuan_plugin_info() -> PluginInfo:
    return INFO


@hookimpl
def quntuan_org_kinds() -> Sequence[OrgKind]:
    return ORG_KINDS


@hookimpl
def quntuan_permissions() -> Sequence[Permission]:
    return PERMISSIONS


@hookimpl
def quntuan_roles() -> Sequence[BuiltinRole]:
    return ROLES


@hookimpl
def quntuan_piccolo_app() -> AppConfig:
    return APP_CONFIG


@hookimpl
def quntuan_routes() -> Sequence[Any]:
    return [CertificateController]


@hookimpl
def quntuan_signals() -> Sequence[SignalType]:
    return [CERTIFICATE_REGISTERED, CERTIFICATE_CHANGED]


@hookimpl
def quntuan_process_types() -> Sequence[ProcessType]:
    return PROCESS_TYPES


@hookimpl
def quntuan_org_path_columns() -> Sequence[OrgPathColumn]:
    return [OrgPathColumn(table="disabled_certificate", column="org_path")]


@hookimpl
def quntuan_personal_data() -> Sequence[PersonalDataTable]:
    return [
        PersonalDataTable(
            table=DisabledCertificate,
            person_column="person",
            on_erasure="keep",
            hidden=("id_number_index",),
            encrypted={"number_enc": NUMBER_FIELD},
            retention=Text(
                zh_hans="残疾人证档案依《中华人民共和国残疾人证管理办法》由发证机关保存",
                zh_hant="殘疾人證檔案依《中華人民共和國殘疾人證管理辦法》由發證機關保存",
                en="Certificate records are kept by the issuing body under the certificate regulations",
            ),
        )
    ]


@hookimpl
async def quntuan_statistics(org_path: str) -> Sequence[StatFigure]:
    return await figures(org_path)
