"""Units of measurement: one pint registry for the whole product.

Every place that takes a unit (specifications, readings, certificates, CMC, models, imports)
parses it here, so "um", "µm" (micro sign) and "μm" (Greek mu) are one unit, an MPE in mm
limits a result in µm, and an angle never passes for a length.  Pure: no database or web code.

Angles follow the SI: the radian is a dimensionless derived unit, so an angle converts to and
from a ratio of lengths (1 mm/m = 1 mrad) and a percentage.  Relative humidity is a dimension
of its own (``%RH``), so a humidity reading never turns into an angle.

Temperatures are absolute or differences, and the unit says which:

* ``degC`` / ``°C`` is a temperature on the Celsius scale (an ambient reading, a nominal),
  converted to kelvin with the offset: 20 °C = 293.15 K.
* ``delta_degC`` / ``Δ°C`` is a temperature difference (a deviation, an MPE, an uncertainty);
  1 Δ°C = 1 K.  A reading in °C never silently becomes a difference: that is refused.
* ``K`` serves both, because its zero is absolute zero and its step is the Celsius degree.

Intervals (uncertainties, MPEs, widths) convert with :func:`convert_interval`, which treats a
°C value as a difference, so U = 0.05 °C stays 0.05 K and does not gain 273.15.
"""

import re
from collections.abc import Sequence
from functools import lru_cache

import pint

from lims.errors import InvalidInput

REGISTRY: pint.UnitRegistry = pint.UnitRegistry()
REGISTRY.define("percent_RH = [relative_humidity] = %RH")

# The lab's spellings pint does not read as they are.
# "Nm" is the lab's newton metre; pint would read it as an obscure "number_meter".
_SPELLINGS = {
    "%RH": "percent_RH",
    "% RH": "percent_RH",
    "Δ°C": "delta_degC",
    "Nm": "N*m",
    "‰": "permille",
}
# How the lab writes a unit where pint's own short form differs (µm and N/mm² are pint's too).
_LAB_SYMBOLS = {
    "degree": "°",
    "degree_Celsius": "°C",
    "delta_degree_Celsius": "Δ°C",
    "meter * newton": "N·m",
    "percent_RH": "% RH",
}
# A Celsius value taken as an interval is a difference of Celsius temperatures.
_AS_DIFFERENCE = {"degree_Celsius": "delta_degC"}
# Names with small powers joined by * · / or a space, or a leading 1 (1/K, or 1 for a pure
# number): pint's parser evaluates arithmetic, so only the shapes of unit symbols reach it
# (no other numbers, no brackets or huge powers).
_TERM = r"[A-Za-zµμ°ΩΔ%_]+(?:(?:\*\*|\^)-?[1-4]|[²³])?"
_NOTATION = re.compile(rf"(?:1|{_TERM})(?:\s*[*·/ ]\s*{_TERM})*")


def _pint_text(unit: str) -> str:
    text = _SPELLINGS.get(unit.strip(), unit.strip())
    if not _NOTATION.fullmatch(text):
        raise ValueError(unit)
    return text


@lru_cache(maxsize=512)
def _parse(unit: str) -> pint.Unit:
    return REGISTRY.Unit(_pint_text(unit))


def parse(unit: str, *, location: Sequence[str | int] = ()) -> pint.Unit:
    """The unit ``unit`` names, or an InvalidInput saying it is not one the product knows."""
    try:
        return _parse(unit)
    except (pint.PintError, ValueError, AttributeError):
        raise InvalidInput(
            "'%(unit)s' is not a unit (write e.g. µm, mm, mm/m, arcsec, °C, N·m, kPa)",
            code="units.unit_write_e_g_m",
            unit=unit,
            location=location,
        ) from None


def is_unit(unit: str) -> bool:
    try:
        _parse(unit)
    except (pint.PintError, ValueError, AttributeError):
        return False
    return True


def symbol(unit: str) -> str:
    """The unit in the lab's notation: ``um`` -> ``µm``, ``degC`` -> ``°C``; an unknown text
    as it is, so a message can still name what was given."""
    if not is_unit(unit):
        return unit
    parsed = _parse(unit)
    return _LAB_SYMBOLS.get(str(parsed), f"{parsed:~P}" or "1")


def factors(unit: str) -> list[tuple[str, str, int]]:
    """The unit as (prefix, unit name, power) factors in pint's names, for writing it in
    another system's words (the DCC's D-SI): ``kN*m/s**2`` -> kilo newton, meter, second^-2.
    """
    parse(unit)
    container = REGISTRY.parse_units_as_container(_pint_text(unit))
    found = []
    for name, power in container.items():
        prefix, base, _suffix = REGISTRY.parse_unit_name(name)[0]
        if not isinstance(power, int):  # the notation admits whole powers only (_TERM)
            raise InvalidInput(
                "'%(unit)s' has a power that is not a whole number",
                code="units.has_power_whole_number",
                unit=unit,
            )
        found.append((prefix, base, power))
    return found


def same_dimension(a: str, b: str) -> bool:
    """Whether values in ``a`` can be expressed in ``b`` (both units known)."""
    if not (is_unit(a) and is_unit(b)):
        return False
    return bool(_parse(a).dimensionality == _parse(b).dimensionality)


def convert(
    value: float,
    *,
    from_unit: str,
    to_unit: str,
    what: str,
    location: Sequence[str | int] = (),
) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit``; an absolute °C converts with its
    offset.  Incompatible units are refused, naming both.

    >>> convert(2.0, from_unit="mm", to_unit="µm", what="the MPE")
    2000.0
    """
    if from_unit == to_unit:  # nothing to convert, even in a unit pint does not know (HRC)
        return value
    source, target = parse(from_unit, location=location), parse(to_unit, location=location)
    if source == target:
        return value
    try:
        return float(REGISTRY.Quantity(value, source).to(target).magnitude)
    except pint.PintError:
        raise InvalidInput(
            "%(what)s is in %(unit)s, which cannot be expressed in %(target_unit)s",
            code="units.cannot_be_expressed",
            what=what,
            unit=symbol(from_unit),
            target_unit=symbol(to_unit),
            location=location,
        ) from None


def convert_interval(
    value: float,
    *,
    from_unit: str,
    to_unit: str,
    what: str,
    location: Sequence[str | int] = (),
) -> float:
    """An interval (an uncertainty, an MPE, a width) in ``to_unit``: a value in °C is taken as
    a difference, so it converts without the offset (0.05 °C -> 0.05 K)."""
    source, target = (
        _AS_DIFFERENCE.get(str(parse(unit, location=location)), unit)
        for unit in (from_unit, to_unit)
    )
    try:
        return convert(value, from_unit=source, to_unit=target, what=what, location=location)
    except InvalidInput:
        raise InvalidInput(
            "%(what)s is in %(unit)s, which cannot be expressed in %(target_unit)s",
            code="units.cannot_be_expressed",
            what=what,
            unit=symbol(from_unit),
            target_unit=symbol(to_unit),
            location=location,
        ) from None
