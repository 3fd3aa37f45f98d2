"""What a certificate or report says beyond its results (issue #23, complete content): units
on every value column, the result named for what the method outputs, the * of results outside
the accreditation, the customer's address and contact (required to issue), the revision's
table of changes, the signatory's own function and the delivery time as it is computed.

Every document is read back from its PDF (text extracted), as a customer's software reads it.
"""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.models import Role
from lims.audit.trail import save
from lims.config import Settings
from lims.contracts import quotations
from lims.contracts.models import QuotationCreate, QuotationLineSpec, Service
from lims.db import persisted_id
from lims.documents.customer_details import customer_gaps
from lims.methods.models import Method
from tests.conftest import row_counts
from tests.contracts.factories import accept, make_price_list, make_price_model
from tests.documents.factories import (
    approved_calibration,
    approved_product_job,
    download,
    issue,
    read_back,
)
from tests.documents.test_one_valid_master import reopen_and_correct_a_result, revise
from tests.factories import FACTORY_ACTOR, bearer, make_user
from tests.jobs.factories import Lab, make_lab


def _text(client: TestClient, lab: Lab, document: dict[str, Any]) -> str:
    return " ".join(read_back(download(client, lab, document)).text.split())


def _out_of_scope(engine: Engine, method: Method) -> None:
    """The method leaves the accredited scope: its results from now on are not accredited."""
    with Session(engine) as db_session:
        stored = db_session.get_one(Method, method.id)
        stored.accredited_from = None
        save(db_session, FACTORY_ACTOR.audit_context(), stored)


# -- units, and what the result is ------------------------------------------------------------


