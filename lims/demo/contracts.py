"""Demo contracts: a confidentiality clause, this year's price model and price list, an
annual agreement in force and an ad-hoc one made by an order today.

The annual agreement runs twelve months from the first of the month half a year before the
day the demo is loaded, so it is in force that day and for months after.  Idempotent: the
clause, the price model and the agreements are made only when none exist, so a run on a later
day, even in another year, adds nothing.
"""

from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from lims.accounts.models import User
from lims.accounts.principal import Principal
from lims.config import Settings
from lims.contracts import agreements, prices, quotations, review
from lims.contracts.models import (
    Agreement,
    AgreementCreate,
    AgreementKind,
    AgreementSigning,
    ConfidentialityAcceptance,
    ConfidentialityClause,
    ConfidentialityClauseCreate,
    CostPoolSpec,
    DecisionRule,
    Order,
    OrderCreate,
    PriceList,
    PriceListCreate,
    PriceListItemSpec,
    PriceModel,
    PriceModelCreate,
    Quotation,
    QuotationCreate,
    QuotationLineSpec,
    ResourceSpec,
    ScopeItem,
    Service,
    Signature,
)
from lims.contracts.review import ContractReview, ReviewAnswers
from lims.db import persisted_id
from lims.demo.accounts import (
    AD_HOC_CUSTOMER,
    ANNUAL_CUSTOMER,
    ESTONIAN_CUSTOMER,
    acting_as,
    demo_customer,
)
from lims.demo.dates import Ago
from lims.equipment.service import add_months

CLAUSE_FI = (
    "Laboratorio pitää luottamuksellisina kaikki asiakkaalta saamansa ja työssä syntyvät "
    "tiedot (ISO/IEC 17025:2017, 4.2). Tietoja luovutetaan kolmannelle vain asiakkaan "
    "suostumuksella tai lain niin vaatiessa, jolloin asiakkaalle ilmoitetaan."
)
CLAUSE_EN = (
    "The laboratory keeps confidential all information obtained from the customer or "
    "created in the work (ISO/IEC 17025:2017, 4.2). Information is released to a third party "
    "only with the customer's consent or where the law requires, and the customer is told."
)


AGREEMENT_MONTH = Ago(months=6)  # the annual agreement starts on the first of that month


def _agreement_start(today: date) -> date:
    return AGREEMENT_MONTH.before(today).replace(day=1)


def _shares(**fractions: str) -> dict[str, Decimal]:
    return {code: Decimal(share) for code, share in fractions.items()}


def demo_price_model(year: int) -> PriceModelCreate:
    """A year of a small dimensional lab; rates come out at 138.00, 114.00, 57.75, 62.00."""
    return PriceModelCreate(
        year=year,
        cost_pools=[
            CostPoolSpec(
                name="leasing ja huolto",
                amount=Decimal("96000.00"),
                shares=_shares(cmm="0.70", optical="0.20", bench="0.10"),
            ),
            CostPoolSpec(
                name="vuokra",
                amount=Decimal("36000.00"),
                shares=_shares(cmm="0.40", optical="0.20", manual="0.20", bench="0.20"),
            ),
            CostPoolSpec(
                name="mittauslaboratorio",
                amount=Decimal("24000.00"),
                shares=_shares(cmm="0.50", optical="0.25", manual="0.125", bench="0.125"),
            ),
            CostPoolSpec(
                name="henkilöstö",
                amount=Decimal("180000.00"),
                shares=_shares(cmm="0.40", optical="0.20", manual="0.20", bench="0.20"),
            ),
        ],
        resources=[
            ResourceSpec(code="cmm", name="CMM", planned_hours=Decimal(1200)),
            ResourceSpec(code="optical", name="Optinen mittaus", planned_hours=Decimal(600)),
            ResourceSpec(code="manual", name="Käsimittaus", planned_hours=Decimal(800)),
            ResourceSpec(code="bench", name="Kalibrointipenkki", planned_hours=Decimal(900)),
        ],
    )


