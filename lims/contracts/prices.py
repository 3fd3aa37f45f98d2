"""Price models, price lists and the lab's closures (service E); the year-end cost recovery,
which reads jobs, is lims.jobs.cost_recovery."""

from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from lims.accounts.models import Role
from lims.accounts.principal import Principal, require_role
from lims.audit.trail import save, set_context
from lims.contracts.models import (
    CostPoolSpec,
    LabClosure,
    LabClosureCreate,
    PriceList,
    PriceListCreate,
    PriceModel,
    PriceModelCreate,
    PriceModelPublic,
    ResourceRate,
)
from lims.contracts.money import cents
from lims.contracts.pricing import (
    CostPool,
    PriceModelError,
    Resource,
    allocated_costs,
    hourly_rates,
)
from lims.db import persisted_id, utcnow
from lims.errors import Conflict, InvalidInput, NotFound

PRICE_MANAGERS = (Role.ADMIN, Role.QUALITY_MANAGER)


def _pools(model: PriceModel) -> list[CostPool]:
    return [
        CostPool(
            name=pool["name"],
            amount=Decimal(pool["amount"]),
            shares={code: Decimal(share) for code, share in pool["shares"].items()},
        )
        for pool in model.cost_pools
    ]


def _resources(model: PriceModel) -> list[Resource]:
    return [
        Resource(code=r["code"], name=r["name"], planned_hours=Decimal(r["planned_hours"]))
        for r in model.resources
    ]


def rates_of(model: PriceModel) -> dict[str, Decimal]:
    return hourly_rates(_pools(model), _resources(model))


def describe_price_model(model: PriceModel) -> PriceModelPublic:
    pools, resources = _pools(model), _resources(model)
    allocated = allocated_costs(pools, resources)
    rates = hourly_rates(pools, resources)
    return PriceModelPublic(
        id=persisted_id(model),
        year=model.year,
        cost_pools=[CostPoolSpec.model_validate(pool) for pool in model.cost_pools],
        resources=[
            ResourceRate(
                code=r.code,
                name=r.name,
                planned_hours=r.planned_hours,
                allocated_cost=cents(allocated[r.code]),
                hourly_rate=rates[r.code],
            )
            for r in resources
        ],
        created_at=model.created_at,
    )


# -- price models -------------------------------------------------------------------------


def create_price_model(
    db_session: Session, *, actor: Principal, data: PriceModelCreate
) -> PriceModel:
    require_role(actor, *PRICE_MANAGERS, doing="set up price models")
    model = PriceModel(
        year=data.year,
        cost_pools=[pool.model_dump(mode="json") for pool in data.cost_pools],
        resources=[resource.model_dump(mode="json") for resource in data.resources],
    )
    try:
        rates_of(model)
    except PriceModelError as error:
        raise InvalidInput(
            "%(reason)s",
            code="contracts.price_model_invalid",
            reason=error.reason,
            location=error.location,
        ) from None
    if db_session.exec(select(PriceModel).where(PriceModel.year == data.year)).first():
        raise Conflict(
            "the price model of %(year)s exists; it is kept as the year's record",
            code="contracts.price_model_exists_kept_year",
            year=data.year,
        )
    return save(db_session, actor.audit_context(), model)


def list_price_models(db_session: Session, *, actor: Principal) -> list[PriceModel]:
    _require_price_reader(actor)
    return list(db_session.exec(select(PriceModel).order_by(col(PriceModel.year))))


def get_price_model(db_session: Session, *, actor: Principal, price_model_id: int) -> PriceModel:
    _require_price_reader(actor)
    model = db_session.get(PriceModel, price_model_id)
    if model is None:
        raise NotFound(
            "price model %(price_model_id)s does not exist",
            code="contracts.price_model_does_exist",
            price_model_id=price_model_id,
        )
    return model


def price_model_for_year(db_session: Session, year: int) -> PriceModel:
    model = db_session.exec(select(PriceModel).where(PriceModel.year == year)).first()
    if model is None:
        raise InvalidInput(
            "there is no price model for %(year)s; set one up first",
            code="contracts.there_price_model_set_one",
            year=year,
        )
    return model


def _require_price_reader(actor: Principal) -> None:
    # Cost pools and allocations are the lab's internal figures; customers see price lists.
    if not actor.reads_everything:
        require_role(actor, *PRICE_MANAGERS, doing="read price models")


# -- price lists --------------------------------------------------------------------------


