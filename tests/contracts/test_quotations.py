"""Quotations, orders and the year-end cost recovery (over the API and the services)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from lims.accounts.models import Role
from lims.clock import local_today
from lims.config import Settings
from lims.contracts.models import QuotationLineSpec
from tests.conftest import row_counts
from tests.contracts.factories import (
    accept,
    ensure_clause,
    make_agreement,
    make_price_list,
    make_price_model,
    make_quotation,
)
from tests.factories import bearer, make_organisation, make_user

QUOTATIONS = "/api/v1/quotations"


@pytest.fixture
def priced(engine: Engine, settings: Settings) -> None:
    """The worked price model (bench 62.00 EUR/h, CMM 138.00 EUR/h) and its price list, for
    2026 and for the current year (customers act today)."""
    ensure_clause(engine)
    for year in sorted({2026, local_today(settings.timezone).year}):
        make_price_list(engine, make_price_model(engine, year))


@pytest.fixture
def manager(engine: Engine, settings: Settings) -> dict[str, str]:
    return bearer(settings, make_user(engine, Role.QUALITY_MANAGER))


def test_quotation_is_priced_from_the_list_and_hours_with_vat(
    priced: None, engine: Engine, settings: Settings
) -> None:
    customer = make_organisation(engine)
    make_agreement(engine, customer)
    quotation = make_quotation(
        engine,
        settings,
        customer,
        lines=[
            QuotationLineSpec(item_code="K-MIK-25", quantity=3),
            QuotationLineSpec(description="Special fixture", resource="cmm", hours=Decimal("0.5")),
        ],
    )
    # K-MIK-25: 1.2 h x 62.00 = 74.40 each, x 3 = 223.20; 0.5 h x 138.00 = 69.00.
    # Net 292.20; VAT 25.5 % = 74.511 -> 74.51; total 366.71.
    assert [line["line_total"] for line in quotation.lines] == ["223.20", "69.00"]
    assert (quotation.net_total, quotation.vat_amount, quotation.total) == (
        Decimal("292.20"),
        Decimal("74.51"),
        Decimal("366.71"),
    )
    assert quotation.number == "TA-2026-0001"
    assert quotation.delivery_days == 10  # the agreement's standard delivery for calibration


def test_accepting_fixes_the_price_and_the_delivery_date_over_christmas(
    priced: None, engine: Engine, settings: Settings
) -> None:
    customer = make_organisation(engine)
    agreement = make_agreement(engine, customer)
    quotation = make_quotation(engine, settings, customer)
    order = accept(engine, settings, quotation, on=date(2026, 12, 22))
    # 10 working days from Tue 22.12.2026: 23.12 (1), 28-31.12 (2-5), 1.1 New Year's Day,
    # 2-3.1 weekend, 4.1 (6), 5.1 (7), 6.1 Epiphany, 7.1 (8), 8.1 (9), 11.1.2027 (10).
    assert order.delivery_date == date(2027, 1, 11)
    assert order.agreed_price == quotation.total
    assert order.agreement_id == agreement.id


def test_accepting_an_expired_quotation_is_refused_and_changes_nothing(
    priced: None, client: TestClient, engine: Engine, settings: Settings, manager: dict[str, str]
) -> None:
    customer = make_organisation(engine)
    make_agreement(engine, customer)
    quotation = make_quotation(engine, settings, customer, valid_until=date(2026, 12, 1))
    before = row_counts(engine)
    response = client.post(
        f"{QUOTATIONS}/{quotation.id}/accept",
        json={"accepted_by": "Kalle", "accepted_on": "2026-12-02"},
        headers=manager,
    )
    assert response.status_code == 409
    assert "expired on 2026-12-01" in response.json()["detail"]
    assert row_counts(engine) == before


def test_quotation_under_an_expired_agreement_is_refused(
    priced: None, client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    customer = make_organisation(engine)
    make_agreement(engine, customer, valid_from=date(2026, 1, 1), valid_until=date(2026, 6, 30))
    before = row_counts(engine)
    response = client.post(
        QUOTATIONS,
        json={
            "organisation_id": customer.id,
            "service": "calibration",
            "issued_on": "2026-11-27",
            "valid_until": "2026-12-31",
            "lines": [{"item_code": "K-MIK-25"}],
        },
        headers=manager,
    )
    assert response.status_code == 422
    assert "expired on 2026-06-30" in response.json()["detail"]
    assert row_counts(engine) == before


def test_customer_without_an_agreement_orders_under_an_ad_hoc_one_in_one_step(
    priced: None, client: TestClient, engine: Engine, settings: Settings
) -> None:
    customer = make_organisation(engine)
    today = local_today(settings.timezone)
    quotation = make_quotation(
        engine, settings, customer, issued_on=today, valid_until=today + timedelta(days=30)
    )
    representative = bearer(settings, make_user(engine, Role.CUSTOMER, organisation=customer))
    without_terms = client.post(
        f"{QUOTATIONS}/{quotation.id}/accept",
        json={"accepted_by": "Kalle", "accepted_on": today.isoformat()},
        headers=representative,
    )
    assert without_terms.status_code == 422
    assert "ad-hoc agreement" in without_terms.json()["detail"]
    order = client.post(
        f"{QUOTATIONS}/{quotation.id}/accept",
        json={
            "accepted_by": "Kalle",
            "accepted_on": today.isoformat(),
            "accept_terms_and_confidentiality": True,
        },
        headers=representative,
    ).json()
    agreement = client.get(
        f"/api/v1/agreements/{order['agreement_id']}", headers=representative
    ).json()
    assert agreement["kind"] == "ad_hoc"
    assert agreement["number"].startswith(f"KS-{today.year}-")
    assert agreement["confidentiality_accepted_by"] == "Kalle"
    assert (agreement["valid_from"], agreement["valid_until"]) == (
        today.isoformat(),
        today.isoformat(),
    )


def test_customer_cannot_backdate_its_acceptance(
    priced: None, client: TestClient, engine: Engine, settings: Settings
) -> None:
    customer = make_organisation(engine)
    make_agreement(engine, customer)
    quotation = make_quotation(engine, settings, customer)
    representative = bearer(settings, make_user(engine, Role.CUSTOMER, organisation=customer))
    response = client.post(
        f"{QUOTATIONS}/{quotation.id}/accept",
        json={"accepted_by": "Kalle", "accepted_on": "2026-11-01"},
        headers=representative,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "accepted_on"


def test_order_for_a_service_outside_the_agreement_is_refused(
    priced: None, client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    customer = make_organisation(engine)
    make_agreement(engine, customer)
    before = row_counts(engine)
    response = client.post(
        "/api/v1/orders",
        json={"organisation_id": customer.id, "service": "product_qc", "ordered_on": "2026-11-27"},
        headers=manager,
    )
    assert response.status_code == 422
    assert "does not cover the service product_qc" in response.json()["detail"]
    assert row_counts(engine) == before


def test_price_model_with_zero_hours_or_negative_cost_is_refused(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    before = row_counts(engine)
    for pools, resources, field in [
        (
            [{"name": "rent", "amount": "-1.00", "shares": {"a": "1"}}],
            [{"code": "a", "name": "A", "planned_hours": "10"}],
            "cost_pools[0].amount",
        ),
        (
            [{"name": "rent", "amount": "1.00", "shares": {"a": "1"}}],
            [{"code": "a", "name": "A", "planned_hours": "0"}],
            "resources[0].planned_hours",
        ),
    ]:
        response = client.post(
            "/api/v1/price-models",
            json={"year": 2030, "cost_pools": pools, "resources": resources},
            headers=manager,
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field
    assert row_counts(engine) == before


def test_price_list_is_published_to_customers_only_when_published(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    model = make_price_model(engine, 2026)
    draft = make_price_list(engine, model, publish=False)
    customer = bearer(
        settings, make_user(engine, Role.CUSTOMER, organisation=make_organisation(engine))
    )
    assert client.get(f"/api/v1/price-lists/{draft.id}", headers=customer).status_code == 404
    published = make_price_list(engine, model)
    listed = client.get("/api/v1/price-lists", headers=customer).json()
    assert [p["id"] for p in listed] == [published.id]
    # 1.2 h x 62.00 EUR/h = 74.40 EUR
    assert listed[0]["items"][0]["price"] == "74.40"
    assert client.get(f"/api/v1/price-models/{model.id}", headers=customer).status_code == 403


def test_an_accepted_quotation_is_pipeline_in_the_cost_recovery_not_delivered_work(
    priced: None, client: TestClient, engine: Engine, settings: Settings, manager: dict[str, str]
) -> None:
    """Accepting is not delivering (issue #22): the order waits in the pipeline until its
    job is reported (tests/contracts/test_cost_recovery.py counts delivered work)."""
    customer = make_organisation(engine)
    make_agreement(engine, customer)
    accept(engine, settings, make_quotation(engine, settings, customer), on=date(2026, 11, 30))
    with engine.connect() as connection:
        model_id = connection.execute(
            text("SELECT id FROM price_model WHERE year = 2026")
        ).scalar_one()
    report = client.get(f"/api/v1/price-models/{model_id}/cost-recovery", headers=manager).json()
    bench = next(row for row in report["rows"] if row["resource"] == "bench")
    # Bench: allocated 55 800.00 (see test_pricing); nothing delivered yet, a deficit of all of it.
    assert (bench["allocated_cost"], bench["delivered"], bench["surplus"]) == (
        "55800.00",
        "0.00",
        "-55800.00",
    )
    assert report["allocated_cost"] == "336000.00"
    # The accepted quotation, 3 x 74.40 = 223.20 net of VAT, is in the pipeline.
    assert report["pipeline"]["accepted_not_delivered"] == "223.20"
    chart = client.get(f"/api/v1/price-models/{model_id}/cost-recovery.svg", headers=manager)
    assert chart.headers["content-type"] == "image/svg+xml"
    assert chart.content.startswith(b"<?xml")
    assert b"Kalibrointipenkki" in chart.content
