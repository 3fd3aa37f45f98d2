"""One complete job of each kind through the HTTP API, with every rule shown to bite.

Numbers checked by hand in the comments: the setting-ring method is d_X = d_S + d_x - d_s
(tests/equipment/factories: METHOD_EXAMPLE), with the reference's certificate value 20 nm,
U = 30 nm (k = 2); the CMM method is y = x + c with the same certificate.
"""

import math

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from tests.conftest import load_demo, row_counts
from tests.equipment.factories import make_calibration, make_equipment
from tests.factories import make_user
from tests.jobs.factories import MEASURED_ON, MICROMETER, PRODUCT, Lab, make_lab, submit

# um; mean 1.21; squared deviations sum to 0.0220, s^2 = 0.0055, u = sqrt(0.0055/5) = 0.0331662
RING_READINGS = [1.2, 1.3, 1.1, 1.25, 1.2]


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def test_calibration_job_runs_from_submission_to_closing(client: TestClient, lab: Lab) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    assert job.job["status"] == "requested"
    assert job.job["number"].startswith("TY-")
    job.step("in_measurement", lab.manager, expect=409)  # out of order
    job.step("accepted", lab.customer_user, expect=403)  # the lab accepts, not the customer
    job.step("accepted", lab.manager)
    job.step("items_received", lab.technician, expect=409)  # nothing received yet
    job.receive_all()
    job.step("items_received", lab.technician)
    point = job.plan(
        label="50 mm",
        kind="calibration_point",
        nominal=50,
        lower_limit=-2,
        upper_limit=2,
        unit="um",
        method_id=lab.ring_method.id,
        source="method",
    )
    job.record(characteristic_id=point["id"], expect=409)  # not yet in measurement
    job.step("in_measurement", lab.technician)
    result = job.record(
        characteristic_id=point["id"],
        equipment={"reference": lab.ring_gauge.id},
        observations={"d_x": RING_READINGS},
    )
    # d_X = 0.020 + 1.21 - 0 = 1.23 um; u_c = sqrt(0.015^2 + 0.0331662^2 + (0.05/sqrt(3))^2)
    #     = sqrt(0.000225 + 0.0011 + 0.000833333) = 0.0464579 um
    assert math.isclose(result["value"], 1.23, abs_tol=1e-9)
    assert math.isclose(result["uncertainty"]["standard_uncertainty"], 0.0464579, abs_tol=5e-7)
    assert [row["input"] for row in result["uncertainty"]["budget"]] == ["d_S", "d_x", "d_s"]
    assert result["decision"]["decision"] == "pass"
    assert result["accredited"] is True, result["accreditation_reason"]
    job.step("measured", lab.technician)
    job.step("reviewed", lab.technician, expect=403)  # the one who measured may not review
    job.step("reviewed", lab.reviewer)
    job.step("approved", lab.reviewer, expect=403)  # not a signatory
    customer_view = client.get(f"{job.url}/results", headers=lab.headers(lab.customer_user))
    assert customer_view.json() == []  # not before approval
    job.step("approved", lab.signatory)
    assert len(client.get(f"{job.url}/results", headers=lab.headers(lab.customer_user)).json()) == 1
    job.step("reported", lab.signatory)
    job.step("closed", lab.manager, expect=409)  # the micrometer has not gone back
    client.post(
        f"{job.url}/items/{job.items()[0]['id']}/dispatch",
        json={"dispatched_on": MEASURED_ON.isoformat()},
        headers=lab.headers(lab.technician),
    )
    closed = job.step("closed", lab.manager)
    assert closed["status"] == "closed"
    steps = client.get(f"{job.url}/transitions", headers=lab.headers(lab.manager)).json()
    assert [s["to_status"] for s in steps] == [
        "accepted",
        "items_received",
        "in_measurement",
        "measured",
        "reviewed",
        "approved",
        "reported",
        "closed",
    ]


def started(client: TestClient, lab: Lab, kind: str, item: dict) -> "object":
    job = submit(client, lab, kind, item)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    return job


