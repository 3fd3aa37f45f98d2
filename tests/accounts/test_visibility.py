"""One rule for reading a record: another organisation's record answers as a missing one."""

from dataclasses import dataclass

import pytest

from lims.accounts.models import Role
from lims.accounts.principal import Principal, visible_to
from lims.errors import NotFound
from lims.problem_text import localized

CUSTOMER_OF_1 = Principal(
    user_id=7, username="asiakas", roles=frozenset({Role.CUSTOMER}), organisation_id=1
)
AUDITOR = Principal(user_id=8, username="arvioija", roles=frozenset({Role.AUDITOR}))


@dataclass
class Record:
    organisation_id: int | None


def refusal(actor: Principal, record: Record | None) -> str:
    with pytest.raises(NotFound) as refused:
        visible_to(actor, record, "job 5")
    return refused.value.message


def test_a_customer_reads_its_own_organisations_record() -> None:
    own = Record(organisation_id=1)
    assert visible_to(CUSTOMER_OF_1, own, "job 5") is own


@pytest.mark.parametrize("record", [Record(organisation_id=2), Record(organisation_id=None)])
def test_another_organisations_or_the_labs_record_answers_as_a_missing_one(
    record: Record,
) -> None:
    assert refusal(CUSTOMER_OF_1, record) == refusal(CUSTOMER_OF_1, None) == "job 5 does not exist"


def test_the_lab_reads_every_record_and_misses_only_what_is_missing() -> None:
    for record in (Record(organisation_id=2), Record(organisation_id=None)):
        assert visible_to(AUDITOR, record, "job 5") is record
    assert refusal(AUDITOR, None) == "job 5 does not exist"


@pytest.mark.parametrize(
    ("what", "code", "params", "finnish"),
    [
        ("job 5", "jobs.job_does_exist", {"job_id": 5}, "työtä 5 ei ole olemassa"),
        (
            "quotation request 7",
            "contracts.quotation_request_does_exist",
            {"request_id": 7},
            "tarjouspyyntöä 7 ei ole olemassa",
        ),
        (
            "RR test 3",
            "training.rr_test_does_exist",
            {"rr_test_id": 3},
            "RR-testiä 3 ei ole olemassa",
        ),
        # A kind the table does not word is named as given.
        ("customer x", "accounts.does_exist", {"what": "customer x"}, "customer x ei ole olemassa"),
    ],
)
def test_a_missing_record_is_refused_with_its_kinds_code_and_words(
    what: str, code: str, params: dict[str, object], finnish: str
) -> None:
    with pytest.raises(NotFound) as refused:
        visible_to(AUDITOR, None, what)
    assert (refused.value.code, refused.value.params) == (code, params)
    assert refused.value.message == f"{what} does not exist"
    assert localized(refused.value, "fi") == finnish
