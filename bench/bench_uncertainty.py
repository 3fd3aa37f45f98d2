"""Benchmark the uncertainty engine on GUM H.1 against GTC, NumPy and METAS UncLib.

Run from the repository root (bench-only deps: see bench/README.md)::

    .venv/bin/python bench/bench_uncertainty.py

Everything runs in this one process. Each candidate is warmed up first (so the engine's
parse cache is warm), then timed repeatedly, the candidates taking turns within each round
so that drifting machine load hits them alike; the table shows the median and the minimum
and the ratios of the medians. A baseline whose dependency is missing is skipped with the
reason. Nothing here asserts on time: the targets are printed for the reader.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import importlib.metadata
import io
import json
import math
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import baselines
import numpy as np
from numpy_h1 import numpy_h1_mcm

Evaluation = Callable[[], Any]


@dataclass
class Candidate:
    """One implementation under test: a no-argument call, or the reason it cannot run."""

    name: str
    call: Evaluation | None
    skip_reason: str | None = None
    settle_seconds: float = 0.0  # idle pause after each call, outside the timed region
    figures: Callable[[Any], dict[str, Any]] = dict  # result -> {"value": ..., "u": ..., ...}
    times: list[float] = field(default_factory=list)
    result: Any = None

    @property
    def runs(self) -> bool:
        return self.call is not None and self.skip_reason is None

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else math.nan

    @property
    def best(self) -> float:
        return min(self.times) if self.times else math.nan


# --------------------------------------------------------------------------------------------
# The engine


def lims_evaluate() -> tuple[Callable[[dict], dict] | None, str | None]:
    """The engine's ``evaluate``, or the reason it is not there yet."""
    try:
        from lims.uncertainty import evaluate
    except ModuleNotFoundError as error:
        if error.name == "lims":
            return None, "lims is not importable: run with the project's .venv/bin/python"
        return None, f"lims.uncertainty does not import ({error})"
    except ImportError as error:
        return None, f"lims.uncertainty does not export evaluate yet ({error})"
    return evaluate, None


def _first_output(response: Any) -> dict[str, Any]:
    if hasattr(response, "model_dump"):
        response = response.model_dump()
    return response["outputs"][0]


def lims_gum_figures(response: Any) -> dict[str, Any]:
    """The engine's GUM figures in the baselines' shape."""
    output = _first_output(response)
    return {
        "value": output["value"],
        "u": output["standard_uncertainty"],
        "dof": output["dof"],
        "k": output["coverage_factor"],
        "U": output["expanded_uncertainty"],
    }


def lims_mcm_figures(response: Any) -> dict[str, Any]:
    """The engine's Monte Carlo figures in the baselines' shape."""
    mcm = _first_output(response)["mcm"]
    return {
        "value": mcm["value"],
        "u": mcm["standard_uncertainty"],
        "symmetric": mcm["interval"],
        "shortest": mcm["shortest_interval"],
    }


# --------------------------------------------------------------------------------------------
# Timing


def time_round(candidate: Candidate, number: int) -> None:
    """Time ``number`` back-to-back calls (GC off, as timeit does); store the per-call time."""
    assert candidate.call is not None
    call = candidate.call
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            call()
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    candidate.times.append(elapsed / number)
    if candidate.settle_seconds:
        time.sleep(candidate.settle_seconds)


def run(candidates: list[Candidate], *, warmup: int, repeat: int, number: int) -> None:
    """Warm every runnable candidate up, then time ``repeat`` interleaved rounds."""
    active = [candidate for candidate in candidates if candidate.runs]
    for candidate in active:
        assert candidate.call is not None
        try:
            for _ in range(warmup):
                candidate.result = candidate.call()
        except Exception as error:  # a broken candidate must not hide the others
            candidate.skip_reason = f"failed: {type(error).__name__}: {error}"
    active = [candidate for candidate in active if candidate.runs]
    for round_index in range(repeat):
        shift = round_index % len(active) if active else 0
        for candidate in active[shift:] + active[:shift]:
            time_round(candidate, number)


# --------------------------------------------------------------------------------------------
# Reporting


