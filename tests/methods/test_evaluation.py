"""Evaluating a method for a job: the demo gauge-block method reproduces the published budget
of EA-4/02 M:2022 example S4, and a job with unusable equipment or missing data is refused."""

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.models import Role
from lims.clock import local_today
from lims.config import Settings
from lims.demo.equipment import load_equipment
from lims.demo.methods import GAUGE_BLOCKS, load_methods
from lims.equipment import service as equipment_register
from lims.errors import InvalidInput
from lims.methods import service as methods
from lims.methods.models import MethodEvaluation
from lims.methods.scope import accreditation_of_result
from tests.factories import FACTORY_ACTOR, bearer, make_user

PUBLISHED = Path(__file__).resolve().parents[1] / "uncertainty" / "published"
EA_4_02_S4 = json.loads((PUBLISHED / "ea-4-02-s4-gauge-block-50mm.json").read_text())
# EA-4/02 S4: the 50 mm block differs from the reference by -94 nm on average, with the pooled
# standard deviation s = 12 nm of the comparator; five readings with that mean and s give
# u(dl) = 12 nm / sqrt(5) = 5.37 nm with 4 degrees of freedom, as in the published budget.
OBSERVED_DIFFERENCES_NM = [-106.0, -106.0, -94.0, -82.0, -82.0]
STEEL = 11.5e-6


@pytest.fixture
def today(settings: Settings) -> date:
    """The lab's day: the demo's calibrations and scope are dated back from it."""
    return local_today(settings.timezone)


@pytest.fixture
def demo(engine: Engine, today: date) -> dict[str, int]:
    """The demo equipment and method library; returns ids by identification or code."""
    with Session(engine) as db_session:
        load_equipment(db_session, actor=FACTORY_ACTOR, today=today)
        load_methods(db_session, actor=FACTORY_ACTOR, today=today)
        ids = {
            item.identification: item.id
            for item in equipment_register.list_equipment(db_session, actor=FACTORY_ACTOR)
        }
        ids.update({m.code: m.id for m in methods.list_methods(db_session, actor=FACTORY_ACTOR)})
    return ids


def gauge_block_job(demo: dict[str, int], on_date: date) -> MethodEvaluation:
    return MethodEvaluation(
        on_date=on_date,
        equipment={"reference": demo["GB-REF"]},
        observations={"dl": OBSERVED_DIFFERENCES_NM},
        parameters={"L": 50.0, "alpha": STEEL},
    )


def evaluate(engine: Engine, method_id: int, job: MethodEvaluation) -> dict[str, Any]:
    with Session(engine) as db_session:
        return methods.evaluate_for_job(
            db_session, actor=FACTORY_ACTOR, method_id=method_id, data=job
        )


def test_demo_gauge_block_method_reproduces_the_ea_4_02_s4_budget(
    engine: Engine, demo: dict[str, int], today: date
) -> None:
    """EA-4/02 M:2022 S4 (50 mm gauge block by mechanical comparison): u_c = 36.4 nm, k = 2,
    U = 73 nm; the expected figures and their source are in the published-example file."""
    assert "EA-4/02 M:2022, esimerkki S4" in GAUGE_BLOCKS.guidance  # the Finnish master
    assert "EA-4/02 M:2022 example S4" in GAUGE_BLOCKS.translations["en"]["guidance"]
    (output,) = evaluate(engine, demo["DIM-GB-01"], gauge_block_job(demo, today))["outputs"]
    for key, field in (
        ("estimate", "value"),
        ("u_c", "standard_uncertainty"),
        ("k", "coverage_factor"),
        ("U", "expanded_uncertainty"),
    ):
        expected = EA_4_02_S4["expected"][key]
        assert output[field] == pytest.approx(expected["value"], abs=expected["tol_abs"]), (
            f"{key}: got {output[field]}, published {expected['value']} ({expected['source']})"
        )
    assert output["reported"]["expanded_uncertainty"] == "73"
    contributions = {row["input"]: abs(row["contribution"]) for row in output["budget"]}
    published_u = {"lS": 15.0, "dlD": 17.3, "dl": 5.37, "dlC": 18.5, "dlV": 3.87}
    for name, u in published_u.items():
        assert contributions[name] == pytest.approx(u, abs=0.05), name
    assert contributions["dt"] == pytest.approx(575 * 0.0289, abs=0.05)
    assert contributions["dadt"] == pytest.approx(11.8, abs=0.05)


