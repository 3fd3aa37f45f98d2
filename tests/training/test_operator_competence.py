"""Competence per operator: each operator of an RR test is judged on their own repeatability
and bias against the limits the lab sets for the method, the competence record names that
basis, supports an authorisation only for the method the study names, and nobody records a
study they measured in.  Sources in tests.training.published."""

import math
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.models import Role
from lims.config import Settings
from lims.documents import content
from lims.documents.render import render_html
from lims.training.rr import evaluate_rr
from lims.training.rr.operators import OperatorLimits, judge_operators
from lims.training.rr.schemas import RRRequest
from tests.conftest import load_demo
from tests.documents.factories import issue
from tests.equipment.factories import make_method
from tests.factories import FACTORY_ACTOR, bearer, make_user
from tests.jobs.factories import make_lab
from tests.training.factories import make_rr_test, rr_test_data
from tests.training.published import aiag_study, montgomery_crossed_study
from tests.ui.conftest import password_of

API = "/api/v1"
MSA_BANDS = OperatorLimits(
    repeatability_acceptable_below=10,
    repeatability_conditional_below=20,
    bias_acceptable_below=10,
    source="test",
)


def operators_of(study: dict[str, Any], limits: OperatorLimits, basis: str) -> dict[str, Any]:
    request = RRRequest.model_validate(study)
    judged = judge_operators(request, evaluate_rr(request), limits, basis=basis)
    return {figures.operator: figures for figures in judged}


def test_each_aiag_appraiser_is_judged_on_their_own_repeatability() -> None:
    # AIAG ch. III-B data sheet: R-bar_a 0.184, R-bar_b 0.513, R-bar_c 0.328, 3 trials so
    # K1 = 0.5908; MCNEESE: TV 1.146.  By hand:
    #   EV_A = 0.184 x 0.5908 = 0.1087, %EV_A = 100 x 0.1087 / 1.146 =  9.49 % (< 10)
    #   EV_B = 0.513 x 0.5908 = 0.3031, %EV_B = 100 x 0.3031 / 1.146 = 26.45 % (>= 20)
    #   EV_C = 0.328 x 0.5908 = 0.1938, %EV_C = 100 x 0.1938 / 1.146 = 16.91 % (10 to 20)
    # The pooled %GRR (26.68 %) would give all three the same verdict.
    operators = operators_of(aiag_study(method="average_range"), MSA_BANDS, "study_variation")
    expected = {
        "A": (0.184, 0.1087, 9.49, "acceptable"),
        "B": (0.513, 0.3031, 26.45, "not_acceptable"),
        "C": (0.328, 0.1938, 16.91, "conditionally_acceptable"),
    }
    for name, (rbar, ev, pct, outcome) in expected.items():
        figures = operators[name]
        assert math.isclose(figures.rbar, rbar, abs_tol=0.0005), name
        assert math.isclose(figures.repeatability, ev, abs_tol=0.00005), name
        assert math.isclose(figures.pct_repeatability, pct, abs_tol=0.01), name
        assert (figures.repeatability_estimator, figures.outcome) == ("range", outcome)
        assert figures.bias is None
    assert operators["B"].reason == (
        "%EV 26.4 % of the total variation (acceptable below 10 %, conditionally below 20 %): "
        "not acceptable"
    )


def test_by_anova_each_operators_repeatability_is_their_share_of_the_error_mean_square() -> None:
    # DOE13 Table 13.1, operator 1's pairs differ by 1,1,1,0,1,2,1,2,1,2,1,1,2,0,1,0,0,2,1,0:
    # squares sum to 30, so SS_1 = 30 / 2 = 15 and s_1^2 = 15 / (20 parts x 1) = 0.75.
    # Table 13.2: repeatability SS 59.5 on 60 df, MS 0.9917 = the mean of the three s_i^2.
    operators = operators_of(
        montgomery_crossed_study(pool_interaction_above_p=None), MSA_BANDS, "study_variation"
    )
    assert math.isclose(operators["1"].repeatability ** 2, 0.75)
    assert operators["1"].repeatability_estimator == "sd"
    mean_square = sum(figures.repeatability**2 for figures in operators.values()) / 3
    assert math.isclose(mean_square, 59.5 / 60)


