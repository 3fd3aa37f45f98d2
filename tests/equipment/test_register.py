"""The equipment register over the API: records, calibrations, derived status, the planner,
certificate files, intermediate checks, and refusals that write nothing."""

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from lims.accounts.models import Role
from lims.app import create_app
from lims.clock import local_today
from lims.config import Settings
from lims.equipment.models import EQUIPMENT_EXAMPLE
from lims.storage import store_in
from tests.conftest import row_counts
from tests.equipment.factories import calibration_data, make_calibration, make_equipment
from tests.factories import bearer, make_organisation, make_user

EQUIPMENT = "/api/v1/equipment"


@pytest.fixture
def manager(engine: Engine, settings: Settings) -> dict[str, str]:
    return bearer(settings, make_user(engine, Role.QUALITY_MANAGER))


def assert_refused(response: Any, field: str, *, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert field in {error["field"] for error in problem.get("errors", [])}, problem
    return problem


def test_quality_manager_registers_equipment_staff_and_auditors_read_customers_cannot(
    client: TestClient, engine: Engine, settings: Settings, manager: dict[str, str]
) -> None:
    created = client.post(EQUIPMENT, json=EQUIPMENT_EXAMPLE, headers=manager)
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["calibration_status"] == "not_calibrated"
    for role in (Role.TECHNICIAN, Role.AUDITOR):
        reader = bearer(settings, make_user(engine, role))
        listed = client.get(EQUIPMENT, headers=reader).json()
        assert [entry["identification"] for entry in listed] == ["GB-REF-50"]
    customer = make_user(engine, Role.CUSTOMER, organisation=make_organisation(engine))
    refused = client.get(f"{EQUIPMENT}/{item['id']}", headers=bearer(settings, customer))
    assert refused.status_code == 403
    technician = bearer(settings, make_user(engine, Role.TECHNICIAN))
    assert client.post(EQUIPMENT, json=EQUIPMENT_EXAMPLE, headers=technician).status_code == 403
    with engine.connect() as connection:
        events = connection.execute(
            text("SELECT action FROM audit_event WHERE entity_type = 'equipment'")
        ).all()
    assert [event.action for event in events] == ["insert"]


def test_calibration_status_is_derived_from_the_latest_calibration_and_the_day(
    client: TestClient, engine: Engine, settings: Settings, manager: dict[str, str]
) -> None:
    standard = make_equipment(engine, due_soon_days=30)
    make_calibration(engine, standard, calibrated_on="2026-01-15", next_due_on="2027-01-15")
    url = f"{EQUIPMENT}/{standard.id}"
    expected = {
        "2026-06-01": "in_calibration",
        "2026-12-20": "due_soon",
        "2027-01-15": "due_soon",
        "2027-01-16": "overdue",
        "2025-12-31": "not_calibrated",
    }
    for day, status in expected.items():
        item = client.get(url, params={"on": day}, headers=manager).json()
        assert item["calibration_status"] == status, (day, item["calibration_status_reason"])
    taken_out = client.patch(url, json={"status": "out_of_service"}, headers=manager)
    assert taken_out.json()["calibration_status"] == "out_of_service"


def test_taking_an_item_out_of_service_keeps_the_reason_in_the_audit_trail(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    standard = make_equipment(engine)
    url = f"{EQUIPMENT}/{standard.id}"
    reason = {"status": "out_of_service", "reason": "dropped on the floor <b>twice</b>"}
    assert client.patch(url, json=reason, headers=manager).status_code == 200
    history = client.get(
        "/api/v1/audit", params={"entity": f"equipment:{standard.id}"}, headers=manager
    ).json()
    assert history[-1]["reason"] == "dropped on the floor <b>twice</b>"
    assert "reason" not in client.get(url, headers=manager).json()
    empty = client.patch(url, json={"status": "in_service", "reason": ""}, headers=manager)
    assert_refused(empty, "reason")


def test_a_calibration_dated_after_today_is_refused(
    client: TestClient, engine: Engine, settings: Settings, manager: dict[str, str]
) -> None:
    standard = make_equipment(engine)
    tomorrow = local_today(settings.timezone) + timedelta(days=1)
    body = calibration_data(calibrated_on=tomorrow.isoformat(), next_due_on=None)
    before = row_counts(engine)
    refused = client.post(f"{EQUIPMENT}/{standard.id}/calibrations", json=body, headers=manager)
    assert "in the future" in assert_refused(refused, "calibrated_on")["errors"][0]["message"]
    assert row_counts(engine) == before


def test_next_due_date_defaults_to_the_equipment_interval(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    standard = make_equipment(engine, calibration_interval_months=12)
    body = calibration_data(calibrated_on="2024-02-29", next_due_on=None)
    response = client.post(f"{EQUIPMENT}/{standard.id}/calibrations", json=body, headers=manager)
    assert response.status_code == 201, response.text
    assert response.json()["next_due_on"] == "2025-02-28"


def test_planner_lists_items_due_within_the_horizon_soonest_first(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    overdue = make_equipment(engine, identification="TH-OLD")
    make_calibration(engine, overdue, calibrated_on="2025-10-01", next_due_on="2026-10-01")
    due_in_three_weeks = make_equipment(engine, identification="TH-SOON")
    make_calibration(
        engine, due_in_three_weeks, calibrated_on="2025-12-18", next_due_on="2026-12-18"
    )
    due_in_ten_weeks = make_equipment(engine, identification="GB-LATER")
    make_calibration(engine, due_in_ten_weeks, calibrated_on="2026-02-05", next_due_on="2027-02-05")
    never = make_equipment(engine, identification="NEW-ONE")
    retired = make_equipment(engine, identification="OLD-ONE", status="retired")
    assert retired.id is not None

    def planned(within: str) -> list[str]:
        response = client.get(
            f"{EQUIPMENT}/due", params={"within": within, "on": "2026-11-27"}, headers=manager
        )
        assert response.status_code == 200, response.text
        return [item["identification"] for item in response.json()]

    assert planned("30d") == [never.identification, "TH-OLD", "TH-SOON"]
    assert planned("12w") == [never.identification, "TH-OLD", "TH-SOON", "GB-LATER"]


@pytest.mark.parametrize("within", ["soon", "30", "30x", "-5d", "d", "99999d", "3.5w"])
def test_planner_refuses_a_horizon_it_cannot_read(
    client: TestClient, manager: dict[str, str], within: str
) -> None:
    response = client.get(f"{EQUIPMENT}/due", params={"within": within}, headers=manager)
    problem = assert_refused(response, "query.within")
    assert "30d" in problem["detail"]


WITHOUT = object()  # marks a field left out of the request


@pytest.mark.parametrize(
    ("change", "result_change", "field"),
    [
        ({}, {"expanded_uncertainty": WITHOUT}, "results[0].expanded_uncertainty"),
        ({}, {"coverage_factor": WITHOUT}, "results[0].coverage_factor"),
        ({}, {"expanded_uncertainty": 0}, "results[0].expanded_uncertainty"),
        ({"results": []}, {}, "results"),
        ({"next_due_on": "2026-01-14"}, {}, "next_due_on"),
        ({"next_due_on": "2026-01-15"}, {}, "next_due_on"),
        ({"accreditation_number": WITHOUT}, {}, "accreditation_number"),
        ({"traceable_to": WITHOUT}, {}, "traceable_to"),
        ({"kind": "internal"}, {}, "reference_equipment_id"),
        ({"reference_equipment_id": 987654}, {}, "reference_equipment_id"),
    ],
)
def test_bad_certificate_is_refused_with_a_problem_and_nothing_is_written(
    client: TestClient,
    engine: Engine,
    manager: dict[str, str],
    change: dict[str, Any],
    result_change: dict[str, Any],
    field: str,
) -> None:
    def without_left_out(values: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in values.items() if value is not WITHOUT}

    standard = make_equipment(engine)
    body = calibration_data(calibrated_on="2026-01-15")
    body["results"] = [without_left_out({**body["results"][0], **result_change})]
    body = without_left_out({**body, **change})
    before = row_counts(engine)
    response = client.post(f"{EQUIPMENT}/{standard.id}/calibrations", json=body, headers=manager)
    assert_refused(response, field)
    assert row_counts(engine) == before


def test_certificate_file_is_kept_by_sha256_and_served_back_verified(
    client: TestClient, engine: Engine, settings: Settings, manager: dict[str, str]
) -> None:
    standard = make_equipment(engine)
    calibration = make_calibration(engine, standard)
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 64
    url = f"{EQUIPMENT}/{standard.id}/calibrations/{calibration.id}/certificate"
    stored = client.put(
        url,
        content=pdf,
        params={"filename": "M 26-0412.pdf"},
        headers={**manager, "content-type": "application/octet-stream"},
    )
    assert stored.status_code == 200, stored.text
    sha256 = hashlib.sha256(pdf).hexdigest()
    assert stored.json()["certificate_sha256"] == sha256
    assert store_in(settings.data_dir).read(sha256) == pdf
    auditor = bearer(settings, make_user(engine, Role.AUDITOR))
    downloaded = client.get(url, headers=auditor)
    assert downloaded.status_code == 200
    assert downloaded.content == pdf
    assert downloaded.headers["content-type"] == "application/pdf"
    assert 'filename="M_26-0412.pdf"' in downloaded.headers["content-disposition"]


def test_certificate_upload_over_the_limit_is_refused_and_nothing_is_written(
    make_settings: Callable[..., Settings], engine: Engine, database_url: str
) -> None:
    small = make_settings(database_url=database_url, max_upload_bytes=1000)
    standard = make_equipment(engine)
    calibration = make_calibration(engine, standard)
    manager = bearer(small, make_user(engine, Role.QUALITY_MANAGER))
    app = create_app(small)
    before = row_counts(engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.put(
            f"{EQUIPMENT}/{standard.id}/calibrations/{calibration.id}/certificate",
            content=b"x" * 5000,
            headers={**manager, "content-type": "application/octet-stream"},
        )
    app.state.engine.dispose()
    assert response.status_code == 413
    assert row_counts(engine) == before


def test_technician_records_checks_and_a_failed_check_makes_the_item_unusable(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    standard = make_equipment(engine)
    make_calibration(engine, standard, calibrated_on="2026-01-15", next_due_on="2027-01-15")
    technician = bearer(settings, make_user(engine, Role.TECHNICIAN, username="tero"))
    checks = f"{EQUIPMENT}/{standard.id}/checks"
    check = {"procedure": "zero check on the 50 mm check block", "observed": "+0.9 um"}
    passed = client.post(
        checks, json={**check, "checked_on": "2026-05-01", "passed": True}, headers=technician
    )
    assert passed.status_code == 201, passed.text
    assert passed.json()["checked_by"] == "tero"
    failed = client.post(
        checks, json={**check, "checked_on": "2026-09-01", "passed": False}, headers=technician
    )
    assert failed.status_code == 201
    before = client.get(
        f"{EQUIPMENT}/{standard.id}", params={"on": "2026-08-31"}, headers=technician
    )
    after = client.get(
        f"{EQUIPMENT}/{standard.id}", params={"on": "2026-09-02"}, headers=technician
    )
    assert before.json()["calibration_status"] == "in_calibration"
    assert after.json()["calibration_status"] == "not_fit_for_use"
    assert (
        "failed its intermediate check on 2026-09-01" in after.json()["calibration_status_reason"]
    )
    assert [c["passed"] for c in client.get(checks, headers=technician).json()] == [True, False]


def test_a_check_reading_with_limits_decides_whether_it_passed(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    standard = make_equipment(engine)
    technician = bearer(settings, make_user(engine, Role.TECHNICIAN, username="tero"))
    checks = f"{EQUIPMENT}/{standard.id}/checks"
    check = {
        "checked_on": "2026-05-01",
        "procedure": "zero check on the 50 mm check block",
        "value": 0.12,
        "unit": "µm",
        "lower_limit": -0.2,
        "upper_limit": 0.2,
    }
    recorded = client.post(checks, json={**check, "passed": True}, headers=technician)
    assert recorded.status_code == 201, recorded.text
    assert (recorded.json()["value"], recorded.json()["upper_limit"]) == (0.12, 0.2)
    before = row_counts(engine)
    assert_refused(
        client.post(checks, json={**check, "passed": False}, headers=technician), "passed"
    )
    outside = {**check, "value": 0.25, "passed": True}
    assert (
        "outside the limits"
        in assert_refused(client.post(checks, json=outside, headers=technician), "passed")[
            "errors"
        ][0]["message"]
    )
    upside_down = {**check, "lower_limit": 0.3, "passed": False}
    assert_refused(client.post(checks, json=upside_down, headers=technician), "upper_limit")
    no_reading = {**check, "value": None, "passed": True}
    assert_refused(client.post(checks, json=no_reading, headers=technician), "value")
    bad_unit = {**check, "unit": "<b>furlong</b>", "passed": True}
    assert_refused(client.post(checks, json=bad_unit, headers=technician), "unit")
    assert row_counts(engine) == before


def test_damage_and_repairs_are_logged(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    standard = make_equipment(engine)
    technician = bearer(settings, make_user(engine, Role.TECHNICIAN))
    log = f"{EQUIPMENT}/{standard.id}/log"
    entry = {"kind": "damage", "happened_on": "2026-10-14", "description": "face scratched"}
    assert client.post(log, json=entry, headers=technician).status_code == 201
    assert [e["kind"] for e in client.get(log, headers=technician).json()] == ["damage"]
