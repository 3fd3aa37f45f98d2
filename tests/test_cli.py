"""The ``lims`` command: versions, migrations, demo data, and one-line errors with exit 2."""

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from lims import __version__
from lims.cli import main
from lims.db import make_engine
from lims.demo import DEMO_USERS
from tests.conftest import row_counts


def run_cli(*argv: str) -> int:
    try:
        main(list(argv))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


@pytest.fixture
def environment_for(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[str], None]:
    def point_at(database_url: str) -> None:
        monkeypatch.setenv("LIMS_DATABASE_URL", database_url)
        monkeypatch.setenv("LIMS_DATA_DIR", str(tmp_path / "data"))

    return point_at


def test_version_is_printed_by_the_installed_command() -> None:
    lims = [sys.executable, "-c", "from lims.cli import main; main()", "--version"]
    completed = subprocess.run(lims, capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == f"lims {__version__}"


def test_db_upgrade_then_demo_twice_changes_nothing_the_second_time(
    environment_for: Callable[[str], None],
    empty_database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    environment_for(empty_database_url)
    assert run_cli("db", "upgrade") == 0
    assert run_cli("demo") == 0
    assert "91 new records" in capsys.readouterr().out
    engine: Engine = make_engine(empty_database_url)
    after_first = row_counts(engine)
    assert run_cli("demo") == 0
    assert "0 new records" in capsys.readouterr().out
    assert row_counts(engine) == after_first
    engine.dispose()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["no-such-command"], "No such command"),
        (["db", "upgrade", "nonsense"], "Can't locate revision"),
        (["serve", "--workers", "0"], "workers"),
    ],
)
def test_errors_print_one_line_and_exit_2(
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    environment_for: Callable[[str], None],
    tmp_path: Path,
) -> None:
    environment_for(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert run_cli(*argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("lims: ")
    assert message in err


def test_unreachable_database_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], environment_for: Callable[[str], None]
) -> None:
    environment_for("postgresql+psycopg://nobody:wrong@127.0.0.1:1/none")
    assert run_cli("demo") == 2
    err = capsys.readouterr().err
    assert err.startswith("lims: database error")
    assert len(err.strip().splitlines()) == 1


def test_create_admin_makes_an_administrator_with_the_given_password(
    environment_for: Callable[[str], None],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    environment_for(database_url)
    monkeypatch.setenv("LIMS_ADMIN_PASSWORD", "a-long-admin-password")
    assert run_cli("users", "create-admin", "--username", "root", "--full-name", "Root Admin") == 0
    assert "administrator root created" in capsys.readouterr().out
    engine = make_engine(database_url)
    with engine.connect() as connection:
        roles = connection.execute(
            text("SELECT roles FROM user_account WHERE username = 'root'")
        ).scalar_one()
    engine.dispose()
    assert "admin" in str(roles)


def test_create_admin_refuses_a_short_password_and_creates_nothing(
    environment_for: Callable[[str], None],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    environment_for(database_url)
    engine = make_engine(database_url)
    before = row_counts(engine)
    monkeypatch.setenv("LIMS_ADMIN_PASSWORD", "short")
    assert run_cli("users", "create-admin", "--username", "root", "--full-name", "Root") == 2
    err = capsys.readouterr().err
    assert err.startswith("lims: ")
    assert "12 characters" in err
    assert len(err.strip().splitlines()) == 1
    assert row_counts(engine) == before
    engine.dispose()


def test_readme_lists_every_demo_login() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for user in DEMO_USERS:
        assert f"| `{user.username}` | `{user.password}` |" in readme
