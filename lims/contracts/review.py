"""Contract review on the record (ISO/IEC 17025:2017 7.1): what the lab checked before it
took the work on, who checked it and when.

A review answers the questions of 7.1.1 (requirements defined, documented and understood;
capability and resources; work given to an external provider, with the customer's approval;
methods appropriate), names the decision rule agreed when the customer asks for statements
of conformity (7.1.3), and records any deviation with the customer's agreement to it (7.1.4,
7.1.5).  A review is made of one agreement version, one order, or one job ordered without
either being reviewed; the records are kept (7.1.8), and an amended agreement is a new
version that gets its own review (7.1.6).  A job under an active annual agreement whose
version was reviewed is covered by that review: its own record names the one it relies on
(``covered_by_id``); ``lims.jobs.contract_review`` decides that at the job's acceptance.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import Column
from sqlmodel import Field, Session, SQLModel, col, select

from lims.accounts.models import Role
from lims.accounts.principal import Principal, require_role, visible_to
from lims.audit.trail import set_context
from lims.contracts.models import Agreement, Order
from lims.db import UTCDateTime, lock_row, persisted_id, utcnow
from lims.errors import Conflict, InvalidInput, problem_template

#: Who decides that the lab takes the work on: the managers who accept jobs.
CONTRACT_REVIEWERS = (Role.ADMIN, Role.QUALITY_MANAGER)


class ReviewSubject(StrEnum):
    AGREEMENT = "agreement"
    ORDER = "order"
    JOB = "job"


class ContractReview(SQLModel, table=True):
    __tablename__ = "contract_review"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    subject: str = Field(max_length=16)
    # One review per agreement version, order or job: the unique columns hold a storm of
    # identical submissions to one record on either backend.
    agreement_id: int | None = Field(default=None, foreign_key="agreement.id", unique=True)
    order_id: int | None = Field(default=None, foreign_key="customer_order.id", unique=True)
    job_id: int | None = Field(default=None, foreign_key="job.id", unique=True)
    covered_by_id: int | None = Field(default=None, foreign_key="contract_review.id")
    requirements_understood: bool
    requirements_note: str | None = Field(default=None, max_length=2000)
    capability: bool
    capability_note: str | None = Field(default=None, max_length=2000)
    methods: str = Field(max_length=1000)
    method_appropriate: bool
    method_note: str | None = Field(default=None, max_length=2000)
    conformity_requested: bool = False
    decision_rule: str | None = Field(default=None, max_length=32)
    decision_rule_text: str | None = Field(default=None, max_length=2000)
    decision_rule_agreed: bool | None = None
    decision_rule_note: str | None = Field(default=None, max_length=2000)
    subcontracting: str | None = Field(default=None, max_length=2000)
    subcontractor: str | None = Field(default=None, max_length=200)
    subcontracting_approved_by: str | None = Field(default=None, max_length=200)
    deviations: str | None = Field(default=None, max_length=2000)
    deviation_agreed_by: str | None = Field(default=None, max_length=200)
    deviation_agreed_on: date | None = None
    deviation_agreed_how: str | None = Field(default=None, max_length=200)
    reviewed_by_id: int = Field(foreign_key="user_account.id")
    reviewed_by: str = Field(max_length=100)
    reviewed_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


def _text(max_length: int) -> Any:
    return PydanticField(default=None, max_length=max_length)


class ReviewAnswers(BaseModel):
    """The reviewer's answers; a "no" stands only with its note saying how it was resolved
    (7.1.4: differences are resolved before the work commences)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "requirements_understood": True,
                    "capability": True,
                    "methods": "MK-12 ulkomikrometrin kalibrointi",
                    "method_appropriate": True,
                    "conformity_requested": True,
                    "decision_rule_agreed": True,
                }
            ]
        },
    )
    requirements_understood: bool
    requirements_note: str | None = _text(2000)
    capability: bool
    capability_note: str | None = _text(2000)
    methods: str = PydanticField(min_length=1, max_length=1000)
    method_appropriate: bool
    method_note: str | None = _text(2000)
    conformity_requested: bool = False
    decision_rule_agreed: bool | None = None
    decision_rule_note: str | None = _text(2000)
    subcontracting: str | None = _text(2000)
    subcontractor: str | None = _text(200)
    subcontracting_approved_by: str | None = _text(200)
    deviations: str | None = _text(2000)
    deviation_agreed_by: str | None = _text(200)
    deviation_agreed_on: date | None = None
    deviation_agreed_how: str | None = _text(200)


