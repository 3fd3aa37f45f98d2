"""Demo equipment of a dimensional lab, with calibrations whose chains reach VTT MIKES.

The certificate numbers, the accredited calibration lab "Esimerkkikalibrointi Oy" and its
number K998 are invented for the demo.  The chains are the usual ones in Finland: the
reference gauge blocks, the step gauge and the laser are calibrated by VTT MIKES (the national
metrology institute); working standards are calibrated in house against them; thermometers go
to an accredited lab that traces to VTT MIKES.  The calibrations are dated back from the day the
demo is loaded, so on that day the reference thermometer falls due within its due_soon_days,
the CMM room's logger is overdue, the optical flat is out of service and the rest are in
calibration: the planner has something to show, and the working standards measure today's job.
Certificate numbers carry the year of their calibration (``{yy}``), as the labs number them.
"""

import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from lims.accounts.principal import Principal
from lims.db import persisted_id
from lims.demo.dates import Ago
from lims.equipment import service
from lims.equipment.models import (
    Calibration,
    CalibrationCreate,
    Equipment,
    EquipmentCreate,
    EquipmentStatus,
    LogEntryCreate,
    LogEntryKind,
)
from lims.storage import FileStore

NMI = "VTT MIKES Metrology"
ACCREDITED_LAB = {
    "calibrating_lab": "Esimerkkikalibrointi Oy",
    "accreditation_body": "FINAS",
    "accreditation_number": "K998",
    "traceable_to": "VTT MIKES",
}


def _result(
    quantity: str, nominal: float | None, value: float, unit: str, expanded: float
) -> dict[str, Any]:
    return {
        "quantity": quantity,
        "nominal": nominal,
        "nominal_unit": "mm" if nominal is not None else None,
        "value": value,
        "unit": unit,
        "expanded_uncertainty": expanded,
        "coverage_factor": 2.0,
    }


@dataclass(frozen=True)
class DemoLogEntry:
    kind: LogEntryKind
    happened: Ago
    description: str


@dataclass(frozen=True)
class DemoItem:
    equipment: EquipmentCreate
    calibrations: list[dict[str, Any]] = field(default_factory=list)  # calibrated_on: an Ago
    reference: str | None = None  # identification of the standard used, for internal ones
    log: list[DemoLogEntry] = field(default_factory=list)


