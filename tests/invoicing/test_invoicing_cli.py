"""``lims invoicing export``: the demo month to a CSV file, once; a dry run marks nothing;
bad input is one line on stderr and exit status 2."""

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine

from lims.clock import local_today
from lims.config import Settings
from tests.conftest import load_demo
from tests.test_cli import run_cli


@pytest.fixture
def month(
    monkeypatch: pytest.MonkeyPatch, engine: Engine, settings: Settings, database_url: str
) -> str:
    load_demo(engine, settings)
    monkeypatch.setenv("LIMS_DATABASE_URL", database_url)
    monkeypatch.setenv("LIMS_DATA_DIR", str(settings.data_dir))
    return local_today(settings.timezone).strftime("%Y-%m")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_demo_month_is_exported_to_a_csv_file_once(
    month: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("invoicing", "export", "--period", month, "--dry-run", "--format", "json") == 0
    assert '"job_number": "TY-' in capsys.readouterr().out
    target = tmp_path / "laskutus.csv"

    assert run_cli("invoicing", "export", "--period", month, "--output", str(target)) == 0

    assert "exported LP-" in capsys.readouterr().err
    with target.open(encoding="utf-8", newline="") as exported:
        rows = list(csv.DictReader(exported, delimiter=";"))
    assert [row["gross"] for row in rows] == ["93,37", "93,37"]
    assert run_cli("invoicing", "export", "--period", month) == 2
    err = capsys.readouterr().err
    assert err.startswith("lims: the period") and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--period", "2026-11-31"], "give the period as"),
        (["--period", "2026-12-01..2026-11-01"], "ends before it begins"),
        (["--period", "2026-11", "--format", "xlsx"], "--format takes csv or json"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("invoicing", "export", *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("lims: ") and message in err
    assert len(err.strip().splitlines()) == 1
