"""Bad RR input is refused with a message a person can act on: over HTTP as a 422 problem,
on the command line as one line with exit status 2, and nothing is stored."""

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from lims.errors import InvalidInput
from lims.problem_text import localized
from lims.training.rr import evaluate_rr
from lims.training.rr.readings import read_measurements_csv
from tests.conftest import row_counts
from tests.factories import bearer, make_user
from tests.training.factories import rr_test_data
from tests.training.published import aiag_readings, aiag_study
from tests.training.test_rr_api import run_cli


def refusal(study: dict[str, Any], language: str = "en") -> str:
    with pytest.raises(InvalidInput) as refused:
        evaluate_rr(study)
    return localized(refused.value, language)


def without(readings: list[dict[str, Any]], **cell: Any) -> list[dict[str, Any]]:
    return [r for r in readings if any(r[key] != value for key, value in cell.items())]


def test_an_unbalanced_study_names_the_missing_cells() -> None:
    readings = without(without(aiag_readings(), part=3, operator="B"), part=7, operator="C")
    message = refusal({"design": "crossed", "measurements": readings})
    assert message == (
        "the design is unbalanced: the ANOVA and average-and-range methods need every "
        "operator to measure each of their parts the same number of times; missing: part 3 "
        "by operator B, part 7 by operator C"
    )


def test_a_cell_with_a_trial_too_many_is_named() -> None:
    readings = [*aiag_readings(), {"part": 1, "operator": "A", "trial": 4, "value": 0.3}]
    assert refusal(aiag_study(measurements=readings)).endswith(
        "trials per cell should be 3: part 1 by operator A has 4"
    )


def test_one_operator_one_part_and_single_readings_are_refused() -> None:
    only_a = [r for r in aiag_readings() if r["operator"] == "A"]
    assert refusal({"design": "crossed", "measurements": only_a}) == (
        "reproducibility needs at least two operators; the study has 1 (A)"
    )
    only_part_1 = [r for r in aiag_readings() if r["part"] == 1]
    assert "at least two parts; the study has 1 (1)" in refusal(
        {"design": "crossed", "measurements": only_part_1}
    )
    first_trials = [r for r in aiag_readings() if r["trial"] == 1]
    assert "measured at least twice" in refusal({"design": "crossed", "measurements": first_trials})


def test_a_study_without_variation_is_refused() -> None:
    flat = [{**r, "value": 10.0} for r in aiag_readings()]
    assert refusal({"design": "crossed", "measurements": flat}) == (
        "all 90 values are 10: there is no variation to analyse; check the resolution of the "
        "instrument"
    )
    assert "no variation" in refusal(
        {"design": "type1", "reference": 1.0, "measurements": [{"value": 1.0}, {"value": 1.0}]}
    )


def test_contradicting_or_missing_specifications_are_refused() -> None:
    assert refusal(aiag_study(tolerance=8, lsl=-3, usl=3)) == (
        "tolerance 8 disagrees with usl - lsl = 6"
    )
    assert refusal(aiag_study(lsl=-3)) == (
        "give both specification limits, or the tolerance (USL - LSL)"
    )
    assert "a type 1 study needs the reference value" in refusal(
        {"design": "type1", "measurements": [{"value": 1.0}, {"value": 1.1}]}
    )


def test_average_and_range_outside_the_aiag_tables_points_to_anova() -> None:
    readings = [*aiag_readings()]
    readings += [{**r, "trial": 4} for r in aiag_readings() if r["trial"] == 1]
    assert refusal(aiag_study(method="average_range", measurements=readings)) == (
        "the AIAG average-and-range K factors do not cover 4 trials (the manual covers 2 to "
        "3): use the ANOVA method"
    )
    assert refusal(aiag_study(method="average_range", measurements=readings), "sv") == (
        "AIAG:s K-faktorer för medelvärde och variationsbredd täcker inte 4 upprepningar "
        "(handboken täcker 2 till 3): använd ANOVA-metoden"
    )
    assert "is for crossed studies, not nested" in refusal(
        {"design": "nested", "method": "average_range", "measurements": aiag_readings()}
    )


