"""The charts of an RR test, as SVG: components of variation, R and X-bar charts by operator,
measurements by part and by operator, the part x operator interaction; the run chart of a
type 1 study and the bias plot of a linearity study.

Figures are made with matplotlib's object API (no pyplot), which keeps no global state and
so is safe in a server's worker threads.  Labels are bilingual, Finnish first, as the
documents are.
"""

import io
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lims.errors import InvalidInput
from lims.training.rr.control_chart import constants_for
from lims.training.rr.layout import Study, crossed_study, nested_study
from lims.training.rr.linearity import reference_key
from lims.training.rr.schemas import RRRequest

CHARTS = {
    "crossed": ("components", "range", "mean", "by_part", "by_operator", "interaction"),
    "nested": ("components", "range", "mean", "by_part", "by_operator"),
    "type1": ("run",),
    "linearity": ("linearity",),
}
ALL_CHARTS = tuple(dict.fromkeys(name for names in CHARTS.values() for name in names))
SHOWN_COMPONENTS = (
    ("grr", "Gage R&R"),
    ("repeatability", "Toistettavuus\nRepeatability"),
    ("reproducibility", "Uusittavuus\nReproducibility"),
    ("part", "Kappaleet\nPart-to-part"),
)


def chart_names(design: str) -> tuple[str, ...]:
    return CHARTS[design]


def draw(request: RRRequest, response: dict[str, Any], name: str) -> bytes:
    """One chart of an evaluated study; ``response`` is :func:`evaluate_rr`'s answer."""
    if name not in CHARTS[request.design]:
        raise InvalidInput(
            "a %(design)s study has no %(name)s chart; it has %(names)s",
            code="training.study_has_chart_has",
            design=request.design,
            name=name,
            names=", ".join(CHARTS[request.design]),
            location=("chart",),
        )
    if request.design == "type1":
        return _run_chart(request, response)
    if request.design == "linearity":
        return _linearity_chart(request, response)
    study = (crossed_study if request.design == "crossed" else nested_study)(request.measurements)
    drawers = {
        "components": lambda: _components_chart(response),
        "range": lambda: _range_chart(study),
        "mean": lambda: _mean_chart(study),
        "by_part": lambda: _by_part_chart(study, nested=request.design == "nested"),
        "by_operator": lambda: _by_operator_chart(study),
        "interaction": lambda: _interaction_chart(study),
    }
    return drawers[name]()


def draw_all(request: RRRequest, response: dict[str, Any]) -> dict[str, bytes]:
    return {name: draw(request, response, name) for name in CHARTS[request.design]}


# -- gauge R&R ------------------------------------------------------------------------------


def _components_chart(response: dict[str, Any]) -> bytes:
    figure, axes = _figure()
    series = [
        ("percent_contribution", "% osuus / % Contribution"),
        ("percent_study_variation", "% tutkimushajonnasta / % Study Var"),
        ("percent_tolerance", "% toleranssista / % Tolerance"),
    ]
    shown = [(key, label) for key, label in series if response.get(key)]
    width = 0.8 / len(shown)
    positions = np.arange(len(SHOWN_COMPONENTS))
    for index, (key, label) in enumerate(shown):
        heights = [response[key][name] or 0.0 for name, _ in SHOWN_COMPONENTS]
        axes.bar(positions + (index - (len(shown) - 1) / 2) * width, heights, width, label=label)
    axes.set_xticks(positions, [label for _, label in SHOWN_COMPONENTS])
    axes.set_ylabel("%")
    axes.set_title("Vaihtelun komponentit / Components of variation")
    axes.legend(fontsize="small")
    return _svg(figure)


def _range_chart(study: Study) -> bytes:
    figure, axes = _figure()
    _by_operator_points(axes, study, np.ptp(study.values, axis=2))
    _limits(axes, *range_limits(study))
    axes.set_ylabel("Vaihteluväli / Range")
    axes.set_title("R-kortti mittaajittain / R chart by operator")
    return _svg(figure)


def range_limits(study: Study) -> tuple[float, float, float]:
    """The R chart's centre line R-double-bar, LCL_R and UCL_R; beyond the constants' table
    the limits are NaN and only the centre line is drawn."""
    rbar = float(np.ptp(study.values, axis=2).mean())
    constants = constants_for(study.values.shape[2])
    if constants is None:
        return rbar, np.nan, np.nan
    return rbar, constants.d3 * rbar, constants.d4 * rbar


def _mean_chart(study: Study) -> bytes:
    figure, axes = _figure()
    means = study.values.mean(axis=2)
    rbar = float(np.ptp(study.values, axis=2).mean())
    centre = float(means.mean())
    constants = constants_for(study.values.shape[2])
    _by_operator_points(axes, study, means)
    spread = (constants.a2 if constants else np.nan) * rbar
    _limits(axes, centre, centre - spread, centre + spread)
    axes.set_ylabel("Keskiarvo / Mean")
    axes.set_title("X̄-kortti mittaajittain / X̄ chart by operator")
    return _svg(figure)


