"""Published gauge studies, transcribed, as RR-evaluate requests.

Sources (each test cites the table its numbers come from):

AIAG     Automotive Industry Action Group, Measurement Systems Analysis Reference Manual, 4th
         edition (2010), chapter III section B: the gauge R&R example of appraisers A, B and C
         (10 parts, 3 trials; data sheet with R-double-bar 0.3417, X-diff 0.4447, Rp 3.511,
         UCL_R 0.8815), the bias example (15 readings of a part of reference 6.00) and the
         linearity example (5 parts of references 2 to 10, 12 readings each).
MINITAB  Minitab Help, "Example of Crossed Gage R&R Study" (the AIAG data, process tolerance
         8): interaction p = 0.974 so removed; %Contribution Part-To-Part 92.24, Total Gage R&R
         7.76; Total Gage R&R 27.86 % of the study variation; 4 distinct categories.
MCNEESE  W. McNeese, "Three Ways to Analyze a Gage R&R Study", SPC for Excel (BPI Consulting),
         February 2015: the AIAG data by average and range (EV 0.202, AV 0.230, GRR 0.306,
         PV 1.105, TV 1.146; %EV 17.61, %AV 20.04, %GRR 26.68, %PV 96.37; ndc 5).
SPCXL    SPC for Excel, "Example: Linearity and Bias Study" (the AIAG linearity data, process
         sigma 2.756): regression, linearity, %linearity and the bias table.
DOE13    D. C. Montgomery, Design and Analysis of Experiments, 8th edition (Wiley 2013),
         Example 13.1, a measurement systems capability study: Table 13.1 (20 parts, 3
         operators, 2 readings), Table 13.2 (Minitab ANOVA with interaction and its variance
         components), Table 13.3 (the reduced model), Table 13.4 (JMP REML, per cent of total).
DOE14    The same book, Example 14.1, a two-stage nested design: Table 14.3 (coded purity, 3
         suppliers x 4 batches x 3 determinations), Table 14.6 (Minitab output); read as a
         nested gauge study with suppliers as operators and batches as parts.
"""

from typing import Any

