"""check_equipment_usable: a measurement is refused with equipment that is not in calibration
on the measurement date, and the refusal names the item and why."""

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from lims.equipment import service
from lims.equipment.models import EquipmentUpdate
from lims.errors import InvalidInput
from lims.problem_text import localized
from tests.equipment.factories import make_calibration, make_equipment
from tests.factories import FACTORY_ACTOR


def check(engine: Engine, equipment_ids: list[int], on_date: date) -> None:
    with Session(engine) as db_session:
        service.check_equipment_usable(db_session, equipment_ids=equipment_ids, on_date=on_date)


def test_overdue_equipment_blocks_a_measurement_naming_the_item_and_since_when(
    engine: Engine,
) -> None:
    in_calibration = make_equipment(engine, identification="GB-OK")
    make_calibration(engine, in_calibration, calibrated_on="2026-01-15", next_due_on="2027-01-15")
    overdue = make_equipment(engine, identification="TH-02", name="Air temperature logger")
    make_calibration(
        engine,
        overdue,
        calibrated_on="2025-10-01",
        next_due_on="2026-10-01",
        certificate_number="EK-25-1788",
    )
    with pytest.raises(InvalidInput) as refused:
        check(engine, [in_calibration.id, overdue.id], date(2026, 11, 27))
    assert refused.value.message == (
        "equipment not usable on 2026-11-27: TH-02 (Air temperature logger) is overdue since "
        "2026-10-01, when certificate EK-25-1788 of 2025-10-01 ran out"
    )
    assert refused.value.location == ("equipment_ids", 1)


@pytest.mark.parametrize("backend", ["sqlite"])  # the words, not the store, are tested
def test_the_refusal_names_every_unusable_item_and_why_in_finnish(engine: Engine) -> None:
    overdue = make_equipment(engine, identification="TH-02", name="Lämpötilaloggeri")
    make_calibration(
        engine,
        overdue,
        calibrated_on="2025-10-01",
        next_due_on="2026-10-01",
        certificate_number="EK-25-1788",
    )
    never = make_equipment(engine, identification="MK-09", name="Mikrometri")
    with pytest.raises(InvalidInput) as refused:
        check(engine, [overdue.id, never.id], date(2026, 11, 27))
    assert localized(refused.value, "fi") == (
        "laite ei ole käytettävissä 27.11.2026: TH-02 (Lämpötilaloggeri) on kalibroinniltaan "
        "erääntynyt 1.10.2026 alkaen, jolloin kalibrointitodistuksen EK-25-1788 (1.10.2025) "
        "voimassaolo päättyi; MK-09 (Mikrometri) on kalibroimatta 27.11.2026 mennessä"
    )


def test_equipment_is_usable_up_to_and_including_its_due_date(engine: Engine) -> None:
    standard = make_equipment(engine)
    make_calibration(engine, standard, calibrated_on="2025-10-01", next_due_on="2026-10-01")
    check(engine, [standard.id], date(2026, 10, 1))
    with pytest.raises(InvalidInput):
        check(engine, [standard.id], date(2026, 10, 2))


def test_out_of_service_equipment_blocks_a_measurement(engine: Engine) -> None:
    standard = make_equipment(engine, identification="OF-01", name="Optical flat")
    make_calibration(engine, standard, calibrated_on="2026-01-15", next_due_on="2027-01-15")
    with Session(engine) as db_session:
        service.update_equipment(
            db_session,
            actor=FACTORY_ACTOR,
            equipment_id=standard.id,
            data=EquipmentUpdate(status="out_of_service"),
        )
    with pytest.raises(InvalidInput, match=r"OF-01 \(Optical flat\) is out of service"):
        check(engine, [standard.id], date(2026, 6, 1))


@pytest.mark.parametrize(
    ("fit_for_use", "calibrated", "expected"),
    [
        (True, False, "is not calibrated on or before 2026-06-01"),
        (False, True, "is not fit for use according to certificate"),
    ],
)
def test_uncalibrated_or_unfit_equipment_blocks_a_measurement(
    engine: Engine, fit_for_use: bool, calibrated: bool, expected: str
) -> None:
    standard = make_equipment(engine)
    if calibrated:
        make_calibration(engine, standard, fit_for_use=fit_for_use, calibrated_on="2026-01-15")
    with pytest.raises(InvalidInput, match=expected):
        check(engine, [standard.id], date(2026, 6, 1))


def test_unknown_equipment_is_refused_by_its_position(engine: Engine) -> None:
    with pytest.raises(InvalidInput) as refused:
        check(engine, [987654], date(2026, 6, 1))
    assert refused.value.location == ("equipment_ids", 0)
