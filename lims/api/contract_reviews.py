"""Contract reviews over HTTP (ISO/IEC 17025:2017 7.1): of an agreement version, an order,
or a job ordered without either being reviewed.

Recording answers 201 with the review made, or 200 with the review already made when the
same answers come again (a retry, a second press); other answers to a reviewed contract 409.
"""

from typing import Any

from fastapi import APIRouter, Response, status

from lims.accounts.principal import visible_to
from lims.api.deps import CurrentActor, SessionDep
from lims.contracts import review
from lims.contracts.models import Agreement, Order
from lims.contracts.review import ContractReview, ContractReviewPublic, ReviewAnswers
from lims.errors import NotFound
from lims.jobs import contract_review, service

router = APIRouter(tags=["contract reviews"])
RECORDED: dict[int | str, dict[str, Any]] = {
    status.HTTP_200_OK: {"description": "The same review was recorded already"},
    status.HTTP_201_CREATED: {"description": "The review is recorded"},
}


def _answer(made: tuple[ContractReview, bool], response: Response) -> ContractReviewPublic:
    recorded, created = made
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return review.public_review(recorded)


def _found(recorded: ContractReview | None, what: str) -> ContractReviewPublic:
    if recorded is None:
        raise NotFound(
            "%(what)s has no contract review yet", code="contracts.review_none_yet", what=what
        )
    return review.public_review(recorded)


@router.post(
    "/agreements/{agreement_id}/contract-review",
    response_model=ContractReviewPublic,
    responses=RECORDED,
    summary="Review an agreement version: the review covers routine work ordered under it",
)
def review_agreement(
    agreement_id: int,
    body: ReviewAnswers,
    actor: CurrentActor,
    db_session: SessionDep,
    response: Response,
) -> ContractReviewPublic:
    made = review.review_agreement(db_session, actor=actor, agreement_id=agreement_id, answers=body)
    return _answer(made, response)


@router.get("/agreements/{agreement_id}/contract-review", response_model=ContractReviewPublic)
def get_agreement_review(
    agreement_id: int, actor: CurrentActor, db_session: SessionDep
) -> ContractReviewPublic:
    agreement = visible_to(
        actor, db_session.get(Agreement, agreement_id), f"agreement {agreement_id}"
    )
    return _found(review.review_of(db_session, agreement_id=agreement_id), agreement.number)


@router.post(
    "/orders/{order_id}/contract-review",
    response_model=ContractReviewPublic,
    responses=RECORDED,
    summary="Review an order before its job is accepted",
)
def review_order(
    order_id: int,
    body: ReviewAnswers,
    actor: CurrentActor,
    db_session: SessionDep,
    response: Response,
) -> ContractReviewPublic:
    made = review.review_order(db_session, actor=actor, order_id=order_id, answers=body)
    return _answer(made, response)


@router.get("/orders/{order_id}/contract-review", response_model=ContractReviewPublic)
def get_order_review(
    order_id: int, actor: CurrentActor, db_session: SessionDep
) -> ContractReviewPublic:
    visible_to(actor, db_session.get(Order, order_id), f"order {order_id}")
    return _found(review.review_of(db_session, order_id=order_id), f"order {order_id}")


@router.post(
    "/jobs/{job_id}/contract-review",
    response_model=ContractReviewPublic,
    responses=RECORDED,
    summary="Review a requested job ordered without a reviewed order or annual agreement",
)
def review_job(
    job_id: int,
    body: ReviewAnswers,
    actor: CurrentActor,
    db_session: SessionDep,
    response: Response,
) -> ContractReviewPublic:
    job = service.get_job(db_session, actor=actor, job_id=job_id)
    made = contract_review.review_job(db_session, actor=actor, job=job, answers=body)
    return _answer(made, response)


@router.get(
    "/jobs/{job_id}/contract-reviews",
    response_model=list[ContractReviewPublic],
    summary="The contract reviews on a job's record: its own, its order's, its agreement's",
)
def job_reviews(
    job_id: int, actor: CurrentActor, db_session: SessionDep
) -> list[ContractReviewPublic]:
    job = service.get_job(db_session, actor=actor, job_id=job_id)
    return [
        review.public_review(found) for found in contract_review.reviews_of_job(db_session, job)
    ]


@router.get("/contract-reviews/{review_id}", response_model=ContractReviewPublic)
def get_review(review_id: int, actor: CurrentActor, db_session: SessionDep) -> ContractReviewPublic:
    return review.public_review(review.get_review(db_session, actor=actor, review_id=review_id))