def format_seconds(seconds: float) -> str:
    if math.isnan(seconds):
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def _number(figures: dict[str, Any], key: str, spec: str) -> str:
    value = figures.get(key)
    return f"{key}=n/a" if value is None else f"{key}={value:{spec}}"


def _interval(figures: dict[str, Any], key: str) -> str:
    bounds = figures.get(key)
    return f"{key}=n/a" if bounds is None else f"{key}=[{bounds[0]:.1f}, {bounds[1]:.1f}]"


def summarise_gum(figures: dict[str, Any]) -> str:
    return " ".join(
        (
            _number(figures, "value", ".1f"),
            _number(figures, "u", ".2f"),
            _number(figures, "dof", ".2f"),
            _number(figures, "k", ".3f"),
            _number(figures, "U", ".2f"),
        )
    )


def summarise_mcm(figures: dict[str, Any]) -> str:
    return " ".join(
        (
            _number(figures, "value", ".1f"),
            _number(figures, "u", ".2f"),
            _interval(figures, "symmetric"),
            _interval(figures, "shortest"),
        )
    )


def describe(candidate: Candidate, summarise: Callable[[dict[str, Any]], str]) -> str:
    try:
        return summarise(candidate.figures(candidate.result))
    except (KeyError, IndexError, TypeError, ValueError) as error:
        shape = list(candidate.result) if isinstance(candidate.result, dict) else ""
        return f"(result not understood: {type(error).__name__} {error}; keys {shape})"


def print_table(
    title: str,
    candidates: list[Candidate],
    summarise: Callable[[dict[str, Any]], str],
    out: io.TextIOBase,
) -> None:
    out.write(f"\n{title}\n")
    out.write(f"  {'candidate':<30} {'median':>10} {'min':>10}  result\n")
    for candidate in candidates:
        if candidate.runs:
            out.write(
                f"  {candidate.name:<30} {format_seconds(candidate.median):>10} "
                f"{format_seconds(candidate.best):>10}  {describe(candidate, summarise)}\n"
            )
        else:
            out.write(f"  {candidate.name:<30} {'skipped':>10} {'':>10}  {candidate.skip_reason}\n")


def ratio_line(
    label: str, numerator: Candidate, denominator: Candidate, target: str, out: io.TextIOBase
) -> float | None:
    if not (numerator.runs and denominator.runs):
        out.write(
            f"  {label:<18} -      ({target}; needs both {numerator.name} and {denominator.name})\n"
        )
        return None
    ratio = numerator.median / denominator.median
    out.write(f"  {label:<18} {ratio:6.2f} ({target})\n")
    return ratio


def candidate_report(candidate: Candidate) -> dict[str, Any]:
    """A candidate's timings and figures for the JSON file."""
    if not candidate.runs:
        return {"name": candidate.name, "skipped": candidate.skip_reason}
    try:
        figures = candidate.figures(candidate.result)
        figures.pop("budget", None)
    except (KeyError, IndexError, TypeError, ValueError):
        figures = None
    return {
        "name": candidate.name,
        "median_s": candidate.median,
        "min_s": candidate.best,
        "times_s": candidate.times,
        "figures": figures,
    }


