"""Keyset paging of the job board: a cursor walks every job once, in order, in every sort
(ties broken by id the same way), and refuses cursors it did not make."""

import base64
import json
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from lims.config import Settings
from lims.jobs.service import SORTABLE
from tests.jobs.factories import MICROMETER, Lab, make_lab, submit

BOARD = "/api/v1/jobs"
JOBS = 7
PRIORITIES = ["normal", "urgent", "normal"]


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def board_of_ties(client: TestClient, engine: Engine, lab: Lab) -> None:
    """Seven jobs whose due dates and priorities repeat, so the id must break the ties."""
    ids = [submit(client, lab, "calibration", MICROMETER).job["id"] for _ in range(JOBS)]
    with engine.begin() as connection:
        for index, job_id in enumerate(ids):
            connection.execute(
                text("UPDATE job SET due_date = :due, priority = :priority WHERE id = :id"),
                {
                    "due": date(2026, 12, 1) + timedelta(days=index % 3),
                    "priority": PRIORITIES[index % len(PRIORITIES)],
                    "id": job_id,
                },
            )


def walk(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every page by cursor, three jobs a page, until the board says there is no more."""
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = client.get(
            BOARD,
            params={**params, "limit": 3, **({"cursor": cursor} if cursor else {})},
            headers=headers,
        )
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["total"] == JOBS
        seen += body["jobs"]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


@pytest.mark.parametrize("sort", sorted(SORTABLE) + [f"-{field}" for field in sorted(SORTABLE)])
def test_a_cursor_walks_every_job_once_in_the_order_asked(
    client: TestClient, engine: Engine, lab: Lab, sort: str
) -> None:
    board_of_ties(client, engine, lab)
    seen = walk(client, lab.headers(lab.manager), sort=sort)
    ids = [job["id"] for job in seen]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == JOBS
    field, descending = sort.removeprefix("-"), sort.startswith("-")
    # Ties are broken by id, the same way as the sort.
    keys = [(job[field], job["id"]) for job in seen]
    assert keys == sorted(keys, reverse=descending)


def test_a_job_submitted_while_paging_does_not_repeat_a_row(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    board_of_ties(client, engine, lab)
    headers = lab.headers(lab.manager)
    first = client.get(BOARD, params={"sort": "-created_at", "limit": 3}, headers=headers).json()
    submit(client, lab, "calibration", MICROMETER)  # lands before page 1 in this order
    cursor = first["next_cursor"]
    rest = client.get(
        BOARD, params={"sort": "-created_at", "limit": 50, "cursor": cursor}, headers=headers
    ).json()
    first_ids = {job["id"] for job in first["jobs"]}
    assert not first_ids & {job["id"] for job in rest["jobs"]}
    assert len(first_ids) + len(rest["jobs"]) == JOBS
    assert rest["next_cursor"] is None


def test_a_customer_walking_by_cursor_sees_only_its_own_jobs(
    client: TestClient, engine: Engine, settings: Settings, lab: Lab
) -> None:
    board_of_ties(client, engine, lab)
    stranger = make_lab(engine, settings)
    foreign = submit(client, stranger, "calibration", MICROMETER).job["id"]
    seen = walk(client, lab.headers(lab.customer_user), sort="-due_date")
    assert foreign not in {job["id"] for job in seen}
    assert {job["organisation_id"] for job in seen} == {lab.customer.id}


def _token(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("params", "field", "complaint"),
    [
        ({"cursor": "!!not base64!!"}, "cursor", "not one this service gave out"),
        ({"cursor": _token({"sort": "due_date"})}, "cursor", "not one this service gave out"),
        ({"cursor": _token(["due_date", "yesterday", 1])}, "cursor", "not one"),
        ({"cursor": _token(["due_date", "2026-12-01", True])}, "cursor", "not one"),
        ({"cursor": _token(["number", "TY-1", 1])}, "cursor", "continues the order 'number'"),
        ({"cursor": _token(["due_date", "2026-12-01", 1]), "offset": 3}, "offset", "not both"),
        ({"cursor": "A" * 600}, "cursor", "at most 512 characters"),
        ({"offset": 10**12}, "offset", "less than or equal to 10000000"),
    ],
    ids=["garbage", "object", "bad-date", "bool-id", "other-sort", "with-offset", "huge", "deep"],
)
def test_a_cursor_that_is_not_ours_or_not_for_this_sort_is_refused(
    client: TestClient, lab: Lab, params: dict[str, Any], field: str, complaint: str
) -> None:
    refused = client.get(BOARD, params=params, headers=lab.headers(lab.manager))
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert complaint in json.dumps(problem)
    assert field in json.dumps(problem.get("errors", problem))
