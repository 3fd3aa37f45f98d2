"""Cost-based hourly rates (the lab is non-profit: rate = allocated cost / planned hours).

Pure: the price model arrives as plain values; the service layer stores and audits it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from lims.contracts.money import cents
from lims.reasons import Reason

SHARE_TOTAL = Decimal(1)


@dataclass(frozen=True)
class CostPool:
    """A yearly cost (leasing and maintenance, rent, laboratory, personnel) and its split."""

    name: str
    amount: Decimal
    shares: Mapping[str, Decimal]  # resource code -> fraction of the pool, summing to 1


@dataclass(frozen=True)
class Resource:
    """Something the lab bills by the hour (a CMM, the calibration bench...)."""

    code: str
    name: str
    planned_hours: Decimal


class PriceModelError(ValueError):
    """A price model that gives no rate; the :class:`Reason` says why, ``location`` where."""

    def __init__(self, reason: Reason, location: tuple[str | int, ...]) -> None:
        super().__init__(reason.message)
        self.reason = reason
        self.location = location


def check_price_model(pools: Sequence[CostPool], resources: Sequence[Resource]) -> None:
    """Refuse what cannot give a rate: negative costs, no hours, shares that do not add up."""
    codes = [resource.code for resource in resources]
    if len(set(codes)) != len(codes):
        raise PriceModelError(Reason("each resource code may appear once"), ("resources",))
    for index, resource in enumerate(resources):
        if resource.planned_hours <= 0:
            raise PriceModelError(
                Reason(
                    "resource %(code)s needs planned billable hours above zero",
                    code=resource.code,
                ),
                ("resources", index, "planned_hours"),
            )
    for index, pool in enumerate(pools):
        if pool.amount < 0:
            raise PriceModelError(
                Reason("cost pool %(pool)s has a negative amount", pool=pool.name),
                ("cost_pools", index, "amount"),
            )
        unknown = sorted(set(pool.shares) - set(codes))
        if unknown:
            raise PriceModelError(
                Reason(
                    "cost pool %(pool)s is allocated to unknown resources %(unknown)s",
                    pool=pool.name,
                    unknown=", ".join(unknown),
                ),
                ("cost_pools", index, "shares"),
            )
        if any(share < 0 for share in pool.shares.values()):
            raise PriceModelError(
                Reason("cost pool %(pool)s has a negative share", pool=pool.name),
                ("cost_pools", index, "shares"),
            )
        if sum(pool.shares.values(), Decimal(0)) != SHARE_TOTAL:
            raise PriceModelError(
                Reason(
                    "the shares of cost pool %(pool)s must add up to 1 (100 %%)", pool=pool.name
                ),
                ("cost_pools", index, "shares"),
            )


def allocated_costs(pools: Sequence[CostPool], resources: Sequence[Resource]) -> dict[str, Decimal]:
    """Each resource's share of the year's costs (unrounded)."""
    allocated = {resource.code: Decimal(0) for resource in resources}
    for pool in pools:
        for code, share in pool.shares.items():
            allocated[code] += pool.amount * share
    return allocated


def hourly_rates(pools: Sequence[CostPool], resources: Sequence[Resource]) -> dict[str, Decimal]:
    """Rate per resource: allocated cost / planned hours, rounded to cents, no margin.

    >>> split = {"cmm": Decimal("0.6"), "bench": Decimal("0.4")}
    >>> pools = [CostPool("rent", Decimal("10000"), split)]
    >>> resources = [Resource("cmm", "CMM", Decimal(400)), Resource("bench", "Bench", Decimal(300))]
    >>> hourly_rates(pools, resources)
    {'cmm': Decimal('15.00'), 'bench': Decimal('13.33')}
    """
    check_price_model(pools, resources)
    allocated = allocated_costs(pools, resources)
    return {r.code: cents(allocated[r.code] / r.planned_hours) for r in resources}
