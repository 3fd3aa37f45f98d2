"""The contract review section of the order, agreement and job pages (ISO/IEC 17025 7.1):
the review on record, read-only, or the form to record it for a manager who may.

Read through the services the API uses; the form posts to the review endpoints."""

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from lims.accounts.models import User
from lims.accounts.principal import Principal
from lims.contracts import review
from lims.contracts.models import Agreement, Order
from lims.jobs import contract_review
from lims.jobs.models import Job, JobStatus


def _may_review(principal: Principal) -> bool:
    return principal.has_any(*review.CONTRACT_REVIEWERS)


def of_agreement(db_session: Session, principal: Principal, agreement: Agreement) -> dict[str, Any]:
    reviewable = agreement.state in ("signed", "active") and agreement.superseded_at is None
    recorded = review.review_of(db_session, agreement_id=agreement.id)
    return _section(
        db_session,
        principal,
        reviews=[recorded] if recorded else [],
        agreement=agreement,
        action=f"/api/v1/agreements/{agreement.id}/contract-review" if reviewable else None,
    )


def of_order(
    db_session: Session, principal: Principal, order: Order, agreement: Agreement, on: date
) -> dict[str, Any]:
    recorded = review.review_of(db_session, order_id=order.id)
    return _section(
        db_session,
        principal,
        reviews=[recorded] if recorded else [],
        agreement=agreement,
        action=f"/api/v1/orders/{order.id}/contract-review",
        covering=review.covering_default(db_session, agreement=agreement, on=on),
    )


def of_job(
    db_session: Session, principal: Principal, job: Job, agreement: Agreement, on: date
) -> dict[str, Any]:
    """Before acceptance: what would cover the job, or the form; after it: the reviews on the
    job's record."""
    requested = job.status == JobStatus.REQUESTED
    reviews = contract_review.reviews_of_job(db_session, job)
    covering = contract_review.covering_review(db_session, job, on=on) if requested else None
    if covering is not None and covering.id not in {found.id for found in reviews}:
        reviews.append(covering)
    return _section(
        db_session,
        principal,
        reviews=reviews,
        agreement=agreement,
        action=f"/api/v1/jobs/{job.id}/contract-review" if requested and not reviews else None,
    )


def _section(
    db_session: Session,
    principal: Principal,
    *,
    reviews: list[review.ContractReview],
    agreement: Agreement,
    action: str | None,
    covering: review.ContractReview | None = None,
) -> dict[str, Any]:
    shown = reviews if principal.reads_everything else []
    # The reviewer by name, as the page names people; the record keeps the username too.
    reviewer_ids = {found.reviewed_by_id for found in [*shown, *([covering] if covering else [])]}
    names = db_session.exec(
        select(User.id, User.full_name).where(col(User.id).in_(reviewer_ids))
    ).all()
    return {
        "contract_reviews": shown,
        "reviewer_names": dict(names),
        "review_agreement": agreement,
        "review_covering": covering if principal.reads_everything else None,
        "review_action": action if not reviews and _may_review(principal) else None,
        "shows_review": principal.reads_everything,
    }
