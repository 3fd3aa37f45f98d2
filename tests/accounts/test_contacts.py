"""A customer's contacts: changed and removed by the quality manager, the administrator or
the customer itself, by nobody else; another organisation's contact answers as missing."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from tests.conftest import row_counts
from tests.factories import bearer, make_contact, make_organisation, make_user


def contact_path(organisation_id: int | None, contact_id: int | None) -> str:
    return f"/api/v1/organisations/{organisation_id}/contacts/{contact_id}"


def test_the_quality_manager_changes_and_removes_a_contact(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    organisation = make_organisation(engine)
    contact = make_contact(engine, organisation)
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    path = contact_path(organisation.id, contact.id)
    changed = client.patch(path, json={"title": "Tuotantopäällikkö", "phone": "+358 40 1"},
                           headers=manager)  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.json()["title"] == "Tuotantopäällikkö"
    assert changed.json()["name"] == "Kaisa Kontakti"
    assert client.delete(path, headers=manager).status_code == 204
    listed = client.get(f"/api/v1/organisations/{organisation.id}/contacts", headers=manager)
    assert listed.json() == []
    assert client.delete(path, headers=manager).status_code == 404


def test_a_customer_changes_its_own_contact_and_not_anothers(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    own, other = make_organisation(engine), make_organisation(engine)
    own_contact, other_contact = make_contact(engine, own), make_contact(engine, other)
    customer = bearer(settings, make_user(engine, Role.CUSTOMER, organisation=own))
    answer = client.patch(contact_path(own.id, own_contact.id), json={"name": "Kaisa K."},
                          headers=customer)  # fmt: skip
    assert answer.status_code == 200, answer.text
    before = row_counts(engine)
    for path in (contact_path(other.id, other_contact.id), contact_path(own.id, other_contact.id)):
        assert client.patch(path, json={"name": "X"}, headers=customer).status_code == 404
        assert client.delete(path, headers=customer).status_code == 404
    assert row_counts(engine) == before


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.SIGNATORY, Role.AUDITOR])
def test_other_roles_may_not_change_contacts(
    role: Role, client: TestClient, engine: Engine, settings: Settings
) -> None:
    organisation = make_organisation(engine)
    contact = make_contact(engine, organisation)
    caller = bearer(settings, make_user(engine, role))
    path = contact_path(organisation.id, contact.id)
    before = row_counts(engine)
    assert client.patch(path, json={"name": "X"}, headers=caller).status_code == 403
    assert client.delete(path, headers=caller).status_code == 403
    assert row_counts(engine) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"email": "not an address"}, "email"),
        ({"phone": "1" * 41}, "phone"),
        ({"organisation_id": 1}, "organisation_id"),
    ],
)
def test_a_bad_contact_change_is_refused_and_changes_nothing(
    body: dict, field: str, client: TestClient, engine: Engine, settings: Settings
) -> None:
    organisation = make_organisation(engine)
    contact = make_contact(engine, organisation)
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    before = row_counts(engine)
    answer = client.patch(contact_path(organisation.id, contact.id), json=body, headers=manager)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == field
    assert row_counts(engine) == before
