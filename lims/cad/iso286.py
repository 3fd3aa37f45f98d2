"""ISO 286 limits and fits: a tolerance class such as ``G6`` or ``h7`` at a nominal size,
resolved to its deviations in millimetres.

Values are those of ISO 286-1:2010 Table 1 (standard tolerance grades IT1 to IT18) and
Tables 2 and 3 (fundamental deviations of shafts and holes), as reproduced in ISO 286-2:2010.
Coverage: nominal sizes above 0 up to 500 mm; grades IT1 to IT18; holes D E F G H JS K M N P
R S and shafts d e f g h js k m n p r s (the classes of ordinary fits: clearance, transition
and the lighter interference fits).  Anything else is refused with a message, never guessed.

>>> deviations("G6", 20.0)     # 18-30 mm: EI = +7 um, IT6 = 13 um
(0.02, 0.007)
>>> deviations("h7", 25.0)
(0.0, -0.021)
>>> deviations("K7", 25.0)     # ES = -ei(k) + delta = -2 + (21 - 13) = +6 um
(0.006, -0.015)
"""

import re
from bisect import bisect_left

# Upper ends of the nominal size steps (mm); a size belongs to the first step it does not exceed.
STEPS = (3, 6, 10, 18, 30, 50, 80, 120, 180, 250, 315, 400, 500)

# ISO 286-1 Table 1, micrometres (IT12 and above are whole multiples of IT7 ... as tabled).
IT = {
    1: (0.8, 1, 1, 1.2, 1.5, 1.5, 2, 2.5, 3.5, 4.5, 6, 7, 8),
    2: (1.2, 1.5, 1.5, 2, 2.5, 2.5, 3, 4, 5, 7, 8, 9, 10),
    3: (2, 2.5, 2.5, 3, 4, 4, 5, 6, 8, 10, 12, 13, 15),
    4: (3, 4, 4, 5, 6, 7, 8, 10, 12, 14, 16, 18, 20),
    5: (4, 5, 6, 8, 9, 11, 13, 15, 18, 20, 23, 25, 27),
    6: (6, 8, 9, 11, 13, 16, 19, 22, 25, 29, 32, 36, 40),
    7: (10, 12, 15, 18, 21, 25, 30, 35, 40, 46, 52, 57, 63),
    8: (14, 18, 22, 27, 33, 39, 46, 54, 63, 72, 81, 89, 97),
    9: (25, 30, 36, 43, 52, 62, 74, 87, 100, 115, 130, 140, 155),
    10: (40, 48, 58, 70, 84, 100, 120, 140, 160, 185, 210, 230, 250),
    11: (60, 75, 90, 110, 130, 160, 190, 220, 250, 290, 320, 360, 400),
    12: (100, 120, 150, 180, 210, 250, 300, 350, 400, 460, 520, 570, 630),
    13: (140, 180, 220, 270, 330, 390, 460, 540, 630, 720, 810, 890, 970),
    14: (250, 300, 360, 430, 520, 620, 740, 870, 1000, 1150, 1300, 1400, 1550),
    15: (400, 480, 580, 700, 840, 1000, 1200, 1400, 1600, 1850, 2100, 2300, 2500),
    16: (600, 750, 900, 1100, 1300, 1600, 1900, 2200, 2500, 2900, 3200, 3600, 4000),
    17: (1000, 1200, 1500, 1800, 2100, 2500, 3000, 3500, 4000, 4600, 5200, 5700, 6300),
    18: (1400, 1800, 2200, 2700, 3300, 3900, 4600, 5400, 6300, 7200, 8100, 8900, 9700),
}

# ISO 286-1 Table 2: upper deviation es of shafts d-h (micrometres), per main step.
SHAFT_ES = {
    "d": (-20, -30, -40, -50, -65, -80, -100, -120, -145, -170, -190, -210, -230),
    "e": (-14, -20, -25, -32, -40, -50, -60, -72, -85, -100, -110, -125, -135),
    "f": (-6, -10, -13, -16, -20, -25, -30, -36, -43, -50, -56, -62, -68),
    "g": (-2, -4, -5, -6, -7, -9, -10, -12, -14, -15, -17, -18, -20),
    "h": (0,) * 13,
}
# Table 3: lower deviation ei of shafts k-p, per main step (k: grades IT4 to IT7).
SHAFT_EI = {
    "k": (0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 5),
    "m": (2, 4, 6, 7, 8, 9, 11, 13, 15, 17, 20, 21, 23),
    "n": (4, 8, 10, 12, 15, 17, 20, 23, 27, 31, 34, 37, 40),
    "p": (6, 12, 15, 18, 22, 26, 32, 37, 43, 50, 56, 62, 68),
}
# r and s change inside the main steps above 50 mm: (upper end of the sub-step, ei).
SHAFT_EI_SUBSTEPS = {
    "r": (
        (3, 10), (6, 15), (10, 19), (18, 23), (30, 28), (50, 34), (65, 41), (80, 43),
        (100, 51), (120, 54), (140, 63), (160, 65), (180, 68), (200, 77), (225, 80),
        (250, 84), (280, 94), (315, 98), (355, 108), (400, 114), (450, 126), (500, 132),
    ),
    "s": (
        (3, 14), (6, 19), (10, 23), (18, 28), (30, 35), (50, 43), (65, 53), (80, 59),
        (100, 71), (120, 79), (140, 92), (160, 100), (180, 108), (200, 122), (225, 130),
        (250, 140), (280, 158), (315, 170), (355, 190), (400, 208), (450, 232), (500, 252),
    ),
}  # fmt: skip
_CLASS = re.compile(r"\s*([A-Za-z]{1,2})\s*(\d{1,2})\s*")


