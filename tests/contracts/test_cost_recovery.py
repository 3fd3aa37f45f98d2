"""The year-end cost recovery counts delivered work: jobs reported in the year (the lab's
calendar day), each at its agreed price net of VAT; cancelled jobs never; quotations only as the
pipeline.  Every expected figure is worked by hand from the prices the test sets.

Prices (tests.contracts.factories): the demo price model gives the bench 62.00 EUR/h and the
CMM 138.00 EUR/h (test_pricing works them out), so K-MIK-25 (1.2 h) is 74.40, K-TT-150 (0.8 h)
49.60, K-REN (1.5 h) 93.00 and M-CMM-H (1 h of CMM) 138.00.  The 2025 model here plans 1000
bench hours instead of 900: 55 800.00 / 1000 = 55.80 EUR/h, so K-MIK-25 was 1.2 x 55.80 =
66.96.  Allocated cost of the year: 336 000.00 (bench 55 800.00).
"""

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.models import Organisation, Role, User
from lims.audit.trail import set_context
from lims.config import Settings
from lims.contracts import prices
from lims.contracts.models import (
    Agreement,
    CostRecovery,
    Order,
    PriceModel,
    QuotationLineSpec,
    ResourceSpec,
    Service,
)
from lims.demo.contracts import demo_price_model
from lims.jobs.cost_recovery import cost_recovery
from lims.jobs.models import Item, Job, JobStatus, JobTransition
from tests.contracts.factories import (
    accept,
    make_agreement,
    make_price_list,
    make_price_model,
    make_quotation,
)
from tests.factories import FACTORY_ACTOR, PASSWORD, bearer, make_organisation, make_user

HELSINKI = ZoneInfo("Europe/Helsinki")
_numbers = itertools.count(1)
BENCH_ALLOCATED = Decimal("55800.00")
ALLOCATED = Decimal("336000.00")


def helsinki(*args: int) -> datetime:
    return datetime(*args, tzinfo=HELSINKI)  # type: ignore[misc]


@pytest.fixture
def models(engine: Engine) -> dict[int, PriceModel]:
    """Price models and published lists of 2025 (bench 55.80 EUR/h), 2026 and 2027."""
    last_year = demo_price_model(2025)
    last_year.resources = [
        ResourceSpec(code=r.code, name=r.name, planned_hours=Decimal(1000))
        if r.code == "bench"
        else r
        for r in last_year.resources
    ]
    with Session(engine) as db_session:
        model_2025 = prices.create_price_model(db_session, actor=FACTORY_ACTOR, data=last_year)
    made = {2025: model_2025, 2026: make_price_model(engine, 2026)}
    made[2027] = make_price_model(engine, 2027)
    for model in made.values():
        make_price_list(engine, model)
    return made


@pytest.fixture
def customer(engine: Engine) -> Organisation:
    return make_organisation(engine)


@pytest.fixture
def agreement(engine: Engine, customer: Organisation) -> Agreement:
    return make_agreement(
        engine,
        customer,
        valid_from=date(2025, 1, 1),
        valid_until=date(2027, 12, 31),
        services=(Service.CALIBRATION, Service.PRODUCT_QC),
    )


@pytest.fixture
def requester(engine: Engine) -> User:
    return make_user(engine, Role.QUALITY_MANAGER)


def job(
    engine: Engine,
    agreement: Agreement,
    requester: User,
    *,
    opened: datetime,
    steps: list[tuple[JobStatus, datetime]],
    order: Order | None = None,
    price_items: list[str | None] | None = None,
) -> Job:
    """A job as its workflow leaves it: opened, its items (naming price list items) and the
    steps taken, each at the moment given (the workflow stamps steps with the clock)."""
    assert requester.id is not None and agreement.id is not None
    with Session(engine) as db_session:
        set_context(db_session, FACTORY_ACTOR.audit_context())
        record = Job(
            number=f"TY-T-{next(_numbers):04d}",
            kind="calibration",
            status=steps[-1][0] if steps else JobStatus.REQUESTED,
            organisation_id=agreement.organisation_id,
            agreement_id=agreement.id,
            order_id=order.id if order else None,
            requested_by_id=requester.id,
            due_date=opened.date(),
            created_at=opened,
        )
        db_session.add(record)
        db_session.flush()
        assert record.id is not None
        for code in price_items or [None]:
            db_session.add(
                Item(
                    job_id=record.id,
                    organisation_id=record.organisation_id,
                    kind="instrument",
                    description="External micrometer",
                    price_item=code,
                )
            )
        previous = JobStatus.REQUESTED
        for status, at in steps:
            db_session.add(
                JobTransition(
                    job_id=record.id,
                    from_status=previous,
                    to_status=status,
                    by="tests",
                    at=at,
                    organisation_id=record.organisation_id,
                )
            )
            previous = status
        db_session.commit()
        db_session.refresh(record)
        return record


