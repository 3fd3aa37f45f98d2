"""Whole processes: ``lims uncertainty evaluate`` of GUM H.1 against a hand-written NumPy script.

Run from the repository root (no extra dependencies)::

    .venv/bin/python bench/bench_cli_montecarlo.py [--trials 10000000] [--runs 7]

Both are timed as a person meets them, from launch to exit: interpreter start, imports,
reading the request, the Monte Carlo trials and printing the result.

- lims: ``lims uncertainty evaluate FILE.json`` (the console script next to this Python) with
  the GUM H.1 request of ``baselines.py``, ``method: "mcm"``, the trial count and seed given,
  not adaptive. Its progress bar on stderr goes to a pipe, as its JSON on stdout does.
- NumPy: ``python bench/numpy_h1.py`` with the same trial count and seed: the same model and
  inputs, mean, standard deviation, probabilistically symmetric and shortest intervals.

This process launches both, one warm-up run each (not timed, so both start from a warm
file cache), then ``--runs`` rounds in which they take turns, the order alternating between
rounds so that drifting machine load hits them alike. The table shows the median, minimum
and maximum wall time; the ratio is of the medians (target: lims / NumPy <= 1.3). The two
results are printed side by side: they draw different random streams, so they agree to
within the Monte Carlo's own scatter, not to the last digit. Nothing asserts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import baselines

BENCH = Path(__file__).resolve().parent
FIGURES = ("value", "u", "symmetric", "shortest")


def lims_figures(stdout: str) -> dict[str, Any]:
    """The engine's Monte Carlo figures in the NumPy script's shape."""
    mcm = json.loads(stdout)["outputs"][0]["mcm"]
    return {
        "value": mcm["value"],
        "u": mcm["standard_uncertainty"],
        "symmetric": tuple(mcm["interval"]),
        "shortest": tuple(mcm["shortest_interval"]),
    }


def numpy_figures(stdout: str) -> dict[str, Any]:
    figures = json.loads(stdout)
    return {name: tuple(v) if isinstance(v, list) else v for name, v in figures.items()}


def timed(command: list[str]) -> tuple[float, str]:
    """Wall time of one process from launch to exit, and its stdout."""
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"{command[0]} failed ({completed.returncode}):\n{completed.stderr[-2000:]}")
    return elapsed, completed.stdout


def show(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(f"{v:.2f}" for v in value) + "]"
    return f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=7, help="timed rounds (after a warm-up)")
    parser.add_argument("--seed", type=int, default=baselines.MCM_SEED)
    arguments = parser.parse_args()

    lims = Path(sys.executable).parent / "lims"
    if not lims.exists():
        sys.exit(f"no lims command next to {sys.executable}: run with the project's .venv")
    with tempfile.TemporaryDirectory() as folder:
        request = Path(folder) / "gum-h1-mcm.json"
        request.write_text(
            json.dumps(baselines.h1_request("mcm", trials=arguments.trials, seed=arguments.seed))
        )
        candidates = {
            "lims uncertainty evaluate": ([str(lims), "uncertainty", "evaluate", str(request)],
                                          lims_figures),
            "NumPy script (bench/numpy_h1.py)": (
                [sys.executable, str(BENCH / "numpy_h1.py"), "--trials", str(arguments.trials),
                 "--seed", str(arguments.seed),
                 "--probability", str(baselines.COVERAGE_PROBABILITY)],
                numpy_figures,
            ),
        }  # fmt: skip
        names = list(candidates)
        times: dict[str, list[float]] = {name: [] for name in names}
        figures: dict[str, dict[str, Any]] = {}
        for name, (command, read) in candidates.items():
            figures[name] = read(timed(command)[1])
        for round_ in range(arguments.runs):
            for name in names if round_ % 2 == 0 else reversed(names):
                times[name].append(timed(candidates[name][0])[0])

    print(
        f"GUM H.1 by Monte Carlo, {arguments.trials:.0e} trials, seed {arguments.seed}, "
        f"{arguments.runs} runs each, whole processes (Python {sys.version.split()[0]})"
    )
    print(f"{'':34} {'median':>8} {'min':>8} {'max':>8}")
    for name in names:
        run = times[name]
        print(
            f"{name:34} {statistics.median(run):7.2f}s {min(run):7.2f}s {max(run):7.2f}s"
            f"   (runs: {' '.join(f'{t:.2f}' for t in run)})"
        )
    ratio = statistics.median(times[names[0]]) / statistics.median(times[names[1]])
    print(f"ratio lims / NumPy (medians): {ratio:.2f}   (target <= 1.3)")
    print()
    print(f"{'':10} " + "  ".join(f"{name:>34}" for name in names))
    for figure in FIGURES:
        print(f"{figure:10} " + "  ".join(f"{show(figures[n][figure]):>34}" for n in names))


if __name__ == "__main__":
    main()
