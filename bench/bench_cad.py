"""Benchmark STEP parse-and-extract on the NIST fixtures: lims.cad against steputils 0.1.

Run from the repository root (bench-only dependency: ``make bench`` installs it)::

    .venv/bin/python bench/bench_cad.py [--rounds 7]

Both sides start from the file's bytes in memory and end with the geometric tolerances and
toleranced dimensions found.  lims indexes every record and parses only what the PMI
extraction follows (``read_step`` + ``ap242.extract``, the full plan with datums, units and
limits).  steputils parses every record into objects (``p21.loads``); its extraction is
kept to the minimum (the instances of the tolerance and dimension types, and each
tolerance's magnitude), so the comparison favours steputils.  The candidates take turns in
each round; the table shows medians and minima and the ratio of medians.  Nothing asserts.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lims.cad import ap242
from lims.cad.part21 import read_step
from lims.cad.plan import NoSemanticPmi

FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "cad" / "step"
TOLERANCES = {f"{t}_TOLERANCE" for t in ap242.TOLERANCE_TYPES} | {"GEOMETRIC_TOLERANCE"}
DIMENSIONS = {"DIMENSIONAL_CHARACTERISTIC_REPRESENTATION"}


def lims_extract(data: bytes) -> tuple[int, int]:
    try:
        counts = ap242.extract(read_step(data)).counts
    except NoSemanticPmi:
        return 0, 0
    return counts["geometric_tolerances"], counts["dimensions"]


def steputils_extract(data: bytes) -> tuple[int, int]:
    from steputils import p21

    step = p21.loads(data.decode("latin-1"))
    tolerances = dimensions = 0
    for section in step.data:
        for instance in section.instances.values():
            entities = getattr(instance, "entities", None) or [instance.entity]
            names = {entity.name for entity in entities}
            if names & TOLERANCES:
                tolerances += 1
                for entity in entities:
                    if entity.name in TOLERANCES and len(entity.params) > 2:
                        section.get(entity.params[2])  # the magnitude's record
                        break
            elif names & DIMENSIONS:
                dimensions += 1
    return tolerances, dimensions


def timed(function: Callable[[bytes], Any], data: bytes) -> float:
    gc.disable()
    try:
        started = time.perf_counter()
        function(data)
        return time.perf_counter() - started
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    files = sorted(FIXTURES.glob("*.stp"))
    if not files:
        sys.exit(f"no fixtures in {FIXTURES}")
    try:
        version = importlib.metadata.version("steputils")
    except importlib.metadata.PackageNotFoundError:
        sys.stdout.write("skipped: steputils is not installed (make .venv/.installed-bench)\n")
        return
    candidates = {"lims.cad": lims_extract, f"steputils {version}": steputils_extract}
    header = f"{'file':36} {'MB':>5} " + " ".join(
        f"{n + ' median/min (s)':>30}" for n in candidates
    )
    lines = [header + f" {'ratio':>7}"]
    totals = dict.fromkeys(candidates, 0.0)
    total_bytes = 0
    for path in files:
        data = path.read_bytes()
        total_bytes += len(data)
        found = {name: function(data) for name, function in candidates.items()}  # warm-up
        if len(set(found.values())) != 1:
            lines.append(f"  {path.name}: the candidates disagree: {found}")
        times: dict[str, list[float]] = {name: [] for name in candidates}
        for _ in range(rounds):
            for name, function in candidates.items():
                times[name].append(timed(function, data))
        medians = {name: statistics.median(values) for name, values in times.items()}
        for name in candidates:
            totals[name] += medians[name]
        cells = " ".join(f"{medians[n]:>14.4f} / {min(times[n]):<13.4f}" for n in candidates)
        ratio = medians[f"steputils {version}"] / medians["lims.cad"]
        lines.append(f"{path.name:36} {len(data) / 1e6:>5.2f} {cells} {ratio:>6.1f}x")
    throughput = {n: total_bytes / 1e6 / t for n, t in totals.items()}
    lines.append(
        "throughput (MB/s, sum of medians): "
        + ", ".join(f"{n} {v:.1f}" for n, v in throughput.items())
        + f"; lims.cad is {totals[f'steputils {version}'] / totals['lims.cad']:.1f}x faster"
    )
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
