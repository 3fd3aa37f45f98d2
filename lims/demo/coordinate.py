"""Demo coordinate measurements on CMM-01: a B1 product job and a B2 reference measurement.

Both are measured by the demo technician with DIM-CMM-01, whose results take their U from the
task-specific budget of CMM-01 (lims.methods.coordinate), never from the CMC; the B2 job's
E_n is computed from that U.  The company's value of the reference piece lies 2.9 um from the
lab's: with the CMC (1.87 um at 20 mm) taken as the lab's U it would score E_n = 1.06, with
the task U (2.77 um) it scores 0.85.  Both jobs are taken to approved, so the customer sees
them.  Idempotent: a job is made only when the customer has none with its reference.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from lims.accounts.models import User
from lims.config import Settings
from lims.db import persisted_id
from lims.demo.accounts import ANNUAL_CUSTOMER, acting_as, demo_customer
from lims.demo.equipment import demo_equipment
from lims.demo.methods import demo_method
from lims.jobs import results, service
from lims.jobs.models import (
    CharacteristicSource,
    CharacteristicSpec,
    Condition,
    CustomerValueEntry,
    ItemKind,
    ItemSpec,
    Job,
    JobKind,
    JobStatus,
    JobSubmission,
    Receipt,
    ResultEntry,
)


@dataclass(frozen=True)
class Measured:
    """A planned characteristic (in mm) and the CMM's repeats of it."""

    label: str
    kind: str
    nominal: float | None
    lower_limit: float | None
    upper_limit: float
    size: float  # L, mm: the feature's size (for a form tolerance too, never the tolerance)
    repeats: list[float]
    company: tuple[float, float] | None = None  # B2: the company's value and U (k = 2)
    label_en: str | None = None  # the label's English translation, where it has words


@dataclass(frozen=True)
class DemoCoordinateJob:
    reference: str
    kind: JobKind
    item: ItemSpec
    characteristics: list[Measured]


TEMPERATURE = 20.6  # °C in the CMM room while measuring
PRODUCT = DemoCoordinateJob(
    reference="CMM-2026-01",
    kind=JobKind.PRODUCT_QC,
    item=ItemSpec(
        kind=ItemKind.CUSTOMER_PRODUCT,
        description="Laippa, piirustus 4471-2",
        identification="Sarja 4471-2/17",
    ),
    characteristics=[
        Measured("Ø20 H7", "diameter", 20.0, 20.0, 20.021, 20.0,
                 [20.0118, 20.0121, 20.0116, 20.0120, 20.0119]),
        Measured("Tasomaisuus A", "flatness", None, None, 0.02, 60.0,
                 [0.0081, 0.0085, 0.0079], label_en="Flatness A"),
    ],
)  # fmt: skip
REFERENCE = DemoCoordinateJob(
    reference="B2-2026-01",
    kind=JobKind.REFERENCE,
    item=ItemSpec(
        kind=ItemKind.TEST_PIECE,
        description="Referenssikappale RK-20",
        identification="RK-20/3",
    ),
    characteristics=[
        Measured("Ø20", "diameter", 20.0, 19.98, 20.02, 20.0,
                 [20.0031, 20.0029, 20.0033, 20.0030, 20.0032], company=(20.0060, 0.0020)),
    ],
)  # fmt: skip
STEPS_AFTER_MEASUREMENT = [
    (JobStatus.MEASURED, "mittaaja"),
    (JobStatus.REVIEWED, "laatu"),
    (JobStatus.APPROVED, "allekirjoittaja"),
]


def load_coordinate_jobs(db_session: Session, *, settings: Settings, today: date) -> int:
    """Make the demo CMM jobs the annual customer does not have; return how many."""
    customer = demo_customer(db_session, ANNUAL_CUSTOMER)
    users = {u.username: u for u in db_session.exec(select(User))}
    if customer is None or "asiakas" not in users:
        return 0
    created = 0
    for demo in (PRODUCT, REFERENCE):
        exists = db_session.exec(
            select(Job.id).where(
                Job.organisation_id == customer.id, Job.customer_reference == demo.reference
            )
        ).first()
        if exists is None:
            _make(db_session, demo, persisted_id(customer), users, settings, today)
            created += 1
    return created


def _make(
    db_session: Session,
    demo: DemoCoordinateJob,
    customer_id: int,
    users: dict[str, User],
    settings: Settings,
    today: date,
) -> None:
    customer, technician = acting_as(users["asiakas"]), acting_as(users["mittaaja"])
    job = service.submit_job(
        db_session,
        actor=customer,
        data=JobSubmission(
            organisation_id=customer_id,
            kind=demo.kind,
            customer_reference=demo.reference,
            items=[demo.item],
        ),
        settings=settings,
    )
    job_id = persisted_id(job)
    _step(db_session, job_id, JobStatus.ACCEPTED, users["laatu"], settings)
    (item,) = service.list_items(db_session, actor=technician, job_id=job_id)
    service.receive_item(
        db_session,
        actor=technician,
        job_id=job_id,
        item_id=persisted_id(item),
        data=Receipt(received_on=today, condition=Condition.FIT),
    )
    method_id = persisted_id(demo_method(db_session, "DIM-CMM-01"))
    planned = [
        service.add_characteristic(
            db_session,
            actor=acting_as(users["laatu"]),
            job_id=job_id,
            spec=CharacteristicSpec(
                item_id=persisted_id(item),
                label=measured.label,
                kind=measured.kind,
                nominal=measured.nominal,
                lower_limit=measured.lower_limit,
                upper_limit=measured.upper_limit,
                unit="mm",
                method_id=method_id,
                parameters={"L": measured.size, "alpha": 11.5e-6},
                source=CharacteristicSource.DRAWING,
                translations={"en": {"label": measured.label_en}} if measured.label_en else {},
            ),
        )
        for measured in demo.characteristics
    ]
    _step(db_session, job_id, JobStatus.ITEMS_RECEIVED, users["mittaaja"], settings)
    _step(db_session, job_id, JobStatus.IN_MEASUREMENT, users["mittaaja"], settings)
    cmm = persisted_id(demo_equipment(db_session, "CMM-01"))
    for characteristic, measured in zip(planned, demo.characteristics, strict=True):
        results.record_result(
            db_session,
            actor=technician,
            job_id=job_id,
            entry=ResultEntry(
                characteristic_id=persisted_id(characteristic),
                measured_on=today,
                equipment={"cmm": cmm},
                observations={"y": measured.repeats},
                temperature=TEMPERATURE,
                humidity=41,
            ),
            settings=settings,
        )
        if measured.company is not None:
            value, expanded_uncertainty = measured.company
            results.record_customer_value(
                db_session,
                actor=customer,
                job_id=job_id,
                entry=CustomerValueEntry(
                    characteristic_id=persisted_id(characteristic),
                    value=value,
                    expanded_uncertainty=expanded_uncertainty,
                    coverage_factor=2,
                    measuring_instrument="yrityksen koordinaattimittakone",
                ),
            )
    for status, username in STEPS_AFTER_MEASUREMENT:
        _step(db_session, job_id, status, users[username], settings)


def _step(db_session: Session, job_id: int, to: JobStatus, user: User, settings: Settings) -> None:
    service.transition(
        db_session, actor=acting_as(user), job_id=job_id, to=to, reason=None, settings=settings
    )