def create_price_list(db_session: Session, *, actor: Principal, data: PriceListCreate) -> PriceList:
    require_role(actor, *PRICE_MANAGERS, doing="make price lists")
    model = get_price_model(db_session, actor=actor, price_model_id=data.price_model_id)
    rates = rates_of(model)
    items = []
    for index, item in enumerate(data.items):
        if item.resource not in rates:
            raise InvalidInput(
                "resource %(resource)s is not in the %(year)s price model",
                code="contracts.resource_price_model",
                resource=item.resource,
                year=model.year,
                location=("items", index, "resource"),
            )
        items.append(
            {**item.model_dump(mode="json"), "price": str(cents(rates[item.resource] * item.hours))}
        )
    codes = [item["code"] for item in items]
    if len(set(codes)) != len(codes):
        raise InvalidInput(
            "each item code appears once in a price list",
            code="contracts.each_item_code_appears_once",
            location=("items",),
        )
    latest = db_session.exec(
        select(func.max(PriceList.version)).where(PriceList.price_model_id == model.id)
    ).one()
    price_list = PriceList(
        price_model_id=data.price_model_id,
        version=(latest or 0) + 1,
        title=data.title,
        items=items,
    )
    return save(db_session, actor.audit_context(), price_list)


def publish_price_list(db_session: Session, *, actor: Principal, price_list_id: int) -> PriceList:
    require_role(actor, *PRICE_MANAGERS, doing="publish price lists")
    price_list = get_price_list(db_session, actor=actor, price_list_id=price_list_id)
    if price_list.published_at is not None:
        raise Conflict(
            "the price list is already published; make a new version to change it",
            code="contracts.price_list_already_published_make",
        )
    price_list.published_at = utcnow()
    return save(db_session, actor.audit_context(), price_list)


def _visible_price_lists(actor: Principal) -> SelectOfScalar[PriceList]:
    query = select(PriceList)
    if not actor.reads_everything:
        query = query.where(col(PriceList.published_at).is_not(None))
    return query


def list_price_lists(db_session: Session, *, actor: Principal) -> list[PriceList]:
    return list(db_session.exec(_visible_price_lists(actor).order_by(col(PriceList.id))))


def get_price_list(db_session: Session, *, actor: Principal, price_list_id: int) -> PriceList:
    price_list = db_session.exec(
        _visible_price_lists(actor).where(PriceList.id == price_list_id)
    ).first()
    if price_list is None:
        raise NotFound(
            "price list %(price_list_id)s does not exist",
            code="contracts.price_list_does_exist",
            price_list_id=price_list_id,
        )
    return price_list


def current_price_list(db_session: Session, *, price_model_id: int) -> PriceList | None:
    return db_session.exec(
        select(PriceList)
        .where(PriceList.price_model_id == price_model_id, col(PriceList.published_at).is_not(None))
        .order_by(col(PriceList.version).desc())
    ).first()


def price_list_of_year(db_session: Session, year: int) -> PriceList | None:
    """The newest published price list of the year's price model, if the year has both."""
    model = db_session.exec(select(PriceModel).where(PriceModel.year == year)).first()
    if model is None:
        return None
    return current_price_list(db_session, price_model_id=persisted_id(model))


# -- closures -----------------------------------------------------------------------------


def closures(db_session: Session) -> set[date]:
    return set(db_session.exec(select(col(LabClosure.day))))


def list_closures(db_session: Session) -> list[LabClosure]:
    return list(db_session.exec(select(LabClosure).order_by(col(LabClosure.day))))


def add_closure(db_session: Session, *, actor: Principal, data: LabClosureCreate) -> LabClosure:
    require_role(actor, *PRICE_MANAGERS, doing="record the lab's closures")
    if db_session.exec(select(LabClosure).where(LabClosure.day == data.day)).first():
        raise Conflict(
            "%(day)s is already a closure day", code="contracts.already_closure_day", day=data.day
        )
    closure = LabClosure.model_validate(data)
    return save(db_session, actor.audit_context(), closure)


def remove_closure(db_session: Session, *, actor: Principal, closure_id: int) -> None:
    require_role(actor, *PRICE_MANAGERS, doing="change the lab's closures")
    closure = db_session.get(LabClosure, closure_id)
    if closure is None:
        raise NotFound(
            "closure %(closure_id)s does not exist",
            code="contracts.closure_does_exist",
            closure_id=closure_id,
        )
    set_context(db_session, actor.audit_context())
    db_session.delete(closure)
    db_session.commit()
