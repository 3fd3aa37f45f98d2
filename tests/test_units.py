"""The product's units (lims/units.py) against published facts, and its refusals.

Sources: NIST SP 811 (2008), "Guide for the Use of the International System of Units",
appendix B.8 (1 in = 2.54 cm exactly, from the 1959 international yard and pound agreement);
the SI Brochure, 9th edition (2019), table 4 (1° = (π/180) rad,
1 arcsec = (1/60) arcmin = (π/648 000) rad; 0 °C = 273.15 K, and a temperature difference
of 1 °C equals one of 1 K).
"""

import math
import subprocess
import sys

import pytest

from lims.errors import InvalidInput
from lims.units import convert, convert_interval, factors, is_unit, same_dimension, symbol


def test_one_arcsecond_is_pi_over_648000_radian() -> None:
    # SI Brochure 9th ed., table 4.
    radians = convert(1.0, from_unit="arcsec", to_unit="rad", what="the angle")
    assert radians == pytest.approx(math.pi / 648_000, rel=1e-15)


def test_one_millimetre_per_metre_is_one_milliradian_is_206_264_806_arcseconds() -> None:
    # 1 mrad = (648 000 / π) / 1000 arcsec = 206.264 806 247… arcsec.
    assert convert(1.0, from_unit="mm/m", to_unit="mrad", what="the slope") == pytest.approx(1.0)
    arcsec = convert(1.0, from_unit="mm/m", to_unit="arcsec", what="the slope")
    assert arcsec == pytest.approx(648_000 / math.pi / 1000, rel=1e-15)
    assert round(arcsec, 6) == 206.264806


def test_one_inch_is_25_4_millimetres_exactly() -> None:
    # NIST SP 811 B.8; the 1959 international yard and pound agreement.
    assert convert(1.0, from_unit="in", to_unit="mm", what="the size") == 25.4


def test_one_degree_is_3600_arcseconds() -> None:
    assert convert(1.0, from_unit="°", to_unit="arcsec", what="the angle") == pytest.approx(3600)


def test_the_micro_sign_the_greek_mu_and_u_are_the_same_micrometre() -> None:
    for spelling in ("um", "µm", "μm"):  # u, U+00B5 micro sign, U+03BC Greek small mu
        assert convert(2.0, from_unit="mm", to_unit=spelling, what="the MPE") == 2000.0
        assert symbol(spelling) == "µm"


def test_the_labs_notation_is_the_display_symbol() -> None:
    assert symbol("degC") == "°C"
    assert symbol("deg") == "°"
    assert symbol("N*m") == symbol("N·m") == "N·m"
    assert symbol("%RH") == "% RH"
    assert symbol("kPa") == "kPa"


def test_an_absolute_celsius_temperature_converts_with_the_offset() -> None:
    # SI Brochure: T/K = t/°C + 273.15.
    assert convert(20.0, from_unit="°C", to_unit="K", what="the temperature") == 293.15
    assert convert(293.15, from_unit="K", to_unit="degC", what="t") == pytest.approx(20.0)


def test_a_temperature_difference_in_kelvin_equals_one_in_celsius() -> None:
    assert convert(0.5, from_unit="K", to_unit="delta_degC", what="the deviation") == 0.5
    assert convert(0.5, from_unit="Δ°C", to_unit="K", what="the deviation") == 0.5


def test_an_uncertainty_in_celsius_converts_without_the_offset() -> None:
    assert convert_interval(0.05, from_unit="°C", to_unit="K", what="U") == 0.05
    assert convert_interval(0.05, from_unit="K", to_unit="degC", what="U") == 0.05


def test_an_absolute_celsius_temperature_is_not_silently_a_difference() -> None:
    with pytest.raises(InvalidInput, match="°C, which cannot be expressed in Δ°C"):
        convert(20.0, from_unit="degC", to_unit="delta_degC", what="the reading")


def test_a_coefficient_per_kelvin_and_a_pure_number_are_units() -> None:
    assert convert(11.5e-6, from_unit="1/K", to_unit="1/delta_degC", what="alpha") == 11.5e-6
    assert symbol("1/K") == "1/K"
    assert symbol("1") == "1"
    assert same_dimension("1", "mm/m")