def test_product_job_decides_conformity_by_the_agreed_rule(client: TestClient, lab: Lab) -> None:
    job = started(client, lab, "product_qc", PRODUCT)
    inside = job.plan(
        label="D20",
        nominal=20,
        lower_limit=19.95,
        upper_limit=20.05,
        unit="mm",
        method_id=lab.cmm_method.id,
        source="drawing",
    )
    outside = job.plan(
        label="D10",
        nominal=10,
        lower_limit=9.99,
        upper_limit=10.0,
        unit="mm",
        method_id=lab.cmm_method.id,
        source="drawing",
    )
    job.step("measured", lab.technician, expect=409)  # not in measurement yet
    job.step("in_measurement", lab.technician)
    job.step("measured", lab.technician, expect=409)  # results are missing
    cmm = {"cmm": lab.cmm.id}
    passed = job.record(
        characteristic_id=inside["id"],
        equipment=cmm,
        observations={"x": [20.0010, 20.0012, 20.0014]},
    )
    failed = job.record(
        characteristic_id=outside["id"],
        equipment=cmm,
        observations={"x": [10.0005, 10.0007, 10.0006]},
    )
    # y = mean(x) + 0.00002 mm: 20.00122 mm (inside 19.95..20.05), 10.00062 mm (above 10.0)
    assert math.isclose(passed["value"], 20.00122, abs_tol=1e-9)
    assert math.isclose(failed["value"], 10.00062, abs_tol=1e-9)
    assert (passed["decision"]["decision"], failed["decision"]["decision"]) == ("pass", "fail")
    assert "simple acceptance" in passed["decision"]["rule"]["statement"]
    job.step("measured", lab.technician)
    job.review_approve_report_close()


def test_reference_job_keeps_the_customers_values_beside_the_labs(
    client: TestClient, lab: Lab
) -> None:
    job = started(client, lab, "reference", {"kind": "test_piece", "description": "BAS test piece"})
    length = job.plan(label="L1", nominal=20, unit="mm", method_id=lab.cmm_method.id)
    own = client.post(
        f"{job.url}/customer-values",
        json={
            "characteristic_id": length["id"],
            "value": 20.004,
            "expanded_uncertainty": 0.004,
            "coverage_factor": 2,
        },
        headers=lab.headers(lab.customer_user),
    )
    assert own.status_code == 200, own.text
    job.step("in_measurement", lab.technician)
    job.record(
        characteristic_id=length["id"],
        equipment={"cmm": lab.cmm.id},
        observations={"x": [20.0011, 20.0013]},
    )
    values = client.get(f"{job.url}/customer-values", headers=lab.headers(lab.manager)).json()
    assert [(v["value"], v["expanded_uncertainty"]) for v in values] == [(20.004, 0.004)]
    job.step("measured", lab.technician)
    job.review_approve_report_close()


def test_inspection_claims_no_uncertainty_and_is_never_accredited(
    client: TestClient, lab: Lab
) -> None:
    job = started(client, lab, "inspection", MICROMETER)
    point = job.plan(
        label="25 mm",
        kind="indication",
        nominal=25,
        lower_limit=24.998,
        upper_limit=25.002,
        unit="mm",
    )
    job.step("in_measurement", lab.technician)
    job.record(characteristic_id=point["id"], value=25.001, unit="deg", expect=422)  # unit mismatch
    result = job.record(characteristic_id=point["id"], value=25001, unit="um")
    assert math.isclose(result["value"], 25.001, abs_tol=1e-12)  # 25001 um = 25.001 mm
    assert result["expanded_uncertainty"] is None
    assert result["decision"]["decision"] == "pass"
    assert (result["accredited"], result["accreditation_reason"]) == (
        False,
        "inspection makes no uncertainty claim and is never accredited",
    )
    job.step("measured", lab.technician)
    job.review_approve_report_close()


# -- the rules, each shown to bite --------------------------------------------------------


@pytest.fixture
def measuring(client: TestClient, lab: Lab):  # type: ignore[no-untyped-def]
    job = started(client, lab, "calibration", MICROMETER)
    point = job.plan(label="50 mm", nominal=50, unit="um", method_id=lab.ring_method.id)
    job.step("in_measurement", lab.technician)
    return job, point


def ring(lab: Lab, point: dict, **changes: object) -> dict:
    return {
        "characteristic_id": point["id"],
        "equipment": {"reference": lab.ring_gauge.id},
        "observations": {"d_x": RING_READINGS},
        **changes,
    }


