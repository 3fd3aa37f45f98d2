"""Customer kinds and VAT on the pages, without a browser (#33): who is offered a private
person's erasure, who sees a person's page, and the VAT treatment each customer page shows."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts import service as accounts
from lims.accounts.models import CustomerKind, Organisation, OrganisationCreate
from lims.config import Settings
from lims.db import persisted_id
from tests.conftest import load_demo
from tests.factories import FACTORY_ACTOR
from tests.ui.test_pages import sign_in
from tests.ui.test_pages_admin import EVERYONE, READERS, status_of


def test_a_persons_page_offers_its_erasure_to_the_admin_and_the_quality_manager_only(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load_demo(engine, settings)
    with Session(engine) as db_session:
        person = accounts.create_organisation(
            db_session,
            actor=FACTORY_ACTOR,
            data=OrganisationCreate(
                name="Pekka <b>Yksityinen</b>", kind=CustomerKind.PERSON, country="FI"
            ),
        )
        konepaja = db_session.exec(
            select(Organisation).where(Organisation.business_id == "1234567-1")
        ).one()
    path = f"/customers/{persisted_id(person)}"
    offered, seen = {}, {}
    for user in EVERYONE:
        sign_in(client, user)
        seen[user] = status_of(client, path)
        offered[user] = 'id="customer-erase"' in client.get(path).text
    assert seen == {**dict.fromkeys(READERS, 200), "asiakas": 404, "kund": 404}
    assert [user for user, yes in offered.items() if yes] == ["admin", "laatu"]
    sign_in(client, "laatu")
    page = client.get(path).text
    assert "Yksityishenkilö" in page and "Suomen arvonlisävero, 25,5 %" in page
    assert "<b>Yksityinen</b>" not in page and "&lt;b&gt;Yksityinen&lt;/b&gt;" in page
    # A company has no erasure to offer.
    assert 'id="customer-erase"' not in client.get(f"/customers/{konepaja.id}").text


def test_the_customer_list_and_pages_show_kind_vat_number_and_treatment(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    load_demo(engine, settings)
    with Session(engine) as db_session:
        estonian = db_session.exec(select(Organisation).where(Organisation.country == "EE")).one()
    sign_in(client, "laatu")
    listed = client.get("/customers").text
    assert "EE100000007" in listed and "FI12345671" in listed and "Viro" in listed
    page = client.get(f"/customers/{estonian.id}").text
    assert "Käännetty verovelvollisuus, 0 %" in page and "EE100000007" in page
    # Any country of ISO 3166-1 is offered by its Finnish name.
    form = client.get("/customers").text
    assert ">Norja</option>" in form and ">Viro</option>" in form
