"""Personal data of sign-up: a person's external logins (WeChat openid/unionid) go with the account."""

from __future__ import annotations

from core.identity.personal_data import PersonalDataTable
from core.signup.tables import ExternalLogin

SIGNUP_PERSONAL_DATA: tuple[PersonalDataTable, ...] = (
    PersonalDataTable(table=ExternalLogin, person_column="person", on_erasure="delete"),
)