def test_refused_results_change_nothing(
    client: TestClient, engine: Engine, lab: Lab, measuring: tuple
) -> None:
    job, point = measuring
    other = started(client, lab, "calibration", MICROMETER)
    foreign = other.plan(label="other", nominal=50, unit="um", method_id=lab.ring_method.id)
    stranger = make_user(engine, Role.TECHNICIAN)
    overdue = make_equipment(engine)
    make_calibration(engine, overdue, calibrated_on="2025-06-01", next_due_on="2026-06-01")
    before = row_counts(engine)
    job.record(**ring(lab, point, characteristic_id=foreign["id"]), expect=422)  # another job's
    job.record(**ring(lab, point), user=stranger, expect=403)  # not authorised for the method
    job.record(**ring(lab, point, equipment={"reference": overdue.id}), expect=422)  # overdue
    job.record(**ring(lab, point, temperature=23.5), expect=422)  # outside 19..21 °C
    job.record(**ring(lab, point, measured_on="2099-01-01"), expect=422)  # in the future
    assert row_counts(engine) == before


def test_refusals_say_what_is_wrong(
    client: TestClient, engine: Engine, lab: Lab, measuring: tuple
) -> None:
    job, point = measuring
    overdue = make_equipment(engine, identification="GB-OLD")
    make_calibration(engine, overdue, calibrated_on="2025-06-01", next_due_on="2026-06-01")
    response = client.post(
        f"{job.url}/results",
        json={
            **ring(lab, point, equipment={"reference": overdue.id}),
            "measured_on": MEASURED_ON.isoformat(),
            "temperature": 20,
        },
        headers=lab.headers(lab.technician),
    )
    assert (
        "GB-OLD" in response.json()["detail"]
        and "overdue since 2026-06-01" in response.json()["detail"]
    )


def test_replacing_a_result_needs_its_version_and_a_reason(
    client: TestClient, lab: Lab, measuring: tuple
) -> None:
    job, point = measuring
    first = job.record(**ring(lab, point))
    job.record(**ring(lab, point), expect=409)  # no version: would overwrite unseen
    job.record(**ring(lab, point, version=first["version"]), expect=422)  # no reason
    job.record(**ring(lab, point, version=first["version"] + 1, reason="typo"), expect=409)  # stale
    second = job.record(
        **ring(lab, point, version=first["version"], reason="re-measured after cleaning")
    )
    assert second["version"] == 2
    history = client.get(
        "/api/v1/audit",
        params={"entity": f"result:{second['id']}"},
        headers=lab.headers(lab.manager),
    ).json()
    assert history[-1]["reason"] == "re-measured after cleaning"


def test_hold_cancel_and_reopen_need_a_reason(
    client: TestClient, lab: Lab, measuring: tuple
) -> None:
    job, point = measuring
    job.step("on_hold", lab.manager, expect=409)
    job.step("on_hold", lab.manager, reason="waiting for the customer's drawing")
    job.step("in_measurement", lab.manager)  # back to where it was
    job.record(**ring(lab, point))
    job.step("measured", lab.technician)
    job.step("reviewed", lab.reviewer)
    job.step("approved", lab.signatory)
    job.step("reported", lab.signatory)
    job.step("in_measurement", lab.manager, expect=409)  # reopening needs a reason
    job.step("in_measurement", lab.signatory, reason="wrong unit", expect=403)  # managers reopen
    reopened = job.step("in_measurement", lab.manager, reason="customer found a typo")
    assert (reopened["status"], reopened["reviewed_by_id"], reopened["approved_by_id"]) == (
        "in_measurement",
        None,
        None,
    )


@pytest.mark.parametrize("backend", ["sqlite"])  # the words, not the store, are tested
def test_a_step_refused_for_the_role_names_the_step_in_finnish(
    client: TestClient, lab: Lab, measuring: tuple
) -> None:
    job, _point = measuring
    response = client.post(
        f"{job.url}/transitions",
        json={"to": "on_hold", "reason": "odottaa piirustusta"},
        headers={**lab.headers(lab.technician), "accept-language": "fi"},
    )
    assert response.status_code == 403
    assert response.json()["detail"].endswith(" saa asettaa työn pitoon")
    assert response.json()["params"]["doing"] == "put a job on hold"


