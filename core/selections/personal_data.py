"""Selection rows that name a person: declared for PIPL export (Art. 45) and erasure (Art. 47).

A nomination concerns its nominee (their deeds in the form) and its nominator; erasure clears the
nominee's name and form and the nominator's link, keeping the fact that a nomination moved through the
levels (the quotas it used stay used). Votes are the voter's own acts and are deleted (the counts already
counted stay). Honors are public decisions (表彰决定) and are kept.
"""

from __future__ import annotations

from core.identity.personal_data import ERASED_NAME, PersonalDataTable
from core.kernel.i18n import Text
from core.selections.tables import Honor, Nomination, Vote, VoteBudget

SELECTIONS_PERSONAL_DATA: tuple[PersonalDataTable, ...] = (
    PersonalDataTable(
        table=Nomination,
        person_column="nominee_person",
        on_erasure="anonymise",
        fields={"nominee_name": ERASED_NAME, "form": {}},
        hidden=("nominee_key",),
    ),
    PersonalDataTable(
        table=Nomination,
        person_column="nominated_by_person",
        on_erasure="anonymise",
        fields={"nominated_by_person": None},
        hidden=("nominee_key",),
    ),
    PersonalDataTable(table=Vote, person_column="voter", on_erasure="delete"),
    PersonalDataTable(table=VoteBudget, person_column="voter", on_erasure="delete"),
    PersonalDataTable(
        table=Honor,
        person_column="person",
        on_erasure="keep",
        retention=Text(
            zh_hans="表彰决定是公开的组织档案，依法保存",
            zh_hant="表彰決定是公開的組織檔案，依法保存",
            en="Honors are public decisions kept as organisational records",
        ),
    ),
)
