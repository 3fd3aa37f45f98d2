"""Benchmark the job board deep in a seeded year: a page by offset against the same page by
cursor (keyset), in one process, through ``lims.jobs.service.list_jobs`` as the API calls it.

Run from the repository root against the database ``seed_year.py`` filled::

    LIMS_DATABASE_URL=postgresql+psycopg://lims_ci:lims_ci@127.0.0.1:5432/lims_load \\
        .venv/bin/python bench/load/bench_board_paging.py [--rounds 15]

For each view (a status and a sort) and depth, the baseline is the page read by
``offset``; the cursor page is the same 50 jobs read after the cursor of the job just
before them.  Both include the total count the board shows.  Median of ``--rounds`` runs;
nothing asserts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from sqlmodel import Session

from bench.lab import median_of
from lims.accounts.models import Role
from lims.accounts.principal import Principal
from lims.config import Settings
from lims.db import make_engine
from lims.jobs.models import Job, JobStatus
from lims.jobs.service import list_jobs
from lims.paging import cursor_after

PAGE = 50
VIEWS = [(JobStatus.CLOSED, "-created_at"), (JobStatus.CLOSED, "due_date"), (None, "number")]
DEPTHS = [1, 1_000, 10_000, 60_000]
STAFF = Principal(
    user_id=0,
    username="bench",
    roles=frozenset({Role.QUALITY_MANAGER}),
    organisation_id=None,
    scopes=None,
    via="bench",
)


def compare(db_session: Session, rounds: int, view: dict[str, Any], depth: int) -> str:
    """One line: the page at ``depth`` by offset and by cursor, checked to be the same jobs."""

    def by_offset() -> list[Job]:
        return list_jobs(db_session, actor=STAFF, limit=PAGE, offset=depth, **view)[0]

    before = list_jobs(db_session, actor=STAFF, limit=1, offset=depth - 1, **view)[0][0]
    cursor = cursor_after(before, sort=view["sort"])

    def by_cursor() -> list[Job]:
        return list_jobs(db_session, actor=STAFF, limit=PAGE, cursor=cursor, **view)[0]

    assert [job.id for job in by_offset()] == [job.id for job in by_cursor()]
    offset_ms = 1000 * median_of(rounds, by_offset)
    cursor_ms = 1000 * median_of(rounds, by_cursor)
    name = f"{view['status'] or 'all'} {view['sort']}"
    ratio = cursor_ms / offset_ms
    return f"{name:<24} {depth:>7} {offset_ms:>10.2f} {cursor_ms:>10.2f} {ratio:>6.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    arguments = parser.parse_args()
    engine = make_engine(Settings().resolved_database_url)
    print(f"{'view':<24} {'depth':>7} {'offset ms':>10} {'cursor ms':>10} {'ratio':>7}")
    with Session(engine) as db_session:
        for status, sort in VIEWS:
            view: dict[str, Any] = {"status": status, "sort": sort}
            total = list_jobs(db_session, actor=STAFF, limit=1, **view)[1]
            for depth in [d for d in DEPTHS if d < total - PAGE]:
                print(compare(db_session, arguments.rounds, view, depth))


if __name__ == "__main__":
    main()