def test_signatory_must_be_authorised_for_every_method(
    client: TestClient, engine: Engine, lab: Lab, measuring: tuple
) -> None:
    job, point = measuring
    job.record(**ring(lab, point))
    job.step("measured", lab.technician)
    job.step("reviewed", lab.reviewer)
    unauthorised = make_user(engine, Role.SIGNATORY, full_name="Uusi Allekirjoittaja")
    response = client.post(
        f"{job.url}/transitions", json={"to": "approved"}, headers=lab.headers(unauthorised)
    )
    assert response.status_code == 403
    assert "Uusi Allekirjoittaja is not authorised to approve and sign" in response.json()["detail"]


def test_customer_may_cancel_its_job_only_before_the_lab_accepts(
    client: TestClient, lab: Lab
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    job.step("cancelled", lab.customer_user, expect=409)  # a reason is needed
    cancelled = job.step("cancelled", lab.customer_user, reason="ordered by mistake")
    assert cancelled["status"] == "cancelled"
    accepted = submit(client, lab, "calibration", MICROMETER)
    accepted.step("accepted", lab.manager)
    accepted.step("cancelled", lab.customer_user, reason="changed my mind", expect=403)


def test_customer_values_belong_to_reference_jobs(
    client: TestClient, lab: Lab, measuring: tuple
) -> None:
    job, point = measuring
    response = client.post(
        f"{job.url}/customer-values",
        json={"characteristic_id": point["id"], "value": 1.0},
        headers=lab.headers(lab.customer_user),
    )
    assert response.status_code == 422


def test_submission_without_an_agreement_needs_the_terms_accepted(
    client: TestClient, engine: Engine, lab: Lab, settings: Settings
) -> None:
    from tests.factories import make_organisation

    newcomer = make_organisation(engine)
    user = make_user(engine, Role.CUSTOMER, organisation=newcomer)
    body = {"organisation_id": newcomer.id, "kind": "calibration", "items": [MICROMETER]}
    refused = client.post("/api/v1/jobs", json=body, headers=lab.headers(user))
    assert refused.status_code == 422
    assert "ad-hoc agreement" in refused.json()["detail"]
    accepted = client.post(
        "/api/v1/jobs",
        json={**body, "accept_terms_and_confidentiality": True, "accepted_by": "Uusi Asiakas"},
        headers=lab.headers(user),
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["agreement_number"].startswith("KS-")


def test_job_board_filters_sorts_and_pages(client: TestClient, lab: Lab) -> None:
    for _ in range(3):
        submit(client, lab, "calibration", MICROMETER)
    submit(client, lab, "inspection", MICROMETER)
    headers = lab.headers(lab.manager)
    page = client.get(
        "/api/v1/jobs",
        params={"kind": "calibration", "limit": 2, "sort": "-created_at"},
        headers=headers,
    ).json()
    assert (page["total"], len(page["jobs"])) == (3, 2)
    rest = client.get(
        "/api/v1/jobs", params={"kind": "calibration", "limit": 2, "offset": 2}, headers=headers
    ).json()
    assert len(rest["jobs"]) == 1
    bad = client.get("/api/v1/jobs", params={"sort": "password"}, headers=headers)
    assert bad.status_code == 422


def test_csv_import_dry_run_shows_rows_and_errors_and_writes_nothing(
    client: TestClient, engine: Engine, lab: Lab, measuring: tuple
) -> None:
    job, _point = measuring
    ident = lab.ring_gauge.identification
    csv = (
        "characteristic;observations;unit;measured_on;equipment;temperature;humidity\n"
        f"50 mm;1,2|1,3|1,1|1,25|1,2;um;{MEASURED_ON:%d.%m.%Y};reference={ident};20,1;45\n"
    )
    before = row_counts(engine)
    dry = client.post(
        f"{job.url}/results/import",
        content=csv.encode(),
        headers={**lab.headers(lab.technician), "content-type": "text/csv"},
    )
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert (report["dry_run"], report["written"], report["errors"]) == (True, False, [])
    assert math.isclose(report["rows"][0]["value"], 1.23, abs_tol=1e-9)
    assert row_counts(engine) == before
    broken = csv.replace("humidity", "humidty") + "nope;x;um;32.13.2026;;;\n"
    bad = client.post(
        f"{job.url}/results/import",
        params={"dry_run": "false"},
        content=broken.encode(),
        headers={**lab.headers(lab.technician), "content-type": "text/csv"},
    ).json()
    assert bad["written"] is False and bad["errors"]
    assert row_counts(engine) == before
    done = client.post(
        f"{job.url}/results/import",
        params={"dry_run": "false"},
        content=csv.encode(),
        headers={**lab.headers(lab.technician), "content-type": "text/csv"},
    ).json()
    assert done["written"] is True
    assert len(client.get(f"{job.url}/results", headers=lab.headers(lab.manager)).json()) == 1


def test_csv_import_row_errors_name_line_and_column(
    client: TestClient, lab: Lab, measuring: tuple
) -> None:
    job, _point = measuring
    csv = (
        "characteristic,observations,unit,measured_on,equipment,temperature\n"
        f"50 mm,abc,um,2026-11-20,reference={lab.ring_gauge.identification},20\n"
    )
    report = client.post(
        f"{job.url}/results/import",
        content=csv.encode(),
        headers={**lab.headers(lab.technician), "content-type": "text/csv"},
    ).json()
    (error,) = report["errors"]
    assert (error["line"], error["column"]) == (2, "observations")


@pytest.mark.parametrize("backend", ["sqlite"])  # the words, not the store, are tested
def test_csv_import_row_errors_read_in_the_readers_language(
    client: TestClient, lab: Lab, measuring: tuple
) -> None:
    job, _point = measuring
    csv = (
        "characteristic;observations;unit;measured_on;equipment;temperature\n"
        f"50 mm;1,2|kaksi;um;2026-11-20;reference={lab.ring_gauge.identification};20\n"
        "D9;1,2;um;2026-11-20;;60\n"
    )
    report = client.post(
        f"{job.url}/results/import",
        content=csv.encode(),
        headers={
            **lab.headers(lab.technician),
            "content-type": "text/csv",
            "accept-language": "fi",
        },
    ).json()
    assert [(error["line"], error["message"]) for error in report["errors"]] == [
        (2, "lukema 2/2: arvo 'kaksi' ei ole luku"),
        (3, "tuntematon ominaisuus 'D9'; työn ominaisuudet ovat '50 mm'"),
        (3, "lämpötila 60 °C on uskottavan alueen 0\u201350 °C ulkopuolella"),
    ]


def test_csv_import_of_too_many_rows_is_refused(
    client: TestClient, lab: Lab, measuring: tuple, settings: Settings
) -> None:
    job, _ = measuring
    rows = "".join(f"p{i},1.0,um,2026-11-20\n" for i in range(200_000))
    csv = "characteristic,observations,unit,measured_on\n" + rows
    report = client.post(
        f"{job.url}/results/import",
        content=csv.encode(),
        headers={**lab.headers(lab.technician), "content-type": "text/csv"},
    ).json()
    assert report["written"] is False
    assert f"more than {settings.max_import_rows} result rows" in report["errors"][0]["message"]


def test_demo_data_holds_a_job_in_every_state(engine: Engine, settings: Settings) -> None:
    from sqlmodel import Session, select

    from lims.jobs.models import Job, JobStatus

    load_demo(engine, settings)
    with Session(engine) as db_session:
        states = {job.status for job in db_session.exec(select(Job))}
    assert states == set(JobStatus)


def test_calibration_points_come_from_the_method_with_limits_from_the_mpe(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    from tests.equipment.factories import make_method

    method = make_method(engine, calibration_points=[2.5, 12.9, 25.0])
    job = started(client, lab, "calibration", MICROMETER)  # MPE 2 um in its specification
    url = f"{job.url}/characteristics/from-method"
    body = {"item_id": job.items()[0]["id"], "method_id": method.id, "parameters": {"alpha": 1e-5}}
    planned = client.post(url, json=body, headers=lab.headers(lab.manager))
    assert planned.status_code == 201, planned.text
    points = planned.json()
    assert [p["label"] for p in points] == ["2.5 mm", "12.9 mm", "25 mm"]
    assert {(p["lower_limit"], p["upper_limit"]) for p in points} == {(-2.0, 2.0)}
    assert points[1]["parameters"] == {"alpha": 1e-5, "L": 12.9}
    before = row_counts(engine)
    again = client.post(
        url, json={**body, "points": [30.0, 25.0]}, headers=lab.headers(lab.manager)
    )
    assert again.status_code == 409  # 25 mm is planned already: neither point is written
    assert row_counts(engine) == before
