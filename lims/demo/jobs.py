"""Demo jobs: one in every state of the workflow, for the quick start's job board.

Each job is a micrometer calibration for the annual customer, taken step by step through
the same services the API calls, by the demo user whose role fits each step.  Every item is
received, measured and dispatched on the day the demo is loaded, when the working standards
are in calibration and the staff authorised.  Idempotent: nothing is made when the customer
already has jobs.
"""

from datetime import date
from typing import Any

from sqlmodel import Session, select

from lims.accounts.models import User
from lims.config import Settings
from lims.db import persisted_id
from lims.demo.accounts import ANNUAL_CUSTOMER, acting_as, demo_customer
from lims.demo.equipment import demo_equipment
from lims.demo.methods import demo_method
from lims.equipment.service import ENVIRONMENT_ROLE
from lims.jobs import assignment, results, service
from lims.jobs.models import (
    Adjustment,
    AsFoundEntry,
    CharacteristicSource,
    CharacteristicSpec,
    Condition,
    Dispatch,
    ItemKind,
    ItemSpec,
    Job,
    JobAssignment,
    JobKind,
    JobStatus,
    JobSubmission,
    Receipt,
    ResultEntry,
)

PATH = [
    JobStatus.ACCEPTED,
    JobStatus.ITEMS_RECEIVED,
    JobStatus.IN_MEASUREMENT,
    JobStatus.MEASURED,
    JobStatus.REVIEWED,
    JobStatus.APPROVED,
    JobStatus.REPORTED,
    JobStatus.CLOSED,
]
STEP_BY = {
    JobStatus.ACCEPTED: "laatu",
    JobStatus.ITEMS_RECEIVED: "mittaaja",
    JobStatus.IN_MEASUREMENT: "mittaaja",
    JobStatus.MEASURED: "mittaaja",
    JobStatus.REVIEWED: "laatu",
    JobStatus.APPROVED: "allekirjoittaja",
    JobStatus.REPORTED: "allekirjoittaja",
    JobStatus.CLOSED: "laatu",
}
READINGS = [0.4, 0.5, 0.4, 0.6, 0.5]  # um: reading minus the 25 mm test length
# The closed job's micrometer came in reading 2.6 um long (outside its MPE of 2 um) and was
# adjusted before its calibration (as found, adjustment, as left: ISO/IEC 17025 7.8.4.1 d).
AS_FOUND_READINGS = [2.6, 2.7, 2.5, 2.7, 2.6]
ADJUSTMENT = "Nollakohta asetettu säätöavaimella, mittapinnat puhdistettu"


def load_jobs(db_session: Session, *, settings: Settings, today: date) -> int:
    """Walk one job to each state unless the annual customer has jobs; return how many."""
    customer = demo_customer(db_session, ANNUAL_CUSTOMER)
    users = {u.username: u for u in db_session.exec(select(User))}
    if (
        customer is None
        or "asiakas" not in users
        or db_session.exec(select(Job).where(Job.organisation_id == customer.id)).first()
    ):
        return 0
    targets = [JobStatus.REQUESTED, *PATH, JobStatus.ON_HOLD, JobStatus.CANCELLED]
    for number, target in enumerate(targets, start=1):
        job = service.submit_job(
            db_session,
            actor=acting_as(users["asiakas"]),
            data=JobSubmission(
                organisation_id=persisted_id(customer),
                kind=JobKind.CALIBRATION,
                customer_reference=f"OT-{number:03d}",
                items=[
                    ItemSpec(
                        kind=ItemKind.INSTRUMENT,
                        description="Ulkomikrometri 0-25 mm",
                        identification=f"SN 10{number:02d}",
                        manufacturer="Mitutoyo",
                        instrument_type="external micrometer",
                        range_text="0-25 mm",
                        resolution=0.001,
                        resolution_unit="mm",
                        specification={"standard": "ISO 3611", "mpe": 2, "unit": "um"},
                        price_item="K-MIK-25",  # priced from the list: no quotation
                    )
                ],
            ),
            settings=settings,
        )
        _advance(db_session, persisted_id(job), target, users, settings, today)
    return len(targets)


