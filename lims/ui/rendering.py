"""Templates of the web UI in the reader's language, with Babel's number and date formats.

One Jinja environment per interface language, built once: the gettext catalog of the
``ui`` domain is installed into it (new-style gettext, so ``_("%(n)s items", n=3)``
escapes and formats safely), and the format filters know the locale.  Finnish pages get
Finnish numbers and dates (``1 234,5``, ``27.11.2026``) from Babel, never from string code.
"""

import math
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from babel.core import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape

from lims import i18n, labels, units
from lims.jobs import points
from lims.methods.cmc import written
from lims.migrations import PROJECT_ROOT
from lims.uncertainty.reporting import format_coverage_factor

TEMPLATE_DIR = PROJECT_ROOT / "templates" / "ui"
#: Babel locale of each interface language; British English writes 27 Nov 2026, which no
#: reader can take for 11 Feb.
LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB", "et": "et_EE"}
#: Each interface language in its own words, as the language switch offers it.
LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English", "et": "Eesti keeles"}
FALLBACK_LANGUAGE = "en"
#: What a page shows for a value that is not there (an en dash, as in printed tables).
MISSING = "\u2013"


def interface_language(language: str | None) -> str:
    """The UI speaks Finnish, Swedish, English and Estonian; any other preference reads
    English."""
    return language if language in i18n.UI_LANGUAGES else FALLBACK_LANGUAGE


def _significant(value: float, digits: int) -> Decimal:
    # Round to significant digits first so a float's binary tail (0.30000000000000004)
    # never reaches the page, then keep every remaining decimal (no locale rounding).
    # A negative zero (a sensitivity of -0.0) reads as plain 0.
    return Decimal(f"{value:.{digits}g}") if value else Decimal(0)


class _WithCmc(Protocol):
    cmc: str
    result_unit: str
    size_unit: str


class Formats:
    """The format filters of one locale and time zone."""

    def __init__(self, language: str, timezone: str) -> None:
        self.locale = LOCALES[language]
        self.zone = ZoneInfo(timezone)
        # Babel writes a hyphen-minus whatever the locale; Finnish and Swedish write U+2212.
        self.minus = Locale.parse(self.locale).number_symbols["latn"]["minusSign"]

    def number(self, value: float | Decimal | None, digits: int = 6) -> str:
        """A measured value to ``digits`` significant digits: 0,0000115 or 1 234,5, and a
        negative one with the language's minus sign.

        >>> Formats("fi", "UTC").number(-2) == "\\u22122", Formats("en", "UTC").number(-2)
        (True, '-2')
        """
        if value is None:
            return MISSING
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        text = format_decimal(
            _significant(float(value), digits), locale=self.locale, decimal_quantization=False
        )
        return self.minus + text[1:] if text.startswith("-") else text

    def coverage_factor(self, value: float | None) -> str:
        """k as every statement prints it, to two decimals (never 2,00009).

        >>> finnish, english = Formats("fi", "UTC"), Formats("en", "UTC")
        >>> finnish.coverage_factor(2.00009), english.coverage_factor(2.9157)
        ('2,00', '2.92')
        """
        if value is None:
            return MISSING
        return format_decimal(
            Decimal(format_coverage_factor(value)), format="#,##0.00", locale=self.locale
        )

    def cmc(self, method: _WithCmc) -> str:
        """A method's CMC as the scope writes it: (6 + 0,01·L/mm) µm."""
        return written(
            method.cmc,
            result_unit=method.result_unit,
            size_unit=method.size_unit,
            locale=self.locale,
        )

    def money(self, value: Decimal | None) -> str:
        if value is None:
            return MISSING
        return format_decimal(value, format="#,##0.00", locale=self.locale) + "\u00a0€"

    def day(self, value: date | None) -> str:
        if value is None:
            return MISSING
        return format_date(value, format="medium", locale=self.locale)

    def moment(self, value: datetime | None) -> str:
        if value is None:
            return MISSING
        return format_datetime(value, format="short", tzinfo=self.zone, locale=self.locale)


@lru_cache(maxsize=8)
def environment(language: str, timezone: str) -> Environment:
    """The environment of one interface language (cached: building one compiles nothing,
    but the catalog and the template cache are worth keeping)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        i18n.translations("ui", language), newstyle=True
    )
    formats = Formats(language, timezone)
    env.filters.update(
        number=formats.number,
        coverage_factor=formats.coverage_factor,
        cmc=formats.cmc,
        money=formats.money,
        day=formats.day,
        moment=formats.moment,
        unit=_unit,
    )
    translations = i18n.translations("ui", language)

    def label(group: str, value: object) -> str:
        """An enumerated value (a status, a kind, a role) in the reader's words."""
        if value is None:
            return MISSING
        text = labels.LABELS.get(group, {}).get(str(value))
        if text:
            return translations.gettext(text)
        return str(value).replace("_", " ") if group in labels.OPEN_GROUPS else str(value)

    def point_name(point: object) -> str:
        """A calibration point's label as the reader writes it (lims.jobs.points)."""
        return points.reader_label(
            point, lambda size, unit: f"{formats.number(size)} {_unit(unit)}"
        )

    env.globals.update(label=label, language=language, point_name=point_name)
    # The same as a filter, for map(): kinds | map("labelled", "equipment_kind").
    env.filters["labelled"] = lambda value, group: label(group, value)
    return env


def _unit(code: str | None) -> str:
    """A unit in the lab's notation (``um`` -> ``µm``); nothing for no unit."""
    return units.symbol(code) if code else ""


def render(template: str, *, language: str, timezone: str, **context: Any) -> str:
    return environment(language, timezone).get_template(template).render(**context)
