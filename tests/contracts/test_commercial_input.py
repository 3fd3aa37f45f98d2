"""What the commercial forms may send that they should not: empty, huge, malformed and
hostile price models, price lists, closures and quotation lines are refused by field (and
change nothing), and markup is kept as text for the pages to escape."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.clock import local_today
from lims.config import Settings
from tests.conftest import row_counts
from tests.contracts.factories import (
    ensure_clause,
    make_agreement,
    make_price_list,
    make_price_model,
)
from tests.factories import PASSWORD, bearer, make_organisation, make_user

RESOURCE = {"code": "bench", "name": "Bench", "planned_hours": "100"}
POOL = {"name": "rent", "amount": "1000.00", "shares": {"bench": "1"}}


@pytest.fixture
def manager(engine: Engine, settings: Settings) -> dict[str, str]:
    return bearer(settings, make_user(engine, Role.QUALITY_MANAGER))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cost_pools": []}, "cost_pools"),
        ({"resources": []}, "resources"),
        ({"year": 1999}, "year"),
        ({"resources": [{**RESOURCE, "code": "../etc"}]}, "resources[0].code"),
        ({"resources": [{**RESOURCE, "name": ""}]}, "resources[0].name"),
        ({"resources": [{**RESOURCE, "planned_hours": "1e400"}]}, "resources[0].planned_hours"),
        ({"cost_pools": [{**POOL, "amount": "9" * 20}]}, "cost_pools[0].amount"),
        ({"cost_pools": [{**POOL, "amount": "12,5"}]}, "cost_pools[0].amount"),
        ({"cost_pools": [{**POOL, "shares": {"bench": "0.5"}}]}, "cost_pools[0].shares"),
        ({"cost_pools": [{**POOL, "shares": {"cmm": "1"}}]}, "cost_pools[0].shares"),
        ({"cost_pools": [{**POOL, "name": "x" * 101}]}, "cost_pools[0].name"),
    ],
)
def test_a_malformed_price_model_is_refused_by_field_and_changes_nothing(
    client: TestClient,
    engine: Engine,
    manager: dict[str, str],
    changes: dict[str, object],
    field: str,
) -> None:
    before = row_counts(engine)
    body = {"year": 2031, "cost_pools": [POOL], "resources": [RESOURCE], **changes}
    answer = client.post("/api/v1/price-models", json=body, headers=manager)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"].startswith(field)
    assert row_counts(engine) == before


def test_markup_in_a_price_model_is_kept_as_text_and_shown_escaped(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    body = {
        "year": 2031,
        "cost_pools": [{**POOL, "name": hostile}],
        "resources": [{**RESOURCE, "name": hostile}],
    }
    made = client.post("/api/v1/price-models", json=body, headers=manager)
    assert made.status_code == 201, made.text
    assert made.json()["cost_pools"][0]["name"] == hostile
    reader = make_user(engine, Role.QUALITY_MANAGER)
    client.cookies.clear()
    signed_in = client.post(
        "/api/v1/auth/login", json={"username": reader.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    page = client.get(f"/price-models/{made.json()['id']}").text
    assert hostile not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize(
    "item",
    [
        {"code": "", "hours": "1"},
        {"code": "K" * 33, "hours": "1"},
        {"code": "K-1", "hours": "0"},
        {"code": "K-1", "hours": "-1"},
        {"code": "K-1", "hours": "1", "delivery_days": 251},
        {"code": "K-1", "hours": "1", "resource": "nope"},
    ],
)
def test_a_malformed_price_list_item_is_refused(
    client: TestClient, engine: Engine, manager: dict[str, str], item: dict[str, object]
) -> None:
    model = make_price_model(engine, 2031)
    full = {
        "description_fi": "Kuvaus",
        "description_en": "Description",
        "service": "calibration",
        "resource": "bench",
        "delivery_days": 10,
        **item,
    }
    answer = client.post(
        "/api/v1/price-lists",
        json={"price_model_id": model.id, "title": "Hinnasto", "items": [full]},
        headers=manager,
    )
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize(
    "closure",
    [{"day": "", "reason": "Huolto"}, {"day": "2031-02-30", "reason": "Huolto"},
     {"day": "2031-02-03", "reason": ""}, {"day": "2031-02-03", "reason": "x" * 201}],
)  # fmt: skip
def test_a_malformed_closure_is_refused(
    client: TestClient, manager: dict[str, str], closure: dict[str, str]
) -> None:
    answer = client.post("/api/v1/calendar/closures", json=closure, headers=manager)
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"item_code": "K-MIK-25", "quantity": 0}, "lines[0].quantity"),
        ({"item_code": "K-MIK-25", "quantity": 10_001}, "lines[0].quantity"),
        ({"item_code": "../../K-MIK-25"}, "lines[0].item_code"),
        ({"description": "Työ", "resource": "bench"}, "lines[0]"),
        ({"description": "Työ", "resource": "bench", "hours": "0"}, "lines[0].hours"),
        ({"description": "Työ", "resource": "nope", "hours": "1"}, "lines[0].resource"),
    ],
)
def test_a_malformed_quotation_line_is_refused_by_field(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    manager: dict[str, str],
    line: dict[str, object],
    field: str,
) -> None:
    ensure_clause(engine)
    today = local_today(settings.timezone)
    make_price_list(engine, make_price_model(engine, today.year))
    customer = make_organisation(engine)
    make_agreement(engine, customer, valid_from=today, valid_until=today + timedelta(days=60))
    before = row_counts(engine)
    answer = client.post(
        "/api/v1/quotations",
        json={
            "organisation_id": customer.id,
            "service": "calibration",
            "issued_on": today.isoformat(),
            "valid_until": (today + timedelta(days=30)).isoformat(),
            "lines": [line],
        },
        headers=manager,
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == field
    assert row_counts(engine) == before
