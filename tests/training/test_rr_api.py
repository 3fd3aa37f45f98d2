"""RR evaluation through its two interfaces of record, ``POST /api/v1/rr/evaluate`` and
``lims rr evaluate FILE.json|-|FILE.csv``, which answer alike, and the charts as SVG."""

import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Organisation, Role
from lims.cli import main
from lims.config import Settings
from lims.training.rr import RR_EXAMPLE
from lims.training.rr.charts import CHARTS
from tests.factories import bearer, make_organisation, make_user
from tests.training.published import AIAG_CROSSED, aiag_study

RESPONSE_KEYS = {
    "anova",
    "interaction_pooled",
    "variance_components",
    "variance_components_raw",
    "sd",
    "study_variation",
    "percent_contribution",
    "percent_study_variation",
    "percent_tolerance",
    "ndc",
    "ndc_raw",
    "average_range",
    "type1",
    "linearity",
    "conventions",
    "warnings",
}
COMPONENT_KEYS = {
    "repeatability",
    "operator",
    "interaction",
    "reproducibility",
    "grr",
    "part",
    "total",
}


def run_cli(*argv: str) -> int:
    try:
        main(list(argv))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def aiag_csv() -> str:
    rows = ["part;operator;trial;value"]
    for operator, trials in AIAG_CROSSED.items():
        for trial, row in enumerate(trials, start=1):
            rows += [
                f"{part};{operator};{trial};{str(value).replace('.', ',')}"
                for part, value in enumerate(row, start=1)
            ]
    return "\n".join(rows) + "\n"


@pytest.fixture
def customer(engine: Engine) -> Organisation:
    return make_organisation(engine)


def test_evaluate_answers_the_documented_names(
    client: TestClient, engine: Engine, settings: Settings, customer: Organisation
) -> None:
    # A customer may evaluate a study too: it changes no record.
    headers = bearer(settings, make_user(engine, Role.CUSTOMER, organisation=customer))
    response = client.post("/api/v1/rr/evaluate", json=aiag_study(tolerance=8), headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == RESPONSE_KEYS
    assert set(body["anova"]) == {"full", "reduced", "nested"}
    assert set(body["anova"]["full"]) == {
        "part",
        "operator",
        "interaction",
        "repeatability",
        "total",
    }
    assert set(body["anova"]["full"]["part"]) == {"df", "ss", "ms", "f", "p"}
    for block in ("variance_components", "sd", "study_variation", "percent_tolerance"):
        assert set(body[block]) == COMPONENT_KEYS, block
    assert body["ndc"] == 4


def test_the_cli_reads_json_stdin_and_csv_and_prints_what_the_api_answers(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    headers = bearer(settings, make_user(engine, Role.TECHNICIAN))
    expected = client.post("/api/v1/rr/evaluate", json=aiag_study(tolerance=8), headers=headers)
    request_file = tmp_path / "study.json"
    request_file.write_text(json.dumps(aiag_study(tolerance=8)))
    assert run_cli("rr", "evaluate", str(request_file)) == 0
    assert json.loads(capsys.readouterr().out) == expected.json()
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(aiag_study(tolerance=8))))
    assert run_cli("rr", "evaluate", "-") == 0
    assert json.loads(capsys.readouterr().out) == expected.json()
    csv_file = tmp_path / "study.csv"
    csv_file.write_text(aiag_csv())
    assert run_cli("rr", "evaluate", str(csv_file), "--design", "crossed", "--tolerance", "8") == 0
    assert json.loads(capsys.readouterr().out) == expected.json()


def test_cli_options_override_the_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request_file = tmp_path / "study.json"
    request_file.write_text(json.dumps(aiag_study()))
    argv = ("--method", "average_range", "--pool-interaction-above-p", "never")
    assert run_cli("rr", "evaluate", str(request_file), *argv) == 0
    conventions = json.loads(capsys.readouterr().out)["conventions"]
    assert conventions["method"] == "average_range"
    assert conventions["pool_interaction_above_p"] is None


@pytest.mark.parametrize("chart", CHARTS["crossed"])
def test_every_chart_of_a_crossed_study_is_svg(
    client: TestClient, engine: Engine, settings: Settings, chart: str
) -> None:
    response = client.post(
        "/api/v1/rr/charts",
        params={"chart": chart},
        json=RR_EXAMPLE,
        headers=bearer(settings, make_user(engine, Role.TECHNICIAN)),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.content.startswith(b"<?xml")


def test_a_chart_the_design_does_not_have_is_a_422(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    response = client.post(
        "/api/v1/rr/charts",
        params={"chart": "run"},
        json=RR_EXAMPLE,
        headers=bearer(settings, make_user(engine, Role.TECHNICIAN)),
    )
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "a crossed study has no run chart; it has components, range, mean, by_part, "
        "by_operator, interaction"
    )
