"""The equipment, method and scope pages without a browser: who gets which page and which
forms, signed-out callers, and hostile names shown as text."""

import html
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from lims.config import Settings
from lims.equipment.models import Equipment
from lims.methods.models import Method
from tests.conftest import load_demo
from tests.ui.test_pages import sign_in

STAFF = ("admin", "laatu", "mittaaja", "allekirjoittaja")
MANAGERS = ("admin", "laatu")
PAGES = (
    "/equipment",
    "/equipment/new",
    "/equipment/{equipment}",
    "/methods",
    "/methods/new",
    "/methods/new?from={method}",
    "/methods/{method}",
    "/scope",
)
# Registering an instrument or adding a method is the quality manager's (or an admin's).
FOR_MANAGERS = {"/equipment/new", "/methods/new", "/methods/new?from={method}"}
FOR_EVERYONE = {"/scope"}


@pytest.fixture
def ids(engine: Engine, settings: Settings) -> dict[str, int]:
    load_demo(engine, settings)
    with Session(engine) as db_session:
        equipment = db_session.exec(select(Equipment).order_by(col(Equipment.id))).first()
        method = db_session.exec(select(Method).order_by(col(Method.id))).first()
        assert equipment and method
        return {"equipment": equipment.id or 0, "method": method.id or 0}


def expected_status(user: str, page: str) -> int:
    if page in FOR_EVERYONE:
        return 200
    if page in FOR_MANAGERS:
        return 200 if user in MANAGERS else 403
    return 200 if user in (*STAFF, "arvioija") else 403


def test_each_role_gets_the_equipment_and_method_pages_its_rights_allow(
    client: TestClient, ids: dict[str, int]
) -> None:
    wrong = []
    for user in (*STAFF, "arvioija", "asiakas", "kund"):
        sign_in(client, user)
        for page in PAGES:
            answer = client.get(page.format(**ids))
            if answer.status_code != expected_status(user, page):
                wrong.append((user, page, answer.status_code))
            assert "text/html" in answer.headers["content-type"]
    assert wrong == []


def test_signed_out_callers_are_sent_to_the_login_page(
    client: TestClient, ids: dict[str, int]
) -> None:
    for page in PAGES:
        answer = client.get(page.format(**ids), follow_redirects=False)
        assert answer.status_code == 303, page
        assert answer.headers["location"].startswith("/login?next=/")


def test_a_method_or_instrument_that_does_not_exist_is_not_found(
    client: TestClient, ids: dict[str, int]
) -> None:
    sign_in(client, "laatu")
    for page in ("/equipment/999999", "/methods/999999", "/methods/new?from=999999"):
        assert client.get(page).status_code == 404, page
    assert client.get("/equipment/..%2F..%2Fetc").status_code in (404, 422)
    assert client.get("/methods/new?from=not-a-number").status_code in (404, 422)


def test_the_quality_manager_gets_every_form_a_technician_only_checks_and_logs(
    client: TestClient, ids: dict[str, int]
) -> None:
    page = "/equipment/{equipment}".format(**ids)
    sign_in(client, "laatu")
    managing = client.get(page).text
    for form in (
        "equipment-edit",
        "equipment-status",
        "calibration-form",
        "check-form",
        "log-form",
    ):
        assert f'id="{form}"' in managing, form
    assert 'data-confirm="confirm_status"' in managing
    sign_in(client, "mittaaja")
    checking = client.get(page).text
    assert 'id="check-form"' in checking and 'id="log-form"' in checking
    for form in ("equipment-edit", "equipment-status", "calibration-form"):
        assert f'id="{form}"' not in checking, form
    sign_in(client, "arvioija")
    reading = client.get(page).text
    assert "<form" not in reading.split('id="main"')[1].split("</main>")[0]


def test_the_equipment_kinds_are_offered_with_their_names_not_as_bare_codes(
    client: TestClient, ids: dict[str, int]
) -> None:
    sign_in(client, "laatu")
    page = client.get("/equipment/new").text
    assert '<option value="gauge_block" label="Mittapala">' in page
    assert "gauge_block, micrometer" not in page


def test_a_new_version_is_prefilled_from_its_method_with_the_next_number(
    client: TestClient, engine: Engine, ids: dict[str, int]
) -> None:
    with Session(engine) as db_session:
        method = db_session.get(Method, ids["method"])
        assert method
        highest = max(
            m.version for m in db_session.exec(select(Method).where(Method.code == method.code))
        )
    sign_in(client, "laatu")
    page = client.get(f"/methods/new?from={method.id}").text
    assert f'value="{method.code}"' in page
    assert f'value="{highest + 1}"' in page
    assert method.model in page


def test_hostile_names_in_the_register_are_shown_as_text(
    client: TestClient, ids: dict[str, int]
) -> None:
    sign_in(client, "laatu")
    changed = client.patch(
        "/api/v1/equipment/{equipment}".format(**ids),
        json={"name": "<script>alert('x')</script>", "location": "<img src=x onerror=alert(1)>"},
        headers={"x-csrf-token": client.cookies.get("lims_csrf") or ""},
    )
    assert changed.status_code == 200, changed.text
    for page in ("/equipment", "/equipment/{equipment}".format(**ids)):
        html = client.get(page).text
        assert "<script>alert('x')</script>" not in html
        assert "&lt;script&gt;alert(" in html
        assert "<img src=x" not in html


def test_the_scope_page_links_its_csv_and_json_exports(
    client: TestClient, ids: dict[str, int]
) -> None:
    sign_in(client, "asiakas")
    page = client.get("/scope").text
    assert 'href="/api/v1/scope?format=csv"' in page
    assert 'href="/api/v1/scope"' in page
    assert client.get("/api/v1/scope?format=csv").status_code == 200


def test_the_due_list_puts_overdue_items_first(client: TestClient, ids: dict[str, int]) -> None:
    sign_in(client, "mittaaja")
    page = client.get("/equipment").text
    assert page.index('id="unusable-heading"') < page.index('id="due-heading"')
    unusable = page.split('id="unusable-heading"')[1].split('id="due-heading"')[0]
    assert "badge-overdue" in unusable
    assert "badge-due_soon" not in unusable


def test_a_new_version_carries_what_the_form_has_no_fields_for(
    client: TestClient, engine: Engine, ids: dict[str, int]
) -> None:
    with Session(engine) as db_session:
        cmm = db_session.exec(select(Method).where(Method.code == "DIM-CMM-01")).first()
        assert cmm and cmm.coordinate_budget
    sign_in(client, "laatu")
    page = client.get(f"/methods/new?from={cmm.id}").text
    carried = re.search(r'name="coordinate_budget" data-type="json" value="([^"]*)"', page)
    assert carried
    assert json.loads(html.unescape(carried.group(1))) == cmm.coordinate_budget