def delivered(
    reported: datetime, *then: tuple[JobStatus, datetime]
) -> list[tuple[JobStatus, datetime]]:
    return [(JobStatus.REPORTED, reported), *then]


def cancelled(at: datetime) -> list[tuple[JobStatus, datetime]]:
    return [(JobStatus.ACCEPTED, at), (JobStatus.CANCELLED, at)]


def report_of(engine: Engine, settings: Settings, model: PriceModel) -> CostRecovery:
    assert model.id is not None
    with Session(engine) as db_session:
        return cost_recovery(
            db_session, actor=FACTORY_ACTOR, price_model_id=model.id, settings=settings
        )


def row(report: CostRecovery, resource: str) -> tuple[Decimal, Decimal, Decimal]:
    found = next(r for r in report.rows if r.resource == resource)
    return found.allocated_cost, found.delivered, found.surplus


def test_cost_recovery_counts_the_delivered_jobs_not_the_accepted_quotations(
    models: dict[int, PriceModel],
    engine: Engine,
    settings: Settings,
    customer: Organisation,
    agreement: Agreement,
    requester: User,
) -> None:
    """The reproduction of issue #22: two accepted quotations whose jobs were cancelled were
    counted as billed, and three delivered jobs were not (one quoted the year before, two
    ordered without a quotation)."""
    micrometers = make_quotation(engine, settings, customer, issued_on=date(2026, 3, 2))
    cmm_hours = make_quotation(
        engine,
        settings,
        customer,
        issued_on=date(2026, 4, 1),
        lines=[QuotationLineSpec(item_code="M-CMM-H", quantity=2)],
    )
    last_year = make_quotation(
        engine,
        settings,
        customer,
        issued_on=date(2025, 11, 3),
        valid_until=date(2025, 12, 31),
        lines=[QuotationLineSpec(item_code="K-MIK-25", quantity=2)],
    )
    open_one = make_quotation(
        engine,
        settings,
        customer,
        issued_on=date(2026, 11, 2),
        valid_until=date(2099, 12, 31),
        lines=[QuotationLineSpec(item_code="K-TT-150")],
    )
    make_quotation(  # expired unanswered: neither delivered nor in the pipeline
        engine, settings, customer, issued_on=date(2026, 2, 2), valid_until=date(2026, 2, 27)
    )
    for quotation, on in ((micrometers, date(2026, 3, 3)), (cmm_hours, date(2026, 4, 2))):
        order = accept(engine, settings, quotation, on=on)
        job(
            engine,
            agreement,
            requester,
            opened=helsinki(2026, 4, 6, 9),
            steps=cancelled(helsinki(2026, 5, 4, 12)),
            order=order,
        )
    order = accept(engine, settings, last_year, on=date(2025, 11, 4))
    job(
        engine,
        agreement,
        requester,
        opened=helsinki(2025, 11, 5, 9),
        steps=delivered(helsinki(2026, 1, 15, 14)),
        order=order,
    )
    job(
        engine,
        agreement,
        requester,
        opened=helsinki(2026, 5, 18, 9),
        steps=delivered(helsinki(2026, 6, 10, 14), (JobStatus.CLOSED, helsinki(2026, 6, 11, 8))),
        price_items=["K-MIK-25", "K-MIK-25"],
    )
    job(
        engine,
        agreement,
        requester,
        opened=helsinki(2026, 12, 1, 9),
        steps=delivered(helsinki(2026, 12, 31, 23, 30)),
        price_items=["K-REN"],
    )

    report = report_of(engine, settings, models[2026])

    # Delivered at the bench: the 2025 quotation 2 x 66.96 = 133.92, two micrometers from the
    # 2026 list 2 x 74.40 = 148.80, a setting ring 93.00: 133.92 + 148.80 + 93.00 = 375.72.
    # Nothing at the CMM: its only order (2 x 138.00 = 276.00) was cancelled, as was the
    # micrometer order (3 x 74.40 = 223.20) the old report counted as billed.
    assert row(report, "bench") == (
        BENCH_ALLOCATED,
        Decimal("375.72"),
        Decimal("-55424.28"),  # 375.72 - 55 800.00
    )
    assert row(report, "cmm")[1] == Decimal("0")
    assert report.delivered == Decimal("375.72")
    assert report.surplus == Decimal("-335624.28")  # 375.72 - 336 000.00
    assert report.recovery_percent == Decimal("0.1")  # 375.72 / 336 000 = 0.112 %
    assert [(j.net, j.price_basis) for j in report.jobs] == [
        (Decimal("133.92"), "quotation"),
        (Decimal("148.80"), "price_list"),
        (Decimal("93.00"), "price_list"),
    ]
    # The pipeline, apart: both cancelled jobs released their accepted quotations,
    # 223.20 + 276.00 = 499.20; one still open, 49.60.  The 2025 quotation is last year's.
    pipeline = report.pipeline
    assert (pipeline.accepted_not_delivered, pipeline.accepted_count) == (Decimal("499.20"), 2)
    assert (pipeline.open, pipeline.open_count) == (Decimal("49.60"), 1)
    assert open_one.net_total == Decimal("49.60")


