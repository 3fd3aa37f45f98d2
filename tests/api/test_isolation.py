"""Every route of the OpenAPI schema, enumerated: confidentiality and read-only roles hold.

For each operation this proves that
- an anonymous caller gets 401, except on the public routes listed here;
- a customer of organisation A cannot read or change organisation B's records: the answer
  for B's record is the same as for a record that does not exist, B's rows are unchanged,
  and nothing of B appears in any answer;
- an auditor reads everything and changes nothing (403 for every change, no audit event).
New routes are covered automatically; a route whose parameters or body the test cannot
fill makes it fail and say what to add.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session

from lims.accounts import service as accounts
from lims.accounts.models import ContactCreate, Organisation, Role, User
from lims.competence.models import Activity
from lims.config import Settings
from lims.contracts import prices
from lims.contracts.models import LabClosureCreate, Service
from lims.documents.signing import create_demo_signing_key
from tests.cad.factories import make_proposal
from tests.conftest import row_counts
from tests.contracts.factories import (
    accept,
    make_agreement,
    make_price_list,
    make_price_model,
    make_quotation,
    review_agreement,
    review_order,
)
from tests.documents.factories import make_document
from tests.equipment.factories import (
    attach_certificate,
    authorise,
    make_calibration,
    make_equipment,
    make_method,
)
from tests.factories import FACTORY_ACTOR, bearer, make_organisation, make_user
from tests.invoicing.factories import make_invoicing_export
from tests.training.factories import (
    competence_record_of,
    make_enrolment,
    make_programme,
    make_rr_test,
)

PUBLIC_ROUTES = {
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/ready"),
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/auth/login"),
    ("GET", "/verify/{number}"),
}
# Acting on one's own login, not on records: an auditor may end its own session and change
# its own password.
OWN_SESSION_ROUTES = {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/password")}
# A person's own interface language, which an auditor chooses too (issue 25: a language switch
# for every role); tests/accounts/test_own_language.py proves it changes nothing else.
OWN_CHOICE_ROUTES = {("PATCH", "/api/v1/auth/me")}
# Optional query parameters that name the record a route acts on (one of several ways).
RECORD_QUERY_OF_ROUTE = {("GET", "/api/v1/records/export"): ("job_id",)}
AUDIT_TRAIL_PREFIX = "/api/v1/audit"
SECRET_OF_B = "Salainen Asiakas B Oy"
MISSING_ID = 987654


@dataclass
class World:
    organisation_a: Organisation
    organisation_b: Organisation
    customer_a: User
    customer_b: User
    auditor: User
    path_values_of_b: dict[str, Any]
    query_values_of_b: dict[str, Any]


@pytest.fixture
def world(engine: Engine, client: TestClient, settings: Settings) -> World:
    create_demo_signing_key(settings)  # records bundles are signed with the lab's key
    organisation_a = make_organisation(engine, name="Asiakas A Oy")
    organisation_b = make_organisation(engine, name=SECRET_OF_B)
    customer_a = make_user(engine, Role.CUSTOMER, organisation=organisation_a)
    customer_b = make_user(
        engine, Role.CUSTOMER, organisation=organisation_b, full_name=f"{SECRET_OF_B} user"
    )
    with Session(engine) as db_session:
        contact_b = accounts.add_contact(
            db_session,
            actor=FACTORY_ACTOR,
            organisation_id=organisation_b.id,
            data=ContactCreate(name=f"{SECRET_OF_B} contact"),
        )
    token_b = client.post(
        "/api/v1/auth/api-tokens",
        json={"name": f"{SECRET_OF_B} cell", "scopes": ["read"]},
        headers=bearer(settings, customer_b),
    ).json()
    price_model = make_price_model(engine, 2026)
    unpublished_list = make_price_list(engine, price_model, publish=False)
    make_price_list(engine, price_model)
    agreement_b = make_agreement(
        engine, organisation_b, services=(Service.CALIBRATION,), valid_until=date(2099, 12, 31)
    )
    quotation_b = make_quotation(engine, settings, organisation_b)
    request_b = client.post(
        "/api/v1/quotation-requests",
        json={
            "organisation_id": organisation_b.id,
            "service": "calibration",
            "description": f"{SECRET_OF_B} asks for a quotation",
        },
        headers=bearer(settings, customer_b),
    ).json()
    order_b = accept(
        engine, settings, make_quotation(engine, settings, organisation_b), on=date(2026, 11, 27)
    )
    manager = make_user(engine, Role.QUALITY_MANAGER)
    review_agreement(engine, agreement_b, manager)
    review_b = review_order(engine, order_b, manager)
    with Session(engine) as db_session:
        closure = prices.add_closure(
            db_session,
            actor=FACTORY_ACTOR,
            data=LabClosureCreate(day=date(2026, 7, 31), reason="Kesäsulku"),
        )
    standard = make_equipment(engine)
    calibration = attach_certificate(engine, settings, make_calibration(engine, standard))
    method = make_method(engine)
    technician = make_user(engine, Role.TECHNICIAN)
    authorisation = authorise(engine, technician, method, Activity.PERFORM)
    job_b = client.post(
        "/api/v1/jobs",
        json={
            "organisation_id": organisation_b.id,
            "kind": "calibration",
            "items": [{"kind": "instrument", "description": f"{SECRET_OF_B} micrometer"}],
        },
        headers=bearer(settings, customer_b),
    ).json()
    item_b = client.get(f"/api/v1/jobs/{job_b['id']}/items", headers=bearer(settings, customer_b))
    proposal_b = make_proposal(engine, job_id=job_b["id"], item_id=item_b.json()[0]["id"])
    characteristic_b = client.post(
        f"/api/v1/jobs/{job_b['id']}/characteristics",
        json={
            "item_id": item_b.json()[0]["id"],
            "label": f"{SECRET_OF_B} 25 mm",
            "unit": "um",
            "method_id": method.id,
        },
        headers=bearer(settings, technician),
    ).json()
    document_b = make_document(engine, settings, organisation_b, job_id=job_b["id"])
    programme = make_programme(engine)
    enrolment_b = make_enrolment(
        engine, programme, name=f"{SECRET_OF_B} trainee", organisation=organisation_b
    )
    rr_test_b = make_rr_test(
        engine, title=f"{SECRET_OF_B} RR test", organisation_id=organisation_b.id
    )
    record = competence_record_of(engine, technician)
    export = make_invoicing_export(engine)
    return World(
        organisation_a=organisation_a,
        organisation_b=organisation_b,
        customer_a=customer_a,
        customer_b=customer_b,
        auditor=make_user(engine, Role.AUDITOR),
        path_values_of_b={
            "organisation_id": organisation_b.id,
            "contact_id": contact_b.id,
            "user_id": customer_b.id,
            "token_id": token_b["id"],
            "equipment_id": standard.id,
            "calibration_id": calibration.id,
            "method_id": method.id,
            "staff_id": technician.id,
            "authorisation_id": authorisation.id,
            "agreement_id": agreement_b.id,
            "quotation_id": quotation_b.id,
            "order_id": order_b.id,
            "request_id": request_b["id"],
            "price_model_id": price_model.id,
            "price_list_id": unpublished_list.id,
            "closure_id": closure.id,
            "job_id": job_b["id"],
            "item_id": item_b.json()[0]["id"],
            "proposal_id": proposal_b.id,
            "characteristic_id": characteristic_b["id"],
            "document_id": document_b.id,
            "programme_id": programme.id,
            "course_id": programme.courses[0].id,
            "enrolment_id": enrolment_b.id,
            "rr_test_id": rr_test_b.id,
            "chart": "components",
            "record_id": record.id,
            "review_id": review_b.id,
            "export_id": export.id,
        },
        query_values_of_b={
            "entity": f"organisation:{organisation_b.id}",
            "filename": "drawing.pdf",
            "equipment_id": standard.id,
            "language": "en",
            "chart": "components",
            "job_id": job_b["id"],
            # Searching by the other organisation's job number finds nothing of it.
            "q": job_b["number"],
            "period": "2026-11",
        },
    )


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def path_parameters(self) -> list[str]:
        return [p["name"] for p in self.spec.get("parameters", []) if p["in"] == "path"]

    @property
    def changes_records(self) -> bool:
        return self.method not in ("GET", "HEAD") and not self.spec.get("x-read-only")


def operations(app: FastAPI) -> Iterator[Operation]:
    for path, item in app.openapi()["paths"].items():
        for method, spec in item.items():
            yield Operation(method.upper(), path, spec)


def example_body(app: FastAPI, operation: Operation) -> Any:
    """The first example of the request body's schema: every body model must have one."""
    content = operation.spec.get("requestBody", {}).get("content", {})
    if not content:
        return None
    media_type, body = next(iter(content.items()))
    schema = body["schema"]
    if "$ref" in schema:
        schema = app.openapi()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    examples = schema.get("examples") or ([body["example"]] if "example" in body else [])
    assert examples, f"{operation.key}: give the request model an example ({media_type})"
    return examples[0]


