"""Quotations and orders (service E): price and delivery fixed at ordering."""

from typing import Annotated

from fastapi import APIRouter, Body, status

from lims.api.deps import CurrentActor, SessionDep, SettingsDep
from lims.clock import local_today
from lims.contracts import quotations
from lims.contracts.models import (
    Order,
    OrderCreate,
    OrderPublic,
    Quotation,
    QuotationAcceptance,
    QuotationCreate,
    QuotationPublic,
    QuotationRejection,
    QuotationRequest,
    QuotationRequestCreate,
    QuotationRequestPublic,
)

router = APIRouter(tags=["quotations"])


def public(quotation: Quotation, settings: SettingsDep) -> QuotationPublic:
    return QuotationPublic.model_validate(
        {
            **quotation.model_dump(),
            "status": quotations.status_on(quotation, local_today(settings.timezone)),
        }
    )


def public_order(order: Order) -> OrderPublic:
    return OrderPublic.model_validate(order.model_dump())


def public_request(request: QuotationRequest) -> QuotationRequestPublic:
    return QuotationRequestPublic.model_validate(
        {**request.model_dump(), "status": quotations.request_status(request)}
    )


@router.get("/quotations", response_model=list[QuotationPublic])
def list_quotations(
    actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> list[QuotationPublic]:
    return [public(q, settings) for q in quotations.list_quotations(db_session, actor=actor)]


@router.post("/quotations", response_model=QuotationPublic, status_code=status.HTTP_201_CREATED)
def create_quotation(
    body: QuotationCreate, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> QuotationPublic:
    quotation = quotations.create_quotation(db_session, actor=actor, data=body, settings=settings)
    return public(quotation, settings)


@router.get("/quotations/{quotation_id}", response_model=QuotationPublic)
def get_quotation(
    quotation_id: int, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> QuotationPublic:
    quotation = quotations.get_quotation(db_session, actor=actor, quotation_id=quotation_id)
    return public(quotation, settings)


@router.post(
    "/quotations/{quotation_id}/accept",
    response_model=OrderPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Accept a quotation: the order is recorded with the agreed price and delivery date",
)
def accept_quotation(
    quotation_id: int,
    body: QuotationAcceptance,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
) -> OrderPublic:
    order = quotations.accept_quotation(
        db_session, actor=actor, quotation_id=quotation_id, data=body, settings=settings
    )
    return public_order(order)


@router.post("/quotations/{quotation_id}/reject", response_model=QuotationPublic)
def reject_quotation(
    quotation_id: int,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
    # Optional (a decline needs no reason), so the schema is not a plain $ref: its example
    # is given here.
    body: Annotated[
        QuotationRejection | None, Body(examples=[{"reason": "Budjetti ei riitä tänä vuonna"}])
    ] = None,
) -> QuotationPublic:
    quotation = quotations.reject_quotation(
        db_session, actor=actor, quotation_id=quotation_id, data=body
    )
    return public(quotation, settings)


@router.get("/quotation-requests", response_model=list[QuotationRequestPublic])
def list_quotation_requests(
    actor: CurrentActor, db_session: SessionDep
) -> list[QuotationRequestPublic]:
    found = quotations.list_quotation_requests(db_session, actor=actor)
    return [public_request(request) for request in found]


@router.post(
    "/quotation-requests",
    response_model=QuotationRequestPublic,
    status_code=status.HTTP_201_CREATED,
    summary="A customer asks for a quotation; the lab answers with POST /quotations (request_id)",
)
def request_quotation(
    body: QuotationRequestCreate, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> QuotationRequestPublic:
    request = quotations.request_quotation(db_session, actor=actor, data=body, settings=settings)
    return public_request(request)


@router.get("/quotation-requests/{request_id}", response_model=QuotationRequestPublic)
def get_quotation_request(
    request_id: int, actor: CurrentActor, db_session: SessionDep
) -> QuotationRequestPublic:
    request = quotations.get_quotation_request(db_session, actor=actor, request_id=request_id)
    return public_request(request)


@router.get("/orders", response_model=list[OrderPublic])
def list_orders(actor: CurrentActor, db_session: SessionDep) -> list[OrderPublic]:
    return [public_order(order) for order in quotations.list_orders(db_session, actor=actor)]


@router.post("/orders", response_model=OrderPublic, status_code=status.HTTP_201_CREATED)
def open_order(
    body: OrderCreate, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> OrderPublic:
    return public_order(
        quotations.open_order(db_session, actor=actor, data=body, settings=settings)
    )


@router.get("/orders/{order_id}", response_model=OrderPublic)
def get_order(order_id: int, actor: CurrentActor, db_session: SessionDep) -> OrderPublic:
    return public_order(quotations.get_order(db_session, actor=actor, order_id=order_id))