def test_a_job_reported_in_december_and_closed_in_january_counts_in_december(
    models: dict[int, PriceModel],
    engine: Engine,
    settings: Settings,
    agreement: Agreement,
    requester: User,
) -> None:
    job(
        engine,
        agreement,
        requester,
        opened=helsinki(2026, 12, 1, 9),
        steps=delivered(helsinki(2026, 12, 18, 15), (JobStatus.CLOSED, helsinki(2027, 1, 4, 9))),
        price_items=["K-MIK-25"],
    )
    assert report_of(engine, settings, models[2026]).delivered == Decimal("74.40")
    assert report_of(engine, settings, models[2027]).delivered == Decimal("0")


def test_the_reporting_day_is_the_labs_calendar_day(
    models: dict[int, PriceModel],
    engine: Engine,
    settings: Settings,
    agreement: Agreement,
    requester: User,
) -> None:
    """Reported at 00:30 on New Year's Day in Helsinki: 22:30 UTC on 31 December."""
    reported = helsinki(2027, 1, 1, 0, 30)
    assert reported.astimezone(UTC).year == 2026
    job(
        engine,
        agreement,
        requester,
        opened=helsinki(2026, 12, 1, 9),
        steps=delivered(reported),
        price_items=["K-MIK-25"],
    )
    assert report_of(engine, settings, models[2026]).jobs == []
    (counted,) = report_of(engine, settings, models[2027]).jobs
    assert counted.reported_on == date(2027, 1, 1)


def test_a_job_reopened_and_reported_again_counts_once_in_the_year_of_its_last_report(
    models: dict[int, PriceModel],
    engine: Engine,
    settings: Settings,
    agreement: Agreement,
    requester: User,
) -> None:
    job(
        engine,
        agreement,
        requester,
        opened=helsinki(2026, 12, 1, 9),
        steps=delivered(
            helsinki(2026, 12, 18, 15),
            (JobStatus.IN_MEASUREMENT, helsinki(2027, 1, 5, 9)),
            (JobStatus.MEASURED, helsinki(2027, 1, 7, 9)),
            (JobStatus.REPORTED, helsinki(2027, 1, 12, 9)),
        ),
        price_items=["K-MIK-25"],
    )
    assert report_of(engine, settings, models[2026]).jobs == []
    again = report_of(engine, settings, models[2027])
    assert [j.reported_on for j in again.jobs] == [date(2027, 1, 12)]
    assert again.delivered == Decimal("74.40")