def request_for(
    app: FastAPI, operation: Operation, world: World, *, ids: dict[str, Any] | None = None
) -> dict[str, Any]:
    values = world.path_values_of_b if ids is None else ids
    missing = [name for name in operation.path_parameters if name not in values]
    assert not missing, f"{operation.key}: add path parameter {missing} to the world fixture"
    path = operation.path.format(**{name: values[name] for name in operation.path_parameters})
    naming = RECORD_QUERY_OF_ROUTE.get(operation.key, ())
    query = {
        p["name"]: world.query_values_of_b[p["name"]]
        for p in operation.spec.get("parameters", [])
        if p["in"] == "query" and (p.get("required") or p["name"] in naming)
    }
    request: dict[str, Any] = {"method": operation.method, "url": path, "params": query}
    body = example_body(app, operation)
    if body is not None:
        request["content"] = json.dumps(body)
        request["headers"] = {"content-type": "application/json"}
    return request


def send(client: TestClient, request: dict[str, Any], headers: dict[str, str]):  # type: ignore[no-untyped-def]
    merged = {**request.get("headers", {}), **headers}
    return client.request(**{**request, "headers": merged})


def rows_of_organisation(engine: Engine, organisation_id: int) -> str:
    """Every row that belongs to the organisation, found by its columns, as one string."""
    with engine.connect() as connection:
        inspector = inspect(connection)
        user_ids = [
            row[0]
            for row in connection.execute(
                text("SELECT id FROM user_account WHERE organisation_id = :o"),
                {"o": organisation_id},
            )
        ]
        dump: dict[str, list[str]] = {}
        for table in sorted(inspector.get_table_names()):
            columns = {column["name"] for column in inspector.get_columns(table)}
            if table == "organisation":
                where, values = "id = :o", {"o": organisation_id}
            elif "organisation_id" in columns and table != "audit_event":
                where, values = "organisation_id = :o", {"o": organisation_id}
            elif "user_id" in columns and user_ids:
                where = f"user_id IN ({', '.join(str(int(i)) for i in user_ids)})"
                values = {}
            else:
                continue
            rows = connection.execute(text(f'SELECT * FROM "{table}" WHERE {where}'), values)
            dump[table] = sorted(repr(tuple(row)) for row in rows)
    return json.dumps(dump)


