"""As found and as left (B3): a calibration point measured before an adjustment keeps that
result beside the one after it, each evaluated alike (ISO/IEC 17025:2017 7.8.4.1 d).

Numbers checked by hand: the setting-ring method is d_X = d_S + d_x - d_s with the
reference's certificate value d_S = 20 nm, u = 15 nm, and the resolution 0.05 um
(rectangular), as in tests/jobs/test_job_flow.py.
"""

import math
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from tests.conftest import row_counts
from tests.factories import make_user
from tests.jobs.factories import (
    MEASURED_ON,
    MICROMETER,
    Lab,
    make_lab,
    micrometer_in_measurement,
    submit,
)

# As found, um: mean 3.12; deviations -0.02, 0.08, -0.02, -0.12, 0.08 square to 0.028,
# s^2 = 0.007, u = sqrt(0.007/5) = 0.0374166.  d_X = 0.020 + 3.12 = 3.14 um, beyond +-2 um.
AS_FOUND_READINGS = [3.1, 3.2, 3.1, 3.0, 3.2]
# As left, um: mean 1.21, u = 0.0331662 (tests/jobs/test_job_flow.py); d_X = 1.23 um.
AS_LEFT_READINGS = [1.2, 1.3, 1.1, 1.25, 1.2]


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def adjusted(lab: Lab, point: dict, **changes: object) -> dict:
    """A point measured as found, zero set by the technician, and measured as left."""
    ring = {"reference": lab.ring_gauge.id}
    return {
        "characteristic_id": point["id"],
        "measured_on": MEASURED_ON.isoformat(),
        "equipment": ring,
        "observations": {"d_x": AS_LEFT_READINGS},
        "temperature": 20.1,
        "humidity": 45,
        "as_found": {
            "measured_on": MEASURED_ON.isoformat(),
            "equipment": ring,
            "observations": {"d_x": AS_FOUND_READINGS},
            "temperature": 20.2,
            "humidity": 44,
        },
        "adjustment": {
            "description": "Zero set against the setting ring; anvils cleaned",
            "adjusted_by_id": lab.technician.id,
            "adjusted_on": MEASURED_ON.isoformat(),
        },
        **changes,
    }


def test_an_adjusted_point_keeps_as_found_and_as_left_each_evaluated(
    client: TestClient, lab: Lab
) -> None:
    job, point = micrometer_in_measurement(client, lab)
    result = job.record(**adjusted(lab, point))
    # As left: d_X = 1.23 um, u_c = sqrt(0.015^2 + 0.0331662^2 + (0.05/sqrt(3))^2) = 0.0464579
    assert math.isclose(result["value"], 1.23, abs_tol=1e-9)
    assert math.isclose(result["uncertainty"]["standard_uncertainty"], 0.0464579, abs_tol=5e-7)
    assert result["decision"]["decision"] == "pass"
    # As found: d_X = 3.14 um, u_c = sqrt(0.000225 + 0.0014 + 0.000833333) = 0.0495816 um
    found = result["as_found"]
    assert math.isclose(found["value"], 3.14, abs_tol=1e-9)
    assert math.isclose(found["uncertainty"]["standard_uncertainty"], 0.0495816, abs_tol=5e-7)
    # nu_eff = 4 (0.0495816 / 0.0374166)^4 = 12.3 (GUM G.4.1): k = 2.23 (GUM Table G.2, nu = 12)
    assert math.isclose(found["coverage_factor"], 2.23, abs_tol=0.005)
    assert math.isclose(
        found["expanded_uncertainty"], found["coverage_factor"] * 0.0495816, rel_tol=1e-5
    )
    assert found["unit"] == "um" and found["observations"] == {"d_x": AS_FOUND_READINGS}
    assert found["decision"]["decision"] == "fail"  # 3.14 um is beyond +2 um by far more than U
    assert found["accredited"] is True, found["accreditation_reason"]
    assert found["measured_by_id"] == lab.technician.id and found["temperature"] == 20.2
    assert result["adjustment"] == {
        "description": "Zero set against the setting ring; anvils cleaned",
        "adjusted_by_id": lab.technician.id,
        "adjusted_on": MEASURED_ON.isoformat(),
    }
    listed = client.get(f"{job.url}/results", headers=lab.headers(lab.manager)).json()
    assert listed[0]["as_found"] == found and listed[0]["adjustment"] == result["adjustment"]


def test_a_single_value_is_still_a_plain_result(client: TestClient, lab: Lab) -> None:
    job, point = micrometer_in_measurement(client, lab)
    body = adjusted(lab, point)
    del body["as_found"], body["adjustment"]
    result = job.record(**body)
    assert result["as_found"] is None and result["adjustment"] is None
    assert result["decision"]["decision"] == "pass"


def test_replacing_an_adjusted_result_without_them_clears_them(
    client: TestClient, lab: Lab
) -> None:
    job, point = micrometer_in_measurement(client, lab)
    first = job.record(**adjusted(lab, point))
    body = adjusted(lab, point, version=first["version"], reason="not adjusted after all")
    del body["as_found"], body["adjustment"]
    second = job.record(**body)
    assert second["version"] == 2 and second["as_found"] is None and second["adjustment"] is None


