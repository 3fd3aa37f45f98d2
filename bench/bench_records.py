"""Benchmark exporting a records bundle of a period's jobs: time and peak memory.

Run from the repository root::

    .venv/bin/python bench/bench_records.py [--jobs 50] [--rounds 3]

A throw-away SQLite lab gets ``--jobs`` reported calibration jobs through the API (as the
tests make them: ten calibration points each, a signed PDF/A certificate issued).  Measured
in one process, each time the median of ``--rounds`` runs and each peak memory from one
run under ``tracemalloc``:

- baseline: plain ``zipfile`` writing the very files of the bundle (unpacked beforehand),
  PDFs stored and the rest deflated as the export does, read from disk in 1 MiB chunks: the
  cost of the ZIP alone;
- export: ``records.service.export_to_file`` for the period (what ``lims records export``
  runs): reading every record, hashing, JSON, HTML pages, manifest;
- http: ``GET /api/v1/records/export?period=`` through the application (spooled, streamed);
- verify offline / live: ``lims records verify`` without and with the database.

The export is also run for a fifth of the jobs: its peak memory should not grow with the
number of jobs.  Nothing asserts.
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient
from sqlmodel import Session

from bench.lab import approved_job, median_of, throwaway_lab
from lims.accounts.auth import principal_for
from lims.app import create_app
from lims.records import service
from lims.records.scope import Audience, Scope
from lims.records.verify import verify_bundle
from lims.storage import store_in
from tests.documents.factories import issue
from tests.jobs.factories import JobDriver, Lab

POINTS = 10


def reported_job(client: TestClient, lab: Lab) -> JobDriver:
    job = approved_job(client, lab, [2.5 * (n + 1) for n in range(POINTS)], 0.05)
    issue(client, lab, job_id=job.job["id"])
    return job


def peak_of(action: Callable[[], object]) -> int:
    """Peak bytes allocated by Python (objects, zlib buffers) during one run."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def plain_zip(source: Path, target: Path) -> None:
    """The baseline: the bundle's files zipped as they lie, nothing computed."""
    target.unlink(missing_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            compress = zipfile.ZIP_STORED if path.suffix == ".pdf" else zipfile.ZIP_DEFLATED
            info = zipfile.ZipInfo(str(path.relative_to(source)), date_time=(2026, 11, 27, 0, 0, 0))
            info.compress_type = compress
            with path.open("rb") as data, archive.open(info, "w") as out:
                while chunk := data.read(1024 * 1024):
                    out.write(chunk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()

    folder, settings, engine, lab = throwaway_lab("bench-records-")
    print(f"preparing {arguments.jobs} reported jobs of {POINTS} points ...", file=sys.stderr)
    app = create_app(settings)
    with TestClient(app) as client:
        jobs = [reported_job(client, lab) for _ in range(arguments.jobs)]
    year = jobs[0].job["number"].split("-")[1]
    period = f"{year}-01-01..{year}-12-31"
    actor = principal_for(lab.manager, via="bench")
    store = store_in(settings.data_dir)
    job_ids = tuple(job.job["id"] for job in jobs)

    def export(count: int) -> Callable[[], object]:
        scope = Scope("period", period, job_ids[:count], Audience.LABORATORY, None)

        def run() -> object:
            target = folder / f"export-{count}.zip"
            target.unlink(missing_ok=True)
            with Session(engine) as db_session:
                return service.export_to_file(
                    db_session,
                    actor=actor,
                    scope=scope,
                    settings=settings,
                    store=store,
                    path=target,
                )

        return run

    export(arguments.jobs)()  # warm: templates, queries; and the bundle to unpack
    bundle = folder / f"export-{arguments.jobs}.zip"
    unpacked = folder / "unpacked"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(unpacked)
        members = len(archive.namelist())
    baseline_target = folder / "baseline.zip"

    def baseline() -> None:
        plain_zip(unpacked, baseline_target)

    def http() -> None:
        # Streamed and dropped chunk by chunk: the client's copy is not the server's memory.
        with (
            TestClient(app) as client,
            client.stream(
                "GET",
                "/api/v1/records/export",
                params={"period": period},
                headers=lab.headers(lab.manager),
            ) as response,
        ):
            assert response.status_code == 200
            for _chunk in response.iter_bytes():
                pass

    def verify_offline() -> None:
        assert verify_bundle(bundle, None).intact

    def verify_live() -> None:
        with Session(engine) as db_session:
            assert verify_bundle(bundle, db_session).intact

    fifth = max(arguments.jobs // 5, 1)
    rows = [
        ("baseline: plain zipfile, same files", baseline, True),
        (f"export: {arguments.jobs} jobs (CLI path)", export(arguments.jobs), True),
        (f"export: {fifth} jobs", export(fifth), False),
        ("http: GET /records/export?period=", http, True),
        ("verify --offline", verify_offline, False),
        ("verify against the database", verify_live, False),
    ]
    size = bundle.stat().st_size
    print(
        f"bundle of {arguments.jobs} jobs: {members} files, {size / 1e6:.1f} MB; "
        f"medians of {arguments.rounds} runs, peaks from one traced run"
    )
    base_time = base_peak = 0.0
    print(f"{'candidate':38} {'time':>9} {'vs base':>8} {'peak':>9} {'vs base':>8}")
    for name, action, compared in rows:
        seconds = median_of(arguments.rounds, action)
        peak = peak_of(action)
        if not base_time:
            base_time, base_peak = seconds, peak
        ratio_time = f"{seconds / base_time:7.2f}x" if compared else ""
        ratio_peak = f"{peak / base_peak:7.2f}x" if compared else ""
        print(f"{name:38} {seconds:7.2f} s {ratio_time:>8} {peak / 1e6:6.1f} MB {ratio_peak:>8}")


if __name__ == "__main__":
    main()
