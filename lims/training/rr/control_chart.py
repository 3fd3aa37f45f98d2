"""Control chart constants by subgroup size (the trials of a study): A2 for the X-bar chart,
D3 and D4 for the R chart.  One table serves the average-and-range evaluation (its UCL_R) and
the charts, so a study has one R-chart limit.

D4 for 2 and 3 trials is the AIAG MSA Reference Manual's (4th edition, 2010), as its gauge
R&R data sheet prints it (UCL_R = R-double-bar x D4 with D4 = 3.27 for 2 trials and 2.58 for
3); the manual's worked example gives UCL_R = 0.3417 x 2.58 = 0.8815.  The data sheet covers
no other sizes and prints no A2: those, and D3 (zero below 7), are the control chart table of
the ASTM Manual on Presentation of Data and Control Chart Analysis (Table 49).

>>> CONSTANTS[3]
ChartConstants(a2=1.023, d3=0.0, d4=2.58)
"""

from dataclasses import dataclass

SOURCE = (
    "D4 for 2 and 3 trials as the AIAG MSA 4th ed. data sheet prints it; other D4, D3 and A2 "
    "from ASTM MNL 7 Table 49"
)


@dataclass(frozen=True)
class ChartConstants:
    a2: float
    d3: float
    d4: float


CONSTANTS = {
    2: ChartConstants(a2=1.880, d3=0.0, d4=3.27),
    3: ChartConstants(a2=1.023, d3=0.0, d4=2.58),
    4: ChartConstants(a2=0.729, d3=0.0, d4=2.282),
    5: ChartConstants(a2=0.577, d3=0.0, d4=2.114),
    6: ChartConstants(a2=0.483, d3=0.0, d4=2.004),
    7: ChartConstants(a2=0.419, d3=0.076, d4=1.924),
    8: ChartConstants(a2=0.373, d3=0.136, d4=1.864),
    9: ChartConstants(a2=0.337, d3=0.184, d4=1.816),
    10: ChartConstants(a2=0.308, d3=0.223, d4=1.777),
}


def constants_for(trials: int) -> ChartConstants | None:
    """The constants for subgroups of ``trials`` readings; None beyond the table."""
    return CONSTANTS.get(trials)


def described(trials: int) -> str:
    """The constants in words, for the conventions an evaluation reports."""
    found = constants_for(trials)
    if found is None:
        return f"no control chart limits for {trials} trials (the table covers 2 to 10)"
    return (
        f"R chart UCL_R = D4 x R-double-bar, LCL_R = D3 x R-double-bar, X-bar chart "
        f"+/- A2 x R-double-bar, for {trials} trials D4 = {found.d4:g}, D3 = {found.d3:g}, "
        f"A2 = {found.a2:g} ({SOURCE})"
    )
