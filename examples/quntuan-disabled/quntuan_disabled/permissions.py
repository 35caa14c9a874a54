"""The permissions of the 残联 plugin (roles are built from them)."""

from core.sdk import Permission, Text

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
