"""A lab ready to run jobs: a customer under an agreement, staff with authorisations,
equipment in calibration and methods, all made through the services."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

from lims.accounts.models import Organisation, Role, User
from lims.clock import local_today
from lims.competence.models import Activity
from lims.config import Settings
from lims.contracts.models import Service
from lims.equipment.models import Equipment
from lims.methods.models import Method
from tests.conftest import is_fresh, snapshots
from tests.contracts.factories import make_agreement, review_agreement
from tests.equipment.factories import authorise, make_calibration, make_equipment, make_method
from tests.factories import bearer, make_contact, make_organisation, make_user

# A job opened by a test is opened today, and its items are received and measured today:
# the only day that is neither before the job was opened nor in the future.
MEASURED_ON = local_today(Settings().timezone)
RING_METHOD = {  # the setting-ring example method: d_X = d_S + d_x - d_s, in um
    "cmc": "0.08",
    "temperature_min": 19.0,
    "temperature_max": 21.0,
}
CMM_METHOD = {
    "service_kind": "product_qc",
    "measurand": "a size of a product",
    "result_unit": "mm",
    "result_quantity": "measured_value",
    "size_unit": "mm",
    "range_min": 0,
    "range_max": 1000,
    "cmc": "0.0001",
    "model": "x + c",
    "output": "y",
    "inputs": [
        {"name": "x", "source": "type_a", "unit": "mm"},
        {"name": "c", "source": "certificate", "unit": "mm", "equipment_role": "cmm"},
    ],
    "equipment_roles": {"cmm": ["cmm"]},
}


@dataclass
class Lab:
    customer: Organisation
    customer_user: User
    technician: User
    reviewer: User
    signatory: User
    manager: User
    ring_gauge: Equipment
    cmm: Equipment
    ring_method: Method
    cmm_method: Method
    settings: Settings

    def headers(self, user: User) -> dict[str, str]:
        return bearer(self.settings, user)


def make_lab(engine: Engine, settings: Settings) -> Lab:
    """A customer with an agreement, staff authorised for two methods, calibrated equipment.

    Built by the factories the first time in a test process; in a fresh database after that,
    a copy of the first one's records (``tests.conftest.snapshots``), ids and all.
    """
    fresh = is_fresh(engine)
    if fresh:
        restored, ids = snapshots.restore("lab", engine, settings)
        if restored:
            return _lab_of(engine, settings, ids)
    lab = _build_lab(engine, settings)
    if fresh:
        ids = {name: getattr(lab, name).id for name in LAB_RECORDS}
        snapshots.take("lab", engine, settings, returned=ids, with_files=False)
    return lab


#: The records a Lab names, by the model each is.
LAB_RECORDS: dict[str, type[SQLModel]] = {
    "customer": Organisation,
    "customer_user": User,
    "technician": User,
    "reviewer": User,
    "signatory": User,
    "manager": User,
    "ring_gauge": Equipment,
    "cmm": Equipment,
    "ring_method": Method,
    "cmm_method": Method,
}


def _lab_of(engine: Engine, settings: Settings, ids: dict[str, int]) -> Lab:
    with Session(engine) as db_session:
        records = {name: db_session.get_one(LAB_RECORDS[name], id_) for name, id_ in ids.items()}
        db_session.expunge_all()
    return Lab(**records, settings=settings)


def _build_lab(engine: Engine, settings: Settings) -> Lab:
    customer = make_organisation(engine)
    make_contact(engine, customer)
    agreement = make_agreement(
        engine,
        customer,
        valid_until=date(2099, 12, 31),
        services=(Service.CALIBRATION, Service.PRODUCT_QC, Service.REFERENCE, Service.INSPECTION),
        accredited=True,
    )
    technician = make_user(engine, Role.TECHNICIAN)
    reviewer = make_user(engine, Role.TECHNICIAN)
    signatory = make_user(engine, Role.SIGNATORY, job_title="Tekninen johtaja")
    ring_method = make_method(engine, **RING_METHOD)
    cmm_method = make_method(engine, **CMM_METHOD)
    for method in (ring_method, cmm_method):
        authorise(engine, technician, method, Activity.PERFORM)
        authorise(engine, reviewer, method, Activity.REVIEW)
        authorise(engine, signatory, method, Activity.SIGN)
    # Calibrated a month before the lab's today, so they are in calibration on the day a
    # result is measured, wherever the clock stands (results are dated today).
    today = local_today(settings.timezone)
    calibrated = {
        "calibrated_on": (today - timedelta(days=30)).isoformat(),
        "next_due_on": (today + timedelta(days=335)).isoformat(),
    }
    ring_gauge = make_equipment(engine, name="Setting ring 50 mm", kind="ring_gauge")
    make_calibration(engine, ring_gauge, **calibrated)
    cmm = make_equipment(engine, name="CMM", kind="cmm")
    make_calibration(engine, cmm, **calibrated)
    customer_user = make_user(engine, Role.CUSTOMER, organisation=customer)
    manager = make_user(engine, Role.QUALITY_MANAGER)
    # Routine work under the annual agreement is covered by the agreement's contract review.
    review_agreement(engine, agreement, manager)
    return Lab(
        customer=customer,
        customer_user=customer_user,
        technician=technician,
        reviewer=reviewer,
        signatory=signatory,
        manager=manager,
        ring_gauge=ring_gauge,
        cmm=cmm,
        ring_method=ring_method,
        cmm_method=cmm_method,
        settings=settings,
    )


class JobDriver:
    """Drives one job through the HTTP API as the right person for each step."""

    def __init__(self, client: TestClient, lab: Lab, job: dict[str, Any]) -> None:
        self.client, self.lab, self.job = client, lab, job

    @property
    def url(self) -> str:
        return f"/api/v1/jobs/{self.job['id']}"

    @property
    def today(self) -> str:
        """The lab's day now, when the clock may travel (MEASURED_ON is the day of import)."""
        return local_today(self.lab.settings.timezone).isoformat()

    def step(self, to: str, user: User, reason: str | None = None, expect: int = 200) -> dict:
        response = self.client.post(
            f"{self.url}/transitions",
            json={"to": to, "reason": reason},
            headers=self.lab.headers(user),
        )
        assert response.status_code == expect, response.text
        return response.json()

    def items(self) -> list[dict]:
        return self.client.get(
            f"{self.url}/items", headers=self.lab.headers(self.lab.technician)
        ).json()

    def receive_all(self) -> None:
        for item in self.items():
            response = self.client.post(
                f"{self.url}/items/{item['id']}/receipt",
                json={"received_on": self.today, "condition": "fit"},
                headers=self.lab.headers(self.lab.technician),
            )
            assert response.status_code == 200, response.text

    def plan(self, **characteristic: Any) -> dict:
        body = {"item_id": self.items()[0]["id"], **characteristic}
        response = self.client.post(
            f"{self.url}/characteristics", json=body, headers=self.lab.headers(self.lab.manager)
        )
        assert response.status_code == 201, response.text
        return response.json()

    def record(self, user: User | None = None, expect: int = 200, **entry: Any) -> dict:
        body = {
            "measured_on": self.today,
            "temperature": 20.1,
            "humidity": 45,
            **entry,
        }
        response = self.client.post(
            f"{self.url}/results", json=body, headers=self.lab.headers(user or self.lab.technician)
        )
        assert response.status_code == expect, response.text
        return response.json()

    def review_approve_report_close(self) -> None:
        self.step("reviewed", self.lab.reviewer)
        self.step("approved", self.lab.signatory)
        self.step("reported", self.lab.signatory)
        for item in self.items():
            self.client.post(
                f"{self.url}/items/{item['id']}/dispatch",
                json={"dispatched_on": self.today},
                headers=self.lab.headers(self.lab.technician),
            )
        self.step("closed", self.lab.manager)


