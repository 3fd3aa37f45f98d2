"""Money: ``Decimal`` throughout, and the lab's rounding rules, stated once.

- Hourly rates and prices are rounded to whole cents, half up (the usual commercial rule).
- A quotation line is rounded to cents; totals are sums of rounded lines; VAT is computed on
  the net total and rounded to cents, half up.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    """Round to whole cents, half up.

    >>> cents(Decimal("63.125")), cents(Decimal("-0.005"))
    (Decimal('63.13'), Decimal('-0.01'))
    """
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def vat_of(net: Decimal, rate_percent: Decimal) -> Decimal:
    """VAT on a net amount at a percentage rate.

    >>> vat_of(Decimal("100.00"), Decimal("25.5"))
    Decimal('25.50')
    """
    return cents(net * rate_percent / Decimal(100))
