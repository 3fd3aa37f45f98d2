"""The demo data holds what the quick start shows of contracts."""

from decimal import Decimal

from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.models import Organisation
from lims.clock import local_today
from lims.config import Settings
from lims.contracts.models import (
    Agreement,
    AgreementKind,
    Order,
    PriceBasis,
    PriceList,
    PriceModel,
    Quotation,
)
from lims.db import persisted_id
from lims.jobs.cost_recovery import cost_recovery
from tests.conftest import load_demo
from tests.factories import FACTORY_ACTOR


def test_demo_holds_a_price_model_a_price_list_and_both_kinds_of_agreement(
    engine: Engine, settings: Settings
) -> None:
    load_demo(engine, settings)
    with Session(engine) as db_session:
        assert db_session.exec(select(PriceModel)).first() is not None
        assert db_session.exec(select(PriceList)).first().published_at is not None
        kinds = {agreement.kind for agreement in db_session.exec(select(Agreement))}
        assert kinds == {AgreementKind.ANNUAL, AgreementKind.AD_HOC}
        assert db_session.exec(select(Order)).first() is not None
        # The Estonian company, registered for VAT, is quoted under reverse charge (#33).
        estonian = db_session.exec(select(Organisation).where(Organisation.country == "EE")).one()
        assert (estonian.business_id, estonian.vat_number) == ("10000356", "EE100000007")
        quotation = db_session.exec(
            select(Quotation).where(Quotation.organisation_id == estonian.id)
        ).one()
        assert (quotation.vat_rule, quotation.vat_amount) == ("reverse_charge", Decimal(0))
        assert quotation.total == quotation.net_total


def test_demo_micrometer_calibrations_reported_are_delivered_work_at_the_list_price(
    engine: Engine, settings: Settings
) -> None:
    """The reported and the closed demo calibration each count once at K-MIK-25's list
    price, 1.2 h x 62.00 EUR/h = 74.40 (the demo model's bench rate, test_pricing)."""
    load_demo(engine, settings)
    with Session(engine) as db_session:
        year = local_today(settings.timezone).year
        model = db_session.exec(select(PriceModel).where(PriceModel.year == year)).one()
        report = cost_recovery(
            db_session, actor=FACTORY_ACTOR, price_model_id=persisted_id(model), settings=settings
        )
    listed = [job.net for job in report.jobs if job.price_basis == PriceBasis.PRICE_LIST]
    assert listed == [Decimal("74.40"), Decimal("74.40")]