def test_bad_adjustments_are_refused_and_change_nothing(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job, point = micrometer_in_measurement(client, lab)
    customer = lab.customer_user
    auditor = make_user(engine, Role.AUDITOR)
    yesterday = (MEASURED_ON - timedelta(days=1)).isoformat()
    tomorrow = (MEASURED_ON + timedelta(days=1)).isoformat()
    base = adjusted(lab, point)
    by = base["adjustment"]
    before = row_counts(engine)
    refusals = {
        "adjustment without as found": {**base, "as_found": None},
        "as found without adjustment": {**base, "adjustment": None},
        "adjusted by a customer": {**base, "adjustment": {**by, "adjusted_by_id": customer.id}},
        "adjusted by an auditor": {**base, "adjustment": {**by, "adjusted_by_id": auditor.id}},
        "adjusted by nobody known": {**base, "adjustment": {**by, "adjusted_by_id": 999_999}},
        "adjusted before measured as found": {
            **base,
            "adjustment": {**by, "adjusted_on": yesterday},
        },
        "adjusted after measured as left": {**base, "adjustment": {**by, "adjusted_on": tomorrow}},
        "as found in the future": {
            **base,
            "as_found": {**base["as_found"], "measured_on": tomorrow},
        },
        "as found outside the method's room": {
            **base,
            "as_found": {**base["as_found"], "temperature": 23.5},
        },
    }
    for case, body in refusals.items():
        response = client.post(f"{job.url}/results", json=body, headers=lab.headers(lab.technician))
        assert response.status_code == 422, (case, response.text)
        assert response.headers["content-type"].startswith("application/problem+json"), case
    assert row_counts(engine) == before


def test_the_refusals_name_what_is_wrong(client: TestClient, engine: Engine, lab: Lab) -> None:
    job, point = micrometer_in_measurement(client, lab)
    base = adjusted(lab, point)
    yesterday = (MEASURED_ON - timedelta(days=1)).isoformat()
    cases = [
        ({**base, "as_found": None}, "needs the as-found result"),
        (
            {**base, "adjustment": {**base["adjustment"], "adjusted_by_id": lab.customer_user.id}},
            "not an active member of the laboratory's staff",
        ),
        (
            {**base, "adjustment": {**base["adjustment"], "adjusted_on": yesterday}},
            "before the instrument was measured as found",
        ),
    ]
    for body, words in cases:
        response = client.post(f"{job.url}/results", json=body, headers=lab.headers(lab.technician))
        assert words in response.json()["detail"], response.text


def test_only_instruments_are_adjusted(client: TestClient, lab: Lab) -> None:
    job = submit(client, lab, "product_qc", {"kind": "customer_product", "description": "Flange"})
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    size = job.plan(label="D20", nominal=20, unit="mm", method_id=lab.cmm_method.id)
    job.step("in_measurement", lab.technician)
    cmm = {"cmm": lab.cmm.id}
    body = {
        "characteristic_id": size["id"],
        "measured_on": job.today,
        "equipment": cmm,
        "observations": {"x": [20.001, 20.002]},
        "as_found": {"measured_on": job.today, "equipment": cmm, "observations": {"x": [20.01]}},
        "adjustment": {
            "description": "x",
            "adjusted_by_id": lab.technician.id,
            "adjusted_on": job.today,
        },
    }
    response = client.post(f"{job.url}/results", json=body, headers=lab.headers(lab.technician))
    assert response.status_code == 422 and "B3" in response.json()["detail"]


def test_an_inspected_instrument_keeps_its_as_found_indication(
    client: TestClient, lab: Lab
) -> None:
    job = submit(client, lab, "inspection", MICROMETER)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    point = job.plan(label="25 mm", nominal=25, lower_limit=-2, upper_limit=2, unit="um")
    job.step("in_measurement", lab.technician)
    result = job.record(
        characteristic_id=point["id"],
        value=0.8,
        as_found={"measured_on": job.today, "value": 2.6},
        adjustment={
            "description": "Zero set",
            "adjusted_by_id": lab.reviewer.id,
            "adjusted_on": job.today,
        },
    )
    assert (
        result["as_found"]["value"] == 2.6 and result["as_found"]["decision"]["decision"] == "fail"
    )
    assert result["value"] == 0.8 and result["decision"]["decision"] == "pass"
    assert result["as_found"]["expanded_uncertainty"] is None  # inspection claims none


def test_a_csv_reimport_of_the_point_as_left_keeps_it_as_found(
    client: TestClient, lab: Lab
) -> None:
    job, point = micrometer_in_measurement(client, lab)
    first = job.record(**adjusted(lab, point))
    ident = lab.ring_gauge.identification
    # As left again, read 1.1 um: d_X = 0.020 + 1.1 = 1.12 um.
    csv = (
        "characteristic;observations;unit;measured_on;equipment;temperature;humidity\n"
        f"50 mm;1,1|1,1|1,1;um;{MEASURED_ON:%d.%m.%Y};reference={ident};20,1;45\n"
    )
    done = client.post(
        f"{job.url}/results/import",
        params={"dry_run": "false"},
        content=csv.encode(),
        headers={**lab.headers(lab.technician), "content-type": "text/csv"},
    ).json()
    assert done["written"] is True, done
    [result] = client.get(f"{job.url}/results", headers=lab.headers(lab.manager)).json()
    assert result["version"] == 2 and math.isclose(result["value"], 1.12, abs_tol=1e-9)
    assert result["as_found"] == first["as_found"]
    assert result["adjustment"] == first["adjustment"]