def _by_part_chart(study: Study, *, nested: bool) -> bytes:
    figure, axes = _figure()
    parts, operators, _ = study.values.shape
    labels = (
        [f"{o}:{study.parts[j][i]}" for j, o in enumerate(study.operators) for i in range(parts)]
        if nested
        else list(study.part_labels)
    )
    columns = (
        [study.values[i, j, :] for j in range(operators) for i in range(parts)]
        if nested
        else [study.values[i, :, :].ravel() for i in range(parts)]
    )
    for position, column in enumerate(columns):
        axes.scatter([position] * column.size, column, s=12, color="tab:gray")
    axes.plot(range(len(columns)), [column.mean() for column in columns], marker="o")
    axes.set_xticks(range(len(columns)), labels, rotation=90 if nested else 0)
    axes.set_xlabel("Kappale / Part")
    axes.set_title("Tulokset kappaleittain / Measurements by part")
    return _svg(figure)


def _by_operator_chart(study: Study) -> bytes:
    figure, axes = _figure()
    columns = [study.values[:, j, :].ravel() for j in range(len(study.operators))]
    axes.boxplot(columns)
    axes.set_xticks(range(1, len(columns) + 1), list(study.operators))
    axes.set_xlabel("Mittaaja / Operator")
    axes.set_title("Tulokset mittaajittain / Measurements by operator")
    return _svg(figure)


def _interaction_chart(study: Study) -> bytes:
    figure, axes = _figure()
    means = study.values.mean(axis=2)
    for j, operator in enumerate(study.operators):
        axes.plot(range(means.shape[0]), means[:, j], marker="o", label=operator)
    axes.set_xticks(range(means.shape[0]), list(study.part_labels))
    axes.set_xlabel("Kappale / Part")
    axes.set_ylabel("Keskiarvo / Average")
    axes.set_title("Kappale x mittaaja / Part x operator interaction")
    axes.legend(title="Mittaaja / Operator", fontsize="small")
    return _svg(figure)


def _by_operator_points(axes: Axes, study: Study, points: np.ndarray) -> None:
    """Each operator's parts side by side, one block per operator."""
    parts = points.shape[0]
    for j, operator in enumerate(study.operators):
        positions = range(j * parts, (j + 1) * parts)
        axes.plot(positions, points[:, j], marker="o", color="tab:blue")
        axes.text((j + 0.5) * parts - 0.5, 0.97, operator, transform=axes.get_xaxis_transform(),
                  ha="center", va="top", fontweight="bold")  # fmt: skip
        if j:
            axes.axvline(j * parts - 0.5, color="grey", linewidth=0.8)
    axes.set_xticks([])
    axes.set_xlabel("Kappaleet mittaajittain / Parts by operator")


# -- type 1 and linearity -------------------------------------------------------------------


def _run_chart(request: RRRequest, response: dict[str, Any]) -> bytes:
    figure, axes = _figure()
    values = [m.value for m in request.measurements]
    reference = request.reference
    if reference is None:
        reference = next(m.reference for m in request.measurements if m.reference is not None)
    axes.plot(range(1, len(values) + 1), values, marker="o", label="Tulos / Reading")
    axes.axhline(reference, color="tab:green", label=f"Ref = {reference:g}")
    tolerance = response["conventions"]["tolerance"]
    if tolerance is not None:
        for limit in (reference - 0.1 * tolerance, reference + 0.1 * tolerance):
            axes.axhline(limit, color="tab:red", linestyle="--")
    axes.axhline(response["type1"]["mean"], color="grey", linewidth=0.8, label="Keskiarvo / Mean")
    axes.set_xlabel("Mittaus / Reading")
    axes.set_title("Tyypin 1 tutkimus / Type 1 gauge study (Ref ± 0.1 T)")
    axes.legend(fontsize="small")
    return _svg(figure)


def _linearity_chart(request: RRRequest, response: dict[str, Any]) -> bytes:
    figure, axes = _figure()
    block = response["linearity"]
    references = [float(m.reference) for m in request.measurements if m.reference is not None]
    biases = [m.value - float(m.reference) for m in request.measurements if m.reference is not None]
    axes.scatter(references, biases, s=12, color="tab:gray", label="Poikkeama / Bias")
    levels = sorted(set(references))
    axes.scatter(
        levels,
        [block["bias"][reference_key(level)] for level in levels],
        marker="s",
        color="tab:red",
        label="Keskimääräinen / Average bias",
    )
    line = np.array([min(levels), max(levels)])
    axes.plot(line, block["intercept"] + block["slope"] * line, label="Sovite / Fit")
    axes.axhline(0, color="grey", linewidth=0.8)
    axes.set_xlabel("Referenssiarvo / Reference value")
    axes.set_ylabel("Poikkeama / Bias")
    axes.set_title("Lineaarisuus / Gauge linearity")
    axes.legend(fontsize="small")
    return _svg(figure)


# -- drawing --------------------------------------------------------------------------------


def _figure() -> tuple[Figure, Axes]:
    figure = Figure(figsize=(7, 3.5))
    return figure, figure.subplots()


def _limits(axes: Axes, centre: float, lower: float, upper: float) -> None:
    axes.axhline(centre, color="tab:green", linewidth=1)
    for limit in (lower, upper):
        if np.isfinite(limit):
            axes.axhline(limit, color="tab:red", linestyle="--", linewidth=1)


def _svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    return buffer.getvalue()
