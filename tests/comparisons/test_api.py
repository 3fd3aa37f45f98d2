"""Comparisons through the API and the CLI: scores, own uncertainty, a B2 job's comparison
with its charts, and a company's history with its alert."""

import io
import json
import math
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.cli import main
from lims.comparisons.models import TEMPLATE_EXAMPLE
from lims.comparisons.schemas import OWN_UNCERTAINTY_EXAMPLE, SCORE_EXAMPLE
from lims.config import Settings
from tests.conftest import row_counts
from tests.factories import PASSWORD, make_organisation, make_user
from tests.jobs.factories import JobDriver, Lab, make_lab, submit

TEST_PIECE = {"kind": "test_piece", "description": "BAS test piece"}
SVG_START = b"<?xml"


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def run_cli(*argv: str) -> int:
    try:
        main(list(argv))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_score_and_own_uncertainty_over_http(client: TestClient, engine: Engine, lab: Lab) -> None:
    headers = lab.headers(lab.customer_user)
    scored = client.post("/api/v1/comparisons/score", json=SCORE_EXAMPLE, headers=headers)
    assert scored.status_code == 200, scored.text
    # L01: En = (0.053 - 0.044) / sqrt(0.007^2 + 0.0082^2) = 0.009 / 0.0107815 = 0.8347659
    assert math.isclose(scored.json()["participants"][0]["En"], 0.8347659, abs_tol=5e-8)
    assert scored.json()["warnings"] == [
        "u(x_pt) = 0.0041 exceeds 0.3 sigma_pt = 0.00198: judge by z' rather than z "
        "(ISO 13528:2022 9.2.1)"
    ]
    in_finnish = client.post(
        "/api/v1/comparisons/score",
        json=SCORE_EXAMPLE,
        headers={**headers, "accept-language": "fi"},
    )
    assert in_finnish.json()["warnings"] == [
        "u(x_pt) = 0,0041 ylittää 0,3 sigma_pt = 0,00198: arvioi z'-luvulla z-luvun sijaan "
        "(ISO 13528:2022 9.2.1)"
    ]
    own = client.post(
        "/api/v1/comparisons/own-uncertainty", json=OWN_UNCERTAINTY_EXAMPLE, headers=headers
    )
    assert own.status_code == 200, own.text
    assert own.json()["stated"] == "ISO 15530-3:2011"
    before = row_counts(engine)
    refused = client.post(
        "/api/v1/comparisons/score",
        json={
            **SCORE_EXAMPLE,
            "participants": [
                {"id": "A", "value": 1, "expanded_uncertainty": 0, "coverage_factor": 2}
            ],
        },
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert "greater than zero" in refused.json()["detail"]
    assert row_counts(engine) == before


def test_cli_scores_from_a_file_and_from_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    request = tmp_path / "round.json"
    request.write_text(json.dumps(SCORE_EXAMPLE))
    assert run_cli("comparison", "score", str(request)) == 0
    assert json.loads(capsys.readouterr().out)["assigned_value"]["method"] == "reference"
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(OWN_UNCERTAINTY_EXAMPLE)))
    assert run_cli("comparison", "own-uncertainty", "-") == 0
    assert "expanded_uncertainty_2004" in json.loads(capsys.readouterr().out)
    request.write_text(json.dumps({**SCORE_EXAMPLE, "assigned_value": None}))
    assert run_cli("comparison", "score", str(request)) == 2
    error = capsys.readouterr().err
    assert error.startswith("lims: give an assigned value") and error.count("\n") == 1


def reference_job(
    client: TestClient, lab: Lab, *, company_value: float, instrument: str
) -> tuple[JobDriver, dict]:
    """A B2 job: the company reports, the lab measures; left in measurement."""
    job = submit(client, lab, "reference", TEST_PIECE)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    length = job.plan(
        label="L1",
        kind="size",
        nominal=20,
        lower_limit=19.998,
        upper_limit=20.002,
        unit="mm",
        method_id=lab.cmm_method.id,
    )
    own = client.post(
        f"{job.url}/customer-values",
        json={
            "characteristic_id": length["id"],
            "value": company_value,
            "expanded_uncertainty": 0.004,
            "coverage_factor": 2,
            "measuring_instrument": instrument,
        },
        headers=lab.headers(lab.customer_user),
    )
    assert own.status_code == 200, own.text
    job.step("in_measurement", lab.technician)
    result = job.record(
        characteristic_id=length["id"],
        equipment={"cmm": lab.cmm.id},
        observations={"x": [20.0011, 20.0013]},
    )
    return job, result


