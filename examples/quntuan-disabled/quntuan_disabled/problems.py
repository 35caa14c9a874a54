"""The problem types and field-error codes of the plugin, in the three languages."""

from core.sdk import Text, register_field_code, register_problem

CERTIFICATE_EXISTS = register_problem(
    "disabled-certificate-exists",
    409,
    Text(zh_hans="已有有效的残疾人证", zh_hant="已有有效的殘疾人證", en="A certificate is already held"),
    Text(
        zh_hans="此人已持有同类别且未注销的残疾人证，请变更原证而不是重复登记。",
        zh_hant="此人已持有同類別且未註銷的殘疾人證，請變更原證而不是重複登記。",
        en="This person already holds a certificate of this category that is not cancelled; change it instead.",
    ),
)
CERTIFICATE_CHANGED = register_problem(
    "disabled-certificate-changed",
    412,
    Text(zh_hans="残疾人证已被修改", zh_hant="殘疾人證已被修改", en="The certificate changed"),
    Text(
        zh_hans="残疾人证在您读取之后已被修改（当前版本 {version}），请重新获取。",
        zh_hant="殘疾人證在您讀取之後已被修改（目前版本 {version}），請重新取得。",
        en="The certificate changed since you read it (now version {version}); fetch it again.",
    ),
)

ORG_KIND = register_field_code(
    "disabled_org_kind",
    Text(
        zh_hans="残疾人证只能由残联登记",
        zh_hant="殘疾人證只能由殘聯登記",
        en="Certificates are registered by a Disabled Persons' Federation",
    ),
)
UNKNOWN_PERSON = register_field_code(
    "disabled_unknown_person",
    Text(zh_hans="平台上没有此人", zh_hant="平臺上沒有此人", en="No such person on the platform"),
)
VALIDITY = register_field_code(
    "disabled_validity",
    Text(
        zh_hans="有效期须晚于发证日期",
        zh_hant="有效期須晚於發證日期",
        en="The certificate must be valid until after it was issued",
    ),
)
