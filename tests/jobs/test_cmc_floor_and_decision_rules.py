"""Results as ILAC-P14 and ILAC-G8 want them (issue 22).

The CMC is a floor for accredited results, not their uncertainty: a result whose evaluated U
is below the CMC at its size reports U = the CMC, both kept in its budget and the raise named
(ILAC-P14:09/2020 5.5); a lab may instead report it outside the accreditation
(LIMS_BELOW_CMC=outside_accreditation). The decision then uses the U reported.

Numbers by hand, from tests/jobs/test_job_flow.py: the setting-ring method with the readings
RING_READINGS gives d_X = 1.23 um with u_c = 0.0464579 um.
"""

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.audit.trail import set_context
from lims.competence.models import Activity
from lims.config import Settings
from lims.contracts.models import Agreement, DecisionRule
from lims.methods.models import Method
from tests.equipment.factories import authorise, make_method
from tests.factories import FACTORY_ACTOR, PASSWORD
from tests.jobs.factories import MICROMETER, RING_METHOD, Lab, make_lab, submit

RING_READINGS = [1.2, 1.3, 1.1, 1.25, 1.2]


@pytest.fixture
def settings(
    request: pytest.FixtureRequest, make_settings: Callable[..., Settings], database_url: str
) -> Settings:
    return make_settings(database_url=database_url, **getattr(request, "param", {}))


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def wide_cmc_method(engine: Engine, lab: Lab) -> Method:
    """The ring method with a CMC of 0.2 um: above the U its example evaluates to."""
    method = make_method(engine, **{**RING_METHOD, "cmc": "0.2"})
    authorise(engine, lab.technician, method, Activity.PERFORM)
    return method


def measure(
    client: TestClient, lab: Lab, method: Method, *, lower: float = -2, upper: float = 2
) -> dict[str, Any]:
    job = submit(client, lab, "calibration", MICROMETER)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    point = job.plan(
        label="50 mm",
        kind="calibration_point",
        nominal=50,
        lower_limit=lower,
        upper_limit=upper,
        unit="um",
        method_id=method.id,
        source="method",
    )
    job.step("in_measurement", lab.technician)
    return job.record(
        characteristic_id=point["id"],
        equipment={"reference": lab.ring_gauge.id},
        observations={"d_x": RING_READINGS},
    )


