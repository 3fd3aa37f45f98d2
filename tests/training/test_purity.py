"""The RR statistics are pure: importing them loads no database, web or template code."""

import subprocess
import sys

FORBIDDEN = ("sqlalchemy", "sqlmodel", "fastapi", "starlette", "jinja2", "babel", "typer")
PURE = (
    "lims.training.rr",
    "lims.training.rr.anova",
    "lims.training.rr.average_range",
    "lims.training.rr.type1",
    "lims.training.rr.linearity",
    "lims.training.rr.charts",
)


def test_importing_the_rr_statistics_loads_no_database_web_or_template_code() -> None:
    code = (
        f"import sys, {', '.join(PURE)}; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"
