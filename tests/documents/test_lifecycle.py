"""After issue: revisions that supersede, withdrawals, public verification, immutability,
concurrent numbering and batch issuing from the CLI."""

import hashlib
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.auth import principal_for
from lims.cli import main
from lims.config import Settings
from lims.documents import service
from lims.documents.models import IssueRequest
from lims.storage import store_in
from tests.conftest import row_counts
from tests.documents.factories import (
    approved_calibration,
    download,
    issue,
    read_back,
)
from tests.jobs.factories import Lab, make_lab


def _revise(
    client: TestClient,
    lab: Lab,
    document: dict,
    reason: str,
    expect: int = 201,
    reason_class: str = "record_changed",
):
    response = client.post(
        f"/api/v1/documents/{document['id']}/revisions",
        json={"reason": reason, "reason_class": reason_class},
        headers=lab.headers(lab.signatory),
    )
    assert response.status_code == expect, response.text
    return response.json()


def rename_customer(client: TestClient, lab: Lab, name: str) -> None:
    """Customer data changes on the record: what a revision of its certificate corrects."""
    response = client.patch(
        f"/api/v1/organisations/{lab.customer.id}",
        json={"name": name},
        headers=lab.headers(lab.manager),
    )
    assert response.status_code == 200, response.text


def _verify(client: TestClient, number: str, **params: str) -> dict:
    response = client.get(f"/verify/{number}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_revision_supersedes_names_the_old_number_and_states_the_reason(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    original = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    reason = "Asiakkaan nimi oli väärin alkuperäisessä todistuksessa."
    rename_customer(client, lab, "Konepaja Korjattu Oy")
    revision = _revise(client, lab, original, reason)
    assert revision["number"] == f"{original['number']}-R1"
    assert revision["revision"] == 1 and revision["supersedes_id"] == original["id"]
    assert revision["revision_reason"] == reason
    text = " ".join(read_back(download(client, lab, revision)).text.split())
    assert original["number"] in text and reason in text
    old = client.get(f"/api/v1/documents/{original['id']}", headers=lab.headers(lab.manager)).json()
    assert old["state"] == "superseded" and old["superseded_by_id"] == revision["id"]
    # The superseded PDF is kept, byte for byte: nothing is deleted or replaced.
    assert hashlib.sha256(download(client, lab, old)).hexdigest() == original["sha256"]
    check = _verify(client, original["number"])
    assert check["state"] == "superseded" and check["superseded_by"] == revision["number"]
    second = _revise(
        client, lab, revision, "Toinen korjaus: kirjoitusvirhe.", reason_class="editorial"
    )
    assert second["number"] == f"{original['number']}-R2"


def test_only_the_valid_revision_is_revised_and_a_reason_is_required(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    original = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    before = row_counts(engine)
    _revise(client, lab, original, "", expect=422)
    assert row_counts(engine) == before
    _revise(client, lab, original, "Korjattu kirjoitusasu.", reason_class="editorial")
    _revise(client, lab, original, "Uudelleen samasta.", expect=409, reason_class="editorial")


def test_withdrawal_needs_a_reason_and_takes_the_translations_with_it(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    master = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    texts_url = f"/api/v1/documents/{master['id']}/texts"
    missing = client.get(
        texts_url, params={"language": "en"}, headers=lab.headers(lab.manager)
    ).json()["missing"]
    client.put(
        texts_url,
        json={"language": "en", "texts": {key: "text" for key in missing}},
        headers=lab.headers(lab.manager),
    )
    translation = client.post(
        f"/api/v1/documents/{master['id']}/translations",
        json={"language": "en"},
        headers=lab.headers(lab.signatory),
    ).json()
    url = f"/api/v1/documents/{master['id']}/withdrawal"
    refused = client.post(url, json={"reason": ""}, headers=lab.headers(lab.signatory))
    assert refused.status_code == 422
    by_customer = client.post(
        url, json={"reason": "I do not like it"}, headers=lab.headers(lab.customer_user)
    )
    assert by_customer.status_code == 403
    withdrawn = client.post(
        url, json={"reason": "Issued for the wrong instrument."}, headers=lab.headers(lab.manager)
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["state"] == "withdrawn"
    assert _verify(client, master["number"])["state"] == "withdrawn"
    assert _verify(client, translation["number"])["state"] == "withdrawn"
    again = client.post(url, json={"reason": "once more"}, headers=lab.headers(lab.manager))
    assert again.status_code == 409


def test_verification_is_public_compares_the_hash_and_reveals_nothing_of_the_customer(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    document = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    pdf = download(client, lab, document)
    good = _verify(client, document["number"], sha256=hashlib.sha256(pdf).hexdigest())
    assert good["found"] and good["state"] == "issued" and good["sha256_matches"] is True
    forged = _verify(client, document["number"], sha256=hashlib.sha256(pdf + b" ").hexdigest())
    assert forged["sha256_matches"] is False and "NOT" in forged["message"]
    unknown = _verify(client, "KT-1999-0001")
    assert unknown["found"] is False
    page = client.get(f"/verify/{document['number']}", headers={"accept": "text/html"})
    assert page.status_code == 200 and "Voimassa" in page.text
    for answer in (good, page.text):
        assert lab.customer.name not in str(answer)
        assert "SN 4711" not in str(answer)
    malformed = client.get(f"/verify/{document['number']}", params={"sha256": "../../etc"})
    assert malformed.status_code == 422


def test_a_stored_pdf_that_no_longer_matches_its_hash_is_not_served(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    document = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    stored = next(Path(settings.data_dir).rglob(document["sha256"][2:]))
    stored.chmod(0o644)
    content = bytearray(stored.read_bytes())
    content[len(content) // 2] ^= 0xFF
    stored.write_bytes(bytes(content))
    response = client.get(
        f"/api/v1/documents/{document['id']}/pdf", headers=lab.headers(lab.signatory)
    )
    assert response.status_code == 500
    assert response.json()["type"].endswith("integrity")


def test_the_customer_downloads_its_own_documents_and_lists_only_them(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    document = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    pdf = download(client, lab, document, user=lab.customer_user)
    assert hashlib.sha256(pdf).hexdigest() == document["sha256"]
    listed = client.get("/api/v1/documents", headers=lab.headers(lab.customer_user))
    assert [row["number"] for row in listed.json()] == [document["number"]]
    assert listed.headers["x-total-count"] == "1"


@pytest.mark.slow
def test_concurrent_issuing_never_shares_or_skips_a_number(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    """Four signatories' sessions issue at once; the numbers are 1..4 exactly once each."""
    lab = make_lab(engine, settings)
    job_ids = [approved_calibration(client, lab).job["id"] for _ in range(4)]
    store = store_in(settings.data_dir)
    numbers: list[str] = []
    problems: list[BaseException] = []
    start = threading.Barrier(len(job_ids))

    def issue_one(job_id: int) -> None:
        try:
            with Session(engine) as db_session:
                actor = principal_for(lab.signatory, via="test")
                start.wait()
                document = service.issue(
                    db_session,
                    actor=actor,
                    request=IssueRequest(job_id=job_id),
                    settings=settings,
                    store=store,
                )
                numbers.append(document.number)
        except BaseException as error:  # reported below, with the failing thread's error
            problems.append(error)

    threads = [threading.Thread(target=issue_one, args=(job_id,)) for job_id in job_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not problems, problems
    year = numbers[0].split("-")[1]
    assert sorted(numbers) == [f"KT-{year}-{n:04d}" for n in range(1, 5)]


def test_batch_issuing_from_the_cli_reports_each_job(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = make_lab(engine, settings)
    ready = approved_calibration(client, lab)
    monkeypatch.setenv("LIMS_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("LIMS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LIMS_ENVIRONMENT", "test")
    main(["documents", "issue", "--as", lab.signatory.username, "--all-approved"])
    out = capsys.readouterr()
    assert '"document_number": "KT-' in out.out and ready.job["number"] in out.out
    assert "Issuing" in out.err  # the progress bar
    with pytest.raises(SystemExit) as refused:
        main(["documents", "issue", "--as", lab.signatory.username, "--job", "TY-1999-0001"])
    assert refused.value.code == 1
    assert "no job TY-1999-0001" in capsys.readouterr().out
    with pytest.raises(SystemExit) as nothing:
        main(["documents", "issue", "--as", lab.signatory.username])
    assert nothing.value.code == 2


def test_verification_gives_the_lab_day_the_document_prints_not_the_utc_day(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    # 23:30 UTC on 9 March is 01:30 on 10 March in Helsinki: the certificate is dated the
    # 10th, and a customer checking it must read the same day.
    with time_machine.travel(datetime(2027, 3, 9, 23, 30, tzinfo=UTC), tick=True):
        lab = make_lab(engine, settings)
        document = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
        text = " ".join(read_back(download(client, lab, document)).text.split())
        verification = _verify(client, document["number"])
    assert "10.3.2027" in text
    assert verification["issued_on"] == "2027-03-10"
