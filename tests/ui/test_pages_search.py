"""Search, the columns people scan and the record history, without a browser: who finds
what, refusals as pages in the user's language, and records named by their numbers."""

import html
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from lims.config import Settings
from lims.documents.models import Document
from lims.equipment.models import Equipment
from lims.jobs.models import Item, Job, JobStatus
from tests.conftest import load_demo
from tests.ui.test_pages import sign_in

STAFF = ("admin", "laatu", "mittaaja", "allekirjoittaja")


@dataclass
class Demo:
    job: Job  # the annual customer's job whose micrometer is "SN 1004"
    reviewed: Job
    equipment: Equipment
    document: Document | None


@pytest.fixture
def demo(engine: Engine, settings: Settings) -> Demo:
    load_demo(engine, settings)
    with Session(engine) as db_session:
        item = db_session.exec(select(Item).where(Item.identification == "SN 1004")).one()
        job = db_session.get_one(Job, item.job_id)
        reviewed = db_session.exec(select(Job).where(Job.status == JobStatus.REVIEWED)).first()
        equipment = db_session.exec(select(Equipment).order_by(col(Equipment.id))).first()
        document = db_session.exec(
            select(Document).where(col(Document.job_id).is_not(None)).order_by(col(Document.id))
        ).first()
        db_session.expunge_all()
    assert reviewed and equipment
    return Demo(job=job, reviewed=reviewed, equipment=equipment, document=document)


def test_a_serial_number_finds_its_job_for_every_role_that_reads_it(
    client: TestClient, demo: Demo
) -> None:
    for user in (*STAFF, "arvioija", "asiakas"):
        sign_in(client, user)
        answer = client.get("/search", params={"q": "sn 1004"})
        assert answer.status_code == 200, user
        assert f'href="/jobs/{demo.job.id}"' in answer.text, user
        assert f'href="/jobs/{demo.job.id}#item-' in answer.text, user


def test_another_customer_finds_none_of_the_records(client: TestClient, demo: Demo) -> None:
    sign_in(client, "kund")
    for query in ("SN 1004", demo.job.number, "Konepaja"):
        answer = client.get("/search", params={"q": query})
        assert answer.status_code == 200
        # The query is echoed in its box; nothing found is listed.
        assert 'class="search-hits"' not in answer.text
        assert f'href="/jobs/{demo.job.id}' not in answer.text


