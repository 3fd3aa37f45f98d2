"""Customer kinds (#33): a company, a research organisation and a private person, each
registered with the identifiers its country gives it, and refused where they are wrong."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from tests.conftest import row_counts
from tests.factories import bearer, make_user

ORGANISATIONS = "/api/v1/organisations"


@pytest.fixture
def manager(engine: Engine, settings: Settings) -> dict[str, str]:
    return bearer(settings, make_user(engine, Role.QUALITY_MANAGER))


@pytest.mark.parametrize(
    ("body", "stored"),
    [
        # A VAT-registered Finnish company: its VAT number is FI and the Y-tunnus digits.
        (
            {"name": "Konepaja Oy", "kind": "company", "country": "fi",
             "business_id": "2345678-0", "vat_registered": True},
            {"country": "FI", "business_id": "2345678-0", "vat_number": "FI23456780"},
        ),
        # An Estonian company: registry code 10000356 and VAT number EE100000007, both with
        # their check digits.
        (
            {"name": "Näidis OÜ", "kind": "company", "country": "EE", "business_id": "10000356",
             "vat_number": "EE 100 000 007"},
            {"country": "EE", "business_id": "10000356", "vat_number": "EE100000007"},
        ),
        # A Swedish company is identified by its VAT number.
        (
            {"name": "Mätteknik AB", "kind": "company", "country": "SE",
             "vat_number": "SE556000000001"},
            {"country": "SE", "business_id": None, "vat_number": "SE556000000001"},
        ),
        # A Norwegian company gives its own registry id, free text.
        (
            {"name": "Måleteknikk AS", "kind": "company", "country": "NO",
             "business_id": "923 609 016"},
            {"country": "NO", "business_id": "923 609 016", "vat_number": None},
        ),
        # A German research institute not registered for VAT: no identifiers needed.
        (
            {"name": "Institut für Messtechnik", "kind": "research", "country": "DE"},
            {"country": "DE", "business_id": None, "vat_number": None, "kind": "research"},
        ),
        # A private person: a name, an address, an e-mail, a language.
        (
            {"name": "Pekka Yksityinen", "kind": "person", "country": "FI",
             "email": "pekka@example.fi", "street_address": "Kotikatu 1", "city": "Turku",
             "postal_code": "20100", "language": "fi"},
            {"kind": "person", "business_id": None, "vat_number": None,
             "email": "pekka@example.fi"},
        ),
    ],
)  # fmt: skip
def test_each_customer_kind_is_registered_with_its_identifiers(
    body: dict[str, Any], stored: dict[str, Any], client: TestClient, manager: dict[str, str]
) -> None:
    answer = client.post(ORGANISATIONS, json=body, headers=manager)
    assert answer.status_code == 201, answer.text
    assert {key: answer.json()[key] for key in stored} == stored


def test_two_customers_without_business_ids_are_both_registered(
    client: TestClient, manager: dict[str, str]
) -> None:
    # The unique index on business_id holds many NULLs (SQLite and PostgreSQL alike).
    for name in ("Anna Asiakas", "Bertil Kund"):
        body = {"name": name, "kind": "person", "country": "FI"}
        assert client.post(ORGANISATIONS, json=body, headers=manager).status_code == 201


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        # 2345678-1: the Y-tunnus check digit of 2345678 is 0.
        ({"kind": "company", "country": "FI", "business_id": "2345678-1"},
         "accounts.business_id_check_digit_fi", "business_id"),
        # 10000357: the registry code's check digit of 1000035 is 6.
        ({"kind": "company", "country": "EE", "business_id": "10000357"},
         "accounts.business_id_check_digit_ee", "business_id"),
        ({"kind": "company", "country": "EE", "business_id": "1000035"},
         "accounts.business_id_format_ee", "business_id"),
        ({"kind": "company", "country": "EE", "business_id": "10000356",
          "vat_number": "EE100000008"}, "accounts.vat_number_check_digit", "vat_number"),
        ({"kind": "company", "country": "SE", "vat_number": "SE1234567890"},
         "accounts.vat_number_format", "vat_number"),
        ({"kind": "company", "country": "DE", "vat_number": "DE12345678"},
         "accounts.vat_number_format", "vat_number"),
        ({"kind": "company", "country": "FR", "vat_number": "FR1234567890"},
         "accounts.vat_number_format", "vat_number"),
        ({"kind": "company", "country": "GR", "vat_number": "GR123456789"},
         "accounts.vat_number_prefix", "vat_number"),
        ({"kind": "company", "country": "SE"}, "accounts.vat_number_required", "vat_number"),
        ({"kind": "company", "country": "FI", "business_id": "2345678-0",
          "vat_number": "FI01120389"}, "accounts.vat_number_not_business_id", "vat_number"),
        ({"kind": "company", "country": "NO", "business_id": "923609016",
          "vat_number": "NO923609016"}, "accounts.vat_number_outside_eu", "vat_number"),
        ({"kind": "company", "country": "NO"}, "accounts.business_id_required", "business_id"),
        ({"kind": "company", "country": "NO", "business_id": "<script>x</script>"},
         "accounts.business_id_format", "business_id"),
        ({"kind": "research", "country": "FI"}, "accounts.business_id_required_fi",
         "business_id"),
        ({"kind": "person", "country": "FI", "business_id": "2345678-0"},
         "accounts.person_business_id", "business_id"),
        ({"kind": "person", "country": "EE", "vat_number": "EE100000007"},
         "accounts.person_vat_number", "vat_number"),
        ({"kind": "company", "country": "XX", "business_id": "1"}, "accounts.country_unknown",
         "country"),
        ({"kind": "company", "country": "EU", "business_id": "1"}, "accounts.country_unknown",
         "country"),
    ],
)  # fmt: skip
def test_wrong_identifiers_are_refused_naming_the_field(
    body: dict[str, Any],
    code: str,
    field: str,
    client: TestClient,
    manager: dict[str, str],
    engine: Engine,
) -> None:
    before = row_counts(engine)
    answer = client.post(ORGANISATIONS, json={"name": "Testi", **body}, headers=manager)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == code
    assert [error["location"] for error in problem["errors"]] == [[field]]
    assert row_counts(engine) == before


def test_a_refusal_is_worded_in_finnish_for_a_finnish_reader(
    client: TestClient, manager: dict[str, str]
) -> None:
    body = {"name": "Testi", "kind": "person", "country": "FI", "business_id": "2345678-0"}
    answer = client.post(ORGANISATIONS, json=body, headers={**manager, "Accept-Language": "fi"})
    assert answer.json()["detail"] == "yksityishenkilöllä ei ole Y-tunnusta"


def test_a_huge_name_or_vat_number_is_refused_by_its_bound(
    client: TestClient, manager: dict[str, str]
) -> None:
    for body in (
        {"name": "x" * 201, "kind": "person", "country": "FI"},
        {"name": "Oy", "kind": "company", "country": "SE", "vat_number": "SE" + "1" * 40},
    ):
        assert client.post(ORGANISATIONS, json=body, headers=manager).status_code == 422


def test_the_vat_number_is_changed_and_checked_against_the_country(
    client: TestClient, manager: dict[str, str]
) -> None:
    created = client.post(
        ORGANISATIONS,
        json={"name": "Näidis OÜ", "kind": "company", "country": "EE", "business_id": "10000356"},
        headers=manager,
    ).json()
    path = f"{ORGANISATIONS}/{created['id']}"
    refused = client.patch(path, json={"vat_number": "SE556000000001"}, headers=manager)
    assert refused.json()["code"] == "accounts.vat_number_prefix"
    changed = client.patch(path, json={"vat_number": "EE100000007"}, headers=manager)
    assert changed.json()["vat_number"] == "EE100000007"
    removed = client.patch(path, json={"vat_number": None}, headers=manager)
    assert removed.json()["vat_number"] is None