def test_an_operators_bias_against_the_references_is_judged_as_a_share_of_the_tolerance() -> None:
    # Two parts of reference 10.00 and 20.00, two trials.  Operator A reads them exactly
    # (bias 0); B reads 10.02, 10.04, 20.02, 20.04: bias = (0.02 + 0.04 + 0.02 + 0.04) / 4 =
    # 0.03, of the tolerance 0.5 that is 6 %: over a 5 % limit, under the default 10 %.
    # B's own repeatability: pairs differ by 0.02, s_B^2 = 2 x 0.02^2 / 2 / 2 = 0.0002.
    readings = {"A": ((10.00, 10.00), (20.00, 20.00)), "B": ((10.02, 10.04), (20.02, 20.04))}
    study = {
        "design": "crossed",
        "tolerance": 0.5,
        "measurements": [
            {"part": str(p), "operator": o, "trial": str(t), "value": v, "reference": r}
            for o, parts in readings.items()
            for p, (r, pair) in enumerate(zip((10.0, 20.0), parts, strict=True), start=1)
            for t, v in enumerate(pair, start=1)
        ],
    }
    strict = OperatorLimits(100, 100, 5, "test")
    b = operators_of(study, strict, "tolerance")["B"]
    assert math.isclose(b.bias, 0.03)
    assert math.isclose(b.pct_bias, 6.0)
    assert math.isclose(b.repeatability**2, 0.0002)
    assert b.outcome == "not_acceptable"
    assert "bias 6.0 % of the tolerance (acceptable below 5 %)" in b.reason
    lenient = operators_of(study, OperatorLimits(100, 100, 10, "test"), "tolerance")
    assert lenient["B"].outcome == "acceptable"
    assert lenient["A"].bias == 0.0