DEMO_PRICE_LIST_ITEMS = [
    PriceListItemSpec(
        code="K-MIK-25",
        description_fi="Ulkomikrometri 0-25 mm, kalibrointi",
        description_en="External micrometer 0-25 mm, calibration",
        service=Service.CALIBRATION,
        resource="bench",
        hours=Decimal("1.2"),
        delivery_days=10,
    ),
    PriceListItemSpec(
        code="K-TT-150",
        description_fi="Työntömitta 0-150 mm, kalibrointi",
        description_en="Caliper 0-150 mm, calibration",
        service=Service.CALIBRATION,
        resource="bench",
        hours=Decimal("0.8"),
        delivery_days=10,
    ),
    PriceListItemSpec(
        code="K-REN",
        description_fi="Asetusrengas, kalibrointi",
        description_en="Setting ring, calibration",
        service=Service.CALIBRATION,
        resource="bench",
        hours=Decimal("1.5"),
        delivery_days=10,
    ),
    PriceListItemSpec(
        code="M-CMM-H",
        description_fi="Tuotteen mittaus koordinaattimittakoneella, tunti",
        description_en="Product measurement on a CMM, per hour",
        service=Service.PRODUCT_QC,
        resource="cmm",
        hours=Decimal("1"),
        delivery_days=15,
    ),
]


def load_contracts(
    db_session: Session, *, actor: Principal, settings: Settings, today: date
) -> int:
    """Create the demo clause, price model and list, and agreements that are missing."""
    created = 0
    if db_session.exec(select(ConfidentialityClause)).first() is None:
        agreements.create_clause(
            db_session,
            actor=actor,
            data=ConfidentialityClauseCreate(
                text_fi=CLAUSE_FI, text_en=CLAUSE_EN, effective_from=_agreement_start(today)
            ),
        )
        created += 1
    model = db_session.exec(select(PriceModel)).first()
    if model is None:
        model = prices.create_price_model(
            db_session, actor=actor, data=demo_price_model(today.year)
        )
        created += 1
    if (
        db_session.exec(select(PriceList).where(PriceList.price_model_id == model.id)).first()
        is None
    ):
        price_list = prices.create_price_list(
            db_session,
            actor=actor,
            data=PriceListCreate(
                price_model_id=persisted_id(model),
                title=f"Hinnasto {model.year}",
                items=DEMO_PRICE_LIST_ITEMS,
            ),
        )
        prices.publish_price_list(db_session, actor=actor, price_list_id=persisted_id(price_list))
        created += 1
    created += _annual_agreement(db_session, actor=actor, today=today)
    created += _ad_hoc_order(db_session, actor=actor, settings=settings, today=today)
    created += _reverse_charge_quotation(db_session, actor=actor, settings=settings, today=today)
    created += _contract_reviews(db_session)
    return created


def _annual_agreement(db_session: Session, *, actor: Principal, today: date) -> int:
    customer = demo_customer(db_session, ANNUAL_CUSTOMER)
    if (
        customer is None
        or db_session.exec(
            select(Agreement).where(
                Agreement.organisation_id == customer.id, Agreement.kind == AgreementKind.ANNUAL
            )
        ).first()
    ):
        return 0
    starts = _agreement_start(today)
    agreement = agreements.create_agreement(
        db_session,
        actor=actor,
        data=AgreementCreate(
            kind=AgreementKind.ANNUAL,
            organisation_id=persisted_id(customer),
            valid_from=starts,
            valid_until=add_months(starts, 12) - timedelta(days=1),
            scope=[
                ScopeItem(service=Service.CALIBRATION, accredited=True, delivery_days=10),
                ScopeItem(service=Service.PRODUCT_QC, accredited=False, delivery_days=15),
                ScopeItem(service=Service.REFERENCE, accredited=False, delivery_days=20),
            ],
            decision_rule=DecisionRule.GUARD_BAND_U,
            languages=["en"],
            customer_reference_rule="ostotilausnumero jokaisessa tilauksessa",
        ),
    )
    signed_on = starts
    agreements.sign_agreement(
        db_session,
        actor=actor,
        agreement_id=persisted_id(agreement),
        data=AgreementSigning(
            lab_signature=Signature(
                name="Laura Laatupäällikkö", title="Laatupäällikkö", signed_on=signed_on
            ),
            customer_signature=Signature(
                name="Kalle Konepaja", title="Toimitusjohtaja", signed_on=signed_on
            ),
        ),
    )
    agreements.accept_confidentiality(
        db_session,
        actor=actor,
        agreement_id=persisted_id(agreement),
        data=ConfidentialityAcceptance(accepted_by="Kalle Konepaja", accepted_on=signed_on),
    )
    agreements.activate_agreement(db_session, actor=actor, agreement_id=persisted_id(agreement))
    return 1