def test_reference_job_comparison_charts_and_history(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job, result = reference_job(client, lab, company_value=20.0112, instrument="caliper 1")
    customer = lab.headers(lab.customer_user)
    early = client.get(f"{job.url}/comparison", headers=customer).json()
    assert early["characteristics"][0]["lab"] is None  # not before the lab approves
    staff_view = client.get(f"{job.url}/comparison", headers=lab.headers(lab.manager)).json()
    (row,) = staff_view["characteristics"]
    X, U_X = result["value"], result["expanded_uncertainty"]
    # D = x - X, En = D / sqrt(0.004^2 + U_X^2), zeta = D / sqrt(0.002^2 + (U_X/k_X)^2)
    assert math.isclose(row["D"], 20.0112 - X, abs_tol=1e-12)
    assert math.isclose(row["En"], (20.0112 - X) / math.hypot(0.004, U_X), rel_tol=1e-12)
    zeta = (20.0112 - X) / math.hypot(0.002, U_X / result["coverage_factor"])
    assert math.isclose(row["zeta"], zeta, rel_tol=1e-12)
    assert row["verdicts"]["En"] == "unsatisfactory"  # D = 0.00998, En = 0.00998 / 0.004.. = 2.5
    # The lab measured 20.0012 mm (+ the CMM's correction): 1.2 um from nominal, inside +-2 um
    assert math.isclose(row["machine"]["deviation_from_nominal"], X - 20, abs_tol=1e-12)
    assert row["machine"]["within_limits"] is True
    assert staff_view["complete"] is True
    job.step("measured", lab.technician)
    job.review_approve_report_close()
    assert client.get(f"{job.url}/comparison", headers=customer).json()["characteristics"][0][
        "En"
    ] == pytest.approx(row["En"])
    for chart in ("deviations", "en"):
        svg = client.get(f"{job.url}/comparison/{chart}.svg", headers=customer)
        assert svg.status_code == 200
        assert svg.headers["content-type"] == "image/svg+xml"
        assert svg.content.startswith(SVG_START)

    history_url = f"/api/v1/organisations/{lab.customer.id}/comparison-history"
    assert client.get(history_url, headers=customer).json()["alerts"] == []
    second, _ = reference_job(client, lab, company_value=20.0102, instrument="caliper 1")
    second.step("measured", lab.technician)
    second.review_approve_report_close()
    history = client.get(history_url, headers=customer).json()
    (series,) = history["series"]
    assert (series["characteristic_kind"], series["instrument"]) == ("size", "caliper 1")
    assert [point["job_number"] for point in series["points"]] == [
        job.job["number"],
        second.job["number"],
    ]
    assert history["alerts"] == [series["alert"]]
    # The job numbers behind the alert, for a page to say it in its reader's language.
    assert series["alert_jobs"] == [job.job["number"], second.job["number"]]
    assert "twice" not in series["alert"] and "2 reference measurements in a row" in series["alert"]
    in_swedish = client.get(history_url, headers={**customer, "accept-language": "sv"}).json()
    assert in_swedish["alerts"] == [in_swedish["series"][0]["alert"]]
    assert in_swedish["alerts"][0].startswith("|Eₙ| > 1 i 2 referensmätningar i följd (TY-")
    other = client.get(history_url, params={"instrument": "micrometer"}, headers=customer)
    assert other.json()["series"] == []
    trend = client.get(f"{history_url}.svg", headers=customer)
    assert trend.status_code == 200 and trend.content.startswith(SVG_START)


def test_customers_see_only_their_own_comparisons(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job, _ = reference_job(client, lab, company_value=20.0012, instrument="caliper 1")
    stranger = make_user(engine, Role.CUSTOMER, organisation=make_organisation(engine))
    headers = lab.headers(stranger)
    for url in (
        f"{job.url}/comparison",
        f"{job.url}/comparison/en.svg",
        f"/api/v1/organisations/{lab.customer.id}/comparison-history",
        f"/api/v1/organisations/{lab.customer.id}/comparison-history.svg",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 404, url
        assert response.headers["content-type"] == "application/problem+json"


def test_a_job_of_another_kind_has_no_comparison(client: TestClient, lab: Lab) -> None:
    job = submit(client, lab, "product_qc", {"kind": "customer_product", "description": "Flange"})
    answer = client.get(f"{job.url}/comparison", headers=lab.headers(lab.manager)).json()
    assert answer["characteristics"] == []
    number = job.job["number"]
    assert answer["warnings"] == [
        f"job {number} is a product measurement (B1) job: comparisons belong to reference (B2) jobs"
    ]
    in_finnish = client.get(
        f"{job.url}/comparison", headers={**lab.headers(lab.manager), "accept-language": "fi"}
    ).json()
    finnish = (
        f"työn {number} laji on tuotemittaus (B1): vertailut kuuluvat vertailumittaustöihin (B2)"
    )
    assert in_finnish["warnings"] == [finnish]
    # The page says it in its reader's language too.
    signed_in = client.post(
        "/api/v1/auth/login", json={"username": lab.manager.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    page = client.get(f"/jobs/{job.job['id']}/comparison", params={"lang": "fi"})
    assert page.status_code == 200
    assert f"<li>{finnish}</li>" in page.text


def test_a_test_piece_is_planned_from_its_template_all_or_none(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    manager = lab.headers(lab.manager)
    templates = "/api/v1/test-piece-templates"
    customer = lab.headers(lab.customer_user)
    assert client.post(templates, json=TEMPLATE_EXAMPLE, headers=customer).status_code == 403
    created = client.post(templates, json=TEMPLATE_EXAMPLE, headers=manager)
    assert created.status_code == 201, created.text
    assert client.post(templates, json=TEMPLATE_EXAMPLE, headers=manager).status_code == 409
    listed = client.get(templates, headers=customer).json()
    assert [t["code"] for t in listed] == [TEMPLATE_EXAMPLE["code"]]
    job = submit(client, lab, "reference", TEST_PIECE)
    url = f"{job.url}/characteristics/from-test-piece"
    item_id = job.items()[0]["id"]
    before = row_counts(engine)
    method_id = lab.cmm_method.id
    missing = client.post(
        url, json={"item_id": item_id, "template_id": 999, "method_id": method_id}, headers=manager
    )
    assert missing.status_code == 422 and "does not exist" in missing.json()["detail"]
    assert row_counts(engine) == before
    plan = {"item_id": item_id, "template_id": created.json()["id"], "method_id": method_id}
    planned = client.post(url, json=plan, headers=manager)
    assert planned.status_code == 201, planned.text
    assert [(c["label"], c["upper_limit"]) for c in planned.json()] == [
        (f["label"], f["upper_limit"]) for f in TEMPLATE_EXAMPLE["features"]
    ]
    before = row_counts(engine)
    again = client.post(url, json=plan, headers=manager)  # the labels are taken: none is added
    assert again.status_code == 409
    assert row_counts(engine) == before