def test_an_unbalanced_nested_study_is_refused() -> None:
    readings = [
        {"operator": operator, "part": part, "value": float(part + trial)}
        for operator, parts in (("A", (1, 2, 3)), ("B", (1, 2)))
        for part in parts
        for trial in (0, 1)
    ]
    assert refusal({"design": "nested", "measurements": readings}) == (
        "the nested design is unbalanced: every operator must measure the same number of parts "
        "(3 for most); operator B has 2"
    )


def test_non_numeric_values_are_a_422_problem_naming_the_field(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    readings = aiag_readings()
    readings[3]["value"] = "abc"
    response = client.post(
        "/api/v1/rr/evaluate",
        json={"design": "crossed", "measurements": readings},
        headers=bearer(settings, make_user(engine, Role.TECHNICIAN)),
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "measurements[3].value"


def test_an_unbalanced_study_over_http_is_a_422_problem(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    response = client.post(
        "/api/v1/rr/evaluate",
        json={"design": "crossed", "measurements": without(aiag_readings(), part=3, operator="B")},
        headers=bearer(settings, make_user(engine, Role.TECHNICIAN)),
    )
    assert response.status_code == 422
    assert "missing: part 3 by operator B" in response.json()["detail"]
    assert response.json()["errors"][0]["field"] == "measurements"
    readings = without(without(aiag_readings(), part=3, operator="B"), part=7, operator="C")
    readings.append({"part": 1, "operator": "A", "trial": 4, "value": 0.3})
    in_finnish = client.post(
        "/api/v1/rr/evaluate",
        json={"design": "crossed", "measurements": readings},
        headers={**bearer(settings, make_user(engine, Role.TECHNICIAN)), "accept-language": "fi"},
    )
    # Each cell named in the reader's words, the listing and its parts too.
    assert in_finnish.json()["detail"].endswith(
        "puuttuu: kappale 3 operaattorilla B, kappale 7 operaattorilla C; toistoja solua "
        "kohden pitäisi olla 3: kappale 1 operaattorilla A: 4"
    )


def test_csv_with_unknown_columns_or_text_for_numbers_is_refused_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = tmp_path / "study.csv"
    unknown.write_text("part,operator,trial,value,temperature\n1,A,1,0.29,20.1\n")
    assert run_cli("rr", "evaluate", str(unknown), "--design", "crossed") == 2
    assert capsys.readouterr().err == (
        "lims: unknown CSV column 'temperature'; the columns are part, operator, trial, "
        "value[, reference]\n"
    )
    text = tmp_path / "text.csv"
    text.write_text("part;operator;trial;value\n1;A;1;0,29\n2;A;1;abc\n")
    assert run_cli("rr", "evaluate", str(text), "--design", "crossed") == 2
    assert capsys.readouterr().err == "lims: CSV line 3: value 'abc' is not a number\n"


def test_csv_readings_need_a_value_column_and_the_study_its_design(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(InvalidInput, match="needs a 'value' column"):
        read_measurements_csv("part,operator\n1,A\n")
    study = tmp_path / "study.csv"
    study.write_text("part,operator,value\n1,A,0.29\n")
    assert run_cli("rr", "evaluate", str(study)) == 2
    assert "a CSV study needs its design" in capsys.readouterr().err


def test_a_refused_rr_test_stores_nothing(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    headers = bearer(settings, make_user(engine, Role.TECHNICIAN))
    study = {"design": "crossed", "measurements": without(aiag_readings(), part=3, operator="B")}
    before = row_counts(engine)
    response = client.post(
        "/api/v1/rr-tests",
        content=json.dumps(
            rr_test_data(
                study=study,
                measurers=[{"operator": o, "name": o} for o in "ABC"],
            )
        ),
        headers={**headers, "content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "study.measurements"
    assert row_counts(engine) == before
