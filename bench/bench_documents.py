"""Benchmark rendering and issuing a three-page calibration certificate, and a batch of 100.

Run from the repository root::

    .venv/bin/python bench/bench_documents.py [--rounds 7] [--batch 100]

A throw-away SQLite lab gets approved calibration jobs through the API (as the tests make
them), each with enough calibration points for a three-page certificate.  Timed, in one
process, each median of ``--rounds`` runs:

- baseline: WeasyPrint alone rendering the certificate's HTML to a plain PDF (no PDF/A,
  no attachments, no signature): what any HTML-to-PDF report costs;
- render: the certificate's HTML (templates, Babel, charts) to signed-ready PDF/A-3b with
  data.json and the validated DCC embedded;
- issue: ``documents.service.issue`` end to end: number, data, render, sign, store, commit;
- batch: ``lims documents issue --all-approved``'s loop over ``--batch`` jobs (per document).

Nothing asserts.  The ratios are against the baseline measured in the same process.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import weasyprint
from fastapi.testclient import TestClient
from sqlmodel import Session

from bench.lab import approved_job, median_of, throwaway_lab
from lims.accounts.auth import principal_for
from lims.app import create_app
from lims.documents import service
from lims.documents.batch import issue_for_jobs
from lims.documents.models import IssueRequest
from lims.documents.pdf import qr_svg_data_uri
from lims.documents.render import render_html
from lims.storage import store_in

POINTS = 36  # a three-page certificate with the method, traceability and the chart
SIZES = [5.0 + 5.0 * n for n in range(POINTS)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batch", type=int, default=100)
    arguments = parser.parse_args()

    _, settings, engine, lab = throwaway_lab("bench-documents-")
    jobs_needed = arguments.rounds + arguments.batch + 1
    print(f"preparing {jobs_needed} approved jobs of {POINTS} points ...", file=sys.stderr)
    with TestClient(create_app(settings)) as client:
        jobs = [approved_job(client, lab, SIZES, 0.01) for _ in range(jobs_needed)]
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
    html = render_html(
        data,
        language="fi",
        texts=data["free_text"],
        verify_url="https://lims.example/verify/KT",
        qr_data_uri=qr_svg_data_uri("https://lims.example/verify/KT"),
    )
    pages = len(weasyprint.HTML(string=html).render().pages)

    baseline = median_of(arguments.rounds, lambda: weasyprint.HTML(string=html).write_pdf())
    render = median_of(
        arguments.rounds,
        lambda: service.produce(data, "fi", data["free_text"], settings, draft=True),
    )
    issue = median_of(arguments.rounds, issue_next)
    batch_numbers = [job.job["number"] for job in jobs[: arguments.batch]]
    started = time.perf_counter()
    outcomes = issue_for_jobs(
        engine, username=lab.signatory.username, job_numbers=batch_numbers, settings=settings
    )
    batch_total = time.perf_counter() - started
    failed = [outcome for outcome in outcomes if outcome.problem]

    print(f"certificate: {pages} pages, {POINTS} points; medians of {arguments.rounds} runs")
    print(f"{'step':44} {'time':>10} {'vs baseline':>12}")
    for name, seconds in (
        ("baseline: WeasyPrint plain PDF of the HTML", baseline),
        ("render: HTML + PDF/A-3b + data.json + DCC", render),
        ("issue: number, render, sign, store, commit", issue),
    ):
        print(f"{name:44} {seconds * 1000:8.0f} ms {seconds / baseline:11.2f}x")
    per_document = batch_total / max(len(batch_numbers), 1)
    print(
        f"batch of {len(batch_numbers)}: {batch_total:.1f} s in all, "
        f"{per_document * 1000:.0f} ms per document ({per_document / baseline:.2f}x baseline), "
        f"{len(failed)} failed"
    )


if __name__ == "__main__":
    main()
