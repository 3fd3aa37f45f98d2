"""Backups: a restore drill on both backends, and refusals of broken backups and targets."""

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.models import Role
from lims.audit.trail import verify_chain
from lims.backup.fingerprint import fingerprints
from lims.config import Settings
from lims.db import make_engine
from lims.storage import store_in
from tests.conftest import migrated_sqlite_url, row_counts, throwaway_postgres_database
from tests.documents.factories import make_document
from tests.factories import make_organisation, make_user
from tests.test_cli import run_cli


@pytest.fixture
def restore_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same backend as ``database_url``, to restore into."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'lims.sqlite3'}"
        return
    with throwaway_postgres_database() as url:
        yield url


def point_cli_at(monkeypatch: pytest.MonkeyPatch, database_url: str, data_dir: Path) -> None:
    monkeypatch.setenv("LIMS_DATABASE_URL", database_url)
    monkeypatch.setenv("LIMS_DATA_DIR", str(data_dir))
    monkeypatch.setenv("LIMS_ENVIRONMENT", "test")


def populate(engine: Engine, settings: Settings) -> None:
    """A little of everything a backup must carry: records, audit events, stored files."""
    customer = make_organisation(engine)
    make_user(engine, Role.TECHNICIAN)
    make_user(engine, Role.CUSTOMER, organisation=customer)
    make_document(engine, settings, customer)
    store_in(settings.data_dir).put([b"%PDF-1.7\n% a drawing \xe4\xf6\n"], max_bytes=1024)


def snapshot_of(database_url: str) -> tuple[dict, tuple[int, str]]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection, connection.begin():
            tables = fingerprints(connection)
        with Session(engine) as db_session:
            chain = verify_chain(db_session)
        assert chain.first_break is None
        return tables, (chain.events, chain.head)
    finally:
        engine.dispose()


def stored_bytes(data_dir: Path) -> dict[str, bytes]:
    store = store_in(data_dir)
    return {stored.sha256: store.read(stored.sha256) for stored in store.objects()}