def test_recording_an_rr_test_leaves_each_operator_a_record_on_their_own_figures(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    # The AIAG study as above; the lab's limits for the method: %EV below 10 % acceptable,
    # below 20 % conditionally.  The study itself: %GRR 26.7 % (conditionally), ndc 5.
    appraisers = [make_user(engine, Role.TECHNICIAN) for _ in range(3)]
    method = make_method(engine, code="DIM-MIC-01")
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    limits = {
        "repeatability_acceptable_below": 10,
        "repeatability_conditional_below": 20,
        "bias_acceptable_below": 10,
    }
    set_limits = client.put(
        f"{API}/methods/{method.id}/rr-operator-limits", json=limits, headers=manager
    )
    assert set_limits.status_code == 200, set_limits.text
    assert set_limits.json()["source"].startswith("the lab's limits for the method, set by")
    body = rr_test_data(
        study=aiag_study(method="average_range"),
        method_id=method.id,
        measurers=[
            {"operator": operator, "user_id": user.id}
            for operator, user in zip("ABC", appraisers, strict=True)
        ],
    )
    recorder = bearer(settings, make_user(engine, Role.TECHNICIAN))
    recorded = client.post(f"{API}/rr-tests", json=body, headers=recorder)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["outcome"] == "conditionally_acceptable"
    assert [m["outcome"] for m in recorded.json()["measurers"]] == [
        "acceptable",
        "not_acceptable",
        "conditionally_acceptable",
    ]
    supports = []
    for user in appraisers:
        (record,) = client.get(f"{API}/staff/{user.id}/competence-records", headers=manager).json()
        supports.append(record["supports_authorisation"])
        assert record["method_id"] == method.id
        basis = record["basis"]
        assert basis["method"]["label"] == "DIM-MIC-01 v1"
        assert basis["limits"]["repeatability_conditional_below"] == 20
        assert basis["figures"]["repeatability_estimator"] == "range"
        assert "menetelmä DIM-MIC-01 v1: tutkimus %GRR 26,7 %" in record["description"]
    assert supports == [True, False, True]


def test_an_rr_test_supports_an_authorisation_only_for_the_method_it_names(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    # The reproduction: authorisation to perform DIM-CMM-01 granted from a micrometer RR test.
    technician = make_user(engine, Role.TECHNICIAN)
    micrometer = make_method(engine, code="DIM-MIC-02")
    cmm = make_method(engine, code="DIM-CMM-01")
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    body = rr_test_data(
        method_id=micrometer.id,
        measurers=[{"operator": "A", "user_id": technician.id}, {"operator": "B", "name": "Anna"}],
        acceptance={"grr_acceptable_below": 20},
    )
    assert client.post(f"{API}/rr-tests", json=body, headers=manager).status_code == 201
    (record,) = client.get(
        f"{API}/staff/{technician.id}/competence-records", headers=manager
    ).json()
    assert record["supports_authorisation"] is True

    def grant(method_id: int) -> Any:
        return client.post(
            f"{API}/competence-records/{record['id']}/authorisations",
            json={"method_id": method_id, "activity": "perform", "granted_on": "2026-05-01"},
            headers=manager,
        )

    refused = grant(cmm.id)
    assert refused.status_code == 422
    assert refused.json()["detail"].endswith(
        "studied DIM-MIC-02 v1: it supports no authorisation for DIM-CMM-01 v1"
    )
    assert grant(micrometer.id).status_code == 201


def test_an_rr_test_naming_no_method_supports_no_authorisation(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    technician = make_user(engine, Role.TECHNICIAN)
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    body = rr_test_data(
        measurers=[{"operator": "A", "user_id": technician.id}, {"operator": "B", "name": "Anna"}],
        acceptance={"grr_acceptable_below": 20},
    )
    client.post(f"{API}/rr-tests", json=body, headers=manager)
    (record,) = client.get(
        f"{API}/staff/{technician.id}/competence-records", headers=manager
    ).json()
    refused = client.post(
        f"{API}/competence-records/{record['id']}/authorisations",
        json={
            "method_id": make_method(engine, code="DIM-CMM-02").id,
            "activity": "perform",
            "granted_on": "2026-05-01",
        },
        headers=manager,
    )
    assert refused.status_code == 422
    assert (
        "names no method: it supports no authorisation for DIM-CMM-02 v1"
        in (refused.json()["detail"])
    )


def test_a_technician_who_measured_in_a_study_cannot_record_it(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    technician = make_user(engine, Role.TECHNICIAN)
    body = rr_test_data(
        measurers=[{"operator": "A", "user_id": technician.id}, {"operator": "B", "name": "Anna"}]
    )
    refused = client.post(f"{API}/rr-tests", json=body, headers=bearer(settings, technician))
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        f"{technician.username} measured in this RR test as operator A: someone who did not "
        "measure records and evaluates it"
    )
    assert (
        client.get(
            f"{API}/staff/{technician.id}/competence-records", headers=bearer(settings, technician)
        ).json()
        == []
    )


def test_the_operator_limits_are_the_managers_and_are_ordered(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    method = make_method(engine)
    defaults = client.get(
        f"{API}/methods/{method.id}/rr-operator-limits",
        headers=bearer(settings, make_user(engine, Role.TECHNICIAN)),
    )
    assert defaults.json()["repeatability_acceptable_below"] == 10
    assert defaults.json()["source"].startswith("defaults: %EV bands of AIAG MSA 4th ed.")
    limits = {"repeatability_acceptable_below": 20, "repeatability_conditional_below": 10}
    technician = bearer(settings, make_user(engine, Role.TECHNICIAN))
    path = f"{API}/methods/{method.id}/rr-operator-limits"
    assert client.put(path, json=limits, headers=technician).status_code == 403
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    disordered = client.put(path, json=limits, headers=manager)
    assert disordered.status_code == 422
    assert (
        "the conditional limit 10 % is below the acceptable limit 20 %"
        in (disordered.json()["detail"])
    )


def test_the_rr_test_report_shows_each_operators_figures_and_the_limits(
    engine: Engine, settings: Settings
) -> None:
    # The AIAG study by average and range, default limits (10 %, 30 %): %EV of A 9.49 %,
    # B 26.45 %, C 16.91 % (see the first test).
    method = make_method(engine)
    rr_test = make_rr_test(
        engine,
        study=aiag_study(method="average_range"),
        method_id=method.id,
        measurers=[{"operator": o, "name": f"Appraiser {o}"} for o in "ABC"],
    )
    with Session(engine) as db_session:
        data = content.rr_test_data(
            db_session,
            actor=FACTORY_ACTOR,
            rr_test_id=rr_test.id,
            settings=settings,
            signatory={"name": "Laatu Päällikkö", "title": "Laatupäällikkö"},
            issued_on=date(2026, 5, 1),
        )
    html = render_html(data, language="fi", texts={}, verify_url=None, qr_data_uri=None)
    # TV is printed to 0.001 (1.146), so the hand values hold to about 0.005 %: the report's
    # two decimals are checked to the last digit but one.
    for pct in ("9,4", "26,4", "16,9"):
        assert f'<td class="num">{pct}' in html
    assert "vaihteluväleistä (EV = R\u0304 \u00d7 K1). Menetelmän rajat: " in html
    assert "Menetelmän rajat: %EV hyväksyttävä alle 10 %, ehdollisesti alle 30 %" in html


def test_the_staff_page_shows_each_persons_competence_records_with_their_figures(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    # The demo's RR test of DIM-CMM-01 leaves a record for each of its two measurers.
    load_demo(engine, settings)
    client.cookies.clear()
    answer = client.post(
        "/api/v1/auth/login", json={"username": "laatu", "password": password_of("laatu")}
    )
    assert answer.status_code == 200, answer.text
    page = client.get("/staff")
    assert page.status_code == 200
    assert "<h3>Pätevyysnäytöt</h3>" in page.text
    assert "Mittaajan tulos" in page.text
    assert "menetelmä DIM-CMM-01 v1: tutkimus %GRR" in page.text


def test_a_signatory_who_measured_in_a_study_cannot_issue_its_report(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    rr_test = make_rr_test(
        engine,
        measurers=[{"operator": "A", "user_id": lab.signatory.id}, {"operator": "B", "name": "B"}],
    )
    refused = issue(client, lab, expect=403, rr_test_id=rr_test.id)
    assert refused["detail"] == (
        f"{lab.signatory.username} measured in RR test {rr_test.number} as operator A: someone "
        "who did not measure issues its report"
    )