class FitError(ValueError):
    """The tolerance class or size is outside the table."""


def _step(size_mm: float) -> int:
    if not 0 < size_mm <= STEPS[-1]:
        raise FitError(f"ISO 286 tables here cover sizes above 0 up to 500 mm, not {size_mm:g}")
    return bisect_left(STEPS, size_mm)


def standard_tolerance(grade: int, size_mm: float) -> float:
    """IT ``grade`` at the size, in micrometres."""
    if grade not in IT:
        raise FitError(f"IT{grade} is not covered (IT1 to IT18)")
    return IT[grade][_step(size_mm)]


def _shaft_ei(letter: str, grade: int, size_mm: float) -> float:
    if letter in SHAFT_EI_SUBSTEPS:
        return next(ei for upper, ei in SHAFT_EI_SUBSTEPS[letter] if size_mm <= upper)
    if letter == "k" and not 4 <= grade <= 7:
        return 0  # Table 3: k has ei = 0 for grades up to IT3 and above IT7
    return SHAFT_EI[letter][_step(size_mm)]


def _shaft(letter: str, grade: int, size_mm: float) -> tuple[float, float]:
    tolerance = standard_tolerance(grade, size_mm)
    if letter == "js":
        return _js(tolerance, grade)
    if letter in SHAFT_ES:
        es = SHAFT_ES[letter][_step(size_mm)]
        return es, es - tolerance
    if letter in SHAFT_EI or letter in SHAFT_EI_SUBSTEPS:
        ei = _shaft_ei(letter, grade, size_mm)
        return ei + tolerance, ei
    raise FitError(f"shaft deviation {letter!r} is not covered (d e f g h js k m n p r s)")


def _hole(letter: str, grade: int, size_mm: float) -> tuple[float, float]:
    tolerance = standard_tolerance(grade, size_mm)
    shaft = letter.lower()
    if letter == "JS":
        return _js(tolerance, grade)
    if shaft in SHAFT_ES:  # A to H mirror the shafts: EI = -es
        ei = -SHAFT_ES[shaft][_step(size_mm)]
        return ei + tolerance, ei
    if shaft not in SHAFT_EI and shaft not in SHAFT_EI_SUBSTEPS:
        raise FitError(f"hole deviation {letter!r} is not covered (D E F G H JS K M N P R S)")
    # Table 3, the "delta" rule: ES = -ei + delta for K, M, N up to IT8 and P to ZC up to
    # IT7, where delta = IT(n) - IT(n-1); for sizes up to 3 mm delta is 0.
    delta = 0.0
    if size_mm > 3 and grade >= 3 and grade <= (8 if shaft in "kmn" else 7):
        delta = standard_tolerance(grade, size_mm) - standard_tolerance(grade - 1, size_mm)
    if shaft == "k":
        es = -_shaft_ei("k", 5, size_mm) + delta if grade <= 8 else 0.0
    elif shaft == "n" and grade > 8:
        es = 0.0
    elif shaft == "m" and grade == 6 and 250 < size_mm <= 315:
        es = -9.0  # Table 3 footnote: M6 from 250 to 315 mm
    else:
        es = -_shaft_ei(shaft, grade, size_mm) + delta
    return es, es - tolerance


def _js(tolerance: float, grade: int) -> tuple[float, float]:
    # ISO 286-1: for IT7 to IT11 an odd IT value in micrometres is rounded down to even.
    if 7 <= grade <= 11 and tolerance % 2 == 1:
        tolerance -= 1
    return tolerance / 2, -tolerance / 2


def deviations(tolerance_class: str, size_mm: float) -> tuple[float, float]:
    """(upper, lower) deviation in mm of e.g. ``G6`` (a hole) or ``g6`` (a shaft)."""
    match = _CLASS.fullmatch(tolerance_class)
    if not match:
        raise FitError(f"{tolerance_class!r} is not an ISO 286 tolerance class such as H7 or g6")
    letter, grade = match.group(1), int(match.group(2))
    if letter.isupper():
        upper, lower = _hole(letter, grade, size_mm)
    elif letter.islower():
        upper, lower = _shaft(letter, grade, size_mm)
    else:
        raise FitError(f"{tolerance_class!r}: a hole is written in capitals, a shaft in lowercase")
    return round(upper / 1000, 6), round(lower / 1000, 6)