def backed_up(
    engine: Engine, settings: Settings, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Path:
    populate(engine, settings)
    point_cli_at(monkeypatch, database_url, settings.data_dir)
    folder = settings.data_dir.parent / "backup"
    assert run_cli("backup", str(folder)) == 0
    return folder


@pytest.fixture
def backup_folder(
    engine: Engine, settings: Settings, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A backup of a small installation, on each backend."""
    return backed_up(engine, settings, database_url, monkeypatch)


@pytest.fixture
def sqlite_backup_folder(
    make_settings: Callable[..., Settings], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A backup of a small SQLite installation: the checks of a backup's files are the same
    on both backends, so the many ways of damaging one are tried on the quicker."""
    database_url = migrated_sqlite_url(tmp_path / "source.sqlite3")
    engine = make_engine(database_url)
    yield backed_up(engine, make_settings(database_url=database_url), database_url, monkeypatch)
    engine.dispose()


@pytest.mark.slow
def test_restore_drill_brings_back_every_record_audit_event_and_file(
    engine: Engine,
    settings: Settings,
    database_url: str,
    restore_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    populate(engine, settings)
    point_cli_at(monkeypatch, database_url, settings.data_dir)
    tables_at_backup, chain_at_backup = snapshot_of(database_url)
    files_at_backup = stored_bytes(settings.data_dir)
    assert run_cli("backup", str(tmp_path / "backup")) == 0
    # Work goes on after the backup; the restore brings back the backup's instant only.
    make_organisation(engine)

    restored_data = tmp_path / "restored-data"
    point_cli_at(monkeypatch, restore_url, restored_data)
    assert run_cli("restore", str(tmp_path / "backup")) == 0

    tables_restored, chain_restored = snapshot_of(restore_url)
    assert tables_restored == tables_at_backup
    assert chain_restored == chain_at_backup
    assert stored_bytes(restored_data) == files_at_backup
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    restored_engine = make_engine(restore_url)
    assert row_counts(restored_engine) == {
        name: table["rows"] for name, table in manifest["tables"].items()
    }
    restored_engine.dispose()
    assert "match the manifest" in capsys.readouterr().out


def _edit_manifest(folder: Path) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["tables"]["organisation"]["rows"] += 1
    path.write_text(json.dumps(manifest))


def _cut_database_short(folder: Path) -> None:
    database = folder / "database.sqlite3"
    database.write_bytes(database.read_bytes()[:-4096])


def _stored_files(folder: Path) -> list[Path]:
    return sorted(path for path in (folder / "files" / "objects").rglob("*") if path.is_file())


def _alter_a_stored_file(folder: Path) -> None:
    path = _stored_files(folder)[0]
    path.write_bytes(path.read_bytes().replace(b"%PDF", b"%PDX"))


DAMAGE = {
    "manifest edited": (_edit_manifest, "has been altered"),
    "manifest missing": (lambda folder: (folder / "manifest.json").unlink(), "no manifest.json"),
    "database cut short": (_cut_database_short, "altered or cut short"),
    "database missing": (lambda folder: (folder / "database.sqlite3").unlink(), "is missing"),
    "stored file altered": (_alter_a_stored_file, "does not match its name"),
    "stored file missing": (lambda folder: _stored_files(folder)[0].unlink(), "is missing"),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_restore_refuses_a_damaged_backup_in_one_line_and_touches_nothing(
    damage: str,
    sqlite_backup_folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    backup_folder = sqlite_backup_folder
    harm, message = DAMAGE[damage]
    harm(backup_folder)
    capsys.readouterr()
    target = tmp_path / "restored" / "lims.sqlite3"
    point_cli_at(monkeypatch, f"sqlite:///{target}", tmp_path / "restored")

    assert run_cli("restore", str(backup_folder)) == 2

    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("lims: ") and message in error
    assert not target.exists()
    assert not (tmp_path / "restored" / "files").exists()


@pytest.mark.postgres
def test_restore_refuses_an_altered_postgres_dump(
    migrated_postgres_url: str,
    make_settings: Callable[..., Settings],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    postgres_url = migrated_postgres_url
    settings = make_settings(database_url=postgres_url)
    engine = make_engine(postgres_url)
    populate(engine, settings)
    point_cli_at(monkeypatch, postgres_url, settings.data_dir)
    assert run_cli("backup", str(tmp_path / "backup")) == 0
    dump = tmp_path / "backup" / "database.dump"
    content = bytearray(dump.read_bytes())
    content[len(content) // 2] ^= 0xFF
    dump.write_bytes(bytes(content))
    capsys.readouterr()

    with throwaway_postgres_database() as target:
        point_cli_at(monkeypatch, target, tmp_path / "restored")
        assert run_cli("restore", str(tmp_path / "backup")) == 2
        assert row_counts(make_engine(target)) == {}
    assert "altered or cut short" in capsys.readouterr().err
    engine.dispose()


def test_restore_refuses_a_target_database_that_is_not_empty(
    database_url: str,
    backup_folder: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The environment still names the backed-up database itself: it is anything but empty.
    capsys.readouterr()
    assert run_cli("restore", str(backup_folder)) == 2
    assert "is not empty" in capsys.readouterr().err


def test_backup_refuses_a_folder_that_is_not_empty(
    sqlite_backup_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run_cli("backup", str(sqlite_backup_folder)) == 2
    assert "not empty: back up into a new folder" in capsys.readouterr().err


def test_restore_refuses_a_backup_of_the_other_backend(
    sqlite_backup_folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    point_cli_at(monkeypatch, "postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path / "other")
    capsys.readouterr()
    assert run_cli("restore", str(sqlite_backup_folder)) == 2
    assert "restore into the backend the backup came from" in capsys.readouterr().err
