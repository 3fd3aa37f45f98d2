"""Cost-based hourly rates and the working-day calendar (pure)."""

from datetime import date
from decimal import Decimal

import pytest

from lims.contracts.calendar import add_working_days
from lims.contracts.money import cents, vat_of
from lims.contracts.pricing import CostPool, PriceModelError, Resource, hourly_rates

D = Decimal


def worked_model() -> tuple[list[CostPool], list[Resource]]:
    pools = [
        CostPool(
            "leasing and maintenance",
            D(96000),
            {"cmm": D("0.7"), "optical": D("0.2"), "bench": D("0.1")},
        ),
        CostPool(
            "rent",
            D(36000),
            {"cmm": D("0.4"), "optical": D("0.2"), "manual": D("0.2"), "bench": D("0.2")},
        ),
        CostPool(
            "measurement laboratory",
            D(24000),
            {"cmm": D("0.5"), "optical": D("0.25"), "manual": D("0.125"), "bench": D("0.125")},
        ),
        CostPool(
            "personnel",
            D(180000),
            {"cmm": D("0.4"), "optical": D("0.2"), "manual": D("0.2"), "bench": D("0.2")},
        ),
    ]
    resources = [
        Resource("cmm", "CMM", D(1200)),
        Resource("optical", "Optical", D(600)),
        Resource("manual", "Manual", D(800)),
        Resource("bench", "Bench", D(900)),
    ]
    return pools, resources


def test_rates_are_allocated_cost_over_planned_hours_without_margin() -> None:
    # By hand:
    #   CMM:     0.7*96000 + 0.4*36000 + 0.5*24000   + 0.4*180000 = 67200+14400+12000+72000 = 165600
    #            165600 / 1200 h = 138.00 EUR/h
    #   optical: 0.2*96000 + 0.2*36000 + 0.25*24000  + 0.2*180000 = 19200+7200+6000+36000 = 68400
    #            68400 / 600 h = 114.00 EUR/h
    #   manual:  0         + 0.2*36000 + 0.125*24000 + 0.2*180000 = 7200+3000+36000 = 46200
    #            46200 / 800 h = 57.75 EUR/h
    #   bench:   0.1*96000 + 0.2*36000 + 0.125*24000 + 0.2*180000 = 9600+7200+3000+36000 = 55800
    #            55800 / 900 h = 62.00 EUR/h
    # Check: 165600 + 68400 + 46200 + 55800 = 336000 = 96000 + 36000 + 24000 + 180000.
    assert hourly_rates(*worked_model()) == {
        "cmm": D("138.00"),
        "optical": D("114.00"),
        "manual": D("57.75"),
        "bench": D("62.00"),
    }


def test_rates_round_half_up_to_cents() -> None:
    # 10000 / 3 h = 3333.333... -> 3333.33; 1000.05 / 10 h = 100.005 -> 100.01 (half up)
    pools = [CostPool("rent", D("10000"), {"a": D(1)}), CostPool("lab", D("1000.05"), {"b": D(1)})]
    resources = [Resource("a", "A", D(3)), Resource("b", "B", D(10))]
    assert hourly_rates(pools, resources) == {"a": D("3333.33"), "b": D("100.01")}


@pytest.mark.parametrize(
    ("pools", "resources", "message", "location"),
    [
        (
            [CostPool("rent", D(-1), {"a": D(1)})],
            [Resource("a", "A", D(1))],
            "negative amount",
            ("cost_pools", 0, "amount"),
        ),
        (
            [CostPool("rent", D(1), {"a": D(1)})],
            [Resource("a", "A", D(0))],
            "above zero",
            ("resources", 0, "planned_hours"),
        ),
        (
            [CostPool("rent", D(1), {"a": D("0.5")})],
            [Resource("a", "A", D(1))],
            "add up to 1",
            ("cost_pools", 0, "shares"),
        ),
        (
            [CostPool("rent", D(1), {"x": D(1)})],
            [Resource("a", "A", D(1))],
            "unknown resources",
            ("cost_pools", 0, "shares"),
        ),
        ([], [Resource("a", "A", D(1)), Resource("a", "A", D(1))], "once", ("resources",)),
    ],
    ids=["negative-cost", "zero-hours", "shares-short", "unknown-resource", "duplicate-resource"],
)
def test_impossible_price_models_are_refused(
    pools: list[CostPool], resources: list[Resource], message: str, location: tuple
) -> None:
    with pytest.raises(PriceModelError, match=message) as refused:
        hourly_rates(pools, resources)
    assert refused.value.location == location


def test_vat_is_25_5_percent_of_the_net_rounded_to_cents() -> None:
    # Finland's general VAT rate 25.5 % (from 1 September 2024): 223.20 * 0.255 = 56.916 -> 56.92
    assert vat_of(D("223.20"), D("25.5")) == D("56.92")
    assert cents(D("0.125")) == D("0.13")


def test_delivery_over_christmas_skips_the_holidays_and_the_weekend() -> None:
    # Ordered Tue 22.12.2026, 5 working days: Wed 23.12 (1); 24.12 Christmas Eve, 25.12
    # Christmas Day, 26.12 St Stephen's Day (a Saturday), 27.12 Sunday are not working days;
    # Mon 28.12 (2), Tue 29.12 (3), Wed 30.12 (4), Thu 31.12 (5).
    assert add_working_days(date(2026, 12, 22), 5) == date(2026, 12, 31)


def test_delivery_skips_the_labs_own_closures_too() -> None:
    # As above with the lab closed on 31.12: 1.1.2027 is New Year's Day (Fri), 2-3.1 a weekend,
    # so the fifth working day is Mon 4.1.2027.
    assert add_working_days(date(2026, 12, 22), 5, {date(2026, 12, 31)}) == date(2027, 1, 4)


def test_delivery_over_midsummer() -> None:
    # Thu 18.6.2026 + 1: Fri 19.6 is Midsummer Eve, Sat 20.6 Midsummer Day, Sun 21.6 -> Mon 22.6.
    assert add_working_days(date(2026, 6, 18), 1) == date(2026, 6, 22)


def test_zero_working_days_is_the_order_day_and_negative_is_refused() -> None:
    assert add_working_days(date(2026, 12, 22), 0) == date(2026, 12, 22)
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(date(2026, 12, 22), -1)
