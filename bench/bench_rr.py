"""Benchmark the crossed gauge R&R ANOVA: lims.training.rr against a plain NumPy/SciPy
least-squares baseline, in one process.

Run from the repository root (no extra dependencies)::

    .venv/bin/python bench/bench_rr.py [--rounds 7]

Both candidates start from the same list of readings (dicts with part, operator, trial and
value, as the API receives them) and end with the two-way ANOVA table (SS, df, MS, F, p) and
the variance components of the kept model (AIAG/Minitab: interaction pooled when p > 0.05).

- lims: ``evaluate_rr`` (request validation, balance checks, the closed-form sums of squares
  of the balanced design, components, percentages, ndc and the conventions text), and
  ``crossed_anova`` alone on the ready array, to show what the validation costs.
- baseline: what one writes without statsmodels: dummy-coded design matrices for the
  nested models (mean; + part; + operator; + interaction) fitted by ``numpy.linalg.lstsq``,
  each term's SS the drop in residual SS, F and p from ``scipy.stats.f``, components from the
  expected mean squares.  It is skipped where its design matrix would pass 40 million cells.

The studies are the AIAG MSA 4th ed. example (10 parts x 3 operators x 3 trials), Montgomery's
Example 13.1 (20 x 3 x 2) and seeded random studies up to 100 000 readings.  The candidates
take turns in each round (GC off during a timed call); the table shows the median and the
minimum, the ratio of medians, and the largest relative difference of the ANOVA sums of
squares and the variance components between the two.  Nothing asserts.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lims.training.rr import evaluate_rr
from lims.training.rr.anova import crossed_anova
from lims.training.rr.layout import crossed_study
from lims.training.rr.schemas import RRRequest
from tests.training.published import aiag_readings, montgomery_crossed_study

BASELINE_CELL_LIMIT = 40_000_000
Readings = list[dict[str, Any]]


def random_study(parts: int, operators: int, trials: int, seed: int) -> Readings:
    rng = np.random.default_rng(seed)
    part_effect = rng.normal(0, 1.0, parts)
    operator_effect = rng.normal(0, 0.2, operators)
    interaction = rng.normal(0, 0.05, (parts, operators))
    return [
        {
            "part": str(p),
            "operator": f"op{o}",
            "trial": str(t),
            "value": float(
                10 + part_effect[p] + operator_effect[o] + interaction[p, o] + rng.normal(0, 0.1)
            ),
        }
        for o in range(operators)
        for t in range(trials)
        for p in range(parts)
    ]


# -- the candidates -------------------------------------------------------------------------


def lims_full(readings: Readings) -> dict[str, Any]:
    response = evaluate_rr({"design": "crossed", "measurements": readings})
    table = response["anova"]["full"]
    return {
        "ss": [table[t]["ss"] for t in ("part", "operator", "interaction", "repeatability")],
        "components": [
            response["variance_components"][n] for n in ("repeatability", "operator", "part")
        ],
    }


def lims_core(values: np.ndarray) -> dict[str, Any]:
    result = crossed_anova(values, pool_above_p=0.05, f_denominator="interaction")
    return {
        "ss": [result.full[t].ss for t in ("part", "operator", "interaction", "repeatability")],
        "components": [result.components[n] for n in ("repeatability", "operator", "part")],
    }


def baseline(readings: Readings) -> dict[str, Any]:
    """Sequential least squares on dummy-coded designs, as a statsmodels-free script would."""
    parts = {label: i for i, label in enumerate(dict.fromkeys(r["part"] for r in readings))}
    operators = {label: i for i, label in enumerate(dict.fromkeys(r["operator"] for r in readings))}
    y = np.array([r["value"] for r in readings])
    part = np.array([parts[r["part"]] for r in readings])
    operator = np.array([operators[r["operator"]] for r in readings])
    p, o, n = len(parts), len(operators), y.size
    trials = n // (p * o)
    ones = np.ones((n, 1))
    part_columns = (part[:, None] == np.arange(1, p)).astype(float)
    operator_columns = (operator[:, None] == np.arange(1, o)).astype(float)
    cell = part * o + operator
    interaction_columns = (cell[:, None] == np.arange(1, p * o)).astype(float)

    def rss(x: np.ndarray) -> float:
        beta, *_ = np.linalg.lstsq(x, y, rcond=None)
        return float(np.sum((y - x @ beta) ** 2))

    # The cell-means model spans mean + part + operator + interaction.
    rss0 = rss(ones)
    rss1 = rss(np.hstack([ones, part_columns]))
    rss2 = rss(np.hstack([ones, part_columns, operator_columns]))
    rss3 = rss(np.hstack([ones, interaction_columns]))
    ss = [rss0 - rss1, rss1 - rss2, rss2 - rss3, rss3]
    df = [p - 1, o - 1, (p - 1) * (o - 1), p * o * (trials - 1)]
    ms = [s / d for s, d in zip(ss, df, strict=True)]
    p_interaction = stats.f.sf(ms[2] / ms[3], df[2], df[3])
    stats.f.sf(ms[0] / ms[2], df[0], df[2])
    stats.f.sf(ms[1] / ms[2], df[1], df[2])
    if p_interaction > 0.05:
        error = (ss[2] + ss[3]) / (df[2] + df[3])
        components = [error, (ms[1] - error) / (p * trials), (ms[0] - error) / (o * trials)]
    else:
        components = [ms[3], (ms[1] - ms[2]) / (p * trials), (ms[0] - ms[2]) / (o * trials)]
    components = [max(0.0, c) if i else c for i, c in enumerate(components)]
    return {"ss": ss, "components": components}


# -- timing ---------------------------------------------------------------------------------


def timed(function: Callable[[Any], Any], argument: Any) -> tuple[float, Any]:
    gc.disable()
    try:
        started = time.perf_counter()
        result = function(argument)
        return time.perf_counter() - started, result
    finally:
        gc.enable()


def difference(a: dict[str, Any], b: dict[str, Any]) -> float:
    pairs = [
        *zip(a["ss"], b["ss"], strict=True),
        *zip(a["components"], b["components"], strict=True),
    ]
    return max(abs(x - y) / max(abs(y), 1e-300) for x, y in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    studies = [
        ("AIAG 10x3x3", aiag_readings()),
        ("Montgomery 20x3x2", montgomery_crossed_study()["measurements"]),
        ("random 50x5x5", random_study(50, 5, 5, seed=1)),
        ("random 200x10x5", random_study(200, 10, 5, seed=2)),
        ("random 1000x10x10", random_study(1000, 10, 10, seed=3)),
    ]
    print(
        f"{'study':<20}{'n':>7}  {'candidate':<14}{'median ms':>11}{'min ms':>10}"
        f"{'x lims':>9}{'max rel diff':>14}"
    )
    for name, readings in studies:
        request = RRRequest.model_validate({"design": "crossed", "measurements": readings})
        values = crossed_study(request.measurements).values
        p, o, r = values.shape
        candidates: dict[str, tuple[Callable[[Any], Any], Any]] = {
            "lims evaluate": (lims_full, readings),
            "lims anova": (lims_core, values),
        }
        cells = p * o * r * (p * o + 1)
        if cells <= BASELINE_CELL_LIMIT:
            candidates["numpy lstsq"] = (baseline, readings)
        for function, argument in candidates.values():
            function(argument)  # warm up
        times: dict[str, list[float]] = {key: [] for key in candidates}
        results: dict[str, Any] = {}
        for _ in range(rounds):
            for key, (function, argument) in candidates.items():
                elapsed, results[key] = timed(function, argument)
                times[key].append(elapsed)
        reference = statistics.median(times["lims evaluate"])
        for key in candidates:
            median = statistics.median(times[key])
            diff = difference(results[key], results["lims evaluate"])
            print(
                f"{name:<20}{p * o * r:>7}  {key:<14}{1e3 * median:>11.3f}"
                f"{1e3 * min(times[key]):>10.3f}{median / reference:>9.2f}{diff:>14.1e}"
            )
        if "numpy lstsq" not in candidates:
            print(
                f"{name:<20}{p * o * r:>7}  {'numpy lstsq':<14}  skipped: its design has "
                f"{cells:.1e} cells"
            )


if __name__ == "__main__":
    main()