def _ad_hoc_order(db_session: Session, *, actor: Principal, settings: Settings, today: date) -> int:
    customer = demo_customer(db_session, AD_HOC_CUSTOMER)
    if (
        customer is None
        or db_session.exec(
            select(Agreement).where(Agreement.organisation_id == customer.id)
        ).first()
    ):
        return 0
    quotations.open_order(
        db_session,
        actor=actor,
        data=OrderCreate(
            organisation_id=persisted_id(customer),
            service=Service.CALIBRATION,
            ordered_on=today,
            customer_reference=f"Tilaus {today.year}-11",
            accept_terms_and_confidentiality=True,
            accepted_by="Karin Kund",
        ),
        settings=settings,
    )
    return 1


def _reverse_charge_quotation(
    db_session: Session, *, actor: Principal, settings: Settings, today: date
) -> int:
    """A quotation to the Estonian company, registered for VAT in Estonia: reverse charge,
    0 %, both VAT numbers on it (lims.contracts.vat)."""
    customer = demo_customer(db_session, ESTONIAN_CUSTOMER)
    if (
        customer is None
        or db_session.exec(
            select(Quotation).where(Quotation.organisation_id == customer.id)
        ).first()
    ):
        return 0
    quotations.create_quotation(
        db_session,
        actor=actor,
        data=QuotationCreate(
            organisation_id=persisted_id(customer),
            service=Service.CALIBRATION,
            issued_on=today,
            valid_until=today + timedelta(days=30),
            lines=[QuotationLineSpec(item_code="K-MIK-25", quantity=2)],
            customer_reference="Hinnapäring 2026/7",
        ),
        settings=settings,
    )
    return 1


#: The quality manager's review of the annual agreement: the routine calibrations under it
#: are covered by it (their jobs' records name it when they are accepted).
ANNUAL_REVIEW = ReviewAnswers(
    requirements_understood=True,
    requirements_note="Laajuus, toimitusajat ja raportoinnin kielet sovittu sopimuksessa",
    capability=True,
    methods="Mittalaitteiden kalibrointi laboratorion menetelmin (akkreditoitu pätevyysalue)",
    method_appropriate=True,
    conformity_requested=True,
    decision_rule_agreed=True,
    decision_rule_note="Suojakaista w = U, sovittu asiakkaan kanssa sopimusneuvottelussa",
)
#: The order made with the ad-hoc agreement, reviewed before its job is accepted.
AD_HOC_REVIEW = ReviewAnswers(
    requirements_understood=True,
    capability=True,
    methods="Ulkomikrometrin kalibrointi, menetelmä MK-12",
    method_appropriate=True,
    conformity_requested=False,
)


def _contract_reviews(db_session: Session) -> int:
    """The quality manager's reviews of the annual agreement and of the ad-hoc order, unless
    made already."""
    reviewer = db_session.exec(select(User).where(User.username == "laatu")).first()
    if reviewer is None:
        return 0
    made = 0
    annual = db_session.exec(
        select(Agreement).where(Agreement.kind == AgreementKind.ANNUAL, Agreement.state == "active")
    ).first()
    if (
        annual is not None
        and review.review_of(db_session, agreement_id=persisted_id(annual)) is None
    ):
        review.review_agreement(
            db_session,
            actor=acting_as(reviewer),
            agreement_id=persisted_id(annual),
            answers=ANNUAL_REVIEW,
        )
        made += 1
    ad_hoc = db_session.exec(
        select(Order)
        .join(Agreement, col(Agreement.id) == Order.agreement_id)
        .where(Agreement.kind == AgreementKind.AD_HOC)
    ).first()
    if (
        ad_hoc is not None
        and db_session.exec(
            select(ContractReview).where(ContractReview.order_id == ad_hoc.id)
        ).first()
        is None
    ):
        review.review_order(
            db_session,
            actor=acting_as(reviewer),
            order_id=persisted_id(ad_hoc),
            answers=AD_HOC_REVIEW,
        )
        made += 1
    return made