def _advance(
    db_session: Session,
    job_id: int,
    target: JobStatus,
    users: dict[str, User],
    settings: Settings,
    today: date,
) -> None:
    if target == JobStatus.CANCELLED:
        _step(
            db_session,
            job_id,
            JobStatus.CANCELLED,
            users["laatu"],
            settings,
            "sama tilaus kahdesti",
        )
        return
    if target == JobStatus.ON_HOLD:
        _step(db_session, job_id, JobStatus.ACCEPTED, users["laatu"], settings)
        _step(
            db_session,
            job_id,
            JobStatus.ON_HOLD,
            users["laatu"],
            settings,
            "odottaa asiakkaan ostotilausta",
        )
        return
    for status in PATH[: PATH.index(target) + 1] if target in PATH else []:
        if status == JobStatus.ITEMS_RECEIVED:
            _receive_and_plan(db_session, job_id, users, today)
        if status == JobStatus.MEASURED:
            _measure(
                db_session, job_id, users, settings, today, adjusted=target == JobStatus.CLOSED
            )
        if status == JobStatus.CLOSED:
            _dispatch(db_session, job_id, users, today)
        _step(db_session, job_id, status, users[STEP_BY[status]], settings)
        if status == JobStatus.ITEMS_RECEIVED and target == JobStatus.IN_MEASUREMENT:
            # The quality manager puts the job to measure in the technician's queue, so the
            # technician's "my work" on the start page shows what a morning looks like.
            assignment.assign(
                db_session,
                actor=acting_as(users["laatu"]),
                job_id=job_id,
                data=JobAssignment(assigned_to_id=persisted_id(users["mittaaja"])),
                settings=settings,
            )


def _step(
    db_session: Session,
    job_id: int,
    to: JobStatus,
    user: User,
    settings: Settings,
    reason: str | None = None,
) -> None:
    service.transition(
        db_session,
        actor=acting_as(user),
        job_id=job_id,
        to=to,
        reason=reason,
        settings=settings,
    )


def _receive_and_plan(
    db_session: Session, job_id: int, users: dict[str, User], today: date
) -> None:
    technician = acting_as(users["mittaaja"])
    method_id = persisted_id(demo_method(db_session, "DIM-MIC-01"))
    for item in service.list_items(db_session, actor=technician, job_id=job_id):
        service.receive_item(
            db_session,
            actor=technician,
            job_id=job_id,
            item_id=persisted_id(item),
            data=Receipt(received_on=today, condition=Condition.FIT),
        )
        service.add_characteristic(
            db_session,
            actor=acting_as(users["laatu"]),
            job_id=job_id,
            spec=CharacteristicSpec(
                item_id=persisted_id(item),
                label="25 mm",
                kind="calibration_point",
                nominal=25,
                lower_limit=-2,
                upper_limit=2,
                unit="um",
                method_id=method_id,
                parameters={"L": 25, "alpha": 11.5e-6},
                source=CharacteristicSource.METHOD,
            ),
        )


def _measure(
    db_session: Session,
    job_id: int,
    users: dict[str, User],
    settings: Settings,
    today: date,
    *,
    adjusted: bool,
) -> None:
    technician = acting_as(users["mittaaja"])
    equipment = {
        "gauge_blocks": persisted_id(demo_equipment(db_session, "GB-WRK")),
        # The length laboratory's thermometer measured the room's conditions.
        ENVIRONMENT_ROLE: persisted_id(demo_equipment(db_session, "TH-01")),
    }
    conditions: dict[str, Any] = {"temperature": 20.2, "humidity": 42}
    before: dict[str, Any] = {}
    if adjusted:
        before = {
            "as_found": AsFoundEntry(
                measured_on=today,
                equipment=equipment,
                observations={"dr": AS_FOUND_READINGS},
                **conditions,
            ),
            "adjustment": Adjustment(
                description=ADJUSTMENT,
                adjusted_by_id=persisted_id(users["mittaaja"]),
                adjusted_on=today,
            ),
        }
    for characteristic in service.list_characteristics(db_session, actor=technician, job_id=job_id):
        results.record_result(
            db_session,
            actor=technician,
            job_id=job_id,
            entry=ResultEntry(
                characteristic_id=persisted_id(characteristic),
                measured_on=today,
                equipment=equipment,
                observations={"dr": READINGS},
                **conditions,
                **before,
            ),
            settings=settings,
        )


def _dispatch(db_session: Session, job_id: int, users: dict[str, User], today: date) -> None:
    technician = acting_as(users["mittaaja"])
    for item in service.list_items(db_session, actor=technician, job_id=job_id):
        service.dispatch_item(
            db_session,
            actor=technician,
            job_id=job_id,
            item_id=persisted_id(item),
            data=Dispatch(dispatched_on=today),
        )