def job_page(client: TestClient, lab: Lab, job_id: int, language: str = "") -> str:
    """The job's page as the technician reads it (in Finnish, or in ``language``)."""
    client.cookies.clear()
    signed_in = client.post(
        "/api/v1/auth/login", json={"username": lab.technician.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    return client.get(f"/jobs/{job_id}", params={"lang": language} if language else None).text


def tooltips(page: str) -> list[str]:
    return [html.unescape(title) for title in re.findall(r'title="([^"]*)"', page)]


def set_rule(engine: Engine, rule: DecisionRule, r: float | None = None) -> None:
    with Session(engine) as db_session:
        for agreement in db_session.exec(select(Agreement)):
            agreement.decision_rule, agreement.decision_rule_r = rule, r
            db_session.add(agreement)
        set_context(db_session, FACTORY_ACTOR.audit_context())
        db_session.commit()


def test_an_accredited_result_below_the_cmc_reports_the_cmc_and_keeps_both(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    result = measure(client, lab, wide_cmc_method(engine, lab))
    evaluated = result["uncertainty"]["expanded_uncertainty"]
    # U = k u_c with u_c = 0.0464579 um: about 0.10 um, below the CMC 0.2 um
    assert evaluated == pytest.approx(result["coverage_factor"] * 0.0464579, abs=1e-6)
    assert evaluated < 0.2
    assert result["accredited"] is True
    assert result["expanded_uncertainty"] == pytest.approx(0.2)
    floor = result["uncertainty"]["cmc_floor"]
    assert floor["rule"] == "ILAC-P14:09/2020 5.5"
    assert floor["evaluated_expanded_uncertainty"] == pytest.approx(evaluated)
    assert floor["reported_expanded_uncertainty"] == pytest.approx(0.2)
    assert "is reported as the CMC (ILAC-P14:09/2020 5.5)" in result["accreditation_reason"]
    # The decision uses the U reported: TUR = (2 - (-2)) / (2 * 0.2) = 10
    assert result["decision"]["expanded_uncertainty"] == pytest.approx(0.2)
    assert result["decision"]["test_uncertainty_ratio"] == pytest.approx(10.0)
    finnish = job_page(client, lab, result["job_id"])
    assert "nostettu CMC:hen (ILAC-P14)" in finnish
    # The reason is stored in English and worded for the page's reader, numbers and all.
    (reason,) = (title for title in tooltips(finnish) if "CMC" in title)
    assert reason.startswith("menetelmän DIM-T-")
    assert " v1 akkreditoidulla pätevyysalueella: arvioitu U = 0,101 µm on pienempi kuin " in reason
    assert reason.endswith(
        "CMC 0,2 µm koossa 50 mm, joten epävarmuudeksi ilmoitetaan CMC (ILAC-P14:09/2020 5.5)"
    )
    # The English page reads the reason as stored, its units in the lab's notation.
    english = job_page(client, lab, result["job_id"], "en")
    assert result["accreditation_reason"].replace(" um", " µm") in tooltips(english)


@pytest.mark.parametrize("settings", [{"below_cmc": "outside_accreditation"}], indirect=True)
def test_the_lab_may_report_a_result_below_the_cmc_outside_the_accreditation(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    result = measure(client, lab, wide_cmc_method(engine, lab))
    assert result["accredited"] is False
    assert "outside the accreditation" in result["accreditation_reason"]
    shown = " ".join(tooltips(job_page(client, lab, result["job_id"], "sv")))
    assert "laboratoriet rapporterar sådana resultat utanför ackrediteringen" in shown
    assert result["expanded_uncertainty"] == pytest.approx(
        result["uncertainty"]["expanded_uncertainty"]
    )
    assert "cmc_floor" not in result["uncertainty"]


def test_a_result_at_or_above_the_cmc_is_reported_with_its_own_u(
    client: TestClient, lab: Lab
) -> None:
    result = measure(client, lab, lab.ring_method)  # CMC 0.08 um, U about 0.10 um
    assert result["accredited"] is True
    assert result["expanded_uncertainty"] == result["uncertainty"]["expanded_uncertainty"]
    assert "cmc_floor" not in result["uncertainty"]


def test_simple_acceptance_of_an_incapable_measurement_is_recorded_with_a_warning(
    client: TestClient, lab: Lab
) -> None:
    # Tolerance [1.1, 1.4] um, U = 2.18 * 0.0464579 = 0.101 um (k from the effective degrees of
    # freedom): TUR = 0.3 / (2 * 0.101) = 1.48, below 4:1; printed to two digits, 1,5.
    result = measure(client, lab, lab.ring_method, lower=1.1, upper=1.4)
    decision = result["decision"]
    assert decision["decision"] == "pass"
    assert decision["rule"]["name"] == "simple_acceptance"
    assert decision["test_uncertainty_ratio"] == pytest.approx(
        0.3 / (2 * result["expanded_uncertainty"])
    )
    assert decision["measurement_capability_index"] == pytest.approx(
        0.3 / (4 * result["uncertainty"]["standard_uncertainty"]), rel=1e-3
    )
    (warning,) = decision["warnings"]
    assert "below the lab's minimum 4:1" in warning
    shown = job_page(client, lab, result["job_id"])
    assert "epävarmuutta ei otettu huomioon: TUR 1,5:1" in shown


@pytest.mark.parametrize("settings", [{"simple_acceptance_refuse": True}], indirect=True)
def test_a_lab_that_refuses_incapable_simple_acceptance_records_no_decision(
    client: TestClient, lab: Lab
) -> None:
    result = measure(client, lab, lab.ring_method, lower=1.1, upper=1.4)
    assert result["decision"]["decision"] is None
    assert "the lab refuses such a statement" in result["decision"]["warnings"][0]


def test_the_guard_band_r_u_of_an_agreement_is_the_binary_statement(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    # w = 0.5 U, about 0.051 um: acceptance limit 1.25 - 0.051 = 1.199 < 1.23 < 1.25, which
    # ILAC-G8 4.2.2 (binary, as the agreement's text states) calls a fail, not a conditional pass.
    set_rule(engine, DecisionRule.GUARD_BAND_RU, 0.5)
    result = measure(client, lab, lab.ring_method, lower=0.0, upper=1.25)
    assert result["decision"]["decision"] == "fail"
    assert "ILAC-G8:09/2019, 4.2.2" in result["decision"]["rule"]["statement"]