def test_the_ea_4_02_s4_result_is_accredited_under_the_demo_cmc(
    engine: Engine, demo: dict[str, int], today: date
) -> None:
    (output,) = evaluate(engine, demo["DIM-GB-01"], gauge_block_job(demo, today))["outputs"]
    with Session(engine) as db_session:
        decision = accreditation_of_result(
            methods.get_method(db_session, actor=FACTORY_ACTOR, method_id=demo["DIM-GB-01"]),
            size=50,
            expanded_uncertainty=output["expanded_uncertainty"],
            on_date=today,
        )
    assert decision.accredited, decision.reason


def test_a_certificate_in_um_feeds_a_model_in_other_units(
    engine: Engine, demo: dict[str, int], today: date
) -> None:
    job = MethodEvaluation(
        on_date=today,
        equipment={"gauge_blocks": demo["GB-WRK"]},
        observations={"dr": [1.0, 2.0, 1.0, 1.0, 2.0]},
        parameters={"L": 50.0, "alpha": STEEL},
    )
    (output,) = evaluate(engine, demo["DIM-MIC-01"], job)["outputs"]
    e_s = next(row for row in output["budget"] if row["input"] == "eS")
    assert e_s["value"] == pytest.approx(-0.074)
    assert e_s["standard_uncertainty"] == pytest.approx(0.073 / 2)


def test_an_overdue_reference_refuses_the_evaluation_naming_it(
    engine: Engine, demo: dict[str, int], today: date
) -> None:
    with Session(engine) as db_session:
        calibration = equipment_register.latest_calibration(
            db_session, equipment_id=demo["GB-REF"], on_date=today
        )
    assert calibration is not None
    due = calibration.next_due_on
    later = gauge_block_job(demo, due + timedelta(days=20))
    with pytest.raises(InvalidInput, match=rf"GB-REF .* is overdue since {due}") as refused:
        evaluate(engine, demo["DIM-GB-01"], later)
    assert refused.value.location == ("equipment", "reference")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"observations": {"dl": [-94.0]}}, ("observations", "dl")),
        ({"parameters": {"L": 50.0}}, ("parameters", "alpha")),
        ({"parameters": {"L": 40.0, "alpha": STEEL}}, ("equipment", "reference")),
        ({"equipment": {}}, ("equipment", "reference")),
    ],
)
def test_an_evaluation_missing_its_data_says_which(
    engine: Engine,
    demo: dict[str, int],
    today: date,
    change: dict[str, Any],
    field: tuple[str, str],
) -> None:
    job = gauge_block_job(demo, today).model_copy(update=change)
    with pytest.raises(InvalidInput) as refused:
        evaluate(engine, demo["DIM-GB-01"], job)
    assert refused.value.location == field


def test_technicians_evaluate_over_the_api_and_auditors_may_not(
    client: TestClient, engine: Engine, settings: Settings, demo: dict[str, int], today: date
) -> None:
    body = gauge_block_job(demo, today).model_dump(mode="json")
    url = f"/api/v1/methods/{demo['DIM-GB-01']}/evaluate"
    technician = bearer(settings, make_user(engine, Role.TECHNICIAN))
    response = client.post(url, json=body, headers=technician)
    assert response.status_code == 200, response.text
    assert response.json()["outputs"][0]["reported"]["expanded_uncertainty"] == "73"
    auditor = bearer(settings, make_user(engine, Role.AUDITOR))
    assert client.post(url, json=body, headers=auditor).status_code == 403
