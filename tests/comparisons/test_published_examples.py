"""The statistics reproduce the worked examples of ISO 13528:2022 Annex E.

The data and the printed results are transcribed from the standard in the public repository
kanunimurat/pt13528 (LGPL-3.0), file tests/annex_e_data.py at commit
0b1947e84ffc2280cd89b3cb792358acd85d7866 (E.1 Table E.1, E.3 Table E.4/E.5, E.4 Tables
E.6/E.7, E.7); its tests/printed_values.py (commit 28f6a203321dc31f15d148f57de196024f32d0cb)
notes where the printed numbers disagree with the standard's own text (E.1 third column,
E.3 the median's u following nIQR, E.4 the 9.8 flags), which are therefore not used here.
Each expectation is the printed number, checked to half a unit of its last printed digit.
"""

import math

import pytest

from lims.comparisons import robust, score

# E.3, Table E.4: atrazine in drinking water, 34 participants (ug/l)
ATRAZINE = [0.040, 0.055, 0.178, 0.202, 0.206, 0.227, 0.228, 0.230, 0.230, 0.235, 0.236, 0.237,
            0.243, 0.244, 0.245, 0.2555, 0.260, 0.264, 0.267, 0.270, 0.273, 0.274, 0.274, 0.278,
            0.2811, 0.287, 0.287, 0.288, 0.289, 0.295, 0.296, 0.311, 0.331, 0.4246]  # fmt: skip
# E.4, Tables E.6 and E.7: mercury in animal feed (mg/kg), x_pt = 0.044, U(x_pt) = 0.0082
# (k = 2), sigma_pt = 0.0066, delta_E = 3 sigma_pt.  Per participant: value, U, k, and the
# printed D%, PA, z, z', zeta, En.
MERCURY_X_PT, MERCURY_U, MERCURY_SIGMA = 0.044, 0.0082, 0.0066
MERCURY = [
    ("L04", 0.013, 0.003, 2, -70.5, -156.6, -4.70, -3.99, -7.10, -3.55),
    ("L05", 0.013, 0.007, 2, -70.5, -156.6, -4.70, -3.99, -5.75, -2.88),
    ("L23", 0.0135, 0.00108, 1.732, -69.3, -154.0, -4.62, -3.93, -7.35, -3.69),
    ("L02", 0.014, 0.004, 2, -68.2, -151.5, -4.55, -3.86, -6.58, -3.29),
    ("L15", 0.014, 0.0005, 2, -68.2, -151.5, -4.55, -3.86, -7.30, -3.65),
    ("L06", 0.016, 0.003, 2, -63.6, -141.4, -4.24, -3.60, -6.41, -3.21),
    ("L09", 0.017, 0.008, 2, -61.4, -136.4, -4.09, -3.47, -4.71, -2.36),
    ("L26", 0.019, 0.003, 2, -56.8, -126.3, -3.79, -3.22, -5.73, -2.86),
    ("L12", 0.0239, 0.0036, 2, -45.7, -101.5, -3.05, -2.59, -4.49, -2.24),
    ("L03", 0.037, 0.013, 2, -15.9, -35.4, -1.06, -0.90, -0.91, -0.46),
    ("L29", 0.039, 0.007, 2, -11.4, -25.3, -0.76, -0.64, -0.93, -0.46),
    ("L07", 0.04, 0.008, 2, -9.1, -20.2, -0.61, -0.51, -0.70, -0.35),
    ("L21", 0.04, 0.03, 2, -9.1, -20.2, -0.61, -0.51, -0.26, -0.13),
    ("L25", 0.040, 0.010, 2, -9.1, -20.2, -0.61, -0.51, -0.62, -0.31),
    ("L16", 0.0424, 0.008, 2, -3.6, -8.1, -0.24, -0.21, -0.28, -0.14),
    ("L08", 0.044, 0.007, 2, 0.0, 0.0, 0.00, 0.00, 0.00, 0.00),
    ("L10", 0.045, 0.007, 2, 2.3, 5.1, 0.15, 0.13, 0.19, 0.09),
    ("L24", 0.045, 0.005, 2, 2.3, 5.1, 0.15, 0.13, 0.21, 0.10),
    ("L18", 0.046, 0.007, 2, 4.5, 10.1, 0.30, 0.26, 0.37, 0.19),
    ("L28", 0.049, 0.0072, 2, 11.4, 25.3, 0.76, 0.64, 0.92, 0.46),
    ("L01", 0.053, 0.007, 2, 20.5, 45.5, 1.36, 1.16, 1.67, 0.83),
]


def printed(decimals: int) -> float:
    """Half a unit of the last printed digit (plus a hair for binary floats)."""
    return 0.5 * 10**-decimals + 1e-12


def test_algorithm_a_median_made_niqr_and_mean_of_e3() -> None:
    # Table E.5: median 0.2620, nIQR 0.0402, MADe 0.0386; Algorithm A x* = 0.2570,
    # s* = 0.0395, u(x*) = 0.0085; arithmetic mean 0.2512, SD 0.0672, u = 0.0115.
    assert robust.median(ATRAZINE) == pytest.approx(0.2620, abs=printed(4))
    assert robust.niqr(ATRAZINE) == pytest.approx(0.0402, abs=printed(4))
    assert robust.made(ATRAZINE) == pytest.approx(0.0386, abs=printed(4))
    participants = [{"id": f"P{i}", "value": x} for i, x in enumerate(ATRAZINE)]
    by_algorithm_a = score({"consensus": "algorithm_a", "participants": participants})
    assert by_algorithm_a["assigned_value"]["method"] == "algorithm_a"
    assert by_algorithm_a["assigned_value"]["value"] == pytest.approx(0.2570, abs=printed(4))
    assert by_algorithm_a["statistics"]["algorithm_a"]["sd"] == pytest.approx(
        0.0395, abs=printed(4)
    )
    assert by_algorithm_a["assigned_value"]["standard_uncertainty"] == pytest.approx(
        0.0085, abs=printed(4)
    )
    by_mean = score({"consensus": "mean", "participants": participants})
    assert by_mean["assigned_value"]["value"] == pytest.approx(0.2512, abs=printed(4))
    assert by_mean["statistics"]["sd"] == pytest.approx(0.0672, abs=printed(4))
    assert by_mean["assigned_value"]["standard_uncertainty"] == pytest.approx(
        0.0115, abs=printed(4)
    )