DEMO_EQUIPMENT = [
    DemoItem(
        EquipmentCreate(
            identification="GB-REF",
            name="Vertailumittapalasarja 0,5-100 mm, teräs, ISO 3650 tarkkuusluokka K",
            translations={
                "en": {"name": "Reference gauge block set 0.5-100 mm, steel, ISO 3650 grade K"}
            },
            kind="gauge_block",
            manufacturer="Mitutoyo",
            model="516-940-10",
            serial_number="R-0412",
            location="Pituuslaboratorio, kaappi 1",
            calibration_interval_months=24,
            acceptance_criteria="poikkeamat ISO 3650:n tarkkuusluokan K rajoissa",
        ),
        [
            {
                "kind": "external",
                "calibrated_on": Ago(months=10),
                "calibrating_lab": NMI,
                "performed_by_nmi": True,
                "certificate_number": "M-{yy}-0112",
                "results": [
                    _result("keskipituuden poikkeama", 10, 8, "nm", 22),
                    _result("keskipituuden poikkeama", 50, 20, "nm", 30),
                    _result("keskipituuden poikkeama", 100, -35, "nm", 45),
                ],
                "fit_for_use": True,
            }
        ],
    ),
    DemoItem(
        EquipmentCreate(
            identification="GB-WRK",
            name="Käyttömittapalasarja 0,5-100 mm, teräs, ISO 3650 tarkkuusluokka 0",
            translations={
                "en": {"name": "Working gauge block set 0.5-100 mm, steel, ISO 3650 grade 0"}
            },
            kind="gauge_block",
            manufacturer="Mitutoyo",
            model="516-941-10",
            serial_number="W-1187",
            location="Pituuslaboratorio, pöytä 2",
            calibration_interval_months=12,
            acceptance_criteria="poikkeamat ISO 3650:n tarkkuusluokan 0 rajoissa",
        ),
        [
            {
                "kind": "internal",
                "calibrated_on": Ago(months=9),
                "calibrating_lab": "Demo Measurement Laboratory",
                "certificate_number": "K-{yy}-009",
                # The one certificate file still to come: the equipment page and the records
                # bundle show the gap, and the quality manager attaches it.
                "certificate_to_follow": "Sisäisen kalibroinnin todistus odottaa "
                "laatupäällikön allekirjoitusta",
                # The micrometer's ten test lengths of ISO 3611 (the worksheet's points), then
                # the lengths of the longer instruments.
                "results": [
                    _result("keskipituuden poikkeama", 2.5, 0.02, "um", 0.031),
                    _result("keskipituuden poikkeama", 5.1, -0.03, "um", 0.032),
                    _result("keskipituuden poikkeama", 7.7, 0.01, "um", 0.034),
                    _result("keskipituuden poikkeama", 10.3, 0.04, "um", 0.035),
                    _result("keskipituuden poikkeama", 12.9, -0.02, "um", 0.037),
                    _result("keskipituuden poikkeama", 15, 0.03, "um", 0.038),
                    _result("keskipituuden poikkeama", 17.6, -0.01, "um", 0.040),
                    _result("keskipituuden poikkeama", 20.2, 0.02, "um", 0.041),
                    _result("keskipituuden poikkeama", 22.8, -0.04, "um", 0.043),
                    _result("keskipituuden poikkeama", 25, 0.05, "um", 0.065),
                    _result("keskipituuden poikkeama", 50, -0.074, "um", 0.073),
                    _result("keskipituuden poikkeama", 100, 0.08, "um", 0.1),
                ],
                "fit_for_use": True,
                "decision_note": "by comparison with GB-REF (method DIM-GB-01)",
            }
        ],
        reference="GB-REF",
    ),
    DemoItem(
        EquipmentCreate(
            identification="GB-CMP",
            name="Mittapalakomparaattori",
            translations={"en": {"name": "Gauge block comparator"}},
            kind="gauge_block_comparator",
            manufacturer="Mahr",
            model="Millimar 826",
            serial_number="MC-5521",
            location="Pituuslaboratorio, pöytä 2",
            software_version="firmware 2.1",
            calibration_interval_months=12,
            acceptance_criteria="virherajat ±(0,03 µm + 0,02·D), D on pituusero",
        ),
        [
            {
                "kind": "internal",
                "calibrated_on": Ago(months=9, days=3),
                "calibrating_lab": "Demo Measurement Laboratory",
                "certificate_number": "K-{yy}-007",
                "results": [_result("näyttämävirhe, D = 10 µm", None, 0.012, "um", 0.02)],
                "fit_for_use": True,
                "decision_note": "EURAMET cg-2 procedure, with gauge blocks of GB-REF",
            }
        ],
        reference="GB-REF",
    ),
    DemoItem(
        EquipmentCreate(
            identification="SR-20",
            name="Asetusrengas 20 mm",
            translations={"en": {"name": "Setting ring 20 mm"}},
            kind="ring_gauge",
            manufacturer="Bowers",
            serial_number="SR20-3304",
            location="Pituuslaboratorio, kaappi 2",
            calibration_interval_months=24,
        ),
        [
            {
                "kind": "external",
                **ACCREDITED_LAB,
                "calibrated_on": Ago(months=7),
                "certificate_number": "EK-{yy}-1540",
                "results": [_result("halkaisijan poikkeama", 20, 1.2, "um", 0.4)],
                "fit_for_use": True,
            }
        ],
    ),
    DemoItem(
        EquipmentCreate(
            identification="SG-620",
            name="Porrasmitta 620 mm",
            translations={"en": {"name": "Step gauge 620 mm"}},
            kind="step_gauge",
            manufacturer="KOBA",
            model="koba-step 620",
            serial_number="KS-0715",
            location="CMM-huone",
            calibration_interval_months=36,
        ),
        [
            {
                "kind": "external",
                "calibrated_on": Ago(months=12),
                "calibrating_lab": NMI,
                "performed_by_nmi": True,
                "certificate_number": "M-{yy}-0877",
                "results": [_result("askelpaikan virhe, suurin", 600, 0.15, "um", 0.3)],
                "fit_for_use": True,
            }
        ],
    ),
    DemoItem(
        EquipmentCreate(
            identification="CMM-01",
            name="Koordinaattimittauskone",
            translations={"en": {"name": "Coordinate measuring machine"}},
            kind="cmm",
            manufacturer="Carl Zeiss",
            model="Contura 7/10/6",
            serial_number="CT-224187",
            location="CMM-huone",
            software_version="Calypso 2024",
            calibration_interval_months=12,
            acceptance_criteria="ISO 10360-2: E0 enintään MPE = (1,8 + L/300) µm, L millimetreinä",
        ),
        [
            {
                "kind": "internal",
                "calibrated_on": Ago(months=8),  # before the RR test on it
                "calibrating_lab": "Demo Measurement Laboratory",
                "certificate_number": "K-{yy}-031",
                "results": [_result("pituusmittausvirhe E0, suurin", 600, 1.6, "um", 0.6)],
                "fit_for_use": True,
                "decision_note": "ISO 10360-2 verification with SG-620: all E0 within MPE",
            }
        ],
        reference="SG-620",
    ),
    DemoItem(
        EquipmentCreate(
            identification="LI-01",
            name="Laserinterferometri",
            translations={"en": {"name": "Laser interferometer"}},
            kind="laser_interferometer",
            manufacturer="Renishaw",
            model="XL-80",
            serial_number="XL80-91522",
            location="Pituuslaboratorio",
            software_version="CARTO 4.9",
            calibration_interval_months=24,
        ),
        [
            {
                "kind": "external",
                "calibrated_on": Ago(months=18),
                "calibrating_lab": NMI,
                "performed_by_nmi": True,
                "certificate_number": "M-{yy}-0391",
                "results": [
                    _result("relative vacuum wavelength deviation", None, 0.01, "ppm", 0.05)
                ],
                "fit_for_use": True,
            }
        ],
    ),
    DemoItem(
        EquipmentCreate(
            identification="TH-01",
            name="Vertailulämpömittari Pt100-antureilla",
            translations={"en": {"name": "Reference thermometer with Pt100 probes"}},
            kind="thermometer",
            manufacturer="Fluke",
            model="1524",
            serial_number="B41230",
            location="Pituuslaboratorio",
            calibration_interval_months=12,
        ),
        [
            {
                "kind": "external",
                **ACCREDITED_LAB,
                "calibrated_on": Ago(months=11, days=20),  # due in 8 to 12 days
                "certificate_number": "EK-{yy}-2210",
                "results": [_result("correction at 20 °C", None, -0.008, "K", 0.02)],
                "fit_for_use": True,
            }
        ],
    ),
    DemoItem(
        EquipmentCreate(
            identification="TH-02",
            name="Ilman lämpötilan tallennin, koordinaattimittaushuone",
            translations={"en": {"name": "Air temperature logger, CMM room"}},
            kind="thermometer",
            manufacturer="Vaisala",
            model="HMT330",
            serial_number="V-77102",
            location="CMM-huone",
            calibration_interval_months=12,
        ),
        [
            {
                "kind": "external",
                **ACCREDITED_LAB,
                "calibrated_on": Ago(months=14),  # due two months ago
                "certificate_number": "EK-{yy}-1788",
                "results": [_result("correction at 20 °C", None, 0.05, "K", 0.1)],
                "fit_for_use": True,
            }
        ],
    ),
    DemoItem(
        EquipmentCreate(
            identification="OF-01",
            name="Optinen tasolevy 45 mm",
            translations={"en": {"name": "Optical flat 45 mm"}},
            kind="optical_flat",
            manufacturer="Mitutoyo",
            model="158-118",
            serial_number="OF-4410",
            location="Pituuslaboratorio, kaappi 2",
            calibration_interval_months=60,
            status=EquipmentStatus.OUT_OF_SERVICE,
        ),
        [
            {
                "kind": "external",
                **ACCREDITED_LAB,
                "calibrated_on": Ago(months=27),
                "certificate_number": "EK-{yy}-0930",
                "results": [_result("flatness deviation", None, 0.05, "um", 0.03)],
                "fit_for_use": True,
            }
        ],
        log=[
            DemoLogEntry(
                LogEntryKind.DAMAGE,
                Ago(months=1, days=14),
                "scratch across the measuring face; taken out of service until "
                "re-lapped and recalibrated",
            )
        ],
    ),
]


