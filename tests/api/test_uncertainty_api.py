"""Uncertainty evaluation and decisions over HTTP and on the CLI.

The numbers themselves are proven against published examples in tests/uncertainty; here the
published GUM H.1 result (JCGM 100:2008 H.1: u_c = 32 nm, nu_eff = 16, k_99 = 2.92) is checked
to arrive intact through each interface, and bad input to come back as a clear error.
"""

import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.cli import main
from lims.config import Settings
from tests.conftest import row_counts, shared_path
from tests.factories import bearer, make_user

EVALUATE = "/api/v1/uncertainty/evaluate"
DECIDE = "/api/v1/uncertainty/decide"


@pytest.fixture
def h1_request() -> dict[str, Any]:
    case = json.loads(shared_path("fixtures", "uncertainty", "gum-h1-end-gauge.json").read_text())
    return {**case["request"], "method": "gum"}


@pytest.fixture
def technician(engine: Engine, settings: Settings) -> dict[str, str]:
    return bearer(settings, make_user(engine, Role.TECHNICIAN))


def assert_published_h1(output: dict[str, Any]) -> None:
    # JCGM 100:2008 H.1.4-H.1.6: u_c(l) = 32 nm, nu_eff = 16 (truncated), t_99(16) = 2.92.
    assert abs(output["standard_uncertainty"] - 32) <= 0.5
    assert int(output["dof"]) == 16
    assert abs(output["coverage_factor"] - 2.92) <= 0.005


def test_api_evaluates_gum_h1_to_the_published_result(
    client: TestClient, technician: dict[str, str], h1_request: dict[str, Any]
) -> None:
    response = client.post(EVALUATE, json=h1_request, headers=technician)
    assert response.status_code == 200, response.text
    (output,) = response.json()["outputs"]
    assert_published_h1(output)
    assert output["mcm"] is None
    assert output["budget"][0]["input"] == "l_s"


def test_hostile_model_is_refused_with_the_position_of_the_token(
    client: TestClient, technician: dict[str, str], engine: Engine
) -> None:
    before = row_counts(engine)
    request = {
        "model": "x + __import__('os').system('touch /tmp/pwned')",
        "inputs": [{"name": "x", "value": 1, "standard_uncertainty": 0.1}],
    }
    response = client.post(EVALUATE, json=request, headers=technician)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert error["field"] == "model"
    # The refusal points at the attribute access, the outermost forbidden step.
    assert request["model"][error["position"] :].startswith(".system")
    assert "'.system'" in error["message"]
    assert row_counts(engine) == before


TRAILING_OPERATOR = "The model is not a valid expression: the operator '*' has no operand after it."


def test_a_syntax_error_is_refused_with_its_column_as_typed(
    client: TestClient, technician: dict[str, str]
) -> None:
    # The leading blanks count: the '*' is the ninth character typed.
    request = {
        "model": "  x + y *",
        "inputs": [{"name": "x", "value": 1, "standard_uncertainty": 0.1}],
    }
    response = client.post(EVALUATE, json=request, headers=technician)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {
            "field": "model",
            "location": ["model"],
            "message": TRAILING_OPERATOR,
            "code": "uncertainty.model_valid_expression",
            "position": 8,
        }
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"model": "x + q"}, "model"),
        ({"inputs": [{"name": "x", "value": 1, "standard_uncertainty": -0.1}]}, "inputs[0]"),
        (
            {
                "model": "x + y",
                "inputs": [
                    {"name": "x", "value": 1, "standard_uncertainty": 0.1},
                    {"name": "y", "value": 1, "standard_uncertainty": 0.1},
                ],
                "correlations": [{"between": ["x", "y"], "r": 1.5}],
            },
            "correlations[0]",
        ),
        (
            {"model": "1 / x", "inputs": [{"name": "x", "value": 0, "standard_uncertainty": 1}]},
            "model",
        ),
    ],
    ids=["unknown-name", "negative-uncertainty", "correlation-over-one", "division-by-zero"],
)
def test_bad_requests_name_the_field_to_fix(
    change: dict[str, Any], field: str, client: TestClient, technician: dict[str, str]
) -> None:
    request = {"model": "x", "inputs": [{"name": "x", "value": 1, "standard_uncertainty": 0.1}]}
    response = client.post(EVALUATE, json={**request, **change}, headers=technician)
    assert response.status_code == 422, response.text
    fields = [error["field"] for error in response.json()["errors"]]
    assert any(f.startswith(field) for f in fields), fields


def test_not_a_number_is_refused(client: TestClient, technician: dict[str, str]) -> None:
    body = '{"model": "x", "inputs": [{"name": "x", "value": NaN, "standard_uncertainty": 1}]}'
    response = client.post(
        EVALUATE, content=body, headers={**technician, "content-type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == "application/problem+json"


def test_monte_carlo_over_the_request_limit_is_refused(
    client: TestClient, technician: dict[str, str], settings: Settings
) -> None:
    request = {
        "model": "x",
        "inputs": [{"name": "x", "value": 1, "standard_uncertainty": 0.1}],
        "method": "mcm",
        "mcm": {"trials": settings.max_monte_carlo_trials + 1},
    }
    response = client.post(EVALUATE, json=request, headers=technician)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "mcm.trials"


def test_api_decides_conformity_with_a_guard_band(
    client: TestClient, technician: dict[str, str]
) -> None:
    # ILAC-G8:09/2019 4.2.2: with w = U the acceptance limits are TL - U; 9.9975 lies between
    # 9.996 and the upper limit 10.0, inside the tolerance but outside the acceptance zone.
    request = {
        "value": 9.9975,
        "expanded_uncertainty": 0.004,
        "coverage_factor": 2,
        "lower_limit": 9.99,
        "upper_limit": 10.0,
        "rule": "guard_band_U",
    }
    response = client.post(DECIDE, json=request, headers=technician)
    assert response.status_code == 200, response.text
    assert response.json()["decision"] == "conditional_pass"


def run_cli(*argv: str) -> int:
    try:
        main(list(argv))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_cli_prints_the_same_json_as_the_api(
    tmp_path, h1_request: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "h1.json"
    path.write_text(json.dumps(h1_request))
    assert run_cli("uncertainty", "evaluate", str(path)) == 0
    (output,) = json.loads(capsys.readouterr().out)["outputs"]
    assert_published_h1(output)


def test_cli_reads_stdin_and_refuses_hostile_input_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = {"model": "().__class__", "inputs": []}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(hostile)))
    assert run_cli("uncertainty", "evaluate", "-") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("lims: model: ")
    assert len(captured.err.strip().splitlines()) == 1


def test_cli_names_the_column_of_a_syntax_error_in_its_one_line(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "trailing.json"
    path.write_text(json.dumps({"model": "  x + y *", "inputs": []}))
    assert run_cli("uncertainty", "evaluate", str(path)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"lims: model: {TRAILING_OPERATOR} (position 8, counting from 0)\n"


@pytest.mark.parametrize("content", ["", "{", "[1, 2"])
def test_cli_refuses_malformed_json_in_one_line(
    content: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert run_cli("uncertainty", "decide", str(path)) == 2
    err = capsys.readouterr().err
    assert "is not valid JSON" in err
    assert len(err.strip().splitlines()) == 1


def test_cli_decides_from_a_file(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "decide.json"
    path.write_text(
        json.dumps(
            {
                "value": 5.0,
                "expanded_uncertainty": 0.1,
                "coverage_factor": 2,
                "upper_limit": 10,
                "rule": "simple_acceptance",
            }
        )
    )
    assert run_cli("uncertainty", "decide", str(path)) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "pass"
