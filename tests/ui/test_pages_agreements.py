"""The agreement pages without a browser: who may draw one up, which steps each role is
offered, the versions side by side, the contract documents, and hostile terms shown as text."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.models import Organisation
from lims.config import Settings
from lims.contracts.models import Agreement
from lims.demo.accounts import ANNUAL_CUSTOMER
from tests.conftest import load_demo
from tests.ui.conftest import password_of

STAFF = ("admin", "laatu", "mittaaja", "allekirjoittaja")
MANAGERS = ("admin", "laatu")
# The forms each step posts; offered only where the service would take it from that role.
MANAGER_STEPS = ('id="agreement-amend"', 'id="agreement-terminate"')


@pytest.fixture
def annual_agreement(engine: Engine, settings: Settings) -> int:
    """The demo data; the id of the annual customer's active agreement."""
    load_demo(engine, settings)
    with Session(engine) as db_session:
        konepaja = db_session.exec(
            select(Organisation).where(Organisation.business_id == ANNUAL_CUSTOMER)
        ).one()
        agreement = db_session.exec(
            select(Agreement).where(Agreement.organisation_id == konepaja.id)
        ).one()
    assert agreement.id is not None
    return agreement.id


def sign_in(client: TestClient, username: str) -> dict[str, str]:
    """Sign in with the browser session; the CSRF header its scripts send."""
    client.cookies.clear()
    answer = client.post(
        "/api/v1/auth/login", json={"username": username, "password": password_of(username)}
    )
    assert answer.status_code == 200, answer.text
    return {"x-csrf-token": client.cookies.get("lims_csrf") or ""}