def environment() -> dict[str, str]:
    info = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "cpus": str(os.cpu_count()),
    }
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    for name in ("GTC", "metas-unclib", "pythonnet"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            info[name] = importlib.metadata.version(name)
    if hasattr(os, "getloadavg"):
        # Other work on the machine shows up here; medians of a busy machine are noisy.
        info["load average"] = f"{os.getloadavg()[0]:.2f}"
    for variable in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS"):
        if variable in os.environ:
            info[variable] = os.environ[variable]
    return info


def profile_lims_mcm(evaluate: Callable[[dict], dict], request: dict, out: io.TextIOBase) -> None:
    """cProfile one engine MCM evaluation (parse cache already warm) and print the top."""
    profiler = cProfile.Profile()
    profiler.enable()
    evaluate(request)
    profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats(25)
    out.write("\nlims MCM profile (cProfile, one evaluation)\n")
    out.write(buffer.getvalue())


# --------------------------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--gum-repeat", type=int, default=15, help="timed rounds (GUM)")
    parser.add_argument("--gum-number", type=int, default=1000, help="calls per round (GUM)")
    parser.add_argument("--mcm-repeat", type=int, default=7, help="timed rounds (MCM)")
    parser.add_argument("--trials", type=int, default=1_000_000, help="Monte Carlo trials")
    parser.add_argument("--seed", type=int, default=baselines.MCM_SEED)
    parser.add_argument("--no-metas", action="store_true", help="skip METAS UncLib (Mono)")
    parser.add_argument("--only", choices=("gum", "mcm"), help="run one benchmark only")
    parser.add_argument("--profile", action="store_true", help="cProfile the engine's MCM")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    out = sys.stdout
    evaluate, lims_reason = lims_evaluate()
    report: dict[str, Any] = {"environment": environment()}
    out.write(
        "GUM H.1 end gauge, one process: "
        + ", ".join(f"{key} {value}" for key, value in report["environment"].items())
        + "\n"
    )
    p = baselines.COVERAGE_PROBABILITY

    if arguments.only in (None, "gum"):
        gum_request = baselines.h1_request("gum")
        gtc = Candidate("GTC 1.5.1", baselines.gtc_h1_gum, baselines.gtc_unavailable())
        lims_gum = Candidate(
            "lims (method gum)",
            (lambda: evaluate(gum_request)) if evaluate else None,
            lims_reason,
            figures=lims_gum_figures,
        )
        gum = [gtc, lims_gum]
        run(gum, warmup=200, repeat=arguments.gum_repeat, number=arguments.gum_number)
        print_table(
            f"GUM evaluation (budget + dof + U at p={p}), per evaluation; median of "
            f"{arguments.gum_repeat} rounds x {arguments.gum_number} calls",
            gum,
            summarise_gum,
            out,
        )
        report["gum"] = {
            "lims/GTC": ratio_line("lims/GTC", lims_gum, gtc, "target < 1", out),
            "candidates": [candidate_report(c) for c in gum],
        }

    if arguments.only in (None, "mcm"):
        trials, seed = arguments.trials, arguments.seed
        mcm_request = baselines.h1_request("mcm", trials=trials, seed=seed)
        metas_reason = (
            "left out (--no-metas)" if arguments.no_metas else baselines.metas_unavailable()
        )
        numpy_mcm = Candidate(
            "NumPy script (hand-written)",
            lambda: numpy_h1_mcm(trials, seed, p),
        )
        lims_mcm = Candidate(
            "lims (method mcm)",
            (lambda: evaluate(mcm_request)) if evaluate else None,
            lims_reason,
            figures=lims_mcm_figures,
        )
        metas = Candidate(
            "METAS UncLib 3.0.3 (MCProp)",
            lambda: baselines.metas_h1_mcm(trials, p),
            metas_reason,
            # Its Intel MKL (libiomp5) threads spin for up to 200 ms after each parallel
            # region; let them go idle before the next candidate is timed.
            settle_seconds=0.3,
        )
        mcm = [numpy_mcm, lims_mcm, metas]
        run(mcm, warmup=1, repeat=arguments.mcm_repeat, number=1)
        print_table(
            f"Monte Carlo, {trials:,} trials, mean + std + intervals at p={p}; median of "
            f"{arguments.mcm_repeat} runs",
            mcm,
            summarise_mcm,
            out,
        )
        report["mcm"] = {
            "lims/numpy": ratio_line("lims/numpy", lims_mcm, numpy_mcm, "target <= 1.3", out),
            "METAS/lims": ratio_line("METAS/lims", metas, lims_mcm, "target >= 6", out),
            "METAS/numpy": ratio_line("METAS/numpy", metas, numpy_mcm, "for reference", out),
            "candidates": [candidate_report(c) for c in mcm],
        }
        if arguments.profile and evaluate is not None:
            profile_lims_mcm(evaluate, mcm_request, out)

    if arguments.json:
        arguments.json.parent.mkdir(parents=True, exist_ok=True)
        arguments.json.write_text(json.dumps(report, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