def test_every_value_column_of_a_measurement_report_carries_its_unit_and_says_measured_value(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    """B1, the flange's D20: nominal 20 mm, limits 19.95 … 20.05 mm, readings 20.0010,
    20.0012, 20.0014 mm (mean 20.0012 mm). The CMM method outputs the measured size, so the
    column says "Mitattu arvo"; every number is followed by its unit (ISO/IEC 17025 7.8.2.1 m)."""
    lab = make_lab(engine, settings)
    report = issue(client, lab, job_id=approved_product_job(client, lab).job["id"])
    text = _text(client, lab, report)
    assert "Mitattu arvo" in text and "Poikkeama nimellisarvosta" not in text
    # Nominal, limits, measured value and U: each with its unit (20,0012 mm + the CMM's
    # certificate correction; U as the budget gives it).
    row = text[text.index("D20 20,0 mm 19,95 … 20,05 mm 20,001") :].split("D10")[0]
    assert row.count(" mm") == 4, row


def test_a_calibration_certificate_labels_a_deviation_as_one_with_units_on_each_column(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    """The setting-ring method outputs d_X, the deviation of the diameter from its nominal
    (lims.methods.models.METHOD_EXAMPLE): 10 mm point d_X = 0.020 + 0.410 = 0.430 µm,
    U = 0.080 µm (the CMC, ILAC-P14:09/2020), permissible -2 … 2 µm. A deviation must not be
    called a measured value, nor an instrument's error of indication."""
    lab = make_lab(engine, settings)
    certificate = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    text = _text(client, lab, certificate)
    assert "Poikkeama nimellisarvosta" in text
    assert "Mitattu arvo" not in text and "Näyttämän virhe" not in text
    assert "10 mm 10,0 mm 0,430 µm 0,080 µm 2,00 -2,0 … 2,0 µm" in text


# -- results outside the accreditation ---------------------------------------------------------


@pytest.mark.parametrize("settings", [{"below_cmc": "outside_accreditation"}], indirect=True)
@pytest.mark.parametrize("kind", ["calibration", "inspection"])
def test_every_result_outside_the_accreditation_is_marked_in_certificates_and_inspections(
    client: TestClient, engine: Engine, settings: Settings, kind: str
) -> None:
    """The ring method's evaluated U (0.066 µm) is below its CMC (0.08 µm), which this lab
    reports outside the accreditation: every point is announced and marked *."""
    lab = make_lab(engine, settings)
    document = issue(client, lab, job_id=approved_calibration(client, lab, kind).job["id"])
    text = _text(client, lab, document)
    assert "eivät kuulu laboratorion akkreditoinnin piiriin: 10 mm, 25 mm, 50 mm" in text
    for label in ("10 mm", "25 mm", "50 mm"):
        assert f"{label} * {label[:2]},0 mm" in text, label


@pytest.mark.parametrize("kind", ["product_qc", "reference"])
def test_every_result_outside_the_accreditation_is_marked_in_measurement_reports(
    client: TestClient, engine: Engine, settings: Settings, kind: str
) -> None:
    lab = make_lab(engine, settings)
    _out_of_scope(engine, lab.cmm_method)
    report = issue(client, lab, job_id=approved_product_job(client, lab, kind).job["id"])
    text = _text(client, lab, report)
    assert "eivät kuulu laboratorion akkreditoinnin piiriin: D20, D10" in text
    assert "D20 * 20,0 mm" in text and "D10 * 10,0 mm" in text


# -- the customer's address and contact ------------------------------------------------------


def test_a_certificate_prints_the_customers_postal_address_and_contact(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    """Whatever the record holds is printed as text: markup in an address stays characters."""
    lab = make_lab(engine, settings)
    street = "Mittakatu 1 <b>B</b> & Co"
    patched = client.patch(
        f"/api/v1/organisations/{lab.customer.id}",
        json={"street_address": street},
        headers=lab.headers(lab.manager),
    )
    assert patched.status_code == 200, patched.text
    certificate = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    text = _text(client, lab, certificate)
    assert f"Osoite {street}, 00100 Helsinki, Suomi" in text
    assert "Yhteyshenkilö Kaisa Kontakti, kaisa@asiakas.example" in text


def test_issuing_without_the_customers_address_is_refused_naming_what_is_missing(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    """A blank city counts as missing: the record must name the customer's address."""
    lab = make_lab(engine, settings)
    job = approved_calibration(client, lab)
    patched = client.patch(
        f"/api/v1/organisations/{lab.customer.id}",
        json={"street_address": None, "city": "   "},
        headers=lab.headers(lab.manager),
    )
    assert patched.status_code == 200, patched.text
    before = row_counts(engine)
    refused = client.post(
        "/api/v1/documents", json={"job_id": job.job["id"]}, headers=lab.headers(lab.signatory)
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["missing"] == ["street_address", "city"]
    assert "street_address, city" in problem["detail"] and "7.8.2.1 e)" in problem["detail"]
    assert row_counts(engine) == before
    assert client.get(job.url, headers=lab.headers(lab.manager)).json()["status"] == "approved"


def test_what_a_customer_lacks_is_named_field_by_field() -> None:
    complete = {
        "name": "Oy A",
        "address": {"street": "Katu 1", "postal_code": "00100", "city": "Helsinki"},
        "contact": {"name": "Kaisa", "email": None, "phone": "+358 40 123"},
    }
    assert customer_gaps(complete) == []
    assert customer_gaps(None) == ["name", "street_address", "postal_code", "city", "contact"]
    assert customer_gaps({**complete, "contact": None}) == ["contact"]
    assert customer_gaps({**complete, "contact": {"name": "Kaisa", "email": " "}}) == [
        "contact's e-mail or phone"
    ]
    assert customer_gaps({**complete, "name": "\t", "address": None}) == [
        "name",
        "street_address",
        "postal_code",
        "city",
    ]


def test_an_organisations_address_is_recorded_changed_and_bounded_through_the_api(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    admin = make_user(engine, Role.ADMIN)
    body = {
        "name": "Osoite Oy",
        "country": "FI",
        "business_id": "0112038-9",
        "street_address": "Teollisuuskatu 5",
        "postal_code": "33100",
        "city": "Tampere",
    }
    created = client.post("/api/v1/organisations", json=body, headers=bearer(settings, admin))
    assert created.status_code == 201, created.text
    assert created.json()["city"] == "Tampere"
    url = f"/api/v1/organisations/{created.json()['id']}"
    moved = client.patch(url, json={"postal_code": "33720"}, headers=bearer(settings, admin))
    assert moved.json()["postal_code"] == "33720" and moved.json()["city"] == "Tampere"
    for hostile in ({"street_address": "x" * 201}, {"postal_code": ""}, {"city": 5}):
        answer = client.patch(url, json=hostile, headers=bearer(settings, admin))
        assert answer.status_code == 422, (hostile, answer.text)


# -- the revision's changes ------------------------------------------------------------------


def test_a_revision_prints_each_changed_result_old_and_new_in_the_readers_words(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    """ISO/IEC 17025 7.8.8.1: a change to an issued report is clearly identified. The 25 mm
    point read 1.10, 1.12, 1.11 µm (d_X = 0.020 + 1.110 = 1.130 µm) and is measured again at
    1.30, 1.32, 1.31 µm (d_X = 0.020 + 1.310 = 1.330 µm); U stays the CMC, 0.080 µm."""
    lab = make_lab(engine, settings)
    job = approved_calibration(client, lab)
    original = issue(client, lab, job_id=job.job["id"])
    reopen_and_correct_a_result(job)
    revision = revise(client, lab, original, reason="Piste 25 mm mitattu uudelleen.")
    text = _text(client, lab, revision)
    assert f"Muuttunut asiakirjan {original['number']} jälkeen" in text
    assert "Tulokset 25 mm: Poikkeama nimellisarvosta 1,130 µm 1,330 µm" in text
    assert "results[" not in text and "value_text" not in text
    # The raw float beside the rounded value is kept for machines, not printed.
    assert any(c["what"] == "results[25 mm].value" for c in revision["revision_changes"])


# -- the signatory's function ----------------------------------------------------------------


def test_the_signatorys_function_is_their_own_from_the_staff_record(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    certificate = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    assert certificate["signatory_function"] == "Tekninen johtaja"
    text = _text(client, lab, certificate)
    assert f"{lab.signatory.full_name} Tehtävä Tekninen johtaja" in text
    assert "Laboratorion johtaja" not in text


def test_only_an_administrator_sets_a_job_title_and_a_signatory_without_one_has_none_printed(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    admin = make_user(engine, Role.ADMIN)
    url = f"/api/v1/users/{lab.signatory.id}"
    own = client.patch(url, json={"job_title": "Pääjohtaja"}, headers=lab.headers(lab.signatory))
    assert own.status_code == 403
    cleared = client.patch(url, json={"job_title": None}, headers=bearer(settings, admin))
    assert cleared.status_code == 200 and cleared.json()["job_title"] is None
    certificate = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    text = _text(client, lab, certificate)
    assert "Tehtävä" not in text and "Laboratorion johtaja" not in text
    assert certificate["signatory_function"] == ""


# -- delivery times --------------------------------------------------------------------------


def test_a_quotation_states_the_delivery_time_as_the_order_date_counts_it(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    """K-MIK-25 is delivered in 5 working days. Accepted on Tuesday 22 December 2026, the
    order is due on Thursday 31 December: 23 December, then (Christmas Eve, Christmas Day and
    the weekend are not working days in Finland) 28, 29, 30 and 31 December."""
    lab = make_lab(engine, settings)
    make_price_list(engine, make_price_model(engine, 2026))
    with Session(engine) as db_session:
        quotation = quotations.create_quotation(
            db_session,
            actor=FACTORY_ACTOR,
            data=QuotationCreate(
                organisation_id=persisted_id(lab.customer),
                service=Service.CALIBRATION,
                issued_on=date(2026, 11, 27),
                valid_until=date(2026, 12, 31),
                delivery_days=5,
                lines=[QuotationLineSpec(item_code="K-MIK-25", quantity=1)],
            ),
            settings=settings,
        )
    text = _text(client, lab, issue(client, lab, lab.manager, quotation_id=quotation.id))
    assert "Toimitusaika 5 työpäivää tilauspäivästä." in text
    assert "vastaanottamisesta" not in text
    order = accept(engine, settings, quotation, on=date(2026, 12, 22))
    assert order.delivery_date == date(2026, 12, 31)
    agreements = client.get("/api/v1/agreements", headers=lab.headers(lab.manager)).json()
    agreement = next(a for a in agreements if a["organisation_id"] == lab.customer.id)
    agreement_text = _text(
        client, lab, issue(client, lab, lab.manager, agreement_id=agreement["id"])
    )
    assert "Toimitusajat ovat työpäiviä tilauspäivästä lukien" in agreement_text
