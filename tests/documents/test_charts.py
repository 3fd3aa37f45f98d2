"""Charts for documents: SVG with text kept as text, locale numbers, marked outliers, wording."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.messages.extract import extract_from_file
from lxml import etree

from lims.documents import charts
from lims.documents.charts import MESSAGES, OUTSIDE_GID, deviation_chart, errors_of_indication_chart

SVG = "{http://www.w3.org/2000/svg}"


def calibration_point(nominal: float, value: float, mpe: float) -> dict[str, Any]:
    return {
        "label": f"{nominal:g} mm",
        "kind": "calibration_point",
        "nominal": nominal,
        "nominal_unit": "mm",
        "value": value,
        "unit": "um",
        "expanded_uncertainty": 0.3,
        "lower_limit": -mpe,
        "upper_limit": mpe,
    }


# The permissible error widens with size; the 20 mm point lies beyond its -1 µm limit.
POINTS = [
    calibration_point(0.0, 0.2, 1.0),
    calibration_point(10.0, -0.4, 1.0),
    calibration_point(20.0, -1.2, 1.0),
    calibration_point(25.0, 0.6, 1.5),
]


def product_row(label: str, value: float, lower: float | None, upper: float | None) -> dict:
    return {
        "label": label,
        "kind": "size",
        "nominal": 20.0 if lower is not None else None,
        "value": value,
        "unit": "mm",
        "expanded_uncertainty": 0.005,
        "lower_limit": lower,
        "upper_limit": upper,
    }


def chart_of(points: list[dict[str, Any]], **options: Any) -> etree._Element:
    options = {"translate": str, "locale": "en", **options}
    svg = errors_of_indication_chart(points, unit="um", nominal_unit="mm", **options)
    return etree.fromstring(svg)


def texts(root: etree._Element, group_prefix: str = "") -> list[str]:
    """The text of every <text> (under groups whose id starts with ``group_prefix``)."""
    groups = [g for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith(group_prefix)]
    scope = groups if group_prefix else [root]
    return ["".join(t.itertext()) for group in scope for t in group.iter(f"{SVG}text")]


def outside_markers(root: etree._Element) -> int:
    groups = [g for g in root.iter(f"{SVG}g") if g.get("id") == OUTSIDE_GID]
    return sum(1 for group in groups for _ in group.iter(f"{SVG}use"))


def test_the_chart_is_svg_with_its_text_as_text() -> None:
    root = chart_of(POINTS)

    assert root.tag == f"{SVG}svg"
    assert "Error of indication (µm)" in texts(root)
    assert "Nominal size (mm)" in texts(root)


def test_finnish_tick_labels_have_a_decimal_comma() -> None:
    ticks = texts(chart_of(POINTS, locale="fi"), "ytick_")

    assert "0,5" in ticks
    assert not any("." in tick for tick in ticks)


def test_english_tick_labels_have_a_decimal_point() -> None:
    ticks = texts(chart_of(POINTS, locale="en"), "ytick_")

    assert "0.5" in ticks
    assert not any("," in tick for tick in ticks)


def test_a_point_beyond_the_permissible_error_is_marked() -> None:
    root = chart_of(POINTS)

    assert outside_markers(root) == 1
    assert "Outside the permissible error" in texts(root)


def test_points_within_the_permissible_error_are_not_marked() -> None:
    inside = [p for p in POINTS if p["nominal"] != 20.0]

    root = chart_of(inside)

    assert outside_markers(root) == 0
    assert "Outside the permissible error" not in texts(root)


def test_the_wording_comes_from_the_translation() -> None:
    words = texts(chart_of(POINTS, translate=str.upper))

    assert "NOMINAL SIZE (mm)" in words
    assert "ERROR OF INDICATION (µm)" in words
    assert "PERMISSIBLE ERROR" in words
    assert "Nominal size (mm)" not in words


def test_every_message_a_chart_asks_for_is_listed() -> None:
    asked: list[str] = []

    def recording(message: str) -> str:
        asked.append(message)
        return message

    chart_of(POINTS, translate=recording)
    deviation_chart([product_row("A", 20.2, 19.9, 20.1)], translate=recording, locale="fi")
    deviation_chart([], translate=recording, locale="fi")

    assert asked
    assert set(asked) <= set(MESSAGES)


def test_babel_extraction_with_keyword_n_finds_every_message() -> None:
    source = Path(charts.__file__)

    found = {message for _, message, _, _ in extract_from_file("python", source, {"N_": None})}

    assert found == set(MESSAGES)


def test_characteristics_are_compared_on_the_scale_of_their_own_tolerance() -> None:
    rows = [
        # asymmetric tolerance 19.90..20.05: 20.04 is inside, 20.06 beyond
        product_row("⌀20 a", 20.04, 19.90, 20.05),
        product_row("⌀20 b", 20.06, 19.90, 20.05),
        # one-sided (flatness <= 0.05 from 0): 0.04 inside, 0.07 beyond
        product_row("flatness a", 0.04, None, 0.05),
        product_row("flatness b", 0.07, None, 0.05),
    ]

    root = etree.fromstring(deviation_chart(rows, translate=str, locale="fi"))

    assert texts(root, "xtick_") == ["⌀20 a", "⌀20 b", "flatness a", "flatness b"]
    assert outside_markers(root) == 2
    assert "Tolerance" in texts(root)
    assert not any("." in tick for tick in texts(root, "ytick_"))


def test_a_characteristic_without_limits_is_left_out() -> None:
    rows = [product_row("A", 20.0, 19.9, 20.1), product_row("no limits", 3.0, None, None)]

    root = etree.fromstring(deviation_chart(rows, translate=str, locale="en"))

    assert texts(root, "xtick_") == ["A"]


def test_nothing_to_plot_is_said_in_the_document_language() -> None:
    translate: Callable[[str], str] = str.upper

    root = etree.fromstring(deviation_chart([], translate=translate, locale="fi"))

    assert texts(root) == ["NOTHING TO PLOT"]
