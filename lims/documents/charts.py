"""Charts for certificates and reports, as SVG to embed as an ``img`` data URI.

Figures are made with matplotlib's object API (no pyplot), which keeps no global state and so
is safe in a server's worker threads.  Wording comes from the caller's catalog through
``translate`` (gettext); the English message ids are marked with ``N_`` for extraction
(``pybabel extract -k N_``) and listed in ``MESSAGES``.  Tick labels are formatted by Babel in
the document's locale, so a Finnish chart has a decimal comma.  Text stays text in the SVG
(not glyph outlines): it can be selected and searched in the PDF.
"""

import io
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib
from babel.numbers import format_decimal
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from lims import units
from lims.i18n import N_

Translate = Callable[[str], str]


NOMINAL_SIZE = N_("Nominal size")
ERROR_OF_INDICATION = N_("Error of indication")
PERMISSIBLE_ERROR = N_("Permissible error")
OUTSIDE_PERMISSIBLE_ERROR = N_("Outside the permissible error")
MEASURED_VALUE = N_("Measured value")
DEVIATION_FROM_NOMINAL = N_("Deviation from nominal")
#: A calibration's values as its method says they are (lims.methods.models.ResultQuantity).
QUANTITY_LABELS = {
    "error_of_indication": ERROR_OF_INDICATION,
    "deviation": DEVIATION_FROM_NOMINAL,
    "measured_value": MEASURED_VALUE,
}
RELATIVE_POSITION = N_("Position in the tolerance (limits at -1 and +1)")
TOLERANCE = N_("Tolerance")
OUT_OF_TOLERANCE = N_("Out of tolerance")
NOTHING_TO_PLOT = N_("Nothing to plot")
MESSAGES = (
    NOMINAL_SIZE,
    ERROR_OF_INDICATION,
    PERMISSIBLE_ERROR,
    OUTSIDE_PERMISSIBLE_ERROR,
    MEASURED_VALUE,
    DEVIATION_FROM_NOMINAL,
    RELATIVE_POSITION,
    TOLERANCE,
    OUT_OF_TOLERANCE,
    NOTHING_TO_PLOT,
)
# SVG group ids (matplotlib ``gid``) of the points beyond their limits, for tests and styling.
OUTSIDE_GID = "points-outside"
INSIDE_STYLE: dict[str, Any] = {"fmt": "o", "color": "tab:blue", "capsize": 4}
OUTSIDE_STYLE: dict[str, Any] = {"fmt": "X", "color": "tab:red", "capsize": 4, "markersize": 9}
# rcParams are global: the SVG options below are set around each save under this lock, so two
# charts saved at once cannot restore each other's settings half way.
_SVG_LOCK = threading.Lock()


def errors_of_indication_chart(
    points: Sequence[Mapping[str, Any]],
    *,
    unit: str,
    nominal_unit: str,
    translate: Translate,
    locale: str,
    quantity: str = "error_of_indication",
) -> bytes:
    """Errors of indication (or deviations, as ``quantity`` says the points' values are)
    against nominal size, with U as error bars and the permissible
    error (each point's lower and upper limit, which may change with size) as boundaries.

    Points beyond a limit are drawn as red crosses, grouped under the SVG id ``OUTSIDE_GID``.
    ``points`` are result dicts (``nominal``, ``value``, ``expanded_uncertainty``,
    ``lower_limit``, ``upper_limit``); those without a nominal are left out.
    """
    points = sorted((p for p in points if p.get("nominal") is not None), key=_nominal)
    if not points:
        return _empty(translate)
    figure = Figure(figsize=(7, 3.5))
    axes = figure.subplots()
    nominals = [p["nominal"] for p in points]
    for limit in ("lower_limit", "upper_limit"):
        axes.plot(
            nominals,
            [math.nan if p.get(limit) is None else p[limit] for p in points],
            drawstyle="steps-mid",
            marker="_",
            markersize=12,
            linestyle="--",
            color="tab:red",
            label=translate(PERMISSIBLE_ERROR) if limit == "upper_limit" else None,
        )
    axes.axhline(0, linewidth=0.8, color="grey")
    outside = [_beyond(p["value"], p.get("lower_limit"), p.get("upper_limit")) for p in points]
    value_label = translate(QUANTITY_LABELS.get(quantity, ERROR_OF_INDICATION))
    _errorbars(axes, nominals, points, outside, value_label)
    _errorbars(axes, nominals, points, outside, translate(OUTSIDE_PERMISSIBLE_ERROR), True)
    axes.set_xlabel(f"{translate(NOMINAL_SIZE)} ({_unit(nominal_unit)})")
    axes.set_ylabel(f"{value_label} ({_unit(unit)})")
    _locale_ticks(axes, locale)
    _legend(axes)
    return _svg(figure)