def amend(client: TestClient, headers: dict[str, str], agreement_id: int, **terms: object) -> dict:
    answer = client.post(
        f"/api/v1/agreements/{agreement_id}/amendments", json=terms, headers=headers
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_only_agreement_managers_get_the_new_agreement_page(
    client: TestClient, annual_agreement: int
) -> None:
    expected = {"admin": 200, "laatu": 200, "mittaaja": 403, "allekirjoittaja": 403,
                "arvioija": 403, "asiakas": 403, "kund": 403}  # fmt: skip
    answered = {}
    for user in expected:
        sign_in(client, user)
        answer = client.get("/agreements/new")
        assert "text/html" in answer.headers["content-type"]
        answered[user] = answer.status_code
    assert answered == expected
    client.cookies.clear()
    signed_out = client.get("/agreements/new", follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/login?next=/agreements/new"


def test_the_new_agreement_form_starts_from_the_standard_terms(
    client: TestClient, annual_agreement: int, settings: Settings
) -> None:
    sign_in(client, "laatu")
    form = client.get("/agreements/new").text
    for service in (
        "Kalibrointi (B3)",
        "Tuotemittaus (B1)",
        "Vertailumittaus (B2)",
        "Koulutus (F)",
    ):
        assert service in form
    assert f'value="{settings.default_delivery_days}"' in form
    assert '<option value="simple_acceptance" selected>' in form
    assert "Näidis Tööriist OÜ" in form  # every customer organisation is offered
    assert "luottamuksellisina" in form  # the clause in force, in the reader's language
    assert client.get("/agreements").text.count('id="agreement-new-link"') == 1


def test_each_role_is_offered_only_the_steps_its_rights_allow(
    client: TestClient, annual_agreement: int
) -> None:
    offered = {}
    for user in (*STAFF, "arvioija", "asiakas"):
        sign_in(client, user)
        answer = client.get(f"/agreements/{annual_agreement}")
        assert answer.status_code == 200, user
        offered[user] = {step for step in MANAGER_STEPS if step in answer.text}
        assert ('id="agreement-issue-document"' in answer.text) == (
            user in ("admin", "laatu", "allekirjoittaja")
        ), user
        # The demo agreement is active: nothing to sign or activate any more.
        assert 'id="agreement-sign"' not in answer.text
        assert 'id="agreement-activate"' not in answer.text
    assert offered == {user: set(MANAGER_STEPS) if user in MANAGERS else set()
                       for user in (*STAFF, "arvioija", "asiakas")}  # fmt: skip
    for user in (*STAFF, "arvioija", "asiakas"):
        sign_in(client, user)
        listing = client.get("/agreements").text
        assert ('id="agreement-new-link"' in listing) == (user in MANAGERS), user
        assert ('id="clause-new"' in listing) == (user in MANAGERS), user
        assert ('id="clauses"' in listing) == (user != "asiakas"), user


def test_a_customer_of_another_organisation_gets_not_found(
    client: TestClient, annual_agreement: int
) -> None:
    sign_in(client, "kund")
    answer = client.get(f"/agreements/{annual_agreement}")
    assert answer.status_code == 404
    assert "Konepaja" not in answer.text and "VS-" not in answer.text
    assert client.get("/agreements/new-ish").status_code == 404


def test_a_draft_offers_its_edit_and_signing_and_an_amendment_its_versions_side_by_side(
    client: TestClient, annual_agreement: int
) -> None:
    headers = sign_in(client, "laatu")
    amendment = amend(
        client, headers, annual_agreement, reason="Ruotsinkieliset todistukset", languages=["sv"]
    )
    draft = client.get(f"/agreements/{amendment['id']}").text
    assert 'id="agreement-edit"' in draft and 'id="agreement-sign"' in draft
    assert 'id="agreement-amend"' not in draft  # a draft is edited, not amended
    # The original's page: its amendment pending, so no second one is offered.
    assert 'id="agreement-amend"' not in client.get(f"/agreements/{annual_agreement}").text
    versions = draft.split('id="versions"')[1]
    assert versions.count('class="changed"') == 1  # the languages alone changed
    assert "Ruotsinkieliset todistukset" in versions
    assert "Versio 1" in versions and "Versio 2" in versions


def test_the_services_of_an_amendment_in_another_order_are_not_marked_changed(
    client: TestClient, annual_agreement: int
) -> None:
    headers = sign_in(client, "laatu")
    scope = client.get(f"/api/v1/agreements/{annual_agreement}").json()["scope"]
    amendment = amend(client, headers, annual_agreement, reason="Sama sisältö", scope=scope[::-1])
    versions = client.get(f"/agreements/{amendment['id']}").text.split('id="versions"')[1]
    assert 'class="changed"' not in versions


def test_the_lab_previews_the_contract_document_and_a_customer_may_not(
    client: TestClient, annual_agreement: int
) -> None:
    sign_in(client, "laatu")
    draft = client.get(f"/agreements/{annual_agreement}/preview.pdf")
    assert draft.status_code == 200
    assert draft.headers["content-type"] == "application/pdf"
    assert draft.content.startswith(b"%PDF")
    sign_in(client, "asiakas")
    refused = client.get(f"/agreements/{annual_agreement}/preview.pdf")
    assert refused.status_code == 403
    assert "Ei sallittu" in refused.text
    sign_in(client, "kund")
    assert client.get(f"/agreements/{annual_agreement}/preview.pdf").status_code == 404


def test_markup_in_the_terms_is_shown_as_text(client: TestClient, annual_agreement: int) -> None:
    headers = sign_in(client, "laatu")
    hostile = "<script>alert('x')</script>"
    amendment = amend(
        client, headers, annual_agreement, reason=hostile, customer_reference_rule=hostile
    )
    page = client.get(f"/agreements/{amendment['id']}").text
    assert hostile not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_the_contract_documents_of_the_agreement_are_listed_on_its_page(
    client: TestClient, annual_agreement: int
) -> None:
    headers = sign_in(client, "laatu")
    issued = client.post(
        "/api/v1/documents", json={"agreement_id": annual_agreement}, headers=headers
    )
    assert issued.status_code == 201, issued.text
    number = issued.json()["number"]
    listed = client.get(f"/api/v1/documents?agreement_id={annual_agreement}").json()
    assert [document["number"] for document in listed] == [number]
    assert client.get("/api/v1/documents?agreement_id=987654").json() == []
    assert f">{number}</a>" in client.get(f"/agreements/{annual_agreement}").text
    sign_in(client, "asiakas")  # the customer reads its own agreement's documents
    assert f">{number}</a>" in client.get(f"/agreements/{annual_agreement}").text
