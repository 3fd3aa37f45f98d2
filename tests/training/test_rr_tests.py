"""RR-test records: a study tied to its measurers, method and instrument, judged against the
lab's acceptance criteria, left as competence evidence that a person authorises on, and the
data of its report for the documents."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.models import Role
from lims.config import Settings
from lims.errors import InvalidInput
from lims.training.models import RRTestCreate, RRTestOutcome
from lims.training.report_data import rr_test_report_data
from lims.training.rr import evaluate_rr
from lims.training.rr_tests import judge
from tests.equipment.factories import make_equipment, make_method
from tests.factories import FACTORY_ACTOR, PASSWORD, bearer, make_organisation, make_user
from tests.training.factories import make_rr_test, rr_test_data
from tests.training.published import aiag_bias_study, aiag_linearity_study, aiag_study

API = "/api/v1"


def aiag_measurers(*users: object) -> list[dict[str, object]]:
    return [
        {"operator": operator, "user_id": getattr(user, "id", None), "name": operator}
        for operator, user in zip("ABC", users, strict=True)
    ]


def test_recording_an_rr_test_judges_it_and_leaves_evidence_for_each_staff_measurer(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    # MINITAB: 27.86 % of the study variation and 4 categories: not acceptable by AIAG's
    # 10/30 % and ndc >= 5; acceptable if the lab accepts 30 % and 4 categories.
    measurers = [make_user(engine, Role.TECHNICIAN) for _ in range(3)]
    method, gauge = make_method(engine), make_equipment(engine)
    # Recorded by someone who did not measure (test_operator_competence).
    headers = bearer(settings, make_user(engine, Role.TECHNICIAN))
    body = rr_test_data(
        study=aiag_study(tolerance=8),
        measurers=aiag_measurers(*measurers),
        method_id=method.id,
        equipment_id=gauge.id,
    )
    recorded = client.post(f"{API}/rr-tests", json=body, headers=headers)
    assert recorded.status_code == 201, recorded.text
    rr_test = recorded.json()
    assert rr_test["number"] == "RR-2026-0001"
    assert rr_test["outcome"] == "not_acceptable"
    assert rr_test["outcome_reason"] == (
        "%GRR 27.9 % of the study variation (acceptable below 10 %, conditionally below 30 %), "
        "ndc 4 (at least 5): not acceptable"
    )
    assert [m["user_id"] for m in rr_test["measurers"]] == [m.id for m in measurers]
    assert rr_test["evaluation"]["ndc"] == 4
    records = client.get(
        f"{API}/staff/{measurers[1].id}/competence-records", headers=headers
    ).json()
    assert [(r["source"], r["supports_authorisation"]) for r in records] == [("rr_test", False)]
    lenient = rr_test_data(
        study=aiag_study(tolerance=8),
        measurers=aiag_measurers(*measurers),
        acceptance={"grr_acceptable_below": 30, "ndc_minimum": 4},
    )
    assert client.post(f"{API}/rr-tests", json=lenient, headers=headers).json()["outcome"] == (
        "acceptable"
    )


def test_an_rr_test_that_failed_cannot_be_the_basis_of_an_authorisation(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    measurers = [make_user(engine, Role.TECHNICIAN) for _ in range(3)]
    make_rr_test(engine, study=aiag_study(), measurers=aiag_measurers(*measurers))
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    record = client.get(f"{API}/staff/{measurers[0].id}/competence-records", headers=manager)
    refused = client.post(
        f"{API}/competence-records/{record.json()[0]['id']}/authorisations",
        json={
            "method_id": make_method(engine).id,
            "activity": "perform",
            "granted_on": "2026-05-01",
        },
        headers=manager,
    )
    assert refused.status_code == 422
    assert "cannot be the basis of an authorisation" in refused.json()["detail"]


def test_an_acceptable_rr_test_feeds_an_authorisation_that_the_manager_grants(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    technician = make_user(engine, Role.TECHNICIAN)
    method = make_method(engine)
    make_rr_test(
        engine,
        method_id=method.id,
        measurers=[{"operator": "A", "user_id": technician.id}, {"operator": "B", "name": "Anna"}],
        acceptance={"grr_acceptable_below": 20},
    )
    manager = make_user(engine, Role.QUALITY_MANAGER)
    record = client.get(
        f"{API}/staff/{technician.id}/competence-records", headers=bearer(settings, manager)
    ).json()[0]
    assert record["supports_authorisation"] is True
    granted = client.post(
        f"{API}/competence-records/{record['id']}/authorisations",
        json={"method_id": method.id, "activity": "perform", "granted_on": "2026-05-01"},
        headers=bearer(settings, manager),
    )
    assert granted.status_code == 201, granted.text
    assert granted.json()["basis"] == "rr_test"
    assert "RR-testi RR-2026-" in granted.json()["basis_reference"]


def test_every_operator_of_the_study_names_its_measurer(engine: Engine) -> None:
    with pytest.raises(InvalidInput) as refused:
        make_rr_test(engine, measurers=[{"operator": "A", "name": "Matti"}])
    assert refused.value.message == "name the measurer of every operator in the study: B"
    with pytest.raises(InvalidInput, match="the study has no operator C"):
        make_rr_test(
            engine,
            measurers=[{"operator": o, "name": o} for o in "ABC"],
        )


def test_type_1_and_linearity_tests_are_judged_by_their_own_criteria() -> None:
    type1 = RRTestCreate.model_validate(
        rr_test_data(
            study=aiag_bias_study(tolerance=2.0), measurers=[{"operator": "A", "name": "A"}]
        )
    )
    outcome, reason, _, _ = judge(type1.study, evaluate_rr(type1.study), type1.acceptance)
    assert outcome == RRTestOutcome.NOT_ACCEPTABLE
    assert reason.startswith("Cg 0.31 (at least 1.33), Cgk 0.30")
    linearity = RRTestCreate.model_validate(
        rr_test_data(study=aiag_linearity_study(), measurers=[{"name": "A"}])
    )
    outcome, reason, _, _ = judge(
        linearity.study, evaluate_rr(linearity.study), linearity.acceptance
    )
    # SPCXL: the slope's and the intercept's p are 0.000: linearity is present.
    assert outcome == RRTestOutcome.NOT_ACCEPTABLE
    assert reason.startswith("slope and intercept significant at 0.05")


def test_a_customer_reads_its_own_staffs_rr_tests_only(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    ours, theirs = make_organisation(engine), make_organisation(engine)
    mine = make_rr_test(engine, organisation_id=ours.id)
    other = make_rr_test(engine, organisation_id=theirs.id)
    lab_only = make_rr_test(engine)
    headers = bearer(settings, make_user(engine, Role.CUSTOMER, organisation=ours))
    assert [t["id"] for t in client.get(f"{API}/rr-tests", headers=headers).json()] == [mine.id]
    for hidden in (other, lab_only):
        assert client.get(f"{API}/rr-tests/{hidden.id}", headers=headers).status_code == 404
    chart = client.get(f"{API}/rr-tests/{mine.id}/charts/components.svg", headers=headers)
    assert chart.status_code == 200
    assert chart.content.startswith(b"<?xml")


def test_the_report_data_holds_the_record_the_evaluation_and_the_charts(engine: Engine) -> None:
    method, gauge = make_method(engine), make_equipment(engine)
    rr_test = make_rr_test(engine, method_id=method.id, equipment_id=gauge.id)
    with Session(engine) as db_session:
        data = rr_test_report_data(db_session, actor=FACTORY_ACTOR, rr_test_id=rr_test.id)
    assert data["number"] == rr_test.number
    assert data["method"]["code"] == method.code
    assert data["instrument"]["identification"] == gauge.identification
    assert [m["operator"] for m in data["measurers"]] == ["A", "B"]
    assert data["evaluation"]["conventions"]["described"][0] == "design: crossed"
    assert set(data["charts"]) == {
        "components",
        "range",
        "mean",
        "by_part",
        "by_operator",
        "interaction",
    }
    assert all(svg.startswith(b"<?xml") for svg in data["charts"].values())


def test_an_rr_tests_warnings_and_outcome_read_in_the_readers_language(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    technician = make_user(engine, Role.TECHNICIAN)
    headers = bearer(settings, technician)
    study = aiag_study()  # no tolerance: a warning says %tolerance is not computed
    english = client.post(f"{API}/rr/evaluate", json=study, headers=headers).json()
    assert english["warnings"] == ["no tolerance is given: %tolerance is not computed"]
    finnish = client.post(
        f"{API}/rr/evaluate", json=study, headers={**headers, "accept-language": "fi"}
    ).json()
    assert finnish["warnings"] == ["toleranssia ei ole annettu: %toleranssia ei lasketa"]
    body = rr_test_data(study=study, measurers=aiag_measurers(None, None, None))
    recorded = client.post(f"{API}/rr-tests", json=body, headers=headers).json()
    # The record keeps the English; its page words it again for the reader.
    assert recorded["evaluation"]["warnings"] == english["warnings"]
    assert recorded["outcome_reason"].startswith("%GRR 27.9 % of the study variation")
    signed_in = client.post(
        f"{API}/auth/login", json={"username": technician.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    page = client.get(f"/rr-tests/{recorded['id']}", params={"lang": "fi"}).text
    assert (
        '<p class="note" id="rr-outcome-reason">%GRR 27,9 % tutkimuksen vaihtelusta '
        "(hyväksyttävä alle 10 %, ehdollisesti alle 30 %), ndc 4 (vähintään 5): ei hyväksyttävä"
        "</p>"
    ) in page
    assert "toleranssia ei ole annettu: %toleranssia ei lasketa" in page
