"""Training and competence (service F): programmes, courses, sessions, enrolments, attendance,
assessment and completion; the competence records a completion or an RR test leaves; and the
RR test itself, the measurement system analysis of a measurer (:mod:`lims.training.rr`).

The statistics in :mod:`lims.training.rr` are pure: they import the standard library, NumPy,
SciPy, matplotlib and pydantic only, and run in a plain shell.
"""
