"""The permissions of the 残联 plugin (roles are built from them)."""

from core.sdk import BuiltinRole, Permission, Text

CERTIFICATE_READ = "disabled.certificate.read"
CERTIFICATE_MANAGE = "disabled.certificate.manage"
CERTIFICATE_PERSONAL_DATA = "disabled.certificate.personal_data"
APPLICATION_REVIEW = "disabled.application.review"
APPLICATION_APPROVE = "disabled.application.approve"

PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        code=CERTIFICATE_READ,
        name=Text(zh_hans="查看残疾人证登记", zh_hant="查看殘疾人證登記", en="Read disability certificates"),
    ),
    Permission(
        code=CERTIFICATE_MANAGE,
        name=Text(
            zh_hans="登记和变更残疾人证", zh_hant="登記和變更殘疾人證", en="Register and change certificates"
        ),
    ),
    Permission(
        code=CERTIFICATE_PERSONAL_DATA,
        name=Text(
            zh_hans="查看完整残疾人证号", zh_hant="查看完整殘疾人證號", en="See full certificate numbers"
        ),
        personal_data=True,
    ),
    Permission(
        code=APPLICATION_REVIEW,
        name=Text(zh_hans="审核残联申请", zh_hant="審核殘聯申請", en="Review applications"),
    ),
    Permission(
        code=APPLICATION_APPROVE,
        name=Text(zh_hans="审批残联申请", zh_hant="審批殘聯申請", en="Approve applications"),
    ),
)

#: Roles shipped ready to grant on a 残联 (and its subtree).
ROLES: tuple[BuiltinRole, ...] = (
    BuiltinRole(
        code="disabled.officer",
        name=Text(zh_hans="残联干事", zh_hant="殘聯幹事", en="Federation officer"),
        permissions=(CERTIFICATE_READ, APPLICATION_REVIEW, "core.process.read", "core.process.handle"),
        description=Text(
            zh_hans="受理和初审申请，查看脱敏的残疾人证登记",
            zh_hant="受理和初審申請，查看脫敏的殘疾人證登記",
            en="Takes in and reviews applications; sees the registry masked",
        ),
    ),
    BuiltinRole(
        code="disabled.registrar",
        name=Text(zh_hans="残疾人证管理员", zh_hant="殘疾人證管理員", en="Certificate registrar"),
        permissions=(
            CERTIFICATE_READ,
            CERTIFICATE_MANAGE,
            CERTIFICATE_PERSONAL_DATA,
            APPLICATION_REVIEW,
            APPLICATION_APPROVE,
            "core.process.read",
            "core.process.handle",
        ),
        description=Text(
            zh_hans="审批申请，核发、复评和注销残疾人证，查看完整证号",
            zh_hant="審批申請，核發、複評和註銷殘疾人證，查看完整證號",
            en="Decides applications; issues, reviews and cancels certificates; sees full numbers",
        ),
    ),
)
