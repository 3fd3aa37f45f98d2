"""The invoicing basis: a period's delivered jobs at their agreed price with VAT by the rules
and the billing details, exported once (CSV and JSON), cancelled with a reason and exported
again; bad periods refused in one line.  On the demo data: its month has two delivered jobs
(the reported one and the closed one), both priced from the list (K-MIK-25, 1.2 h x 62.00
EUR/h = 74.40), for the annual customer, a Finnish company (domestic VAT)."""

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.models import User
from lims.audit.models import AuditEvent
from lims.clock import local_today
from lims.config import Settings
from lims.errors import InvalidInput
from lims.invoicing.formats import as_csv
from lims.invoicing.models import BasisLine
from lims.invoicing.periods import parse_period
from tests.conftest import load_demo
from tests.factories import bearer

# Only SQL every backend reads alike; the export's lock is tried on both in the storm test.
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"])
EXPORTS = "/api/v1/invoicing/exports"


@pytest.fixture
def users(engine: Engine, settings: Settings) -> Iterator[dict[str, User]]:
    load_demo(engine, settings)
    with Session(engine) as db_session:
        found = {user.username: user for user in db_session.exec(select(User))}
        db_session.expunge_all()
    yield found


@pytest.fixture
def month(settings: Settings) -> str:
    """The demo's month: its jobs are reported on the day it is loaded."""
    return local_today(settings.timezone).strftime("%Y-%m")


def as_user(settings: Settings, users: dict[str, User], name: str) -> dict[str, str]:
    return bearer(settings, users[name])


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


@sqlite_only
def test_the_demo_month_is_exported_and_its_csv_reads_back_with_the_totals(
    client: TestClient, settings: Settings, users: dict[str, User], month: str
) -> None:
    manager = as_user(settings, users, "laatu")
    dry_run = client.get("/api/v1/invoicing/basis", params={"period": month}, headers=manager)
    assert dry_run.status_code == 200, dry_run.text
    assert len(dry_run.json()["lines"]) == 2

    made = client.post(EXPORTS, json={"period": month}, headers=manager)

    assert made.status_code == 201, made.text
    export = made.json()
    assert export["number"].startswith(f"LP-{local_today(settings.timezone).year}-")
    assert export["status"] == "exported" and export["job_count"] == 2
    answer = client.get(f"{EXPORTS}/{export['id']}.csv", headers=manager)
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert f'filename="{export["number"]}.csv"' in answer.headers["content-disposition"]
    rows = read_csv(answer.content.decode("utf-8"))
    assert [row["job_number"] for row in rows] == [
        line["job_number"] for line in dry_run.json()["lines"]
    ]
    # Each job: net 74.40; VAT 25.5 % of 74.40 = 18.972 -> 18.97; gross 74.40 + 18.97 = 93.37.
    # The month: net 2 x 74.40 = 148.80, VAT 2 x 18.97 = 37.94, gross 148.80 + 37.94 = 186.74.
    for row in rows:
        assert row["export_number"] == export["number"]
        assert row["price_basis"] == "price_list" and row["quotation_number"] == ""
        assert (row["net"], row["vat"], row["gross"]) == ("74,40", "18,97", "93,37")
        assert (row["vat_rule"], row["vat_rate"], row["vat_statement"]) == ("domestic", "25,5", "")
        assert row["business_id"] and row["customer_name"] and row["country"] == "FI"
        assert row["delivered_on"] == local_today(settings.timezone).isoformat()
    total = sum(Decimal(row["gross"].replace(",", ".")) for row in rows)
    assert total == Decimal("186.74")
    assert (export["net_total"], export["vat_total"], export["gross_total"]) == (
        "148.80",
        "37.94",
        "186.74",
    )
    as_json = client.get(f"{EXPORTS}/{export['id']}.json", headers=manager).json()
    assert [line["gross"] for line in as_json["lines"]] == ["93.37", "93.37"]