def test_nm_is_a_nanometre_and_capital_nm_the_labs_newton_metre() -> None:
    assert convert(1.0, from_unit="nm", to_unit="um", what="x") == pytest.approx(0.001)
    assert convert(1.0, from_unit="Nm", to_unit="N·m", what="M") == 1.0
    assert symbol("Nm") == "N·m"


def test_factors_name_prefix_unit_and_power() -> None:
    assert factors("kN*m/s**2") == [("kilo", "newton", 1), ("", "meter", 1), ("", "second", -2)]
    assert factors("µm") == [("micro", "meter", 1)]
    assert factors("1") == []


def test_force_pressure_torque_and_mass_convert() -> None:
    assert convert(1.0, from_unit="kN", to_unit="N", what="F") == 1000.0
    assert convert(1.0, from_unit="kPa", to_unit="Pa", what="p") == 1000.0
    assert convert(1.0, from_unit="N·m", to_unit="N*m", what="M") == 1.0
    assert convert(1.0, from_unit="kg", to_unit="g", what="m") == 1000.0


def test_an_angle_in_a_length_unit_is_refused_naming_both_units() -> None:
    with pytest.raises(InvalidInput, match="the value is in °, which cannot be expressed in µm"):
        convert(1.0, from_unit="deg", to_unit="um", what="the value", location=("unit",))


def test_mass_in_a_force_unit_is_refused_naming_both_units() -> None:
    with pytest.raises(InvalidInput, match="kg, which cannot be expressed in N"):
        convert(1.0, from_unit="kg", to_unit="N", what="the load")


def test_relative_humidity_is_not_an_angle() -> None:
    assert not same_dimension("%RH", "deg")
    with pytest.raises(InvalidInput, match="% RH, which cannot be expressed in °"):
        convert(45.0, from_unit="%RH", to_unit="deg", what="the humidity")


def test_a_value_in_the_unit_asked_for_is_kept_even_in_a_unit_pint_does_not_know() -> None:
    # e.g. an inspection's Rockwell hardness: nothing to convert, nothing to refuse.
    assert convert(45.0, from_unit="HRC", to_unit="HRC", what="the hardness") == 45.0


def test_same_dimension() -> None:
    assert same_dimension("mm", "µm")
    assert same_dimension("mm/m", "arcsec")
    assert same_dimension("°C", "K")
    assert not same_dimension("mm", "deg")
    assert not same_dimension("mm", "no such unit")


def test_an_unknown_unit_is_refused_naming_it() -> None:
    with pytest.raises(InvalidInput, match="'wibbles' is not a unit") as caught:
        convert(1.0, from_unit="wibbles", to_unit="mm", what="x", location=("u",))
    assert caught.value.location == ("u",)


@pytest.mark.parametrize("text", ["", "1/0", "2*mm", "m**999999999", "mm)", "nan", "m*"])
def test_arithmetic_and_numbers_are_not_units(text: str) -> None:
    assert not is_unit(text)


def test_the_units_are_pure() -> None:
    # Babel is missing here: pint itself imports it for its locale formats; it is no database,
    # web or template code.
    forbidden = ("sqlalchemy", "sqlmodel", "fastapi", "starlette", "jinja2", "typer", "lims.db")
    code = (
        "import sys, lims.units; "
        f"print(sorted(m for m in sys.modules if {{m, m.split('.')[0]}} & set({forbidden!r})))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def test_documents_and_charts_print_units_in_the_labs_notation() -> None:
    from lims.documents import charts, formatting

    assert [formatting.unit(code) for code in ("um", "degC", "deg", "ohm", "%RH")] == [
        "µm",
        "°C",
        "°",
        "Ω",
        "% RH",
    ]
    assert formatting.unit("N*m") == charts._unit("N*m") == "N·m"
    assert formatting.unit("furlong-ish") == "furlong-ish"  # an unknown text printed as given