def demo_equipment(db_session: Session, identification: str) -> Equipment:
    """A demo item of equipment that ``load_equipment`` has made (the later loaders use them)."""
    equipment = service.find_equipment(db_session, identification=identification)
    if equipment is None:
        raise RuntimeError(f"demo equipment {identification} is missing: load_equipment first")
    return equipment


def _calibrated(db_session: Session, equipment_id: int) -> bool:
    return (
        db_session.exec(
            select(Calibration.id).where(Calibration.equipment_id == equipment_id)
        ).first()
        is not None
    )


def _attach_certificate(
    db_session: Session, actor: Principal, calibration: Calibration, store: FileStore
) -> None:
    """A stand-in certificate file: a one-page PDF naming the certificate number."""
    content = (
        b"%PDF-1.4\n% demo calibration certificate "
        + calibration.certificate_number.encode()
        + b"\n%%EOF\n"
    )
    service.attach_certificate(
        db_session,
        actor=actor,
        equipment_id=calibration.equipment_id,
        calibration_id=persisted_id(calibration),
        content=io.BytesIO(content),
        filename=f"{calibration.certificate_number}.pdf",
        store=store,
        max_bytes=len(content),
    )


def _calibration(
    row: dict[str, Any], reference: Equipment | None, today: date
) -> CalibrationCreate:
    calibrated_on = row["calibrated_on"].before(today)
    return CalibrationCreate.model_validate(
        {
            **row,
            "calibrated_on": calibrated_on,
            "certificate_number": row["certificate_number"].format(yy=f"{calibrated_on:%y}"),
            "reference_equipment_id": reference.id if reference else None,
        }
    )


