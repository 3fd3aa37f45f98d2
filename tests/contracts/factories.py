"""Factories for contracts, made through the services."""

from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.auth import principal_for
from lims.accounts.models import Organisation, User
from lims.audit.trail import save
from lims.config import Settings
from lims.contracts import agreements, prices, quotations, review
from lims.contracts.models import (
    Agreement,
    AgreementCreate,
    AgreementKind,
    AgreementSigning,
    AgreementState,
    ConfidentialityAcceptance,
    ConfidentialityClause,
    ConfidentialityClauseCreate,
    Order,
    PriceList,
    PriceListCreate,
    PriceModel,
    Quotation,
    QuotationAcceptance,
    QuotationCreate,
    QuotationLineSpec,
    ScopeItem,
    Service,
    Signature,
)
from lims.contracts.review import ContractReview, ReviewAnswers
from lims.demo.contracts import CLAUSE_EN, CLAUSE_FI, DEMO_PRICE_LIST_ITEMS, demo_price_model
from tests.factories import FACTORY_ACTOR


def ensure_clause(engine: Engine, *, effective_from: date = date(2020, 1, 1)) -> None:
    with Session(engine) as db_session:
        if db_session.exec(select(ConfidentialityClause)).first() is None:
            agreements.create_clause(
                db_session,
                actor=FACTORY_ACTOR,
                data=ConfidentialityClauseCreate(
                    text_fi=CLAUSE_FI, text_en=CLAUSE_EN, effective_from=effective_from
                ),
            )


def make_price_model(engine: Engine, year: int) -> PriceModel:
    with Session(engine) as db_session:
        return prices.create_price_model(
            db_session, actor=FACTORY_ACTOR, data=demo_price_model(year)
        )


def make_price_list(engine: Engine, model: PriceModel, *, publish: bool = True) -> PriceList:
    assert model.id is not None
    with Session(engine) as db_session:
        price_list = prices.create_price_list(
            db_session,
            actor=FACTORY_ACTOR,
            data=PriceListCreate(
                price_model_id=model.id, title="Hinnasto", items=DEMO_PRICE_LIST_ITEMS
            ),
        )
        if publish:
            assert price_list.id is not None
            price_list = prices.publish_price_list(
                db_session, actor=FACTORY_ACTOR, price_list_id=price_list.id
            )
        return price_list


def make_agreement(
    engine: Engine,
    organisation: Organisation,
    *,
    valid_from: date = date(2026, 1, 1),
    valid_until: date = date(2026, 12, 31),
    services: tuple[Service, ...] = (Service.CALIBRATION,),
    activate: bool = True,
    confidentiality_accepted: bool = True,
    accredited: bool = False,
) -> Agreement:
    ensure_clause(engine)
    assert organisation.id is not None
    with Session(engine) as db_session:
        agreement = agreements.create_agreement(
            db_session,
            actor=FACTORY_ACTOR,
            data=AgreementCreate(
                kind=AgreementKind.ANNUAL,
                organisation_id=organisation.id,
                valid_from=valid_from,
                valid_until=valid_until,
                scope=[
                    ScopeItem(service=s, accredited=accredited, delivery_days=10) for s in services
                ],
            ),
        )
        assert agreement.id is not None
        if confidentiality_accepted:
            agreement = agreements.accept_confidentiality(
                db_session,
                actor=FACTORY_ACTOR,
                agreement_id=agreement.id,
                data=ConfidentialityAcceptance(accepted_by="Someone", accepted_on=valid_from),
            )
        if activate:
            signature = Signature(name="Someone", title="Director", signed_on=valid_from)
            agreement = agreements.sign_agreement(
                db_session,
                actor=FACTORY_ACTOR,
                agreement_id=agreement.id,
                data=AgreementSigning(lab_signature=signature, customer_signature=signature),
            )
            if confidentiality_accepted:
                agreement = agreements.activate_agreement(
                    db_session, actor=FACTORY_ACTOR, agreement_id=agreement.id
                )
            else:
                # An agreement activated before activation needed the clause accepted: the
                # job-opening rule still refuses work under it.
                agreement.state = AgreementState.ACTIVE
                agreement = save(db_session, FACTORY_ACTOR.audit_context(), agreement)
        return agreement


#: A contract review with every question answered yes: nothing subcontracted, no deviation.
ROUTINE_REVIEW = ReviewAnswers(
    requirements_understood=True,
    capability=True,
    methods="The lab's calibration methods of the agreement's scope",
    method_appropriate=True,
    conformity_requested=True,
    decision_rule_agreed=True,
)


def review_agreement(
    engine: Engine, agreement: Agreement, reviewer: User, answers: ReviewAnswers = ROUTINE_REVIEW
) -> ContractReview:
    """The agreement version's contract review, which covers routine jobs under it."""
    assert agreement.id is not None
    with Session(engine) as db_session:
        made, _ = review.review_agreement(
            db_session,
            actor=principal_for(reviewer, via="password"),
            agreement_id=agreement.id,
            answers=answers,
        )
        return made


def review_order(
    engine: Engine, order: Order, reviewer: User, answers: ReviewAnswers = ROUTINE_REVIEW
) -> ContractReview:
    """The order's contract review, which lets its job be accepted."""
    assert order.id is not None
    with Session(engine) as db_session:
        made, _ = review.review_order(
            db_session,
            actor=principal_for(reviewer, via="password"),
            order_id=order.id,
            answers=answers,
        )
        return made


def make_quotation(
    engine: Engine,
    settings: Settings,
    organisation: Organisation,
    *,
    issued_on: date = date(2026, 11, 27),
    valid_until: date = date(2026, 12, 31),
    lines: list[QuotationLineSpec] | None = None,
) -> Quotation:
    assert organisation.id is not None
    with Session(engine) as db_session:
        return quotations.create_quotation(
            db_session,
            actor=FACTORY_ACTOR,
            data=QuotationCreate(
                organisation_id=organisation.id,
                service=Service.CALIBRATION,
                issued_on=issued_on,
                valid_until=valid_until,
                lines=lines or [QuotationLineSpec(item_code="K-MIK-25", quantity=3)],
            ),
            settings=settings,
        )


def accept(
    engine: Engine,
    settings: Settings,
    quotation: Quotation,
    *,
    on: date,
    accept_terms: bool = False,
) -> Order:
    assert quotation.id is not None
    with Session(engine) as db_session:
        return quotations.accept_quotation(
            db_session,
            actor=FACTORY_ACTOR,
            quotation_id=quotation.id,
            data=QuotationAcceptance(
                accepted_by="Kalle Konepaja",
                accepted_on=on,
                accept_terms_and_confidentiality=accept_terms,
            ),
            settings=settings,
        )
