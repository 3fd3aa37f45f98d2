"""Who reads which document: a customer reads its organisation's documents and the lab's
published price lists, never the lab's own records about nobody else (a staff member's
training certificate, an in-house RR-test report), by id, in a list or as a PDF."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.config import Settings
from tests.contracts.factories import make_price_list, make_price_model
from tests.documents.factories import issue
from tests.jobs.factories import Lab, make_lab
from tests.training.factories import complete, make_programme, make_rr_test, trained

DOCUMENTS = "/api/v1/documents"
EXPORT = "/api/v1/records/export"


def _lab_documents(engine: Engine, client: TestClient, lab: Lab) -> dict[str, dict[str, Any]]:
    """A staff member's training certificate, an in-house RR test's report, a price list."""
    staff_enrolment = complete(engine, trained(engine, make_programme(engine), user=lab.technician))
    return {
        "training": issue(client, lab, enrolment_id=staff_enrolment.id),
        "rr_test": issue(client, lab, rr_test_id=make_rr_test(engine).id),
        "price_list": issue(
            client,
            lab,
            user=lab.manager,
            price_list_id=make_price_list(engine, make_price_model(engine, 2027)).id,
        ),
    }


def test_a_customer_never_reads_the_labs_own_records(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    documents = _lab_documents(engine, client, lab)
    customer = lab.headers(lab.customer_user)
    listed = {d["id"] for d in client.get(DOCUMENTS, headers=customer).json()}
    for name in ("training", "rr_test"):
        document_id = documents[name]["id"]
        assert client.get(f"{DOCUMENTS}/{document_id}", headers=customer).status_code == 404
        assert client.get(f"{DOCUMENTS}/{document_id}/pdf", headers=customer).status_code == 404
        assert document_id not in listed, name
    price_list = documents["price_list"]["id"]
    assert client.get(f"{DOCUMENTS}/{price_list}/pdf", headers=customer).status_code == 200
    assert price_list in listed


def test_a_customer_never_exports_the_labs_own_records(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    documents = _lab_documents(engine, client, lab)
    customer = lab.headers(lab.customer_user)
    missing = client.get(EXPORT, params={"document": "KT-2026-9999"}, headers=customer)
    for name in ("training", "rr_test"):
        number = documents[name]["number"]
        asked = client.get(EXPORT, params={"document": number}, headers=customer)
        assert asked.status_code == missing.status_code == 404, name
        assert asked.json()["detail"] == f"document {number} does not exist"


def test_the_lab_reads_its_own_records(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    documents = _lab_documents(engine, client, lab)
    listed = {d["id"] for d in client.get(DOCUMENTS, headers=lab.headers(lab.manager)).json()}
    assert {d["id"] for d in documents.values()} <= listed
