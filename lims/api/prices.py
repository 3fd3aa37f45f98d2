"""Price models, price lists, the lab's closures and the cost-recovery report (service E)."""

from fastapi import APIRouter, Response, status

from lims.api.deps import CurrentActor, SessionDep, SettingsDep
from lims.contracts import prices
from lims.contracts.charts import cost_recovery_chart
from lims.contracts.models import (
    CostRecovery,
    LabClosure,
    LabClosureCreate,
    PriceList,
    PriceListCreate,
    PriceListPublic,
    PriceModelCreate,
    PriceModelPublic,
)
from lims.jobs import cost_recovery as recovery

router = APIRouter(tags=["prices"])


def public_list(price_list: PriceList) -> PriceListPublic:
    return PriceListPublic.model_validate(price_list.model_dump())


@router.get("/price-models", response_model=list[PriceModelPublic])
def list_price_models(actor: CurrentActor, db_session: SessionDep) -> list[PriceModelPublic]:
    models = prices.list_price_models(db_session, actor=actor)
    return [prices.describe_price_model(model) for model in models]


@router.post("/price-models", response_model=PriceModelPublic, status_code=status.HTTP_201_CREATED)
def create_price_model(
    body: PriceModelCreate, actor: CurrentActor, db_session: SessionDep
) -> PriceModelPublic:
    return prices.describe_price_model(
        prices.create_price_model(db_session, actor=actor, data=body)
    )


@router.get("/price-models/{price_model_id}", response_model=PriceModelPublic)
def get_price_model(
    price_model_id: int, actor: CurrentActor, db_session: SessionDep
) -> PriceModelPublic:
    model = prices.get_price_model(db_session, actor=actor, price_model_id=price_model_id)
    return prices.describe_price_model(model)


@router.get(
    "/price-models/{price_model_id}/cost-recovery",
    response_model=CostRecovery,
    summary="Work delivered in the model's year against allocated cost; quotations as pipeline",
)
def cost_recovery(
    price_model_id: int, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> CostRecovery:
    return recovery.cost_recovery(
        db_session, actor=actor, price_model_id=price_model_id, settings=settings
    )


@router.get(
    "/price-models/{price_model_id}/cost-recovery.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def cost_recovery_svg(
    price_model_id: int, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> Response:
    report = recovery.cost_recovery(
        db_session, actor=actor, price_model_id=price_model_id, settings=settings
    )
    return Response(cost_recovery_chart(report), media_type="image/svg+xml")


@router.get("/price-lists", response_model=list[PriceListPublic])
def list_price_lists(actor: CurrentActor, db_session: SessionDep) -> list[PriceListPublic]:
    return [public_list(p) for p in prices.list_price_lists(db_session, actor=actor)]


@router.post("/price-lists", response_model=PriceListPublic, status_code=status.HTTP_201_CREATED)
def create_price_list(
    body: PriceListCreate, actor: CurrentActor, db_session: SessionDep
) -> PriceListPublic:
    return public_list(prices.create_price_list(db_session, actor=actor, data=body))


@router.get("/price-lists/{price_list_id}", response_model=PriceListPublic)
def get_price_list(
    price_list_id: int, actor: CurrentActor, db_session: SessionDep
) -> PriceListPublic:
    return public_list(prices.get_price_list(db_session, actor=actor, price_list_id=price_list_id))


@router.post("/price-lists/{price_list_id}/publish", response_model=PriceListPublic)
def publish_price_list(
    price_list_id: int, actor: CurrentActor, db_session: SessionDep
) -> PriceListPublic:
    price_list = prices.publish_price_list(db_session, actor=actor, price_list_id=price_list_id)
    return public_list(price_list)


@router.get("/calendar/closures", response_model=list[LabClosure])
def list_closures(_actor: CurrentActor, db_session: SessionDep) -> list[LabClosure]:
    return prices.list_closures(db_session)


@router.post("/calendar/closures", response_model=LabClosure, status_code=status.HTTP_201_CREATED)
def add_closure(body: LabClosureCreate, actor: CurrentActor, db_session: SessionDep) -> LabClosure:
    return prices.add_closure(db_session, actor=actor, data=body)


@router.delete("/calendar/closures/{closure_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_closure(closure_id: int, actor: CurrentActor, db_session: SessionDep) -> Response:
    prices.remove_closure(db_session, actor=actor, closure_id=closure_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
