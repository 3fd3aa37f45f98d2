"""Benchmark rendering and issuing a three-page calibration certificate, and a batch of 100.

Run from the repository root::

    .venv/bin/python bench/bench_documents.py [--rounds 7] [--batch 100] [--points 36]

A throw-away SQLite lab gets approved calibration jobs through the API (as the tests make
them), each with enough calibration points for a three-page certificate (the bench stops
when the certificate is not three pages: change ``--points``).  Timed, in one process, each
median of ``--rounds`` runs, all from the content of an issued certificate:

- baseline: WeasyPrint alone rendering the certificate's HTML to a plain PDF (no PDF/A,
  no attachments, no signature): what any HTML-to-PDF report costs;
- html: the content to the certificate's HTML (templates, Babel, charts, QR code);
- draft: the content to an unsigned PDF/A-3b with data.json (``produce(draft=True)``);
- signed: the product's path, content to HTML to PDF/A-3b with data.json and the validated
  DCC, signed (``produce``; a TSA in the settings would add its round trip);
- issue: ``documents.service.issue`` end to end: number, content from the records, render,
  sign, store, commit;
- batch: ``lims documents issue --all-approved``'s loop over ``--batch`` jobs (per document).

Nothing asserts.  The ratios are against the baseline measured in the same process.  The
steps take turns in every round, so a burst of other work on a shared machine falls on all
of them alike; each is reported as wall time and as this process's CPU time
(``time.process_time``), whose ratios hold even on a loaded machine (a TSA's round trip
would show only in the wall time).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import weasyprint
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session

from bench.lab import approved_job, throwaway_lab
from lims.accounts.auth import principal_for
from lims.app import create_app
from lims.documents import service
from lims.documents.batch import issue_for_jobs
from lims.documents.models import IssueRequest
from lims.documents.pdf import qr_svg_data_uri
from lims.documents.render import render_html
from lims.storage import store_in

POINTS = 36  # a three-page certificate with the method, traceability and the chart
PAGES = 3


def timed_in_turns(
    rounds: int, steps: dict[str, Callable[[], object]]
) -> dict[str, tuple[float, float]]:
    """Each step's median wall and CPU seconds, the steps taking turns in every round."""
    walls: dict[str, list[float]] = {name: [] for name in steps}
    cpus: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, action in steps.items():
            wall, cpu = time.perf_counter(), time.process_time()
            action()
            walls[name].append(time.perf_counter() - wall)
            cpus[name].append(time.process_time() - cpu)
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name])) for name in steps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--points", type=int, default=POINTS)
    arguments = parser.parse_args()
    sizes = [5.0 + 5.0 * n for n in range(arguments.points)]

    _, settings, engine, lab = throwaway_lab("bench-documents-")
    jobs_needed = arguments.rounds + arguments.batch + 1
    print(
        f"preparing {jobs_needed} approved jobs of {arguments.points} points ...", file=sys.stderr
    )
    with TestClient(create_app(settings)) as client:
        jobs = [approved_job(client, lab, sizes, 0.01) for _ in range(jobs_needed)]
    store = store_in(settings.data_dir)
    actor = principal_for(lab.signatory, via="bench")

    def issue_next() -> None:
        job = jobs.pop()
        with Session(engine) as db_session:
            service.issue(
                db_session,
                actor=actor,
                request=IssueRequest(job_id=job.job["id"]),
                settings=settings,
                store=store,
            )

    issue_next()  # warm caches: templates, catalogs, fonts, schema, signer
    with Session(engine) as db_session:
        sample, _ = service.list_documents(db_session, actor=actor, limit=1)
    data = sample[0].data
    verify_url = service.verification_url(settings, data["number"])

    def html() -> str:
        return render_html(
            data,
            language="fi",
            texts=data["free_text"],
            verify_url=verify_url,
            qr_data_uri=qr_svg_data_uri(verify_url),
        )

    certificate = html()
    signed_pdf = service.produce(data, "fi", data["free_text"], settings)
    pages = len(PdfReader(io.BytesIO(signed_pdf)).pages)
    if pages != PAGES:
        sys.exit(f"the certificate has {pages} pages, not {PAGES}: change --points")

    texts = data["free_text"]
    times = timed_in_turns(
        arguments.rounds,
        {
            "baseline: WeasyPrint alone, plain PDF of the same HTML": lambda: weasyprint.HTML(
                string=certificate
            ).write_pdf(),
            "html: content to HTML": html,
            "draft: content, HTML, PDF/A-3b + data.json": lambda: service.produce(
                data, "fi", texts, settings, draft=True
            ),
            "signed: content, HTML, PDF/A-3b + data.json + DCC, sign": lambda: service.produce(
                data, "fi", texts, settings
            ),
            "issue: number, records, render, sign, store, commit": issue_next,
        },
    )
    batch_numbers = [job.job["number"] for job in jobs[: arguments.batch]]
    started, started_cpu = time.perf_counter(), time.process_time()
    outcomes = issue_for_jobs(
        engine, username=lab.signatory.username, job_numbers=batch_numbers, settings=settings
    )
    batch_total, batch_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    failed = [outcome for outcome in outcomes if outcome.problem]

    print(
        f"certificate: {pages} pages, {arguments.points} points, {len(signed_pdf) // 1024} KiB "
        f"signed; medians of {arguments.rounds} runs"
    )
    print(f"{'step':56} {'wall':>8} {'ratio':>6} {'CPU':>8} {'ratio':>6}")
    wall_baseline, cpu_baseline = next(iter(times.values()))
    for name, (wall, cpu) in times.items():
        print(
            f"{name:56} {wall * 1000:5.0f} ms {wall / wall_baseline:5.2f}x "
            f"{cpu * 1000:5.0f} ms {cpu / cpu_baseline:5.2f}x"
        )
    documents = max(len(batch_numbers), 1)
    wall, cpu = batch_total / documents, batch_cpu / documents
    print(
        f"batch of {len(batch_numbers)}: {batch_total:.1f} s in all; per document "
        f"{wall * 1000:.0f} ms wall ({wall / wall_baseline:.2f}x), "
        f"{cpu * 1000:.0f} ms CPU ({cpu / cpu_baseline:.2f}x); {len(failed)} failed"
    )


if __name__ == "__main__":
    main()
