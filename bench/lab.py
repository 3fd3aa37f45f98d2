"""What the document and records benches share: a throw-away lab and timing.

A SQLite lab in a temporary folder with the demo signing key (and the DCC schema when
../shared has it), approved calibration jobs made through the API as the tests make them,
and the median of timed runs.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims import migrations
from lims.config import Settings
from lims.db import make_engine
from lims.documents.signing import create_demo_signing_key
from tests.jobs.factories import MICROMETER, JobDriver, Lab, make_lab, submit

SCHEMAS = Path(__file__).resolve().parent.parent.parent / "shared" / "schemas" / "dcc"


def throwaway_lab(prefix: str) -> tuple[Path, Settings, Engine, Lab]:
    """A migrated SQLite lab in a new temporary folder: folder, settings, engine, lab."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    url = f"sqlite:///{folder / 'lims.sqlite3'}"
    migrations.upgrade(url)
    settings = Settings(
        data_dir=folder / "data",
        environment="test",
        database_url=url,
        dcc_schema_dir=SCHEMAS if SCHEMAS.exists() else None,
        log_level="WARNING",
    )
    create_demo_signing_key(settings)
    engine = make_engine(url)
    return folder, settings, engine, make_lab(engine, settings)


def approved_job(
    client: TestClient, lab: Lab, sizes: list[float], reading_step: float
) -> JobDriver:
    """A micrometer calibrated at ``sizes`` with the ring method, up to approval."""
    job = submit(client, lab, "calibration", MICROMETER)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    points = [
        job.plan(
            label=f"{size:g} mm",
            kind="calibration_point",
            nominal=size,
            lower_limit=-2,
            upper_limit=2,
            unit="um",
            method_id=lab.ring_method.id,
        )
        for size in sizes
    ]
    job.step("in_measurement", lab.technician)
    for n, point in enumerate(points):
        reading = reading_step * n
        job.record(
            characteristic_id=point["id"],
            equipment={"reference": lab.ring_gauge.id},
            observations={"d_x": [reading, reading + 0.02, reading + 0.01]},
        )
    job.step("measured", lab.technician)
    job.step("reviewed", lab.reviewer)
    job.step("approved", lab.signatory)
    return job


def median_of(rounds: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
