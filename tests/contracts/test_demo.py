"""The demo data holds what the quick start shows of contracts."""

from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.config import Settings
from lims.contracts.models import Agreement, AgreementKind, Order, PriceList, PriceModel
from lims.demo import load_demo_data


def test_demo_holds_a_price_model_a_price_list_and_both_kinds_of_agreement(
    engine: Engine, settings: Settings
) -> None:
    with Session(engine) as db_session:
        load_demo_data(db_session, settings)
        assert db_session.exec(select(PriceModel)).first() is not None
        assert db_session.exec(select(PriceList)).first().published_at is not None
        kinds = {agreement.kind for agreement in db_session.exec(select(Agreement))}
        assert kinds == {AgreementKind.ANNUAL, AgreementKind.AD_HOC}
        assert db_session.exec(select(Order)).first() is not None