def submit(client: TestClient, lab: Lab, kind: str, item: dict[str, Any]) -> JobDriver:
    response = client.post(
        "/api/v1/jobs",
        json={
            "organisation_id": lab.customer.id,
            "kind": kind,
            "items": [item],
            "customer_reference": "PO-1",
        },
        headers=lab.headers(lab.customer_user),
    )
    assert response.status_code == 201, response.text
    return JobDriver(client, lab, response.json())


MICROMETER = {
    "kind": "instrument",
    "description": "External micrometer 0-25 mm",
    "identification": "SN 4711",
    "manufacturer": "Mitutoyo",
    "instrument_type": "external micrometer",
    "range_text": "0-25 mm",
    "resolution": 0.001,
    "resolution_unit": "mm",
    "specification": {"standard": "ISO 3611", "mpe": 2, "unit": "um"},
}
PRODUCT = {"kind": "customer_product", "description": "Flange, drawing 1234-A"}


def micrometer_in_measurement(
    client: TestClient, lab: Lab, kind: str = "calibration"
) -> tuple[JobDriver, dict[str, Any]]:
    """A micrometer job (B3) received, with one 50 mm point by the ring method, in measurement."""
    job = submit(client, lab, kind, MICROMETER)
    job.step("accepted", lab.manager)
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
    )
    job.step("in_measurement", lab.technician)
    return job, point
