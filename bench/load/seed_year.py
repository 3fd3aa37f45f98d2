"""Seed a year of a busy lab into a PostgreSQL database, in seconds, for the load benchmark.

Run from the repository root, against a new, empty database::

    LIMS_DATABASE_URL=postgresql+psycopg://lims:lims@127.0.0.1:5432/lims_load \\
    LIMS_DATA_DIR=var/load .venv/bin/python bench/load/seed_year.py \\
        [--customers 200] [--jobs 100000] [--points 10] [--documents 50000] [--measuring 2000]

It migrates the database and loads the demo data (users, methods, equipment, one job in
every state, issued certificates), then multiplies the demo's records server-side with
``INSERT ... SELECT`` over ``generate_series``: each new row is a copy of a demo row with
its keys, numbers, dates and states varied.  So every column a later migration adds is
copied too, and the rows are as the services write them.  Documents are rows only: they
share the demo certificate's PDF in the file store.

Not seeded: audit events for the copies (the chain stays intact; the copies have no
history) and job transitions.  The job number series is moved past the copies, so jobs
and documents made through the API afterwards get fresh numbers.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from sqlalchemy import Connection, inspect, text
from sqlmodel import Session

from lims import migrations
from lims.config import get_settings
from lims.db import make_engine
from lims.demo import load_demo_data

YEAR = 2026
#: The share of a year's jobs in each state, as a busy lab's board looks in late autumn.
STATES = [
    ("closed", 70),
    ("reported", 10),
    ("approved", 2),
    ("reviewed", 2),
    ("measured", 2),
    ("in_measurement", 0),  # --measuring sets how many
    ("items_received", 3),
    ("accepted", 5),
    ("requested", 3),
    ("on_hold", 2),
    ("cancelled", 1),
]
KINDS = [("calibration", 80), ("product_qc", 10), ("reference", 5), ("inspection", 5)]
MEASURED = ("measured", "reviewed", "approved", "reported", "closed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=10, help="characteristics per job")
    parser.add_argument("--documents", type=int, default=50_000)
    parser.add_argument("--measuring", type=int, default=2000, help="jobs in measurement")
    arguments = parser.parse_args()
    settings = get_settings()
    url = settings.resolved_database_url
    if not url.startswith("postgresql"):
        sys.exit("seed_year.py: set LIMS_DATABASE_URL to a PostgreSQL database")
    settings.check()
    migrations.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db_session:
        load_demo_data(db_session, settings)
        db_session.commit()
    started = time.perf_counter()
    with engine.begin() as connection:
        if connection.execute(text("SELECT count(*) FROM job")).scalar_one() > 20:
            sys.exit("seed_year.py: the database already holds more than the demo; use a new one")
        seed(connection, arguments)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        step("ANALYZE", lambda: connection.execute(text("ANALYZE")))
    counts = {}
    with engine.connect() as connection:
        for table in ("organisation", "job", "item", "characteristic", "result", "document"):
            counts[table] = connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
    engine.dispose()
    print(f"seeded in {time.perf_counter() - started:.1f} s: {counts}")


def step(what: str, run) -> None:  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    run()
    print(f"  {what:40} {time.perf_counter() - began:6.1f} s", file=sys.stderr)


def seed(connection: Connection, arguments: argparse.Namespace) -> None:
    template = templates(connection)
    first_job = connection.execute(text("SELECT max(id) FROM job")).scalar_one() + 1
    first_number = connection.execute(text("SELECT count(*) FROM job")).scalar_one() + 1
    customers = arguments.customers - 3  # the demo has three

    step(
        "organisations",
        lambda: clone(
            connection,
            "organisation",
            template["organisation"],
            "SELECT i FROM generate_series(1, :n) AS i",
            {
                "name": "'Asiakas ' || s.i || ' Oy'",
                "business_id": f"'SEED-' || {_digits('s.i', 6)}",
            },
            n=customers,
        ),
    )
    step(
        "agreements",
        lambda: clone(
            connection,
            "agreement",
            template["agreement"],
            "SELECT o.id AS organisation_id, row_number() OVER (ORDER BY o.id) AS i "
            "FROM organisation o WHERE o.business_id LIKE 'SEED-%'",
            {
                "organisation_id": "s.organisation_id",
                "number": f"'VS-{YEAR}-S' || {_digits('s.i', 4)}",
            },
        ),
    )
    # Customer k's jobs go to organisation k (the demo's and the seeded ones, round robin).
    connection.execute(
        text(
            "CREATE TEMPORARY TABLE seed_customer ON COMMIT DROP AS "
            "SELECT row_number() OVER (ORDER BY o.id) - 1 AS k, o.id AS organisation_id, "
            "  (SELECT a.id FROM agreement a WHERE a.organisation_id = o.id "
            "   ORDER BY a.id LIMIT 1) AS agreement_id "
            "FROM organisation o WHERE EXISTS (SELECT 1 FROM agreement a "
            "  WHERE a.organisation_id = o.id)"
        )
    )
    customer_count = connection.execute(text("SELECT count(*) FROM seed_customer")).scalar_one()
    step(
        "jobs",
        lambda: clone(
            connection,
            "job",
            template["job"],
            "SELECT g.i, c.organisation_id, c.agreement_id, "
            f"  DATE '{YEAR}-01-01' + (g.i * 365 / :n)::int AS due "
            "FROM generate_series(0, :n - 1) AS g(i) "
            "JOIN seed_customer c ON c.k = g.i % :customers",
            {
                "number": f"'TY-{YEAR}-' || {_digits('s.i + :first_number', 4)}",
                "organisation_id": "s.organisation_id",
                "agreement_id": "s.agreement_id",
                "order_id": "NULL",
                "kind": _bucket("s.i", KINDS),
                "status": _status_sql(arguments),
                "due_date": "s.due",
                "created_at": "(s.due - 14)::timestamp AT TIME ZONE 'UTC'",
                "customer_reference": "'PO-' || s.i",
            },
            n=arguments.jobs,
            customers=customer_count,
            first_number=first_number,
        ),
    )
    step(
        "items",
        lambda: clone(
            connection,
            "item",
            template["item"],
            "SELECT j.id AS job_id, j.organisation_id, j.status FROM job j WHERE j.id >= :first",
            {
                "job_id": "s.job_id",
                "organisation_id": "s.organisation_id",
                "identification": "'SN ' || s.job_id",
                "received_on": "CASE WHEN s.status IN ('requested', 'accepted', 'cancelled') "
                "THEN NULL ELSE t.received_on END",
            },
            first=first_job,
        ),
    )
    step(
        "characteristics",
        lambda: clone(
            connection,
            "characteristic",
            template["characteristic"],
            "SELECT i.job_id, i.organisation_id, i.id AS item_id, p.n "
            "FROM item i JOIN job j ON j.id = i.job_id, generate_series(1, :points) AS p(n) "
            "WHERE i.job_id >= :first AND j.status NOT IN ('requested', 'accepted', 'cancelled')",
            {
                "job_id": "s.job_id",
                "item_id": "s.item_id",
                "organisation_id": "s.organisation_id",
                "label": "(2.5 * s.n) || ' mm'",
                "nominal": "2.5 * s.n",
            },
            first=first_job,
            points=arguments.points,
        ),
    )
    step(
        "results",
        lambda: clone(
            connection,
            "result",
            template["result"],
            "SELECT c.id AS characteristic_id, c.job_id, c.organisation_id "
            "FROM characteristic c JOIN job j ON j.id = c.job_id "
            f"WHERE c.job_id >= :first AND j.status IN {MEASURED!r}",
            {
                "characteristic_id": "s.characteristic_id",
                "job_id": "s.job_id",
                "organisation_id": "s.organisation_id",
            },
            first=first_job,
        ),
    )
    step(
        "documents",
        lambda: clone(
            connection,
            "document",
            template["document"],
            "SELECT j.id AS job_id, j.organisation_id, row_number() OVER (ORDER BY j.id) AS i "
            "FROM job j WHERE j.id >= :first AND j.status IN ('reported', 'closed') "
            "AND j.kind = 'calibration' ORDER BY j.id LIMIT :documents",
            {
                "job_id": "s.job_id",
                "organisation_id": "s.organisation_id",
                "number": f"'KT-{YEAR}-S' || {_digits('s.i', 6)}",
                "master_id": "NULL",
                "supersedes_id": "NULL",
                "superseded_by_id": "NULL",
            },
            first=first_job,
            documents=arguments.documents,
        ),
    )
    connection.execute(
        text("UPDATE number_series SET last = :last WHERE series = 'job' AND year = :year"),
        {"last": first_number - 1 + arguments.jobs, "year": YEAR},
    )


def templates(connection: Connection) -> dict[str, int]:
    """The demo rows each copy starts from: a closed calibration job and what it holds."""
    found = connection.execute(
        text(
            "SELECT j.id AS job, j.organisation_id AS organisation, j.agreement_id AS agreement, "
            "  (SELECT min(id) FROM item WHERE job_id = j.id) AS item, "
            "  (SELECT min(id) FROM characteristic WHERE job_id = j.id) AS characteristic, "
            "  (SELECT min(id) FROM result WHERE job_id = j.id) AS result, "
            "  (SELECT min(id) FROM document WHERE job_id = j.id AND master_id IS NULL) "
            "    AS document "
            "FROM job j WHERE j.status = 'closed' ORDER BY j.id LIMIT 1"
        )
    ).one()
    if None in found:
        sys.exit("seed_year.py: the demo data lacks a closed job with its certificate")
    return dict(found._mapping)


def clone(
    connection: Connection,
    table: str,
    template_id: int,
    source: str,
    overrides: dict[str, str],
    **parameters: int,
) -> None:
    """Insert one copy of row ``template_id`` per row of ``source`` (aliased ``s``)."""
    columns = [c["name"] for c in inspect(connection).get_columns(table) if c["name"] != "id"]
    unknown = set(overrides) - set(columns)
    if unknown:
        raise SystemExit(f"seed_year.py: {table} has no column {sorted(unknown)}")
    names = ", ".join(f'"{column}"' for column in columns)
    values = ", ".join(overrides.get(column, f't."{column}"') for column in columns)
    connection.execute(
        text(
            f'INSERT INTO "{table}" ({names}) SELECT {values} '
            f'FROM "{table}" AS t, ({source}) AS s WHERE t.id = :template_id'
        ),
        {"template_id": template_id, **parameters},
    )


def _digits(number: str, width: int) -> str:
    """``number`` with leading zeros to ``width`` digits, never cut (lpad would cut)."""
    return f"lpad(({number})::text, greatest({width}, length(({number})::text)), '0')"


def _bucket(index: str, shares: list[tuple[str, int]]) -> str:
    """A CASE spreading ``index`` over values by percentage shares (deterministic)."""
    cases, bound = [], 0
    for value, share in shares:
        if share:
            bound += share
            cases.append(f"WHEN {index} % 100 < {bound} THEN '{value}'")
    return f"CASE {' '.join(cases)} END"


def _status_sql(arguments: argparse.Namespace) -> str:
    # Jobs in measurement are the most recent ones (the end of the year's due dates).
    return (
        f"CASE WHEN s.i >= :n - {arguments.measuring} THEN 'in_measurement' "
        f"ELSE {_bucket('s.i', STATES)} END"
    )


if __name__ == "__main__":
    main()