@sqlite_only
def test_the_cost_recovery_counts_what_the_invoicing_basis_bills(
    client: TestClient, settings: Settings, users: dict[str, User]
) -> None:
    manager = as_user(settings, users, "laatu")
    year = local_today(settings.timezone).year
    model = next(
        m for m in client.get("/api/v1/price-models", headers=manager).json() if m["year"] == year
    )
    recovery = client.get(f"/api/v1/price-models/{model['id']}/cost-recovery", headers=manager)
    basis = client.get("/api/v1/invoicing/basis", params={"period": str(year)}, headers=manager)

    assert recovery.json()["delivered"] == basis.json()["net_total"] == "148.80"
    assert sorted(job["number"] for job in recovery.json()["jobs"]) == sorted(
        line["job_number"] for line in basis.json()["lines"]
    )


@sqlite_only
def test_each_job_is_exported_once(
    client: TestClient, settings: Settings, users: dict[str, User], month: str
) -> None:
    manager = as_user(settings, users, "laatu")
    assert client.post(EXPORTS, json={"period": month}, headers=manager).status_code == 201

    again = client.post(EXPORTS, json={"period": month}, headers=manager)

    assert again.status_code == 409
    assert again.json()["code"] == "invoicing.nothing_to_export"
    basis = client.get("/api/v1/invoicing/basis", params={"period": month}, headers=manager)
    assert basis.json()["lines"] == []
    assert len(client.get(EXPORTS, headers=manager).json()) == 1


@sqlite_only
def test_a_cancelled_export_releases_its_jobs_for_the_next(
    client: TestClient, engine: Engine, settings: Settings, users: dict[str, User], month: str
) -> None:
    manager = as_user(settings, users, "laatu")
    first = client.post(EXPORTS, json={"period": month}, headers=manager).json()
    cancel = f"{EXPORTS}/{first['id']}/cancellation"
    assert client.post(cancel, json={}, headers=manager).status_code == 422

    cancelled = client.post(cancel, json={"reason": "Hinta korjataan."}, headers=manager)

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancellation_reason"] == "Hinta korjataan."
    assert cancelled.json()["cancelled_by"] == "laatu"
    assert client.post(cancel, json={"reason": "Uudestaan"}, headers=manager).status_code == 409
    second = client.post(EXPORTS, json={"period": month}, headers=manager)
    assert second.status_code == 201
    assert second.json()["number"] != first["number"]
    assert [line["job_id"] for line in second.json()["lines"]] == [
        line["job_id"] for line in first["lines"]
    ]
    with Session(engine) as db_session:
        events = db_session.exec(
            select(AuditEvent).where(AuditEvent.entity_type == "invoicing_export")
        ).all()
    assert sorted((event.action, event.actor) for event in events) == [
        ("insert", "laatu"),
        ("insert", "laatu"),
        ("update", "laatu"),
    ]


@sqlite_only
def test_only_the_quality_manager_and_admin_export_and_auditors_read(
    client: TestClient, settings: Settings, users: dict[str, User], month: str
) -> None:
    for name in ("mittaaja", "allekirjoittaja", "asiakas", "arvioija"):
        refused = client.post(
            EXPORTS, json={"period": month}, headers=as_user(settings, users, name)
        )
        assert refused.status_code == 403, name
    for name in ("mittaaja", "asiakas"):
        assert client.get(EXPORTS, headers=as_user(settings, users, name)).status_code == 403
    made = client.post(EXPORTS, json={"period": month}, headers=as_user(settings, users, "admin"))
    assert made.status_code == 201
    auditor = as_user(settings, users, "arvioija")
    assert client.get(f"{EXPORTS}/{made.json()['id']}", headers=auditor).status_code == 200
    assert client.get(f"{EXPORTS}/999", headers=auditor).status_code == 404
    cancel = f"{EXPORTS}/{made.json()['id']}/cancellation"
    assert client.post(cancel, json={"reason": "ei saa"}, headers=auditor).status_code == 403


