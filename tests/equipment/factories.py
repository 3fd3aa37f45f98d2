"""Factories for equipment, calibrations, methods and authorisations, made through the services."""

import io
import itertools
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.models import User
from lims.competence import service as competence
from lims.competence.models import Activity, Authorisation, AuthorisationCreate, Basis
from lims.config import Settings
from lims.equipment import service as equipment_register
from lims.equipment.models import Calibration, CalibrationCreate, Equipment, EquipmentCreate
from lims.methods import service as methods
from lims.methods.models import METHOD_EXAMPLE, Method, MethodCreate
from lims.storage import store_in
from tests.factories import FACTORY_ACTOR

_numbers = itertools.count(1)


def make_equipment(engine: Engine, **overrides: Any) -> Equipment:
    number = next(_numbers)
    values: dict[str, Any] = {
        "identification": f"EQ-{number:04d}",
        "name": f"Reference gauge block {number}",
        "kind": "gauge_block",
        "calibration_interval_months": 12,
    }
    values.update(overrides)
    with Session(engine) as db_session:
        return equipment_register.create_equipment(
            db_session, actor=FACTORY_ACTOR, data=EquipmentCreate(**values)
        )


def calibration_data(**overrides: Any) -> dict[str, Any]:
    """A valid external calibration by an accredited lab, as the API takes it."""
    values: dict[str, Any] = {
        "kind": "external",
        "calibrated_on": "2026-01-15",
        "calibrating_lab": "Esimerkkikalibrointi Oy",
        "accreditation_body": "FINAS",
        "accreditation_number": "K998",
        "traceable_to": "VTT MIKES",
        "certificate_number": f"C-{next(_numbers)}",
        "results": [
            {
                "quantity": "central length deviation",
                "nominal": 50,
                "nominal_unit": "mm",
                "value": 20,
                "unit": "nm",
                "expanded_uncertainty": 30,
                "coverage_factor": 2,
            }
        ],
        "fit_for_use": True,
        "next_due_on": "2027-01-15",
    }
    values.update(overrides)
    return values


def make_calibration(engine: Engine, equipment: Equipment, **overrides: Any) -> Calibration:
    with Session(engine) as db_session:
        return equipment_register.record_calibration(
            db_session,
            actor=FACTORY_ACTOR,
            equipment_id=equipment.id,
            data=CalibrationCreate.model_validate(calibration_data(**overrides)),
        )


def attach_certificate(
    engine: Engine, settings: Settings, calibration: Calibration, content: bytes = b"%PDF-1.7"
) -> Calibration:
    with Session(engine) as db_session:
        return equipment_register.attach_certificate(
            db_session,
            actor=FACTORY_ACTOR,
            equipment_id=calibration.equipment_id,
            calibration_id=calibration.id,
            content=io.BytesIO(content),
            filename="certificate.pdf",
            store=store_in(settings.data_dir),
            max_bytes=settings.max_upload_bytes,
        )


def make_method(engine: Engine, **overrides: Any) -> Method:
    values: dict[str, Any] = {**METHOD_EXAMPLE, "code": f"DIM-T-{next(_numbers)}"}
    values.update(overrides)
    with Session(engine) as db_session:
        return methods.create_method(
            db_session, actor=FACTORY_ACTOR, data=MethodCreate.model_validate(values)
        )


def authorise(
    engine: Engine,
    user: User,
    method: Method,
    activity: Activity,
    *,
    granted_on: date = date(2026, 1, 1),
    valid_until: date | None = None,
) -> Authorisation:
    with Session(engine) as db_session:
        return competence.grant_authorisation(
            db_session,
            actor=FACTORY_ACTOR,
            staff_id=user.id,
            data=AuthorisationCreate(
                method_id=method.id,
                activity=activity,
                basis=Basis.TRAINING,
                basis_reference="course T-2026-01",
                granted_on=granted_on,
                valid_until=valid_until,
            ),
        )
