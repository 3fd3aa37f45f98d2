"""The search box's service and API: each kind found by number or text, exact numbers first,
keyset pages, the listings' visibility rules, and hostile queries refused or taken literally."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.auth import principal_for
from lims.accounts.models import Role, User
from lims.audit.trail import set_context
from lims.config import Settings
from lims.documents.models import Document, DocumentKind
from lims.errors import InvalidInput
from lims.search import MAX_QUERY, SearchKind, SearchResults, search
from tests.factories import FACTORY_ACTOR, make_organisation, make_user
from tests.jobs.factories import MICROMETER, Lab, make_lab, submit

SEARCH = "/api/v1/search"


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def find(engine: Engine, user: User, query: str, **options: Any) -> SearchResults:
    with Session(engine) as db_session:
        return search(db_session, actor=principal_for(user, via="password"), query=query, **options)


def numbers(results: SearchResults, kind: SearchKind) -> list[str | None]:
    return [hit.number for group in results.groups if group.kind == kind for hit in group.hits]


def submit_item(client: TestClient, lab: Lab, **item: Any) -> dict[str, Any]:
    return submit(client, lab, "calibration", {**MICROMETER, **item}).job


def add_document(engine: Engine, job: dict[str, Any], number: str, title: str) -> None:
    with Session(engine) as db_session:
        set_context(db_session, FACTORY_ACTOR.audit_context())
        db_session.add(
            Document(
                number=number,
                kind=DocumentKind.CALIBRATION_CERTIFICATE,
                language="fi",
                title=title,
                organisation_id=job["organisation_id"],
                job_id=job["id"],
                sha256="0" * 64,
                size=1,
                data={},
                issued_by="Signe Signatory",
                signatory_name="Signe Signatory",
                signatory_function="Tekninen johtaja",
            )
        )
        db_session.commit()


def test_a_job_is_found_by_its_number_by_its_customer_reference_and_by_its_item(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = submit_item(client, lab, identification="SN-JOB-77", description="Bore gauge 18 mm")
    for query in (job["number"], job["number"].lower(), "PO-1", "bore GAUGE", "sn-job-77"):
        assert job["number"] in numbers(find(engine, lab.technician, query), SearchKind.JOB)


def test_an_item_is_found_by_its_serial_number_and_names_its_job(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = submit_item(client, lab, identification="SN 90210-X")
    (group,) = find(engine, lab.technician, "90210", kind=SearchKind.ITEM).groups
    (hit,) = group.hits
    assert (hit.number, hit.job_id, hit.job_number) == ("SN 90210-X", job["id"], job["number"])
    assert hit.customer == lab.customer.name


def test_a_document_is_found_by_its_number_and_a_customer_by_name_or_business_id(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = submit_item(client, lab)
    add_document(engine, job, "KT-2099-0001-R1", "Kalibrointitodistus")
    assert numbers(find(engine, lab.manager, "kt-2099-0001"), SearchKind.DOCUMENT) == [
        "KT-2099-0001-R1"
    ]
    by_id = find(engine, lab.manager, lab.customer.business_id, kind=SearchKind.CUSTOMER)
    assert [hit.title for hit in by_id.groups[0].hits] == [lab.customer.name]
    by_name = find(engine, lab.manager, lab.customer.name.upper(), kind=SearchKind.CUSTOMER)
    assert [hit.id for hit in by_name.groups[0].hits] == [lab.customer.id]


def test_the_exact_number_comes_before_numbers_that_contain_it(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    first = submit_item(client, lab)
    for _ in range(2):
        submit_item(client, lab)
    found = numbers(find(engine, lab.technician, first["number"]), SearchKind.JOB)
    assert found[0] == first["number"]


def test_pages_of_one_kind_follow_by_cursor_without_repeating_a_hit(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    for index in range(5):
        submit_item(client, lab, identification=f"PAGED-{index}")
    seen: list[str | None] = []
    after = None
    while True:
        results = find(engine, lab.technician, "paged-", kind=SearchKind.ITEM, limit=2, after=after)
        (group,) = results.groups
        seen += [hit.number for hit in group.hits]
        after = group.next_cursor
        if after is None:
            break
    assert sorted(seen) == [f"PAGED-{index}" for index in range(5)]


def test_a_customer_finds_only_its_own_organisations_records(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = submit_item(client, lab, identification="OWN-SERIAL")
    add_document(engine, job, "KT-2099-0002", "Kalibrointitodistus")
    other = make_organisation(engine, name="Toinen Asiakas Oy")
    stranger = make_user(engine, Role.CUSTOMER, organisation=other)
    for query in (job["number"], "OWN-SERIAL", "KT-2099-0002", lab.customer.name):
        assert find(engine, stranger, query).groups == []
        assert find(engine, lab.customer_user, query).groups != []
    assert numbers(find(engine, stranger, "Asiakas"), SearchKind.CUSTOMER) == [other.business_id]


def test_an_auditor_finds_what_an_auditor_may_read(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = submit_item(client, lab)
    auditor = make_user(engine, Role.AUDITOR)
    assert numbers(find(engine, auditor, job["number"]), SearchKind.JOB) == [job["number"]]


def test_sql_wildcards_are_matched_as_themselves(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    submit_item(client, lab, identification="100% steel_A")
    submit_item(client, lab, identification="100X steelBA")
    for query in ("100%", "steel_a", "%", "_"):
        assert numbers(
            find(engine, lab.technician, query, kind=SearchKind.ITEM), SearchKind.ITEM
        ) == ["100% steel_A"]


def test_an_empty_query_finds_nothing_and_an_overlong_one_is_refused(
    engine: Engine, lab: Lab
) -> None:
    assert find(engine, lab.technician, "   ").groups == []
    with pytest.raises(InvalidInput) as refused:
        find(engine, lab.technician, "x" * (MAX_QUERY + 1))
    assert refused.value.code == "search.query_too_long"


# -- over HTTP ----------------------------------------------------------------------------


def test_the_api_finds_a_job_by_number(client: TestClient, lab: Lab) -> None:
    job = submit_item(client, lab)
    response = client.get(SEARCH, params={"q": job["number"]}, headers=lab.headers(lab.technician))
    assert response.status_code == 200, response.text
    groups = {group["kind"]: group for group in response.json()["groups"]}
    assert groups["job"]["hits"][0] == {
        "kind": "job",
        "id": job["id"],
        "number": job["number"],
        "title": "PO-1",
        "customer": lab.customer.name,
        "job_id": job["id"],
        "job_number": job["number"],
        "exact": True,
    }


def test_the_api_refuses_a_tampered_cursor_as_a_problem(client: TestClient, lab: Lab) -> None:
    for cursor in ("not-a-cursor", "WyJzZWFyY2g6am9iIiwiOSIsMV0", "WyJkdWVfZGF0ZSIsIjEiLDFd"):
        response = client.get(
            SEARCH,
            params={"q": "TY", "kind": "job", "after": cursor},
            headers=lab.headers(lab.technician),
        )
        assert response.status_code == 422, (cursor, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


def test_the_api_refuses_a_cursor_without_its_kind(client: TestClient, lab: Lab) -> None:
    response = client.get(
        SEARCH, params={"q": "TY", "after": "x"}, headers=lab.headers(lab.technician)
    )
    assert response.status_code == 422


def test_the_api_refuses_a_query_of_ten_thousand_characters(client: TestClient, lab: Lab) -> None:
    response = client.get(SEARCH, params={"q": "a" * 10_000}, headers=lab.headers(lab.technician))
    assert response.status_code == 422


def test_the_api_hides_another_organisations_job(
    client: TestClient, engine: Engine, lab: Lab, settings: Settings
) -> None:
    job = submit_item(client, lab)
    stranger = make_user(engine, Role.CUSTOMER, organisation=make_organisation(engine))
    response = client.get(SEARCH, params={"q": job["number"]}, headers=lab.headers(stranger))
    assert response.status_code == 200
    assert response.json()["groups"] == []


def test_the_api_asks_for_a_signed_in_caller(client: TestClient) -> None:
    assert client.get(SEARCH, params={"q": "TY"}).status_code == 401


def test_the_api_takes_wildcards_literally(client: TestClient, lab: Lab) -> None:
    submit_item(client, lab, identification="50%_OFF")
    submit_item(client, lab, identification="50XYOFF")
    for query in ("50%", "%_o", "_"):
        response = client.get(
            SEARCH,
            params={"q": query, "kind": "item"},
            headers=lab.headers(lab.technician),
        )
        assert response.status_code == 200, response.text
        hits = [hit["number"] for group in response.json()["groups"] for hit in group["hits"]]
        assert hits == ["50%_OFF"], query