@pytest.mark.parametrize(
    ("period", "code"),
    [
        ("", "invoicing.give_period"),
        ("2026-13", "invoicing.give_period"),
        ("11/2026", "invoicing.give_period"),
        ("2026-Q5", "invoicing.give_period"),
        ("<script>", "invoicing.give_period"),
        ("../../etc", "invoicing.give_period"),
        ("2026-11-30..2026-11-01", "invoicing.period_ends_before_begins"),
        ("2026-02-30..2026-03-01", "invoicing.period_impossible_day"),
        ("2025-01-01..2026-06-30", "invoicing.period_longer_than_year"),
        ("1999-12", "invoicing.period_year_out_of_range"),
        ("9999", "invoicing.period_year_out_of_range"),
    ],
)
def test_a_bad_period_is_refused_naming_the_period(period: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_period(period)
    assert refused.value.code == code
    assert refused.value.location == ("period",)


def test_the_periods_the_lab_names() -> None:
    month, days = parse_period("2026-11"), parse_period("2026-11-01..2026-11-30")
    assert (month.first_day, month.last_day) == (days.first_day, days.last_day)
    assert parse_period("2024-02").last_day == date(2024, 2, 29)
    assert parse_period("2026-Q1").last_day == date(2026, 3, 31)
    assert parse_period("2026").first_day == date(2026, 1, 1)
    assert parse_period(" 2026-12 ").last_day == date(2026, 12, 31)


@sqlite_only
def test_the_api_refuses_a_bad_period_as_a_field_error(
    client: TestClient, settings: Settings, users: dict[str, User]
) -> None:
    manager = as_user(settings, users, "laatu")
    answer = client.post(EXPORTS, json={"period": "2026-11-31..2026-12-01"}, headers=manager)
    assert answer.status_code == 422
    assert answer.json()["code"] == "invoicing.period_impossible_day"
    # Worded in the reader's language, Estonian too (et_EE).
    estonian = client.post(
        EXPORTS,
        json={"period": "2026-12-01..2026-11-01"},
        headers={**manager, "Accept-Language": "et-EE,et;q=0.9,en;q=0.5"},
    )
    assert estonian.json()["detail"] == (
        "periood 2026-12-01..2026-11-01 lõpeb enne, kui algab: esitage varasem päev esimesena"
    )
    technician = {**as_user(settings, users, "mittaaja"), "Accept-Language": "et"}
    refused = client.post(EXPORTS, json={"period": "2026-11"}, headers=technician)
    assert refused.json()["detail"] == (
        "ainult administraator, kvaliteedijuht võib eksportida arveldusalust"
    )


def test_a_formula_in_a_customer_name_is_written_as_text() -> None:
    line = BasisLine(
        job_id=1,
        job_number="TY-2026-0001",
        delivered_on=date(2026, 11, 30),
        price_basis="quotation",
        quotation_number="TA-2026-0001",
        customer_reference="-1+1",
        organisation_id=1,
        customer_name='=HYPERLINK("http://x";"<b>Oy</b>")',
        business_id="0112038-9",
        vat_number=None,
        street_address="Katu; 1",
        postal_code="00100",
        city="Helsinki",
        country="FI",
        billing_email="@lasku@example.fi",
        vat_rule="domestic",
        vat_rate=Decimal("25.50"),
        vat_statement=None,
        net=Decimal("1000"),
        vat=Decimal("255.00"),
        gross=Decimal("1255.00"),
    )

    (row,) = read_csv(as_csv("LP-2026-0001", [line]))

    assert row["customer_name"] == '\'=HYPERLINK("http://x";"<b>Oy</b>")'
    assert row["customer_reference"] == "'-1+1"
    assert row["billing_email"] == "'@lasku@example.fi"
    assert row["street_address"] == "Katu; 1"
    assert (row["vat_rate"], row["net"], row["gross"]) == ("25,5", "1000,00", "1255,00")