class ContractReviewPublic(BaseModel):
    id: int
    organisation_id: int
    subject: ReviewSubject
    agreement_id: int | None
    order_id: int | None
    job_id: int | None
    covered_by_id: int | None
    requirements_understood: bool
    requirements_note: str | None
    capability: bool
    capability_note: str | None
    methods: str
    method_appropriate: bool
    method_note: str | None
    conformity_requested: bool
    decision_rule: str | None
    decision_rule_text: str | None
    decision_rule_agreed: bool | None
    decision_rule_note: str | None
    subcontracting: str | None
    subcontractor: str | None
    subcontracting_approved_by: str | None
    deviations: str | None
    deviation_agreed_by: str | None
    deviation_agreed_on: date | None
    deviation_agreed_how: str | None
    reviewed_by: str
    reviewed_at: datetime


#: The questions as a refusal names them (``questions``), for the problems catalog.
QUESTION_WORDS = (
    problem_template("requirements"),
    problem_template("capability and resources"),
    problem_template("method"),
    problem_template("decision rule"),
    problem_template("subcontracting"),
    problem_template("deviations"),
)


def _given(text: str | None) -> bool:
    return bool(text and text.strip())


def open_questions(answers: ReviewAnswers) -> dict[str, str]:
    """The questions still open, by the field to answer: a "no" without its resolution, no
    decision rule agreed when conformity is asked for (7.1.3), work given out without whom
    to or without the customer's approval (7.1.1 c), a deviation without the customer's
    agreement (by whom, when, how)."""
    found: dict[str, str] = {}
    if not answers.requirements_understood and not _given(answers.requirements_note):
        found["requirements_note"] = "requirements"
    if not answers.capability and not _given(answers.capability_note):
        found["capability_note"] = "capability and resources"
    if not answers.method_appropriate and not _given(answers.method_note):
        found["method_note"] = "method"
    if answers.conformity_requested and answers.decision_rule_agreed is None:
        found["decision_rule_agreed"] = "decision rule"
    elif answers.decision_rule_agreed is False and not _given(answers.decision_rule_note):
        found["decision_rule_note"] = "decision rule"
    if _given(answers.subcontracting):
        for field in ("subcontractor", "subcontracting_approved_by"):
            if not _given(getattr(answers, field)):
                found.setdefault(field, "subcontracting")
    if _given(answers.deviations):
        for field in ("deviation_agreed_by", "deviation_agreed_on", "deviation_agreed_how"):
            value = getattr(answers, field)
            if value is None or (isinstance(value, str) and not value.strip()):
                found.setdefault(field, "deviations")
    return found


def check_answers(answers: ReviewAnswers) -> None:
    """Refuse a review that leaves questions open, naming every one (in the reader's
    language: ``questions`` is worded like a state) and pointing at the first field."""
    found = open_questions(answers)
    if found:
        raise InvalidInput(
            "the contract review leaves questions open: %(questions)s",
            code="contracts.review_questions_open",
            location=(next(iter(found)),),
            questions=", ".join(dict.fromkeys(found.values())),
        )


def public_review(review: ContractReview) -> ContractReviewPublic:
    return ContractReviewPublic.model_validate(review.model_dump())


# -- reading ------------------------------------------------------------------------------


def get_review(db_session: Session, *, actor: Principal, review_id: int) -> ContractReview:
    return visible_to(
        actor, db_session.get(ContractReview, review_id), f"contract review {review_id}"
    )


def review_of(
    db_session: Session,
    *,
    agreement_id: int | None = None,
    order_id: int | None = None,
    job_id: int | None = None,
) -> ContractReview | None:
    """The review of one agreement version, order or job (give exactly one)."""
    query = select(ContractReview)
    if agreement_id is not None:
        query = query.where(ContractReview.agreement_id == agreement_id)
    elif order_id is not None:
        query = query.where(ContractReview.order_id == order_id)
    elif job_id is not None:
        query = query.where(ContractReview.job_id == job_id)
    else:
        raise ValueError("name the agreement, order or job reviewed")
    return db_session.exec(query).first()


