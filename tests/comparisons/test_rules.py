"""The rules of the scores besides the published numbers: flags, small groups, bad input."""

import math

import pytest
from pydantic import ValidationError

from lims.comparisons import score
from lims.errors import InvalidInput

REFERENCE = {"value": 0.044, "expanded_uncertainty": 0.0082, "coverage_factor": 2}


def participant(id_: str, value: float, u: float | None = None) -> dict:
    given = {"id": id_, "value": value}
    if u is not None:
        given |= {"expanded_uncertainty": 2 * u, "coverage_factor": 2}
    return given


def test_uncertainty_flags_of_9_8() -> None:
    # u_min = 0.002, sigma_pt = 0.0066: u = 0.00025 < u_min -> b; u = 0.015 > sigma_pt -> c;
    # u = 0.0035 between -> a
    response = score(
        {
            "assigned_value": REFERENCE,
            "sigma_pt": 0.0066,
            "u_min": 0.002,
            "participants": [
                participant("L15", 0.014, 0.00025),
                participant("L21", 0.04, 0.015),
                participant("L05", 0.013, 0.0035),
            ],
        }
    )
    assert [row["u_flag"] for row in response["participants"]] == ["b", "c", "a"]


def test_a_small_group_judging_itself_gets_no_z() -> None:
    # mean and SD of the same 5 results: |z| <= (5 - 1)/sqrt(5) = 1.79, never above 3
    response = score(
        {
            "consensus": "mean",
            "sigma_pt": "participants_sd",
            "participants": [participant(str(i), x) for i, x in enumerate([1, 2, 2, 3, 30])],
        }
    )
    assert all(row["z"] is None and row["z_prime"] is None for row in response["participants"])
    assert any("(p - 1)/sqrt(p) = 1.79" in warning for warning in response["warnings"])


def test_a_group_of_eleven_may_judge_itself() -> None:
    # (11 - 1)/sqrt(11) = 3.02 > 3: z could flag someone, so it is given
    values = [10.0, 10.1, 9.9, 10.2, 9.8, 10.0, 10.1, 9.9, 10.0, 10.05, 12.0]
    response = score(
        {
            "consensus": "mean",
            "sigma_pt": "participants_sd",
            "participants": [participant(str(i), x) for i, x in enumerate(values)],
        }
    )
    assert all(row["z"] is not None for row in response["participants"])


def test_median_consensus_has_u_of_1_25_made_over_root_p() -> None:
    # 1, 2, 3, 4, 10: median 3; |x - 3| = 2, 1, 0, 1, 7 -> median 1 -> MADe = 1.483;
    # u = 1.25 x 1.483 / sqrt(5) = 1.85375 / 2.2360680 = 0.8290222
    response = score(
        {"consensus": "median", "participants": [participant(str(x), x) for x in (1, 2, 3, 4, 10)]}
    )
    assert response["assigned_value"]["value"] == 3
    assert math.isclose(response["assigned_value"]["standard_uncertainty"], 0.8290222, abs_tol=5e-8)


def test_a_score_without_its_inputs_is_null_with_the_reason() -> None:
    response = score({"assigned_value": REFERENCE, "participants": [participant("A", 0.05)]})
    (row,) = response["participants"]
    assert (row["z"], row["En"], row["PA"], row["u_flag"]) == (None, None, None, None)
    assert row["verdicts"] == {"En": None, "z": None, "z_prime": None, "zeta": None}
    assert (
        "no sigma_pt is set: z, z' and the uncertainty flags are not given" in response["warnings"]
    )
    assert "PA is not given: no delta_e is set" in response["warnings"]


@pytest.mark.parametrize(
    ("request_", "location", "words"),
    [
        (
            {"assigned_value": {**REFERENCE, "expanded_uncertainty": 0}},
            ("assigned_value", "expanded_uncertainty"),
            "greater than zero",
        ),
        (
            {
                "participants": [
                    {"id": "A", "value": 1, "expanded_uncertainty": -1, "coverage_factor": 2}
                ]
            },
            ("participants", 0, "expanded_uncertainty"),
            "greater than zero",
        ),
        (
            {
                "participants": [
                    {"id": "A", "value": 1, "expanded_uncertainty": 1, "coverage_factor": 0}
                ]
            },
            ("participants", 0, "coverage_factor"),
            "k must be greater than zero",
        ),
        (
            {
                "assigned_value": None,
                "consensus": "algorithm_a",
                "participants": [participant("A", 1)],
            },
            ("participants",),
            "one participant",
        ),
        (
            {
                "assigned_value": None,
                "consensus": "algorithm_a",
                "participants": [participant(str(i), 5.0) for i in range(4)],
            },
            ("consensus",),
            "robust SD is zero",
        ),
        (
            {"assigned_value": None, "consensus": None, "participants": [participant("A", 1)]},
            ("assigned_value",),
            "consensus method",
        ),
        (
            {
                "participants": [
                    {**participant("A", 1), "unit": "mm"},
                    {**participant("B", 1), "unit": "um"},
                ]
            },
            ("participants",),
            "different units",
        ),
        ({"sigma_pt": 0}, ("sigma_pt",), "greater than zero"),
    ],
)
def test_bad_input_is_refused_naming_the_field(request_: dict, location: tuple, words: str) -> None:
    body = {"assigned_value": REFERENCE, "participants": [participant("A", 1, 0.1)], **request_}
    with pytest.raises(InvalidInput) as refused:
        score(body)
    assert refused.value.location == location
    assert words in refused.value.message


def test_a_round_without_participants_is_refused_by_its_schema() -> None:
    with pytest.raises(ValidationError):
        score({"assigned_value": REFERENCE, "participants": []})