def load_equipment(
    db_session: Session, *, actor: Principal, today: date, store: FileStore | None = None
) -> int:
    """Create the demo equipment and calibrations that are missing; return how many.

    An item's calibrations are made only while it has none: made on another day their dates
    and certificate numbers would differ, and a later run must change nothing.  With a file
    store each calibration keeps its certificate file, as the lab's own calibrations must."""
    created = 0
    for item in DEMO_EQUIPMENT:
        equipment = service.find_equipment(db_session, identification=item.equipment.identification)
        if equipment is None:
            equipment = service.create_equipment(db_session, actor=actor, data=item.equipment)
            created += 1
            for entry in item.log:
                service.add_log_entry(
                    db_session,
                    actor=actor,
                    equipment_id=persisted_id(equipment),
                    data=LogEntryCreate(
                        kind=entry.kind,
                        happened_on=entry.happened.before(today),
                        description=entry.description,
                    ),
                )
                created += 1
        equipment_id = persisted_id(equipment)
        if _calibrated(db_session, equipment_id):
            continue
        reference = demo_equipment(db_session, item.reference) if item.reference else None
        for row in item.calibrations:
            calibration = service.record_calibration(
                db_session,
                actor=actor,
                equipment_id=equipment_id,
                data=_calibration(row, reference, today),
            )
            if store is not None and calibration.certificate_to_follow is None:
                _attach_certificate(db_session, actor, calibration, store)
            created += 1
    return created