def test_every_route_is_covered(app: FastAPI) -> None:
    keys = {operation.key for operation in operations(app)}
    assert keys >= PUBLIC_ROUTES
    assert len(keys) > len(PUBLIC_ROUTES)


def test_anonymous_callers_get_401_except_on_public_routes(
    app: FastAPI, client: TestClient, world: World
) -> None:
    for operation in operations(app):
        if operation.key in PUBLIC_ROUTES:
            continue
        response = send(client, request_for(app, operation, world), {})
        assert response.status_code == 401, f"{operation.key} answered {response.status_code}"
        assert response.headers["content-type"] == "application/problem+json"


def test_customer_of_a_cannot_read_or_change_records_of_b(
    app: FastAPI, client: TestClient, engine: Engine, settings: Settings, world: World
) -> None:
    headers = bearer(settings, world.customer_a)
    b_before = rows_of_organisation(engine, world.organisation_b.id)
    for operation in operations(app):
        if operation.key in PUBLIC_ROUTES | OWN_SESSION_ROUTES:
            continue
        response = send(client, request_for(app, operation, world), headers)
        assert SECRET_OF_B not in response.text, f"{operation.key} revealed B: {response.text}"
        naming = RECORD_QUERY_OF_ROUTE.get(operation.key, ())
        if operation.path_parameters or naming:
            assert response.status_code in (403, 404), f"{operation.key}: {response.status_code}"
            absent = request_for(
                app, operation, world, ids=dict.fromkeys(operation.path_parameters, MISSING_ID)
            )
            absent["params"].update(dict.fromkeys(naming, MISSING_ID))
            answer_for_missing = send(client, absent, headers)
            assert response.status_code == answer_for_missing.status_code, (
                f"{operation.key}: B's record answers {response.status_code}, "
                f"a missing one {answer_for_missing.status_code}"
            )
        assert rows_of_organisation(engine, world.organisation_b.id) == b_before, operation.key


def test_customers_have_no_access_to_the_audit_trail(
    app: FastAPI, client: TestClient, settings: Settings, world: World
) -> None:
    """Not even to their own records' history: events show records before the lab released
    them (a result before its review)."""
    headers = bearer(settings, world.customer_a)
    audit_routes = [op for op in operations(app) if op.path.startswith(AUDIT_TRAIL_PREFIX)]
    assert audit_routes
    for operation in audit_routes:
        request = request_for(app, operation, world)
        if "entity" in request["params"]:
            request["params"]["entity"] = f"organisation:{world.customer_a.organisation_id}"
        response = send(client, request, headers)
        assert response.status_code == 403, f"{operation.key}: {response.status_code}"


def test_auditor_reads_everything_and_changes_nothing(
    app: FastAPI, client: TestClient, engine: Engine, settings: Settings, world: World
) -> None:
    headers = bearer(settings, world.auditor)
    for operation in operations(app):
        if operation.key in PUBLIC_ROUTES | OWN_SESSION_ROUTES | OWN_CHOICE_ROUTES:
            continue
        before = row_counts(engine)
        response = send(client, request_for(app, operation, world), headers)
        if operation.changes_records:
            assert response.status_code == 403, f"{operation.key}: {response.status_code}"
        else:
            assert response.status_code == 200, f"{operation.key}: {response.text}"
        assert row_counts(engine) == before, operation.key


def test_no_route_answers_its_own_example_with_a_server_error(
    app: FastAPI, client: TestClient, engine: Engine, settings: Settings, world: World
) -> None:
    """Every route, called by an administrator with its documented example, answers with
    a success or a problem a person can act on, never a 500."""
    admin = bearer(settings, make_user(engine, Role.ADMIN))
    for operation in operations(app):
        if operation.key in PUBLIC_ROUTES | OWN_SESSION_ROUTES:
            continue
        response = send(client, request_for(app, operation, world), admin)
        assert response.status_code < 500, f"{operation.key}: {response.text}"
