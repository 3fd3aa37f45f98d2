"""The uncertainty engine's refusals and warnings read in the language the request asks for:
the model parser's reason inside a refusal, and the warnings of an evaluation or a decision
(English without Accept-Language, as API clients have always read them)."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from tests.factories import bearer, make_user

FINNISH = {"accept-language": "fi-FI,fi;q=0.9,en;q=0.5"}
SWEDISH = {"accept-language": "sv-FI"}
FUNCTIONS = "sqrt, exp, log, log10, sin, cos, tan, asin, acos, atan, atan2, abs"
# The words, not the store, are tested.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])
INPUTS = [
    {"name": "a", "value": 2.0, "standard_uncertainty": 0.1},
    {"name": "b", "value": 3.0, "standard_uncertainty": 0.1},
]


@pytest.fixture
def technician(engine: Engine, settings: Settings) -> dict[str, str]:
    return bearer(settings, make_user(engine, Role.TECHNICIAN))


def _refusal(client: TestClient, headers: dict[str, str], model: str) -> dict[str, object]:
    response = client.post(
        "/api/v1/uncertainty/evaluate",
        json={"model": model, "inputs": INPUTS},
        headers=headers,
    )
    assert response.status_code == 422, response.text
    body: dict[str, object] = response.json()
    return body


@pytest.mark.parametrize(
    ("model", "finnish"),
    [
        (
            "__import__('os')",
            f"Funktio '__import__' ei ole sallittu; sallitut funktiot ovat {FUNCTIONS}.",
        ),
        (
            "a ^ b",
            "Operaattori '^' ei ole sallittu; käytä operaattoreita + - * / **. Kirjoita "
            "potenssi muodossa '**'.",
        ),
        ("foo(1)", f"Funktio 'foo' ei ole sallittu; sallitut funktiot ovat {FUNCTIONS}."),
        ("sqrt(1, 2)", "sqrt() ottaa 1 argumentin, ei 2."),
        (
            "* b",
            "Malli ei ole kelvollinen lauseke: operaattorilla '*' ei ole operandia edellään.",
        ),
        ("   ", "Malli on tyhjä; kirjoita lauseke, esimerkiksi 'a * b'."),
        (
            "(a, b)",
            "Pilkku on sallittu vain funktion argumenttien välissä; tässä siitä tulisi monikko.",
        ),
        (
            "a[0]",
            "Indeksointi '[...]' ei ole sallittu mallissa; käytä lukuja, lähtösuureiden nimiä, "
            f"operaattoreita + - * / **, sulkeita ja funktioita {FUNCTIONS}.",
        ),
    ],
)
def test_a_refused_model_reads_wholly_in_finnish(
    client: TestClient, technician: dict[str, str], model: str, finnish: str
) -> None:
    body = _refusal(client, technician | FINNISH, model)
    assert body["detail"] == finnish


def test_a_refused_model_reads_in_swedish_and_in_english_without_a_language(
    client: TestClient, technician: dict[str, str]
) -> None:
    swedish = _refusal(client, technician | SWEDISH, "sqrt(1, 2)")
    english = _refusal(client, technician, "sqrt(1, 2)")
    assert swedish["detail"] == "sqrt() tar 1 argument, inte 2."
    assert english["detail"] == "sqrt() takes 1 argument, not 2."
    assert swedish["code"] == english["code"] == "uncertainty.expression_refused"


def test_markup_in_a_refused_model_names_only_its_first_refused_character(
    client: TestClient, technician: dict[str, str]
) -> None:
    body = _refusal(client, technician | FINNISH, "<script>alert(1)</script>(a)")
    assert str(body["detail"]).startswith("'<' ei ole sallittu mallissa; käytä lukuja")
    assert body["errors"][0]["position"] == 0  # type: ignore[index]


def test_an_evaluation_warns_in_the_language_asked_for(
    client: TestClient, technician: dict[str, str]
) -> None:
    request = {
        "model": "a * b",
        "inputs": INPUTS,
        "method": "mcm",
        "second_order": True,
        "mcm": {"trials": 10_000, "seed": 1},
    }
    finnish = client.post(
        "/api/v1/uncertainty/evaluate", json=request, headers=technician | FINNISH
    )
    english = client.post("/api/v1/uncertainty/evaluate", json=request, headers=technician)
    assert finnish.status_code == english.status_code == 200, finnish.text
    assert finnish.json()["warnings"] == [
        "Toisen kertaluvun termit (second_order) koskevat vain GUM-menetelmän mukaista "
        "epävarmuuden etenemistä; asetus ohitettiin."
    ]
    assert english.json()["warnings"] == [
        "second_order applies to GUM propagation only; it was ignored."
    ]


def test_a_decision_warns_in_finnish_with_the_numbers_as_finnish_writes_them(
    client: TestClient, technician: dict[str, str]
) -> None:
    decision = {
        "value": 0.0,
        "expanded_uncertainty": 1.0,
        "coverage_factor": 2.0,
        "lower_limit": -2.0,
        "upper_limit": 2.0,
        "rule": "simple_acceptance",
    }
    response = client.post(
        "/api/v1/uncertainty/decide", json=decision, headers=technician | FINNISH
    )
    assert response.status_code == 200, response.text
    (warning,) = response.json()["warnings"]
    assert warning.startswith(
        "Yksinkertainen hyväksyntä (ILAC-G8:09/2019 4.2.1) ei ota epävarmuutta huomioon, ja "
        "testiepävarmuussuhde (T_U - T_L)/(2U) on 2,00:1, alle laboratorion vähimmäisarvon "
    )
    assert warning.endswith(": vaatimustenmukaisuuslausunto on epävarma.")


def test_a_companys_own_uncertainty_warns_in_swedish(
    client: TestClient, technician: dict[str, str]
) -> None:
    request = {
        "calibrated_value": 50.0,
        "calibration_expanded_uncertainty": 0.0006,
        "calibration_coverage_factor": 2,
        "measurements": [50.0012, 50.0008, 50.0010],
        "u_b": 0.0002,
        "u_w": 0.0001,
        "k": 2,
        "bias": "corrected",
    }
    response = client.post(
        "/api/v1/comparisons/own-uncertainty", json=request, headers=technician | SWEDISH
    )
    assert response.status_code == 200, response.text
    assert response.json()["warnings"] == [
        "endast 3 mätningar: u_p vilar på få resultat; upprepa minst 20 gånger under "
        "produktionens förhållanden"
    ]
