"""/uncertainty/decide checks simple acceptance against the lab's settings (issue 22).

The reproduction: 1.9 +- 1.5 (k = 2) against +-2 by simple acceptance (ILAC-G8:09/2019 4.2.1)
answered "pass" with no warning, though p_c = Phi(0.1333) - Phi(-5.2) = 0.553 (normal table:
Phi(0.13) = 0.5517, Phi(0.14) = 0.5557) and TUR = 4/(2 * 1.5) = 1.33:1.
"""

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from tests.api.test_uncertainty_api import run_cli
from tests.factories import bearer, make_user

DECIDE = "/api/v1/uncertainty/decide"
REPRODUCTION = {
    "value": 1.9,
    "expanded_uncertainty": 1.5,
    "coverage_factor": 2,
    "lower_limit": -2,
    "upper_limit": 2,
    "rule": "simple_acceptance",
}


@pytest.fixture
def settings(
    request: pytest.FixtureRequest, make_settings: Callable[..., Settings], database_url: str
) -> Settings:
    return make_settings(database_url=database_url, **getattr(request, "param", {}))


@pytest.fixture
def technician(engine: Engine, settings: Settings) -> dict[str, str]:
    return bearer(settings, make_user(engine, Role.TECHNICIAN))


def test_simple_acceptance_below_four_to_one_passes_with_a_warning(
    client: TestClient, technician: dict[str, str]
) -> None:
    response = client.post(DECIDE, json=REPRODUCTION, headers=technician)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["decision"] == "pass"
    assert body["probability_of_conformance"] == pytest.approx(0.553, abs=5e-4)
    assert body["measurement_capability_index"] == pytest.approx(4 / 3)
    (warning,) = body["warnings"]
    assert "1.33:1, below the lab's minimum 4:1" in warning and "55.3 %" in warning


@pytest.mark.parametrize(
    "settings",
    [{"simple_acceptance_min_tur": 1.2, "simple_acceptance_min_probability": 0.5}],
    indirect=True,
)
def test_the_lab_sets_the_minimum_ratio_and_probability(
    client: TestClient, technician: dict[str, str]
) -> None:
    response = client.post(DECIDE, json=REPRODUCTION, headers=technician)
    assert response.status_code == 200, response.text
    assert response.json()["warnings"] == []  # 1.33 >= 1.2 and 0.553 >= 0.5


@pytest.mark.parametrize("settings", [{"simple_acceptance_refuse": True}], indirect=True)
def test_a_lab_that_refuses_answers_with_a_problem(
    client: TestClient, technician: dict[str, str]
) -> None:
    response = client.post(DECIDE, json=REPRODUCTION, headers=technician)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert "use a guard-band rule" in problem["detail"]
    assert problem["errors"][0]["location"] == ["rule"]


def test_the_statement_prints_k_to_two_decimals(
    client: TestClient, technician: dict[str, str]
) -> None:
    # U = 0.0040002 with u = 0.002: k = U/u = 2.0001, printed as a certificate prints it.
    request = {
        "value": 9.9975,
        "expanded_uncertainty": 0.0040002,
        "standard_uncertainty": 0.002,
        "lower_limit": 9.99,
        "upper_limit": 10.0,
        "rule": "guard_band_U",
    }
    response = client.post(DECIDE, json=request, headers=technician)
    assert response.status_code == 200, response.text
    assert "(k = 2.00)" in response.json()["rule"]["statement"]
    assert "(k = 2,00)" in response.json()["rule"]["statement_fi"]


def test_the_cli_refuses_as_the_lab_set_in_one_line(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "decide.json"
    path.write_text(json.dumps(REPRODUCTION))
    monkeypatch.setenv("LIMS_SIMPLE_ACCEPTANCE_REFUSE", "true")
    assert run_cli("uncertainty", "decide", str(path)) == 2
    err = capsys.readouterr().err
    assert err.startswith("lims: rule: Simple acceptance (ILAC-G8:09/2019 4.2.1)")
    assert len(err.strip().splitlines()) == 1