def test_algorithm_a_of_e1_censored_results_deleted() -> None:
    # Table E.1, second column (results "<10" deleted): x* = 26.81, s* = 5.29
    estimate = robust.algorithm_a(
        [12, 19, 20, 23, 23, 25, 25, 26, 28, 28, 28, 29, 30, 30, 31, 32, 32, 45]
    )
    assert estimate is not None
    assert estimate.mean == pytest.approx(26.81, abs=printed(2))
    assert estimate.sd == pytest.approx(5.29, abs=printed(2))


def test_every_score_of_e4_mercury_in_feed() -> None:
    response = score(
        {
            "assigned_value": {
                "value": MERCURY_X_PT,
                "expanded_uncertainty": MERCURY_U,
                "coverage_factor": 2,
            },
            "sigma_pt": MERCURY_SIGMA,
            "delta_e": 3 * MERCURY_SIGMA,
            "participants": [
                {"id": code, "value": x, "expanded_uncertainty": u, "coverage_factor": k}
                for code, x, u, k, *_ in MERCURY
            ],
        }
    )
    assert response["assigned_value"]["standard_uncertainty"] == pytest.approx(0.0041)
    for row, (code, *_, d_pct, pa, z, z_prime, zeta, en) in zip(
        response["participants"], MERCURY, strict=True
    ):
        assert row["id"] == code
        assert row["D_percent"] == pytest.approx(d_pct, abs=printed(1)), code
        assert row["PA"] == pytest.approx(pa, abs=printed(1)), code
        assert row["z"] == pytest.approx(z, abs=printed(2)), code
        assert row["z_prime"] == pytest.approx(z_prime, abs=printed(2)), code
        assert row["zeta"] == pytest.approx(zeta, abs=printed(2)), code
        assert row["En"] == pytest.approx(en, abs=printed(2)), code
    verdicts = {row["id"]: row["verdicts"] for row in response["participants"]}
    # |z| = 4.70 > 3; |En| = 3.55 > 1; L12 z' = -2.59 is questionable; L01 zeta 1.67 is fine
    assert verdicts["L04"] == {
        "En": "unsatisfactory",
        "z": "unsatisfactory",
        "z_prime": "unsatisfactory",
        "zeta": "unsatisfactory",
    }
    assert verdicts["L12"]["z_prime"] == "questionable"
    assert verdicts["L01"] == {
        "En": "satisfactory",
        "z": "satisfactory",
        "z_prime": "satisfactory",
        "zeta": "satisfactory",
    }
    # u(x_pt) = 0.0041 > 0.3 sigma_pt = 0.00198: the standard says use z' (9.2.1)
    assert any("z'" in warning for warning in response["warnings"])


def test_consensus_checked_against_the_reference_value_e7() -> None:
    # E.7: Algorithm A of the 21 mercury results gives x* = 0.03161, s* = 0.0164,
    # u(x*) = 0.0045; against x_ref = 0.044 with u = 0.0041: x_diff = 0.012, u_diff = 0.0061.
    response = score(
        {
            "assigned_value": {"value": MERCURY_X_PT, "standard_uncertainty": 0.0041},
            "consensus": "algorithm_a",
            "participants": [{"id": row[0], "value": row[1]} for row in MERCURY],
        }
    )
    algorithm_a = response["statistics"]["algorithm_a"]
    assert algorithm_a["mean"] == pytest.approx(0.03161, abs=printed(5))
    assert algorithm_a["sd"] == pytest.approx(0.0164, abs=printed(4))
    assert algorithm_a["standard_uncertainty"] == pytest.approx(0.0045, abs=printed(4))
    check = response["consensus_check"]
    assert check["difference"] == pytest.approx(0.012, abs=printed(3))
    assert check["standard_uncertainty_of_difference"] == pytest.approx(0.0061, abs=printed(4))
    # 0.0124 > 2 x 0.0061: the consensus is not compatible with the reference value
    assert check["compatible"] is False
    assert response["assigned_value"]["method"] == "reference"


def test_en_uses_u_equal_2u_for_an_assigned_value_given_by_its_standard_uncertainty() -> None:
    # By hand: D = 10.3 - 10.0 = 0.3; U(X) = 2 x 0.1 = 0.2, U(x) = 0.4:
    # En = 0.3 / sqrt(0.04 + 0.16) = 0.3 / 0.4472136 = 0.6708204
    # zeta = 0.3 / sqrt(0.2^2 + 0.1^2) = 0.3 / 0.2236068 = 1.3416408
    response = score(
        {
            "assigned_value": {"value": 10.0, "standard_uncertainty": 0.1},
            "participants": [
                {"id": "A", "value": 10.3, "expanded_uncertainty": 0.4, "coverage_factor": 2}
            ],
        }
    )
    (row,) = response["participants"]
    assert math.isclose(row["En"], 0.6708204, abs_tol=5e-8)
    assert math.isclose(row["zeta"], 1.3416408, abs_tol=5e-8)
