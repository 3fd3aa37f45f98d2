"""Traceability chains: from an item through the standards in our register to the national
metrology institute (for Finland, VTT MIKES)."""

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.models import Role
from lims.clock import local_today
from lims.config import Settings
from lims.demo.equipment import load_equipment
from lims.equipment import service
from lims.equipment.models import Calibration
from lims.equipment.traceability import chains_of_result
from tests.equipment.factories import make_calibration, make_equipment
from tests.factories import FACTORY_ACTOR, bearer, make_user


def demo_equipment_ids(engine: Engine, today: date, *identifications: str) -> list[int]:
    with Session(engine) as db_session:
        load_equipment(db_session, actor=FACTORY_ACTOR, today=today)
        found = [service.find_equipment(db_session, identification=i) for i in identifications]
        return [item.id for item in found if item and item.id]


def calibration_of(engine: Engine, equipment_id: int, today: date) -> Calibration:
    """The calibration the demo dated back from ``today``."""
    with Session(engine) as db_session:
        calibration = service.latest_calibration(
            db_session, equipment_id=equipment_id, on_date=today
        )
    assert calibration is not None
    return calibration


def test_traceability_chain_of_a_demo_item_prints_to_vtt_mikes(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    today = local_today(settings.timezone)
    working_blocks, reference_blocks = demo_equipment_ids(engine, today, "GB-WRK", "GB-REF")
    working = calibration_of(engine, working_blocks, today)
    reference = calibration_of(engine, reference_blocks, today)
    technician = bearer(settings, make_user(engine, Role.TECHNICIAN))
    response = client.get(
        f"/api/v1/equipment/{working_blocks}/traceability",
        params={"on": today.isoformat()},
        headers=technician,
    )
    assert response.status_code == 200, response.text
    chain = response.json()
    assert [link["identification"] for link in chain["links"]] == ["GB-WRK", "GB-REF"]
    assert chain["complete"] is True
    assert chain["national_metrology_institute"] == "VTT MIKES Metrology"
    assert working.certificate_number == f"K-{working.calibrated_on:%y}-009"
    assert reference.certificate_number == f"M-{reference.calibrated_on:%y}-0112"
    assert chain["text"].splitlines() == [
        "GB-WRK Käyttömittapalasarja 0,5-100 mm, teräs, ISO 3650 tarkkuusluokka 0 "
        f"(in calibration until {working.next_due_on}, certificate "
        f"{working.certificate_number} of {working.calibrated_on})",
        f"  calibrated {working.calibrated_on} by Demo Measurement Laboratory, "
        f"certificate {working.certificate_number}",
        "  GB-REF Vertailumittapalasarja 0,5-100 mm, teräs, ISO 3650 tarkkuusluokka K "
        f"(in calibration until {reference.next_due_on}, certificate "
        f"{reference.certificate_number} of {reference.calibrated_on})",
        f"    calibrated {reference.calibrated_on} by VTT MIKES Metrology, "
        f"certificate {reference.certificate_number}",
        "    VTT MIKES Metrology: national metrology institute",
        "=> traceable to the national metrology institute VTT MIKES Metrology",
    ]


def test_every_item_of_a_demo_cmm_result_traces_to_vtt_mikes(
    engine: Engine, settings: Settings
) -> None:
    today = local_today(settings.timezone)
    equipment_ids = demo_equipment_ids(engine, today, "CMM-01", "TH-01")
    with Session(engine) as db_session:
        chains = chains_of_result(
            db_session, actor=FACTORY_ACTOR, equipment_ids=equipment_ids, on_date=today
        )
    assert [chain.links[-1].identification for chain in chains] == ["SG-620", "TH-01"]
    assert {chain.national_metrology_institute for chain in chains} == {
        "VTT MIKES Metrology",
        "VTT MIKES",
    }
    assert "traceable to VTT MIKES (stated on the certificate)" in chains[1].text


def test_a_chain_through_an_uncalibrated_standard_is_reported_broken(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    standard = make_equipment(engine, identification="SR-NEW")
    item = make_equipment(engine, identification="PLUG-5")
    make_calibration(
        engine,
        item,
        kind="internal",
        reference_equipment_id=standard.id,
        calibrated_on="2026-02-01",
    )
    auditor = bearer(settings, make_user(engine, Role.AUDITOR))
    chain = client.get(f"/api/v1/equipment/{item.id}/traceability", headers=auditor).json()
    assert chain["complete"] is False
    assert chain["national_metrology_institute"] is None
    assert "SR-NEW" in chain["text"]
    assert "no calibration on record: the chain is broken here" in chain["text"]
    assert chain["text"].endswith("=> the chain does not reach a national metrology institute")


def test_a_chain_that_loops_is_refused_with_a_problem(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    first = make_equipment(engine, identification="LOOP-A")
    second = make_equipment(engine, identification="LOOP-B")
    make_calibration(engine, first, kind="internal", reference_equipment_id=second.id)
    make_calibration(engine, second, kind="internal", reference_equipment_id=first.id)
    technician = bearer(settings, make_user(engine, Role.TECHNICIAN))
    response = client.get(f"/api/v1/equipment/{first.id}/traceability", headers=technician)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "loops back to LOOP-A" in response.json()["detail"]
