"""Numbers, dates, units and money in a document's language (Babel, CLDR).

Values arrive as the decimal strings the uncertainty engine rounded (ILAC-P14: U to two
significant digits, the value to the same place), so every digit, trailing zeros included,
is kept: "0.020" stays "0,020" in Finnish.

The minus sign is the ASCII hyphen that Babel gives, not CLDR's U+2212: text copied from a
certificate into a spreadsheet then still reads as a number.
"""

import math
from datetime import date
from decimal import Decimal, InvalidOperation

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from lims import units
from lims.uncertainty.reporting import format_coverage_factor

#: The CLDR locale of each document language: Swedish as written in Finland, British English.
LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "et": "et_EE", "en": "en_GB"}
DATE_PATTERNS = {"fi": "d.M.yyyy", "sv": "d.M.yyyy", "et": "dd.MM.yyyy", "en": "d MMMM yyyy"}


def locale_of(language: str) -> str:
    return LOCALES[language]


def number(value: str | float | Decimal | None, language: str) -> str:
    """``value`` with every digit it has, in the language's notation.

    >>> number("0.020", "fi"), number("1234.5", "fi"), number("-0.5", "en")
    ('0,020', '1\\xa0234,5', '-0.5')
    >>> number(Decimal("2.5"), "fi"), number(Decimal("10"), "sv")
    ('2,5', '10')
    >>> number(None, "fi")
    ''
    """
    if value is None or value == "":
        return ""
    try:
        # A Decimal as it is (its repr is "Decimal('2.5')"); a float by its shortest repr.
        decimal = (
            value
            if isinstance(value, Decimal)
            else Decimal(value if isinstance(value, str) else repr(value))
        )
    except InvalidOperation:
        return str(value)
    exponent = decimal.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(decimal, format=pattern, locale=locale_of(language))


def fixed(value: float | None, places: int, language: str) -> str:
    """``value`` rounded to ``places`` decimals, e.g. a coverage factor to two.

    >>> fixed(2.0, 2, "fi"), fixed(20.14, 1, "en")
    ('2,00', '20.1')
    """
    if value is None:
        return ""
    return number(f"{value:.{places}f}", language)


def coverage_factor(value: float | None, language: str) -> str:
    """k as every statement prints it (reporting.format_coverage_factor), in ``language``.

    >>> coverage_factor(2.00009, "fi"), coverage_factor(2.9157, "en"), coverage_factor(None, "fi")
    ('2,00', '2.92', '')
    """
    if value is None:
        return ""
    return number(format_coverage_factor(value), language)


def percent(fraction: float | None, language: str) -> str:
    """A coverage probability: 95 %, 95,45 % (as many decimals as it has, at most two).

    >>> percent(0.95, "fi"), percent(0.9545, "fi"), percent(0.95, "en")
    ('95\\xa0%', '95,45\\xa0%', '95%')
    """
    if fraction is None:
        return ""
    shown = f"{round(fraction * 100, 2):g}"
    pattern = "#,##0" + ("." + "0" * len(shown.split(".")[1]) if "." in shown else "")
    pattern += "%" if language == "en" else "\u00a0%"
    return format_decimal(Decimal(shown) / 100, format=pattern, locale=locale_of(language))


def approximate_percent(fraction: float | None, language: str) -> str:
    """A coverage probability where a statement says "approximately": in whole percent.

    k = 2 with a normal distribution gives 95.45 % and k = 3 gives 99.73 %, which the GUM
    (6.3.3) and EA-4/02 (section 5, the statement in calibration certificates) state as
    approximately 95 % and 99 %: the whole percent below, as those conventional levels are.

    >>> approximate_percent(0.9545, "fi"), approximate_percent(0.95, "en")
    ('95\xa0%', '95%')
    >>> approximate_percent(0.9973, "sv"), approximate_percent(None, "fi")
    ('99\xa0%', '')
    """
    if fraction is None:
        return ""
    # The tolerance keeps a stored 0.95 (0.9499999... in binary) at 95 %.
    return percent(math.floor(fraction * 100 + 1e-9) / 100, language)


def day(value: date | str | None, language: str) -> str:
    """A date as the language writes it.

    >>> day("2026-11-27", "fi"), day(date(2026, 11, 27), "en")
    ('27.11.2026', '27 November 2026')
    """
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_date(value, DATE_PATTERNS[language], locale=locale_of(language))


def unit(symbol: str | None) -> str:
    """The printed form of a unit code, in the lab's notation: ``um`` -> ``µm``."""
    if not symbol:
        return ""
    return units.symbol(symbol)


def money(amount: str | Decimal | None, language: str) -> str:
    """Euros, e.g. ``1 234,50 €`` in Finnish.

    >>> money("1234.5", "fi")
    '1\\xa0234,50\\xa0€'
    """
    if amount is None:
        return ""
    return format_currency(Decimal(str(amount)), "EUR", locale=locale_of(language))