# AIAG: operator -> trials -> the readings of parts 1..10.
AIAG_CROSSED = {
    "A": [
        [0.29, -0.56, 1.34, 0.47, -0.80, 0.02, 0.59, -0.31, 2.26, -1.36],
        [0.41, -0.68, 1.17, 0.50, -0.92, -0.11, 0.75, -0.20, 1.99, -1.25],
        [0.64, -0.58, 1.27, 0.64, -0.84, -0.21, 0.66, -0.17, 2.01, -1.31],
    ],
    "B": [
        [0.08, -0.47, 1.19, 0.01, -0.56, -0.20, 0.47, -0.63, 1.80, -1.68],
        [0.25, -1.22, 0.94, 1.03, -1.20, 0.22, 0.55, 0.08, 2.12, -1.62],
        [0.07, -0.68, 1.34, 0.20, -1.28, 0.06, 0.83, -0.34, 2.19, -1.50],
    ],
    "C": [
        [0.04, -1.38, 0.88, 0.14, -1.46, -0.29, 0.02, -0.46, 1.77, -1.49],
        [-0.11, -1.13, 1.09, 0.20, -1.07, -0.67, 0.01, -0.56, 1.45, -1.77],
        [-0.15, -0.96, 0.67, 0.11, -1.45, -0.49, 0.21, -0.49, 1.87, -2.16],
    ],
}
# AIAG bias example: 15 readings of a part whose reference value is 6.00.
AIAG_BIAS = [5.8, 5.7, 5.9, 5.9, 6.0, 6.1, 6.0, 6.1, 6.4, 6.3, 6.0, 6.1, 6.2, 5.6, 6.0]
# AIAG linearity example: reference value -> 12 readings.
AIAG_LINEARITY = {
    2: [2.7, 2.5, 2.4, 2.5, 2.7, 2.3, 2.5, 2.5, 2.4, 2.4, 2.6, 2.4],
    4: [5.1, 3.9, 4.2, 5.0, 3.8, 3.9, 3.9, 3.9, 3.9, 4.0, 4.1, 3.8],
    6: [5.8, 5.7, 5.9, 5.9, 6.0, 6.1, 6.0, 6.1, 6.4, 6.3, 6.0, 6.1],
    8: [7.6, 7.7, 7.8, 7.7, 7.8, 7.8, 7.8, 7.7, 7.8, 7.5, 7.6, 7.7],
    10: [9.1, 9.3, 9.5, 9.3, 9.4, 9.5, 9.5, 9.5, 9.6, 9.2, 9.3, 9.4],
}
# DOE13, Table 13.1: per part, operator 1 (two readings), operator 2, operator 3.
MONTGOMERY_CROSSED = [
    (21, 20, 20, 20, 19, 21), (24, 23, 24, 24, 23, 24), (20, 21, 19, 21, 20, 22),
    (27, 27, 28, 26, 27, 28), (19, 18, 19, 18, 18, 21), (23, 21, 24, 21, 23, 22),
    (22, 21, 22, 24, 22, 20), (19, 17, 18, 20, 19, 18), (24, 23, 25, 23, 24, 24),
    (25, 23, 26, 25, 24, 25), (21, 20, 20, 20, 21, 20), (18, 19, 17, 19, 18, 19),
    (23, 25, 25, 25, 25, 25), (24, 24, 23, 25, 24, 25), (29, 30, 30, 28, 31, 30),
    (26, 26, 25, 26, 25, 27), (20, 20, 19, 20, 20, 20), (19, 21, 19, 19, 21, 23),
    (25, 26, 25, 24, 25, 25), (19, 19, 18, 17, 19, 17),
]  # fmt: skip
# DOE14, Table 14.3: supplier -> its four batches -> three determinations (purity - 93).
MONTGOMERY_NESTED = {
    "1": [(1, -1, 0), (-2, -3, -4), (-2, 0, 1), (1, 4, 0)],
    "2": [(1, -2, -3), (0, 4, 2), (-1, 0, -2), (0, 3, 2)],
    "3": [(2, 4, 0), (-2, 0, 2), (1, -1, 2), (3, 2, 1)],
}


def aiag_readings() -> list[dict[str, Any]]:
    return [
        {"part": part, "operator": operator, "trial": trial, "value": value}
        for operator, trials in AIAG_CROSSED.items()
        for trial, row in enumerate(trials, start=1)
        for part, value in enumerate(row, start=1)
    ]


def aiag_study(**conventions: Any) -> dict[str, Any]:
    return {"design": "crossed", "measurements": aiag_readings(), **conventions}


def montgomery_crossed_study(**conventions: Any) -> dict[str, Any]:
    readings = [
        {"part": part, "operator": operator, "trial": trial, "value": row[2 * operator + trial - 3]}
        for part, row in enumerate(MONTGOMERY_CROSSED, start=1)
        for operator in (1, 2, 3)
        for trial in (1, 2)
    ]
    return {"design": "crossed", "measurements": readings, **conventions}


def montgomery_nested_study(**conventions: Any) -> dict[str, Any]:
    readings = [
        {"part": batch, "operator": supplier, "trial": k, "value": value}
        for supplier, batches in MONTGOMERY_NESTED.items()
        for batch, determinations in enumerate(batches, start=1)
        for k, value in enumerate(determinations, start=1)
    ]
    return {"design": "nested", "measurements": readings, **conventions}


def aiag_bias_study(**conventions: Any) -> dict[str, Any]:
    readings = [{"part": "1", "operator": "A", "value": value} for value in AIAG_BIAS]
    return {"design": "type1", "measurements": readings, "reference": 6.0, **conventions}


def aiag_linearity_study(**conventions: Any) -> dict[str, Any]:
    readings = [
        {"part": part, "reference": reference, "value": value}
        for part, (reference, values) in enumerate(AIAG_LINEARITY.items(), start=1)
        for value in values
    ]
    return {"design": "linearity", "measurements": readings, **conventions}


def printed(decimals: int) -> float:
    """Half a unit of the last printed digit (plus a hair for binary floats)."""
    return 0.5 * 10**-decimals + 1e-12
