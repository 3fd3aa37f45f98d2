"""Records the production tests share: colleagues, and a result waiting to be replaced."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role, User
from lims.competence.models import Activity
from tests.documents.factories import RING_POINTS
from tests.equipment.factories import authorise
from tests.factories import make_user
from tests.jobs.factories import MICROMETER, JobDriver, Lab, submit


def colleague(engine: Engine, lab: Lab, role: Role, activity: Activity) -> User:
    """A second person of ``role``, authorised for the lab's methods."""
    user = make_user(engine, role)
    for method in (lab.ring_method, lab.cmm_method):
        authorise(engine, user, method, activity)
    return user


def result_in_measurement(client: TestClient, lab: Lab) -> tuple[JobDriver, dict[str, Any]]:
    """A job in measurement with one recorded result (version 1)."""
    job = submit(client, lab, "calibration", MICROMETER)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    size, readings = next(iter(RING_POINTS.items()))
    point = job.plan(
        label=f"{size:g} mm",
        kind="calibration_point",
        nominal=size,
        lower_limit=-2,
        upper_limit=2,
        unit="um",
        method_id=lab.ring_method.id,
    )
    job.step("in_measurement", lab.technician)
    first = job.record(
        characteristic_id=point["id"],
        equipment={"reference": lab.ring_gauge.id},
        observations={"d_x": readings},
    )
    assert first["version"] == 1
    return job, first


def replacement(lab: Lab, first: dict[str, Any], shift: float) -> dict[str, Any]:
    """A replacement of ``first`` (sent with its version and a reason)."""
    return {
        "characteristic_id": first["characteristic_id"],
        "measured_on": first["measured_on"],
        "temperature": 20.0,
        "humidity": 45,
        "equipment": {"reference": lab.ring_gauge.id},
        "observations": {"d_x": [0.40 + shift, 0.41 + shift, 0.42 + shift]},
        "version": first["version"],
        "reason": "re-measured after cleaning the anvils",
    }
