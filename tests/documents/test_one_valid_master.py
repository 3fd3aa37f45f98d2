"""One valid master per job: a second issue is refused, a revision only after the record
changed (stating what) or as an editorial correction, and a reopened job is revised."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.config import Settings
from tests.conftest import row_counts
from tests.documents.factories import RING_POINTS, approved_calibration, download, issue, read_back
from tests.documents.test_lifecycle import rename_customer
from tests.factories import PASSWORD
from tests.jobs.factories import MEASURED_ON, JobDriver, Lab, make_lab


def revise(client: TestClient, lab: Lab, document: dict, expect: int = 201, **body: str) -> dict:
    response = client.post(
        f"/api/v1/documents/{document['id']}/revisions",
        json={"reason": "Korjattu todistus.", **body},
        headers=lab.headers(lab.signatory),
    )
    assert response.status_code == expect, response.text
    return response.json()


def results(job: JobDriver) -> list[dict]:
    response = job.client.get(f"{job.url}/results", headers=job.lab.headers(job.lab.manager))
    assert response.status_code == 200, response.text
    return response.json()


def reopen_and_correct_a_result(job: JobDriver) -> None:
    """The quality manager reopens the reported job; the 25 mm point is measured again."""
    lab = job.lab
    job.step("in_measurement", lab.manager, reason="Asiakas reklamoi pisteestä 25 mm.")
    planned = job.client.get(f"{job.url}/characteristics", headers=lab.headers(lab.manager))
    point = next(c for c in planned.json() if c["label"] == "25 mm")
    job.record(
        characteristic_id=point["id"],
        equipment={"reference": lab.ring_gauge.id},
        observations={"d_x": [1.30, 1.32, 1.31]},
        reason="Mitattu uudelleen reklamaation jälkeen.",
        version=1,
    )
    job.step("measured", lab.technician)
    job.step("reviewed", lab.reviewer)
    job.step("approved", lab.signatory)


def sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    answer = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text


def test_a_second_issue_for_a_job_with_a_valid_master_is_refused_naming_it_and_the_revision(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    job_id = approved_calibration(client, lab).job["id"]
    first = issue(client, lab, job_id=job_id)
    before = row_counts(engine)
    refused = issue(client, lab, expect=409, job_id=job_id)
    assert first["number"] in refused["detail"]
    assert f"/api/v1/documents/{first['id']}/revisions" in refused["detail"]
    assert row_counts(engine) == before


def test_a_job_whose_master_was_withdrawn_takes_a_new_master(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    job_id = approved_calibration(client, lab).job["id"]
    first = issue(client, lab, job_id=job_id)
    withdrawn = client.post(
        f"/api/v1/documents/{first['id']}/withdrawal",
        json={"reason": "Annettu väärälle laitteelle."},
        headers=lab.headers(lab.manager),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    second = issue(client, lab, job_id=job_id)
    assert second["number"] != first["number"] and second["state"] == "issued"


def test_a_revision_without_a_change_on_the_record_is_refused(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    original = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    before = row_counts(engine)
    refused = revise(client, lab, original, expect=409, reason="Tulos korjattu.")
    assert refused["detail"] == (
        f"nothing on the record changed since {original['number']}; an editorial correction "
        'needs reason_class "editorial"'
    )
    assert row_counts(engine) == before


def test_a_revision_after_customer_data_changed_states_old_and_new_and_prints_them(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    original = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    rename_customer(client, lab, "Konepaja Uusi Nimi Oy")
    revision = revise(client, lab, original, reason="Asiakkaan nimi muuttui.")
    assert revision["revision_reason_class"] == "record_changed"
    assert revision["revision_changes"] == [
        {"what": "customer.name", "old": lab.customer.name, "new": "Konepaja Uusi Nimi Oy"}
    ]
    text = " ".join(read_back(download(client, lab, revision)).text.split())
    assert f"Muuttunut asiakirjan {original['number']} jälkeen" in text
    assert f"Asiakas: Nimi {lab.customer.name} Konepaja Uusi Nimi Oy" in text


def test_an_editorial_revision_needs_no_change_and_says_so(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    original = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    revision = revise(
        client, lab, original, reason="Kirjoitusvirhe otsikossa.", reason_class="editorial"
    )
    assert (revision["revision_reason_class"], revision["revision_changes"]) == ("editorial", [])
    text = " ".join(read_back(download(client, lab, revision)).text.split())
    assert "Toimituksellinen korjaus: tallenteet ovat ennallaan." in text


def test_a_reopened_job_is_revised_with_its_changed_result_not_issued_anew(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    job = approved_calibration(client, lab)
    original = issue(client, lab, job_id=job.job["id"])
    reopen_and_correct_a_result(job)
    refused = issue(client, lab, expect=409, job_id=job.job["id"])
    assert original["number"] in refused["detail"]
    revision = revise(client, lab, original, reason="Piste 25 mm mitattu uudelleen.")
    changed = {change["what"]: change for change in revision["revision_changes"]}
    assert changed["results[25 mm].value"]["old"] != changed["results[25 mm].value"]["new"]
    assert job.client.get(job.url, headers=lab.headers(lab.manager)).json()["status"] == (
        "reported"
    )
    text = " ".join(read_back(download(client, lab, revision)).text.split())
    assert "Tulokset 25 mm: Poikkeama nimellisarvosta" in text


def test_a_closed_job_is_reopened_by_a_quality_manager_with_a_reason_keeping_its_results(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    job = approved_calibration(client, lab)
    issue(client, lab, job_id=job.job["id"])
    for item in job.items():
        client.post(
            f"{job.url}/items/{item['id']}/dispatch",
            json={"dispatched_on": MEASURED_ON.isoformat()},
            headers=lab.headers(lab.technician),
        )
    job.step("closed", lab.manager)
    kept = results(job)
    job.step("in_measurement", lab.technician, reason="Korjaus.", expect=403)
    refused = job.step("in_measurement", lab.manager, expect=409)
    assert "give a reason: reopening a closed job needs one" in refused["detail"]
    reopened = job.step("in_measurement", lab.manager, reason="Asiakas reklamoi.")
    assert (reopened["status"], reopened["reason"]) == ("in_measurement", "Asiakas reklamoi.")
    assert len(kept) == len(RING_POINTS) and results(job) == kept


def test_the_job_page_offers_the_revision_not_a_second_issue_and_the_manager_reopens(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    job = approved_calibration(client, lab)
    sign_in(client, lab.signatory.username)
    assert 'id="issue-document"' in client.get(f"/jobs/{job.job['id']}").text
    original = issue(client, lab, job_id=job.job["id"])
    page = client.get(f"/jobs/{job.job['id']}").text
    assert 'id="issue-document"' not in page
    assert f'data-action="/api/v1/documents/{original["id"]}/revisions"' in page
    assert 'name="reason_class"' in page
    assert 'data-step="in_measurement"' not in page  # reopening is the manager's
    sign_in(client, lab.manager.username)
    page = client.get(f"/jobs/{job.job['id']}").text
    assert 'data-step="in_measurement"' in page and "Avaa työ uudelleen" in page


def test_the_document_page_shows_what_the_revision_changed(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    original = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    rename_customer(client, lab, "Konepaja Uusi Nimi Oy")
    revision = revise(client, lab, original, reason="Asiakkaan nimi muuttui.")
    sign_in(client, lab.manager.username)
    page = client.get(f"/documents/{revision['id']}").text
    assert 'id="revision-changes"' in page
    assert "customer.name" in page and "Konepaja Uusi Nimi Oy" in page