def test_a_signed_out_search_goes_to_the_login_page(client: TestClient) -> None:
    answer = client.get("/search", params={"q": "SN"}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=/search")


def test_a_tampered_more_link_and_an_overlong_search_are_refused_on_an_error_page(
    client: TestClient, demo: Demo
) -> None:
    sign_in(client, "laatu")
    tampered = client.get("/search", params={"q": "SN", "kind": "job", "after": "Zm9v"})
    overlong = client.get("/search", params={"q": "x" * 201})
    for answer in (tampered, overlong):
        assert answer.status_code == 422
        assert "text/html" in answer.headers["content-type"]
        assert "<h1>Virhe</h1>" in answer.text


def test_markup_typed_into_the_search_is_shown_as_text(client: TestClient, demo: Demo) -> None:
    sign_in(client, "laatu")
    answer = client.get("/search", params={"q": "<script>alert(1)</script>"})
    assert answer.status_code == 200
    assert "<script>alert(1)</script>" not in answer.text
    assert html.escape("<script>alert(1)</script>", quote=False) in answer.text


def test_the_more_link_pages_one_kind_by_cursor(client: TestClient, demo: Demo) -> None:
    sign_in(client, "laatu")
    overview = client.get("/search", params={"q": "SN 10"}).text
    assert "kind=item" in overview
    # The page continues from the cursor the API gives for the same search.
    first = client.get("/api/v1/search", params={"q": "SN 10", "kind": "item", "limit": 2})
    cursor = first.json()["groups"][0]["next_cursor"]
    second = client.get("/search", params={"q": "SN 10", "kind": "item", "after": cursor})
    assert second.status_code == 200
    shown = [hit["id"] for hit in first.json()["groups"][0]["hits"]]
    assert 'class="search-hits"' in second.text
    assert all(f'#item-{item_id}"' not in second.text for item_id in shown)


def test_the_record_history_takes_a_job_number_and_shows_readable_fields(
    client: TestClient, demo: Demo
) -> None:
    sign_in(client, "arvioija")
    answer = client.get("/audit", params={"entity": demo.reviewed.number.lower()})
    assert answer.status_code == 200
    # The record by its number, in the heading and the box; neither its type:id code nor
    # its own id as a row of changes.
    assert f"job:{demo.reviewed.id}" not in answer.text
    assert f'value="{demo.reviewed.number}"' in answer.text
    assert 'class="event"' in answer.text
    assert "<code>id</code>" not in answer.text
    assert "Tarkastaja" in answer.text and "Laura Laatupäällikkö" in answer.text
    assert "reviewed_by_id" not in answer.text
    assert "null" not in answer.text
    assert "lims audit" not in answer.text and "lims records" not in answer.text


def test_the_record_history_takes_an_equipment_identification_and_a_document_number(
    client: TestClient, demo: Demo
) -> None:
    sign_in(client, "laatu")
    by_code = client.get("/audit", params={"entity": demo.equipment.identification})
    # Found, and headed by what people call it, not by its type:id code.
    heading = f"<span data-user-text>{demo.equipment.identification}</span>"
    assert heading in by_code.text and f"equipment:{demo.equipment.id}" not in by_code.text
    if demo.document is not None:
        by_number = client.get("/audit", params={"entity": demo.document.number})
        assert f"<span data-user-text>{demo.document.number}</span>" in by_number.text
        assert f"document:{demo.document.id}" not in by_number.text


def test_the_record_history_says_when_no_record_has_the_number(
    client: TestClient, demo: Demo
) -> None:
    sign_in(client, "laatu")
    answer = client.get("/audit", params={"entity": "TY-1999-9999"})
    assert answer.status_code == 200
    assert 'class="form-error"' in answer.text and 'class="event"' not in answer.text


def test_the_record_history_stays_closed_to_customers(client: TestClient, demo: Demo) -> None:
    sign_in(client, "asiakas")
    assert client.get("/audit", params={"entity": demo.job.number}).status_code == 403


def test_the_board_names_each_jobs_item_and_the_documents_their_customer_and_job(
    client: TestClient, demo: Demo
) -> None:
    sign_in(client, "mittaaja")
    board = client.get("/jobs", params={"sort": "number"}).text
    assert "Ulkomikrometri 0-25 mm · SN 1004" in board
    customer = client.get(f"/customers/{demo.job.organisation_id}").text
    assert "Ulkomikrometri 0-25 mm · SN 10" in customer
    documents = client.get("/documents").text
    if demo.document is not None:
        assert f'href="/jobs/{demo.document.job_id}"' in documents
        assert "Konepaja" in documents


def test_a_customer_name_with_markup_is_shown_as_text_in_search_board_and_documents(
    client: TestClient, demo: Demo
) -> None:
    sign_in(client, "laatu")
    hostile = "<img src=x onerror=alert(1)> Konepaja"
    changed = client.patch(
        f"/api/v1/organisations/{demo.job.organisation_id}",
        json={"name": hostile},
        headers={"x-csrf-token": client.cookies.get("lims_csrf") or ""},
    )
    assert changed.status_code == 200, changed.text
    for page in ("/search?q=onerror", "/search?q=SN+1004", "/jobs", "/documents"):
        text = client.get(page).text
        assert "<img src=x" not in text, page
        assert "&lt;img src=x onerror=alert(1)&gt; Konepaja" in text, page


def test_a_customer_opens_its_own_organisation_from_the_search(
    client: TestClient, demo: Demo
) -> None:
    sign_in(client, "asiakas")
    found = client.get("/search", params={"q": "Konepaja", "kind": "customer"}).text
    link = f'href="/customers/{demo.job.organisation_id}"'
    assert link in found
    assert client.get(f"/customers/{demo.job.organisation_id}").status_code == 200
