"""Charts of a reference measurement and of a company's history, as SVG.

Figures are made with matplotlib's object API (no pyplot), which keeps no global state and
so is safe in a server's worker threads.  Labels are bilingual, Finnish first, as the
documents are.
"""

import io
from datetime import date
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from lims import i18n
from lims.labels import LABELS

NOTHING_YET = "Ei vertailuja vielä / No comparisons yet"


def _finnish_number(value: float, _position: int | None = None) -> str:
    """A tick in the Finnish notation, the chart's first language: 0,5 and a U+2212 minus."""
    return f"{value:g}".replace(".", ",").replace("-", "\u2212")


FINNISH_TICKS = FuncFormatter(_finnish_number)


def kind_words(kind: str) -> str:
    """A characteristic kind as the chart's labels are written, Finnish first: Halkaisija /
    Diameter (a kind the lab added reads with spaces for its underscores)."""
    english = LABELS["characteristic_kind"].get(kind)
    if english is None:
        return kind.replace("_", " ")
    return f"{i18n.gettext('ui', 'fi', english)} / {english}"


def deviation_chart(comparison: dict[str, Any]) -> bytes:
    """Per characteristic: the lab at 0 +- U(lab), the company at D +- U(company)."""
    rows = [row for row in comparison["characteristics"] if row["D"] is not None]
    figure = Figure(figsize=(7, 3.5))
    axes = figure.subplots()
    if not rows:
        return _empty(figure, axes)
    positions = list(range(len(rows)))
    shift = 0.15
    axes.errorbar(
        [p - shift for p in positions],
        [0.0] * len(rows),
        yerr=[row["lab"]["expanded_uncertainty"] or 0 for row in rows],
        fmt="s",
        capsize=4,
        label="Laboratorio / Laboratory (U)",
    )
    axes.errorbar(
        [p + shift for p in positions],
        [row["D"] for row in rows],
        yerr=[row["company"]["expanded_uncertainty"] or 0 for row in rows],
        fmt="o",
        capsize=4,
        label="Yritys / Company (U)",
    )
    axes.axhline(0, linewidth=0.8, color="grey")
    axes.set_xticks(positions, [f"{row['label']}\n({row['unit']})" for row in rows])
    axes.set_ylabel("Poikkeama / Deviation x - X")
    axes.set_title(f"Referenssimittaus / Reference measurement {comparison['job_number']}")
    axes.legend()
    return _svg(figure)


def en_chart(comparison: dict[str, Any]) -> bytes:
    """Per characteristic: En, with the limits +-1."""
    rows = [row for row in comparison["characteristics"] if row["En"] is not None]
    figure = Figure(figsize=(7, 3.5))
    axes = figure.subplots()
    if not rows:
        return _empty(figure, axes)
    positions = list(range(len(rows)))
    axes.bar(
        positions,
        [row["En"] for row in rows],
        color=["tab:blue" if abs(row["En"]) <= 1 else "tab:red" for row in rows],
    )
    _limits(axes)
    axes.set_xticks(positions, [row["label"] for row in rows])
    axes.set_ylabel("En")
    axes.set_title(f"En-luvut / En numbers {comparison['job_number']}")
    return _svg(figure)


def trend_chart(history: dict[str, Any]) -> bytes:
    """Over the years, per characteristic type and instrument: En above, deviation below."""
    figure = Figure(figsize=(7, 5))
    en_axes, deviation_axes = figure.subplots(2, 1, sharex=True)
    if not history["series"]:
        return _empty(figure, en_axes)
    for series in history["series"]:
        name = kind_words(series["characteristic_kind"]) + (
            f", {series['instrument']}" if series["instrument"] else ""
        )
        days = [date.fromisoformat(point["measured_on"]) for point in series["points"]]
        points = zip(days, series["points"], strict=True)
        en = [(day, point["En"]) for day, point in points if point["En"] is not None]
        if en:
            en_axes.plot(*zip(*en, strict=True), marker="o", label=name)
        deviation_axes.plot(days, [p["D"] for p in series["points"]], marker="o", label=name)
    _limits(en_axes)
    en_axes.set_ylabel("En")
    en_axes.set_title("Kehitys vuosittain / Trend over the years")
    en_axes.legend(fontsize="small")
    deviation_axes.axhline(0, linewidth=0.8, color="grey")
    deviation_axes.set_ylabel("Poikkeama / Deviation x - X")
    figure.autofmt_xdate()
    return _svg(figure)


def _limits(axes: Axes) -> None:
    for limit in (-1, 1):
        axes.axhline(limit, linestyle="--", color="tab:red", linewidth=1)
    axes.axhline(0, linewidth=0.8, color="grey")


def _empty(figure: Figure, axes: Axes) -> bytes:
    axes.text(0.5, 0.5, NOTHING_YET, ha="center", va="center", transform=axes.transAxes)
    axes.set_axis_off()
    return _svg(figure)


def _svg(figure: Figure) -> bytes:
    for axes in figure.axes:
        axes.yaxis.set_major_formatter(FINNISH_TICKS)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    return buffer.getvalue()
