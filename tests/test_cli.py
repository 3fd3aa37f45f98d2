"""The ``lims`` command: versions, migrations, demo data, and one-line errors with exit 2."""

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from lims import __version__
from lims.accounts.models import Role, User
from lims.accounts.passwords import verify_password
from lims.audit.models import AuditEvent
from lims.cli import main
from lims.db import make_engine
from lims.demo import DEMO_USERS
from tests.conftest import row_counts
from tests.factories import make_user


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


#: What the command must not load before it needs it: each costs a noticeable part of a second
#: (WeasyPrint, pyHanko, SciPy, the database layer, the server) or drags such a part in.
HEAVY = (
    "alembic", "fastapi", "matplotlib", "numpy", "pydantic_settings", "pyhanko", "scipy",
    "sqlalchemy", "sqlmodel", "uvicorn", "weasyprint",
    "lims.app", "lims.config", "lims.db", "lims.demo", "lims.documents", "lims.records",
    "lims.training", "lims.uncertainty",
)  # fmt: skip

# Runs the command in a fresh interpreter, then prints which of the modules named in argv[1]
# (JSON) it loaded, as the last line on stdout.
PROBE = """
import json, sys
from lims.cli import main
watched = json.loads(sys.argv.pop(1))
try:
    main(sys.argv[1:])
except SystemExit as exit_:
    status = exit_.code or 0
else:
    status = 0
print(json.dumps({"status": status, "loaded": [m for m in watched if m in sys.modules]}))
"""


def probe(
    *argv: str, watched: tuple[str, ...] = HEAVY, env: dict[str, str] | None = None
) -> tuple[str, str, int, list[str]]:
    """Run ``lims ARGV`` in a new process: its stdout, stderr, exit status and the watched
    modules it imported."""
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(watched), *argv],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    *output, last = completed.stdout.splitlines()
    outcome = json.loads(last)
    return "\n".join(output), completed.stderr, outcome["status"], outcome["loaded"]


@pytest.mark.parametrize(
    "argv",
    [["--version"], ["--help"], ["uncertainty", "--help"], ["documents", "issue", "--help"]],
)
def test_version_and_help_import_nothing_of_the_product(argv: list[str]) -> None:
    out, err, status, loaded = probe(*argv)
    assert (status, err, loaded) == (0, "", [])
    if argv == ["--version"]:
        assert out == f"lims {__version__}"
    else:
        assert "Usage: lims" in out


def test_a_command_imports_only_what_it_uses(tmp_path: Path) -> None:
    request = {
        "model": "a + b",
        "output": "y",
        "inputs": [
            {"name": "a", "distribution": "normal", "value": 1.0, "standard_uncertainty": 0.1},
            {"name": "b", "distribution": "rectangular", "value": 2.0, "half_width": 0.2},
        ],
        "method": "both",
        "mcm": {"trials": 10000, "seed": 1},
    }
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request))
    out, _, status, loaded = probe("uncertainty", "evaluate", str(path))
    assert status == 0
    assert json.loads(out)["outputs"][0]["value"] == pytest.approx(3.0)
    # The engine is pure: no database, documents, web or settings behind its command.
    assert sorted(loaded) == ["lims.uncertainty", "numpy", "scipy"]


def test_a_failure_of_a_lazily_imported_library_is_still_one_line_and_exit_2(
    tmp_path: Path,
) -> None:
    environment = {
        **os.environ,
        "LIMS_DATABASE_URL": f"sqlite:///{tmp_path}/no/such/folder.db",
        "LIMS_DATA_DIR": str(tmp_path / "data"),
    }
    _, err, status, loaded = probe("audit", "verify", env=environment)
    assert status == 2
    assert err.startswith("lims: database error")
    assert len(err.strip().splitlines()) == 1
    assert "sqlalchemy" in loaded


def test_signing_and_verifying_print_no_warnings_of_dependencies(
    database_url: str, tmp_path: Path
) -> None:
    environment = {
        **os.environ,
        "LIMS_DATABASE_URL": database_url,
        "LIMS_DATA_DIR": str(tmp_path / "data"),
    }
    _, err, status, loaded = probe("demo", watched=("pyhanko.sign",), env=environment)
    # The demo signs its certificates through pyHanko, as issuing does.
    assert (status, loaded, err) == (0, ["pyhanko.sign"], "")
    engine = make_engine(database_url)
    with engine.connect() as connection:
        number = connection.execute(text("SELECT number FROM document LIMIT 1")).scalar_one()
    engine.dispose()
    out, err, status, _ = probe("documents", "verify", number, env=environment)
    assert (status, err) == (0, "")
    assert json.loads(out)["state"] == "issued"


def test_db_upgrade_then_demo_twice_changes_nothing_the_second_time(
    environment_for: Callable[[str], None],
    empty_database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    environment_for(empty_database_url)
    assert run_cli("db", "upgrade") == 0
    assert run_cli("demo") == 0
    # 91, the CMM and B2 jobs of #22, a contact for each of the 3 customers (#23), the
    # Swedish-reading user of Tarkkuusosa Ab (#25), the contract reviews of the annual
    # agreement and the ad-hoc order (#32) and the Estonian reverse-charge quotation (#33)
    assert "100 new records" in capsys.readouterr().out
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


def test_reset_password_prints_a_temporary_password_that_must_be_changed(
    environment_for: Callable[[str], None],
    database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    environment_for(database_url)
    engine = make_engine(database_url)
    admin = make_user(engine, Role.ADMIN)
    assert run_cli("users", "reset-password", admin.username.upper()) == 0
    temporary = capsys.readouterr().out.split(": ", 1)[1].splitlines()[0]
    with Session(engine) as db_session:
        reset = db_session.get_one(User, admin.id)
        events = db_session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "user_account", AuditEvent.entity_id == str(admin.id))
            .order_by(col(AuditEvent.id))
        ).all()
    engine.dispose()
    assert verify_password(reset.password_hash, temporary)
    assert reset.must_change_password
    assert events[-1].actor == "system:cli"
    assert events[-1].reason == "password reset by an administrator"
    assert reset.token_generation == admin.token_generation + 1


def test_reset_password_of_an_unknown_user_is_one_line_and_exit_2(
    environment_for: Callable[[str], None],
    database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    environment_for(database_url)
    assert run_cli("users", "reset-password", "nobody") == 2
    assert capsys.readouterr().err == "lims: there is no user nobody\n"


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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("documents", "verify", "--file"), "it is a folder, not a file"),
        (("cad", "inspect"), "it is a folder, not a file"),
    ],
)
def test_a_folder_given_as_a_file_is_refused_in_one_line_saying_so(
    argv: tuple[str, ...], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(*argv, str(tmp_path)) == 2
    error = capsys.readouterr().err
    assert error.strip() == f"lims: cannot read {tmp_path}: {message}"


def test_serve_publishes_the_port_it_listens_on_as_the_documents_address(
    monkeypatch: pytest.MonkeyPatch, environment_for: Callable[[str], None], tmp_path: Path
) -> None:
    import uvicorn

    from lims.config import Settings

    environment_for(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.delenv("LIMS_PUBLIC_URL", raising=False)
    # Set here so that the test's end restores them: serve sets them for its workers.
    monkeypatch.setenv("LIMS_HOST", "127.0.0.1")
    monkeypatch.setenv("LIMS_PORT", "8000")
    served: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda *_, **__: served.append(Settings().public_url))
    assert run_cli("serve", "--port", "8765") == 0
    assert served == ["http://127.0.0.1:8765"]