def test_a_job_nothing_prices_is_listed_without_a_price_not_as_zero(
    models: dict[int, PriceModel],
    engine: Engine,
    settings: Settings,
    agreement: Agreement,
    requester: User,
) -> None:
    for price_items in ([None], ["K-MIK-25", None], ["K-NONE"]):
        job(
            engine,
            agreement,
            requester,
            opened=helsinki(2026, 6, 1, 9),
            steps=delivered(helsinki(2026, 6, 15, 9)),
            price_items=price_items,
        )
    report = report_of(engine, settings, models[2026])
    assert [(j.net, j.price_basis, j.no_price_reason) for j in report.jobs] == [
        (None, None, "not_priced"),
        (None, None, "item_not_priced"),
        (None, None, "unknown_price_item"),
    ]
    assert report.delivered == Decimal("0")


def test_a_job_opened_under_last_years_price_list_counts_at_that_price(
    models: dict[int, PriceModel],
    engine: Engine,
    settings: Settings,
    agreement: Agreement,
    requester: User,
) -> None:
    """Opened in December 2025, reported in January 2026: the 2025 list's 66.96, not 74.40."""
    job(
        engine,
        agreement,
        requester,
        opened=helsinki(2025, 12, 15, 9),
        steps=delivered(helsinki(2026, 1, 9, 9)),
        price_items=["K-MIK-25"],
    )
    report = report_of(engine, settings, models[2026])
    assert row(report, "bench")[1] == Decimal("66.96")
    assert report_of(engine, settings, models[2025]).jobs == []


def test_cost_recovery_over_the_api_and_its_chart(
    models: dict[int, PriceModel],
    client: TestClient,
    engine: Engine,
    settings: Settings,
    agreement: Agreement,
    requester: User,
) -> None:
    job(
        engine,
        agreement,
        requester,
        opened=helsinki(2026, 6, 1, 9),
        steps=delivered(helsinki(2026, 6, 15, 9)),
        price_items=["K-TT-150", "K-REN"],
    )
    manager = bearer(settings, requester)
    address = f"/api/v1/price-models/{models[2026].id}/cost-recovery"
    report = client.get(address, headers=manager).json()
    bench = next(r for r in report["rows"] if r["resource"] == "bench")
    # 49.60 + 93.00 = 142.60 against 55 800.00: -55 657.40.
    assert (bench["delivered"], bench["surplus"]) == ("142.60", "-55657.40")
    assert report["allocated_cost"] == "336000.00"
    assert report["jobs"][0]["price_basis"] == "price_list"
    chart = client.get(f"{address}.svg", headers=manager)
    assert chart.headers["content-type"] == "image/svg+xml"
    assert b"Delivered work" in chart.content
    customer_user = make_user(engine, Role.CUSTOMER, organisation=make_organisation(engine))
    assert client.get(address, headers=bearer(settings, customer_user)).status_code == 403


def test_the_prices_page_shows_delivered_work_the_unpriced_jobs_and_the_pipeline_in_finnish(
    models: dict[int, PriceModel],
    client: TestClient,
    engine: Engine,
    settings: Settings,
    agreement: Agreement,
    requester: User,
) -> None:
    job(
        engine,
        agreement,
        requester,
        opened=helsinki(2026, 6, 1, 9),
        steps=delivered(helsinki(2026, 6, 15, 9)),
        price_items=["K-REN"],
    )
    unpriced = job(
        engine,
        agreement,
        requester,
        opened=helsinki(2026, 6, 1, 9),
        steps=delivered(helsinki(2026, 6, 16, 9)),
    )
    client.cookies.clear()
    signed_in = client.post(
        "/api/v1/auth/login", json={"username": requester.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    page = client.get("/prices").text
    assert "Kustannusten kattaminen" in page and "Tilauskanta" in page
    assert "93,00\u00a0€" in page  # the setting ring, 1.5 h x 62.00, in Finnish format
    assert f">{unpriced.number}</a>" in page
    assert "Ei tarjousta, eikä yksikään kohde nimeä hinnastonimikettä" in page