def deviation_chart(
    rows: Sequence[Mapping[str, Any]], *, translate: Translate, locale: str
) -> bytes:
    """B1 product characteristics side by side, each on the scale of its own tolerance.

    Characteristics differ in unit and tolerance, so each is shown as its position in the
    tolerance: (value - middle) / (half the tolerance width), with U on the same scale; the
    tolerance band is then -1..+1 for every characteristic.  One-sided tolerances (e.g.
    flatness <= 0.05) are scaled by the distance from the nominal (0 when there is none) to
    the one limit, which then sits at +1 (upper) or -1 (lower) and the band stays open on the
    other side.  Rows without any limit, or whose one limit does not lie beyond the nominal,
    are left out.  Rows are result dicts (``label``, ``value``, ``nominal``, ``lower_limit``,
    ``upper_limit``, ``expanded_uncertainty``).
    """
    scaled = [(row, scale) for row in rows if (scale := _tolerance_scale(row)) is not None]
    if not scaled:
        return _empty(translate)
    positions = [(row["value"] - middle) / half for row, (middle, half) in scaled]
    bars = [(row.get("expanded_uncertainty") or 0.0) / half for row, (_, half) in scaled]
    low = min(-1.0, *(p - u for p, u in zip(positions, bars, strict=True))) - 0.25
    high = max(1.0, *(p + u for p, u in zip(positions, bars, strict=True))) + 0.25
    figure = Figure(figsize=(7, 3.5))
    axes = figure.subplots()
    for index, (row, _) in enumerate(scaled):
        bottom = -1.0 if row.get("lower_limit") is not None else low
        top = 1.0 if row.get("upper_limit") is not None else high
        axes.fill_between(
            [index - 0.4, index + 0.4],
            bottom,
            top,
            color="tab:green",
            alpha=0.15,
            linewidth=0,
            label=translate(TOLERANCE) if index == 0 else None,
        )
    axes.axhline(0, linewidth=0.8, color="grey")
    outside = [not -1.0 <= position <= 1.0 for position in positions]
    indices = list(range(len(scaled)))
    relative = [
        {"value": p, "expanded_uncertainty": u} for p, u in zip(positions, bars, strict=True)
    ]
    _errorbars(axes, indices, relative, outside, translate(MEASURED_VALUE))
    _errorbars(axes, indices, relative, outside, translate(OUT_OF_TOLERANCE), True)
    axes.set_xticks(indices, [row["label"] for row, _ in scaled])
    axes.set_xlim(-0.6, len(scaled) - 0.4)
    axes.set_ylim(low, high)
    axes.set_ylabel(translate(RELATIVE_POSITION))
    _locale_ticks(axes, locale, x=False)
    _legend(axes)
    return _svg(figure)


def _tolerance_scale(row: Mapping[str, Any]) -> tuple[float, float] | None:
    """(middle, half width) of the row's tolerance, or None when it cannot be scaled."""
    lower, upper = row.get("lower_limit"), row.get("upper_limit")
    reference = row.get("nominal") or 0.0
    if lower is not None and upper is not None:
        middle, half = (lower + upper) / 2, (upper - lower) / 2
    elif upper is not None:
        middle, half = reference, upper - reference
    elif lower is not None:
        middle, half = reference, reference - lower
    else:
        return None
    return (middle, half) if half > 0 else None


def _errorbars(
    axes: Axes,
    xs: Sequence[float],
    points: Sequence[Mapping[str, Any]],
    outside: Sequence[bool],
    label: str,
    beyond: bool = False,
) -> None:
    """The points on one side of their limits, with their U as error bars."""
    chosen = [i for i, flag in enumerate(outside) if flag == beyond]
    if not chosen:
        return
    bars = axes.errorbar(
        [xs[i] for i in chosen],
        [points[i]["value"] for i in chosen],
        yerr=[points[i].get("expanded_uncertainty") or 0.0 for i in chosen],
        label=label,
        **(OUTSIDE_STYLE if beyond else INSIDE_STYLE),
    )
    if beyond:
        bars.lines[0].set_gid(OUTSIDE_GID)


def _beyond(value: float, lower: float | None, upper: float | None) -> bool:
    return (lower is not None and value < lower) or (upper is not None and value > upper)


def _nominal(point: Mapping[str, Any]) -> float:
    return float(point["nominal"])


def _unit(unit: str) -> str:
    return units.symbol(unit)


def _legend(axes: Axes) -> None:
    # Beside the plot, so that it never hides a point or a limit.
    axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))


def _locale_ticks(axes: Axes, locale: str, *, x: bool = True) -> None:
    def number(value: float, _position: int) -> str:
        # Rounding hides float noise (0.30000000000000004); adding 0.0 turns -0.0 into 0.0.
        return format_decimal(round(value, 10) + 0.0, locale=locale, decimal_quantization=False)

    axes.yaxis.set_major_formatter(FuncFormatter(number))
    if x:
        axes.xaxis.set_major_formatter(FuncFormatter(number))


def _empty(translate: Translate) -> bytes:
    figure = Figure(figsize=(4, 1))
    axes = figure.subplots()
    axes.text(
        0.5, 0.5, translate(NOTHING_TO_PLOT), ha="center", va="center", transform=axes.transAxes
    )
    axes.set_axis_off()
    return _svg(figure)


def _svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    # fonttype "none" keeps text as text; a fixed hash salt and no date make the same chart
    # give the same bytes, as issued documents are stored by their hash.
    with (
        _SVG_LOCK,
        matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "lims-documents"}),
    ):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()
