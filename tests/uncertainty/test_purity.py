"""The engine is pure: importing it loads no database, web or template code."""

import subprocess
import sys

FORBIDDEN = (
    "sqlalchemy",
    "sqlmodel",
    "fastapi",
    "starlette",
    "jinja2",
    "babel",
    "typer",
    "psycopg",
)


def test_importing_the_engine_loads_no_database_web_or_template_code() -> None:
    code = (
        "import sys, lims.uncertainty; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"
