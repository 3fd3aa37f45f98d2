"""Issuing every kind of document in Finnish and in one translation, read back from the PDF.

Each PDF is read as a customer's software would: text extracted page by page, pages counted,
attachments opened, the XMP metadata checked for PDF/A-3b, and the lab's signature validated.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.models import Role
from lims.config import Settings
from lims.contracts.models import Agreement
from lims.documents.dcc import validate_dcc
from lims.documents.signing import check_signature, load_lab_signer
from tests.conftest import row_counts, shared_path
from tests.contracts.factories import make_price_list, make_price_model, make_quotation
from tests.documents.factories import (
    ReadBack,
    approved_calibration,
    approved_product_job,
    download,
    issue,
    read_back,
)
from tests.factories import make_user
from tests.jobs.factories import MEASURED_ON, Lab, make_lab
from tests.training.factories import complete, make_programme, make_rr_test, trained

# What each kind is called in Finnish and in the language it is translated into here: every
# kind is read back in Finnish and one translation (English, Swedish and Estonian all used).
TITLES = {
    "calibration_certificate": ("Kalibrointitodistus", "en", "Calibration certificate"),
    "inspection_report": ("Tarkastusraportti", "sv", "Kontrollrapport"),
    "measurement_report": ("Mittausraportti", "et", "Mõõtmisaruanne"),
    "reference_report": ("Referenssimittausraportti", "en", "Reference measurement report"),
    "agreement": ("Vuosisopimus", "sv", "Årsavtal"),
    "quotation": ("Tarjous", "et", "Hinnapakkumine"),
    "price_list": ("Hinnasto", "en", "Price list"),
    "training_certificate": ("Koulutustodistus", "sv", "Utbildningsbevis"),
    "rr_test_report": ("RR-testin raportti", "et", "RR-testi aruanne"),
}
PREVAILS = {
    "en": "The Finnish original prevails",
    "sv": "gäller det finskspråkiga originalet",
    "et": "soomekeelne originaal",
}


@dataclass
class Issued:
    lab: Lab
    master: dict[str, Any]
    subject: dict[str, int]


def _agreement_of(engine: Engine, lab: Lab) -> Agreement:
    with Session(engine) as db_session:
        agreement = db_session.exec(
            select(Agreement).where(Agreement.organisation_id == lab.customer.id)
        ).first()
        assert agreement is not None
        return agreement


def _subject(client: TestClient, engine: Engine, settings: Settings, lab: Lab, kind: str):
    """Something approved to issue ``kind`` for, made through the services."""
    if kind == "calibration_certificate":
        return {"job_id": approved_calibration(client, lab).job["id"]}
    if kind == "inspection_report":
        return {"job_id": approved_calibration(client, lab, "inspection").job["id"]}
    if kind == "measurement_report":
        return {"job_id": approved_product_job(client, lab).job["id"]}
    if kind == "reference_report":
        return {"job_id": approved_product_job(client, lab, "reference").job["id"]}
    if kind == "agreement":
        return {"agreement_id": _agreement_of(engine, lab).id}
    if kind == "quotation":
        make_price_list(engine, make_price_model(engine, 2026))
        return {"quotation_id": make_quotation(engine, settings, lab.customer).id}
    if kind == "training_certificate":
        enrolment = trained(
            engine, make_programme(engine), name="Eeva Esimerkki", organisation=lab.customer
        )
        return {"enrolment_id": complete(engine, enrolment).id}
    if kind == "rr_test_report":
        return {"rr_test_id": make_rr_test(engine).id}
    return {"price_list_id": make_price_list(engine, make_price_model(engine, 2027)).id}


def _issuer(lab: Lab, kind: str):  # type: ignore[no-untyped-def]
    return lab.signatory if kind.endswith(("certificate", "report")) else lab.manager


def _translate_free_text(
    client: TestClient, lab: Lab, document: dict[str, Any], language: str
) -> None:
    """A translator fills in every free text the master lists as missing."""
    headers = lab.headers(lab.manager)
    url = f"/api/v1/documents/{document['id']}/texts"
    status = client.get(url, params={"language": language}, headers=headers).json()
    texts = {key: f"[{language}] {key}" for key in status["missing"]}
    if texts:
        response = client.put(url, json={"language": language, "texts": texts}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["missing"] == []


def _assert_readable_pdf_a(pdf: ReadBack, number: str, settings: Settings, raw: bytes) -> None:
    assert pdf.pages >= 1
    assert 'pdfaid:part="3"' in pdf.xmp or "<pdfaid:part>3</pdfaid:part>" in pdf.xmp
    assert 'pdfaid:conformance="B"' in pdf.xmp or "<pdfaid:conformance>B" in pdf.xmp
    data = json.loads(pdf.attachments["data.json"])
    assert data["number"] == number
    assert number in pdf.text
    signature = check_signature(raw, load_lab_signer(settings).certificate)
    assert signature.verified, signature


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(TITLES))
def test_each_kind_reads_back_in_finnish_and_in_a_translation(
    client: TestClient, engine: Engine, settings: Settings, kind: str
) -> None:
    lab = make_lab(engine, settings)
    subject = _subject(client, engine, settings, lab, kind)
    finnish_title, language, translated_title = TITLES[kind]
    master = issue(client, lab, _issuer(lab, kind), **subject)
    assert master["kind"] == kind and master["language"] == "fi"
    raw = download(client, lab, master)
    assert hashlib.sha256(raw).hexdigest() == master["sha256"]
    pdf = read_back(raw)
    _assert_readable_pdf_a(pdf, master["number"], settings, raw)
    assert finnish_title in pdf.text
    assert f"Sivu 1 / {pdf.pages}" in pdf.text

    _translate_free_text(client, lab, master, language)
    response = client.post(
        f"/api/v1/documents/{master['id']}/translations",
        json={"language": language},
        headers=lab.headers(_issuer(lab, kind)),
    )
    assert response.status_code == 201, response.text
    translation = response.json()
    assert translation["number"] == f"{master['number']}-{language.upper()}"
    assert translation["master_id"] == master["id"]
    assert translation["master_number"] == master["number"]
    raw_translation = download(client, lab, translation)
    translated = read_back(raw_translation)
    _assert_readable_pdf_a(translated, translation["number"], settings, raw_translation)
    assert translated_title in translated.text
    # It names its master by number and SHA-256, and says the Finnish original prevails.
    flat = " ".join(translated.text.split())
    assert master["number"] in flat and master["sha256"] in flat.replace(" ", "")
    assert PREVAILS[language] in flat
    # It says what the master says: the same data, in another language.
    master_data = json.loads(pdf.attachments["data.json"])
    translated_data = json.loads(translated.attachments["data.json"])
    for data in (master_data, translated_data):
        data.pop("number"), data.pop("language")
    assert translated_data == master_data
    if kind == "calibration_certificate":
        for dcc in (pdf.attachments["dcc.xml"], translated.attachments["dcc.xml"]):
            assert validate_dcc(dcc, shared_path("schemas", "dcc")) == []


def test_calibration_certificate_states_results_as_ilac_p14_rounds_them(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    """The 10 mm point: readings 0.40, 0.42, 0.41 um with the ring method
    d_X = d_S + d_x - d_s, certificate value d_S = 0.020 um (u = 0.015 um), resolution
    0.05 um (rectangular): d_X = 0.020 + 0.410 = 0.430 um;
    u = sqrt(0.015^2 + (0.01/sqrt(3))^2 + (0.05/sqrt(3))^2) = 0.03304 um, U = 2 u = 0.066 um,
    below the method's CMC 0.08 um, so the accredited result states U = the CMC
    (ILAC-P14:09/2020 5.5).
    ILAC-P14:09/2020 5.3: U to two significant digits (0.080), the value to the same place
    (0.430). Finnish notation: decimal comma, dates d.M.yyyy (CLDR fi)."""
    lab = make_lab(engine, settings)
    job = approved_calibration(client, lab)
    document = issue(client, lab, job_id=job.job["id"])
    text = " ".join(read_back(download(client, lab, document)).text.split())
    assert "0,430 µm" in text and "0,080 µm" in text and "2,00" in text
    assert "0,066 µm" not in text
    assert "arvioitu mittausepävarmuus oli pienempi kuin laboratorion akkreditoitu" in text
    assert "ilmoitettu epävarmuus on CMC (ILAC-P14:09/2020 5.5)" in text
    # k = 2: "approximately 95 %" (GUM 6.3.3, EA-4/02 section 5), not the 95,45 % it once said.
    assert "kattavuustodennäköisyys on noin 95 %" in text and "95,45" not in text
    # Items received and measured today (tests/jobs/factories.py), in Finnish notation.
    assert f"{MEASURED_ON.day}.{MEASURED_ON.month}.{MEASURED_ON.year}" in text
    assert "MIKES" in text  # traceability to the national metrology institute
    assert "SN 4711" in text and lab.customer.name in text
    assert "Tulokset koskevat vain kalibroituja kohteita" in text
    assert "ILAC-G8" in text  # the decision rule in words, beside conformity statements
    assert lab.signatory.full_name in text
    # The 50 mm point reads 2.51 + 0.020 = 2.530 um: outside the permissible +-2 um.
    data = document_data(client, lab, document)
    assert [row["decision"] for row in data["results"]] == ["pass", "pass", "fail"]


def document_data(client: TestClient, lab: Lab, document: dict[str, Any]) -> dict[str, Any]:
    return json.loads(read_back(download(client, lab, document)).attachments["data.json"])


def test_issuing_the_certificate_reports_the_job(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    job = approved_calibration(client, lab)
    document = issue(client, lab, job_id=job.job["id"])
    answer = client.get(job.url, headers=lab.headers(lab.manager)).json()
    assert answer["status"] == "reported"
    assert document["subject_state"] == "approved"
    assert document["signatory_name"] == lab.signatory.full_name
    history = client.get(
        "/api/v1/audit",
        params={"entity": f"document:{document['id']}"},
        headers=lab.headers(lab.manager),
    )
    assert history.status_code == 200, history.text
    assert [event["action"] for event in history.json()] == ["insert"]


def test_numbers_run_per_kind_and_year_without_gaps(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    first = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    report = issue(client, lab, job_id=approved_product_job(client, lab).job["id"])
    second = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    year = first["issued_at"][:4]
    assert [first["number"], second["number"]] == [f"KT-{year}-0001", f"KT-{year}-0002"]
    assert report["number"] == f"MR-{year}-0001"


def test_certificate_of_a_job_not_yet_approved_is_refused_and_nothing_changes(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    job = approved_calibration(client, lab)
    job.step("cancelled", lab.manager, reason="the customer withdrew the order")
    before = row_counts(engine)
    refused = issue(client, lab, expect=409, job_id=job.job["id"])
    assert "approved" in refused["detail"]
    assert row_counts(engine) == before


def test_only_an_authorised_signatory_other_than_the_measurer_issues(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    job = approved_calibration(client, lab)
    unauthorised = make_user(engine, Role.SIGNATORY)
    before = row_counts(engine)
    assert issue(client, lab, lab.technician, expect=403, job_id=job.job["id"])
    refused = issue(client, lab, unauthorised, expect=403, job_id=job.job["id"])
    assert "authoris" in refused["detail"]
    assert issue(client, lab, lab.customer_user, expect=403, job_id=job.job["id"])
    assert row_counts(engine) == before


def test_a_translation_with_untranslated_free_text_is_refused_with_the_list(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    master = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    before = row_counts(engine)
    response = client.post(
        f"/api/v1/documents/{master['id']}/translations",
        json={"language": "en"},
        headers=lab.headers(lab.signatory),
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    # The method's title has an English version in the method record; the item does not.
    assert "items.1.description" in problem["missing"] or any(
        key.endswith(".description") for key in problem["missing"]
    )
    assert not any(key.startswith("methods.") for key in problem["missing"])
    assert row_counts(engine) == before


def test_a_changed_finnish_text_needs_its_translation_again(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    """A translation counts only for the Finnish wording it translated."""
    lab = make_lab(engine, settings)
    master = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    _translate_free_text(client, lab, master, "sv")
    second = issue(
        client,
        lab,
        job_id=approved_calibration(client, lab).job["id"],
        signatory_function="Kalibrointipäällikkö",
    )
    status = client.get(
        f"/api/v1/documents/{second['id']}/texts",
        params={"language": "sv"},
        headers=lab.headers(lab.manager),
    ).json()
    assert "signatory.function" in status["missing"]


def test_unknown_free_text_keys_are_refused(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    master = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    before = row_counts(engine)
    response = client.put(
        f"/api/v1/documents/{master['id']}/texts",
        json={"language": "en", "texts": {"../../etc/passwd": "x"}},
        headers=lab.headers(lab.manager),
    )
    assert response.status_code == 422
    assert "no such free text" in response.json()["detail"]
    assert row_counts(engine) == before


def test_the_same_translation_is_not_issued_twice(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    master = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    _translate_free_text(client, lab, master, "et")
    url = f"/api/v1/documents/{master['id']}/translations"
    headers = lab.headers(lab.signatory)
    assert client.post(url, json={"language": "et"}, headers=headers).status_code == 201
    again = client.post(url, json={"language": "et"}, headers=headers)
    assert again.status_code == 409
    bad_language = client.post(url, json={"language": "fi"}, headers=headers)
    assert bad_language.status_code == 422


def test_a_preview_is_a_draft_and_records_nothing(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    job = approved_calibration(client, lab)
    before = row_counts(engine)
    response = client.post(
        "/api/v1/documents/preview",
        json={"job_id": job.job["id"]},
        headers=lab.headers(lab.technician),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    pdf = read_back(response.content)
    assert "LUONNOS" in pdf.text
    assert not check_signature(response.content, load_lab_signer(settings).certificate).valid
    assert row_counts(engine) == before
    customer = client.post(
        "/api/v1/documents/preview",
        json={"job_id": job.job["id"]},
        headers=lab.headers(lab.customer_user),
    )
    assert customer.status_code == 403


@pytest.mark.parametrize("settings", [{"below_cmc": "outside_accreditation"}], indirect=True)
def test_the_accreditation_mark_appears_only_when_every_result_is_accredited(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    """The CMM results are inside the accredited scope; the ring-method results evaluate an
    uncertainty (0.066 um) below the method's CMC (0.08 um), which this lab reports outside
    the accreditation (LIMS_BELOW_CMC=outside_accreditation), so they are not accredited."""
    lab = make_lab(engine, settings)
    report = issue(client, lab, job_id=approved_product_job(client, lab).job["id"])
    certificate = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    assert report["accredited"] is True and certificate["accredited"] is False
    marked = " ".join(read_back(download(client, lab, report)).text.split())
    assert "FINAS K000" in marked and "Akkreditoitu laboratorio" in marked
    unmarked = " ".join(read_back(download(client, lab, certificate)).text.split())
    assert "Akkreditoitu laboratorio" not in unmarked
    assert "eivät kuulu laboratorion akkreditoinnin piiriin" in unmarked
    assert "10 mm, 25 mm, 50 mm" in unmarked