def reviews_by_id(db_session: Session, ids: set[int]) -> list[ContractReview]:
    if not ids:
        return []
    return list(
        db_session.exec(
            select(ContractReview)
            .where(col(ContractReview.id).in_(ids))
            .order_by(col(ContractReview.id))
        )
    )


# -- recording ----------------------------------------------------------------------------


def _same_answers(review: ContractReview, answers: ReviewAnswers) -> bool:
    return all(getattr(review, name) == value for name, value in answers.model_dump().items())


def record_review(
    db_session: Session,
    *,
    actor: Principal,
    subject: ReviewSubject,
    agreement: Agreement,
    answers: ReviewAnswers,
    order: Order | None = None,
    job_id: int | None = None,
    organisation_id: int,
) -> tuple[ContractReview, bool]:
    """Record the review of ``subject`` (its row already locked by the caller); returns the
    review and whether it was made now.  The same answers given again (a second press, a
    retry) answer with the review already made; other answers are refused: the record
    stands, and a changed contract is a new agreement version or order to review."""
    require_role(actor, *CONTRACT_REVIEWERS, doing="review contracts")
    reviewer_id = actor.person_id(doing="review contracts")
    check_answers(answers)
    existing = review_of(
        db_session,
        agreement_id=persisted_id(agreement) if subject == ReviewSubject.AGREEMENT else None,
        order_id=persisted_id(order) if order is not None else None,
        job_id=job_id,
    )
    if existing is not None:
        if _same_answers(existing, answers):
            return existing, False
        raise Conflict(
            "the contract was reviewed already by %(reviewer)s on %(reviewed_at)s",
            code="contracts.review_already_recorded",
            reviewer=existing.reviewed_by,
            reviewed_at=existing.reviewed_at,
        )
    review = ContractReview(
        **answers.model_dump(),
        organisation_id=organisation_id,
        subject=subject,
        agreement_id=persisted_id(agreement) if subject == ReviewSubject.AGREEMENT else None,
        order_id=order.id if order is not None else None,
        job_id=job_id,
        decision_rule=agreement.decision_rule if answers.conformity_requested else None,
        decision_rule_text=agreement.decision_rule_text if answers.conformity_requested else None,
        reviewed_by_id=reviewer_id,
        reviewed_by=actor.username,
    )
    set_context(db_session, actor.audit_context())
    db_session.add(review)
    db_session.commit()
    db_session.refresh(review)
    return review, True


def review_agreement(
    db_session: Session, *, actor: Principal, agreement_id: int, answers: ReviewAnswers
) -> tuple[ContractReview, bool]:
    """Review an agreement version once it is signed or in force: the review that covers the
    routine work ordered under it."""
    agreement = visible_to(
        actor, db_session.get(Agreement, agreement_id), f"agreement {agreement_id}"
    )
    lock_row(db_session, Agreement, agreement_id)
    if agreement.state not in ("signed", "active") or agreement.superseded_at is not None:
        raise Conflict(
            "agreement %(agreement)s is reviewed once signed, while it is in force",
            code="contracts.review_agreement_not_signed",
            agreement=agreement.number,
        )
    return record_review(
        db_session,
        actor=actor,
        subject=ReviewSubject.AGREEMENT,
        agreement=agreement,
        answers=answers,
        organisation_id=agreement.organisation_id,
    )


def review_order(
    db_session: Session, *, actor: Principal, order_id: int, answers: ReviewAnswers
) -> tuple[ContractReview, bool]:
    order = visible_to(actor, db_session.get(Order, order_id), f"order {order_id}")
    lock_row(db_session, Order, order_id)
    return record_review(
        db_session,
        actor=actor,
        subject=ReviewSubject.ORDER,
        agreement=db_session.get_one(Agreement, order.agreement_id),
        answers=answers,
        order=order,
        organisation_id=order.organisation_id,
    )


def covering_default(
    db_session: Session, *, agreement: Agreement, on: date
) -> ContractReview | None:
    """The review of an annual agreement in force on ``on``, which covers routine work
    ordered under it; None for an ad-hoc agreement, or one not in force or not reviewed."""
    if agreement.kind != "annual" or agreement.state != "active":
        return None
    if (
        agreement.superseded_at is not None
        or not agreement.valid_from <= on <= agreement.valid_until
    ):
        return None
    return review_of(db_session, agreement_id=persisted_id(agreement))
