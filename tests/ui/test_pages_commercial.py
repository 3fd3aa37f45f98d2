"""The commercial pages without a browser: price models, price lists, closures, quotation
requests, quotations and orders answer each role as its rights say; another customer's
records are the 404 page; what customers type is shown as text."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.models import Organisation
from lims.clock import local_today
from lims.config import Settings
from lims.contracts.models import PriceModel
from tests.contracts.factories import accept, make_quotation
from tests.ui.test_pages import Demo, demo, sign_in

__all__ = ["demo"]  # the shared fixture, used here by name

STAFF = ("admin", "laatu", "mittaaja", "allekirjoittaja")
SALES = ("admin", "laatu")
PAGES = (
    "/prices",
    "/price-models/{model}",
    "/price-models/new",
    "/price-lists/{price_list}",
    "/quotations",
    "/quotations/new",
    "/quotations/new?answer={request}",
    "/quotations/{quotation}",
    "/quotations/{accepted}",
    "/orders",
    "/orders/{order}",
)
#: Only those who set prices and quote see the forms that make them.
FOR_SALES = {"/price-models/new", "/quotations/new", "/quotations/new?answer={request}"}
#: The cost model is the lab's internal figures.
NOT_FOR_CUSTOMERS = FOR_SALES | {"/price-models/{model}"}
HOSTILE = "<script>alert('x')</script> ../../etc/passwd"


@dataclass
class Commercial:
    ids: dict[str, int]


def csrf(client: TestClient) -> dict[str, str]:
    return {"x-csrf-token": client.cookies.get("lims_csrf") or ""}


@pytest.fixture
def commercial(client: TestClient, engine: Engine, settings: Settings, demo: Demo) -> Commercial:
    """The demo's records, a request from the demo customer (with markup in it), and an
    accepted quotation with its order."""
    today = local_today(settings.timezone)
    with Session(engine) as db_session:
        konepaja = db_session.exec(
            select(Organisation).where(Organisation.business_id == "1234567-1")
        ).one()
        model = db_session.exec(select(PriceModel).where(PriceModel.year == today.year)).one()
    accepted = make_quotation(
        engine, settings, konepaja, issued_on=today, valid_until=today + timedelta(days=30)
    )
    order = accept(engine, settings, accepted, on=today)
    sign_in(client, "asiakas")
    request = client.post(
        "/api/v1/quotation-requests",
        json={"organisation_id": konepaja.id, "service": "calibration", "description": HOSTILE},
        headers=csrf(client),
    )
    assert request.status_code == 201, request.text
    return Commercial(
        ids={
            **demo.ids,
            "model": model.id or 0,
            "request": request.json()["id"],
            "accepted": accepted.id or 0,
            "order": order.id or 0,
        }
    )


def test_every_commercial_page_answers_each_role_as_its_rights_say(
    client: TestClient, commercial: Commercial
) -> None:
    expected: dict[str, dict[str, int]] = {
        **{user: dict.fromkeys(PAGES, 200) for user in SALES},
        **{
            user: {page: 403 if page in FOR_SALES else 200 for page in PAGES}
            for user in ("mittaaja", "allekirjoittaja", "arvioija")
        },
        "asiakas": {page: 403 if page in NOT_FOR_CUSTOMERS else 200 for page in PAGES},
    }
    wrong = []
    for user, pages in expected.items():
        sign_in(client, user)
        for page, status in pages.items():
            answer = client.get(page.format(**commercial.ids))
            if answer.status_code != status or "text/html" not in answer.headers["content-type"]:
                wrong.append((user, page, answer.status_code, status))
    assert wrong == []


def test_signed_out_callers_are_sent_to_the_login_page(client: TestClient) -> None:
    ids = dict.fromkeys(("model", "price_list", "request", "quotation", "accepted", "order"), 1)
    for page in PAGES:
        answer = client.get(page.format(**ids), follow_redirects=False)
        assert answer.status_code == 303, page
        assert answer.headers["location"].startswith("/login?next=/"), page


def test_another_customer_gets_the_404_page_for_quotations_and_orders(
    client: TestClient, commercial: Commercial
) -> None:
    sign_in(client, "kund")
    for page in ("/quotations/{quotation}", "/quotations/{accepted}", "/orders/{order}"):
        answer = client.get(page.format(**commercial.ids))
        assert answer.status_code == 404, page
        assert 'id="not-found"' in answer.text
        assert "Konepaja" not in answer.text and "TA-" not in answer.text
    for listing in ("/quotations", "/orders"):
        shown = client.get(listing).text
        assert "TA-" not in shown and "etc/passwd" not in shown, listing
    assert client.get("/orders/987654").status_code == 404
    assert client.get("/orders/not-a-number").status_code == 404


def test_what_a_customer_asks_is_shown_as_text_to_the_lab(
    client: TestClient, commercial: Commercial
) -> None:
    sign_in(client, "laatu")
    listing = client.get("/quotations").text
    assert "<script>alert" not in listing
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; ../../etc/passwd" in listing
    answering = client.get("/quotations/new?answer={request}".format(**commercial.ids)).text
    assert "&lt;script&gt;" in answering and "<script>alert" not in answering
    assert 'name="request_id" value="{request}"'.format(**commercial.ids) in answering


def test_a_quotation_request_of_another_customer_cannot_be_answered_from_its_address(
    client: TestClient, commercial: Commercial
) -> None:
    sign_in(client, "laatu")
    assert client.get("/quotations/new?answer=987654").status_code == 404


def test_the_order_page_shows_the_fixed_price_and_delivery_in_finnish(
    client: TestClient, commercial: Commercial
) -> None:
    sign_in(client, "asiakas")
    order = client.get("/orders/{order}".format(**commercial.ids)).text
    # K-MIK-25 x 3 = 223,20 net; with VAT 25,5 % 280,12 (the demo's rates).
    assert "Tilaus" in order and "280,12\u00a0€" in order
    assert 'id="open-job-form"' in order


def test_a_price_model_page_shows_rates_shares_and_the_cost_recovery_chart(
    client: TestClient, commercial: Commercial
) -> None:
    sign_in(client, "laatu")
    model = client.get("/price-models/{model}".format(**commercial.ids)).text
    assert "62,00\u00a0€" in model  # the calibration bench's hourly rate
    assert "70 %" in model  # leasing and maintenance: 70 % on the CMM
    assert "/cost-recovery.svg" in model
    assert 'id="price-list-form"' in model
    sign_in(client, "mittaaja")
    assert (
        'id="price-list-form"'
        not in client.get("/price-models/{model}".format(**commercial.ids)).text
    )
