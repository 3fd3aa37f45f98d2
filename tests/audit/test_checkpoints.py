"""Signed checkpoints of the audit chain: written idempotently outside the database, and
every tampering with the log or with the chain's end since a checkpoint is named."""

import asyncio
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

from lims.accounts.models import Role
from lims.audit.checkpoints import NO_PREVIOUS_LINE, Checkpoint, read_checkpoints
from lims.config import Settings
from lims.documents import detached
from lims.documents.detached import PREVIOUS_FOLDER
from lims.documents.signing import create_demo_signing_key
from lims.records.checkpoints import (
    check_checkpoints,
    checkpoint_if_due,
    keep_checkpointing,
    write_checkpoint,
)
from tests.factories import PASSWORD, bearer, behind_the_application, make_organisation, make_user
from tests.test_cli import run_cli


@pytest.fixture
def lab_settings(settings: Settings) -> Settings:
    create_demo_signing_key(settings)
    return settings


@pytest.fixture
def cli_environment(monkeypatch: pytest.MonkeyPatch, lab_settings: Settings) -> None:
    monkeypatch.setenv("LIMS_DATABASE_URL", lab_settings.resolved_database_url)
    monkeypatch.setenv("LIMS_DATA_DIR", str(lab_settings.data_dir))


def checkpointed(engine: Engine, settings: Settings) -> Checkpoint:
    with Session(engine) as db_session:
        written = write_checkpoint(db_session, settings)
    assert written.checkpoint is not None
    return written.checkpoint


def problems(engine: Engine, settings: Settings) -> list[str]:
    with Session(engine) as db_session:
        return check_checkpoints(db_session, settings).problems


def head(engine: Engine) -> tuple[int, str, int]:
    with engine.connect() as connection:
        newest = connection.execute(
            text("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")
        ).one()
        count = connection.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
    return newest.id, newest.hash, count


def test_a_checkpoint_signs_the_chains_head_in_a_log_outside_the_database_once_per_head(
    engine: Engine, lab_settings: Settings
) -> None:
    make_organisation(engine)
    first = checkpointed(engine, lab_settings)

    event_id, digest, count = head(engine)
    assert (first.event_id, first.hash, first.events) == (event_id, digest, count)
    assert first.previous_line == NO_PREVIOUS_LINE
    assert lab_settings.resolved_audit_checkpoint_log.is_relative_to(lab_settings.data_dir)
    certificate = detached.lab_certificate(lab_settings)
    signed_by = detached.verify(first.signed_bytes(), first.signature, [certificate])
    assert signed_by.fingerprint == first.signer == detached.fingerprint(certificate)
    with Session(engine) as db_session:
        again = write_checkpoint(db_session, lab_settings)
    assert not again.written and again.checkpoint == first

    make_organisation(engine)
    second = checkpointed(engine, lab_settings)
    log = lab_settings.resolved_audit_checkpoint_log
    assert read_checkpoints(log) == [first, second]
    assert second.event_id > first.event_id
    assert second.previous_line != NO_PREVIOUS_LINE
    assert problems(engine, lab_settings) == []


def test_a_clean_chain_with_checkpoints_verifies_sound(
    engine: Engine,
    lab_settings: Settings,
    cli_environment: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_organisation(engine)
    assert run_cli("audit", "checkpoint", "--print") == 0
    written = capsys.readouterr().out
    checkpoint = read_checkpoints(lab_settings.resolved_audit_checkpoint_log)[-1]
    assert f"audit checkpoint of event {checkpoint.event_id}" in written
    assert checkpoint.paper_line() in written and checkpoint.hash in written

    assert run_cli("audit", "verify") == 0
    out = capsys.readouterr().out
    assert "audit checkpoints sound: 1" in out
    assert f"event {checkpoint.event_id}" in out
    assert run_cli("audit", "checkpoints") == 0
    assert checkpoint.paper_line() in capsys.readouterr().out


def test_without_a_checkpoint_verify_says_so_and_does_not_fail(
    engine: Engine,
    lab_settings: Settings,
    cli_environment: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_organisation(engine)
    assert run_cli("audit", "verify") == 0
    assert "no audit checkpoint yet" in capsys.readouterr().out


def test_deleting_the_newest_events_after_a_checkpoint_is_caught_naming_both_events(
    engine: Engine,
    lab_settings: Settings,
    cli_environment: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for _ in range(3):
        make_organisation(engine)
    checkpoint = checkpointed(engine, lab_settings)
    with behind_the_application(engine) as connection:
        connection.execute(
            text("DELETE FROM audit_event WHERE id > :id"), {"id": checkpoint.event_id - 2}
        )

    # A checkpoint now does not overwrite the record of the longer chain.
    with Session(engine) as db_session:
        assert write_checkpoint(db_session, lab_settings).checkpoint == checkpoint
    # The chain's own hashes cannot show a cut at its end: it still verifies as a chain.
    assert run_cli("audit", "verify") == 2
    captured = capsys.readouterr()
    assert (
        f"the chain ends at event {checkpoint.event_id - 2} but the checkpoint of "
        f"{checkpoint.at} names event {checkpoint.event_id}"
    ) in captured.out
    assert "audit checkpoints NOT sound" in captured.err


def test_events_written_again_over_removed_ones_do_not_match_the_checkpoint(
    engine: Engine, lab_settings: Settings
) -> None:
    make_organisation(engine)
    checkpoint = checkpointed(engine, lab_settings)
    with behind_the_application(engine) as connection:
        connection.execute(
            text("DELETE FROM audit_event WHERE id = :id"), {"id": checkpoint.event_id}
        )
        if connection.dialect.name == "postgresql":
            # SQLite gives the freed id to the next event; on PostgreSQL the insider winds
            # the sequence back to get it.
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('audit_event', 'id'), :id, false)"),
                {"id": checkpoint.event_id},
            )
    make_organisation(engine)

    assert any(
        f"event {checkpoint.event_id} no longer has the hash" in problem
        for problem in problems(engine, lab_settings)
    )


def test_an_event_removed_before_the_checkpointed_one_lowers_the_count(
    engine: Engine, lab_settings: Settings
) -> None:
    for _ in range(3):
        make_organisation(engine)
    checkpoint = checkpointed(engine, lab_settings)
    with behind_the_application(engine) as connection:
        connection.execute(text("DELETE FROM audit_event WHERE id = 1"))

    assert problems(engine, lab_settings) == [
        f"the chain holds {checkpoint.events - 1} events up to event {checkpoint.event_id} but "
        f"the checkpoint of {checkpoint.at} counted {checkpoint.events}: events were removed"
    ]


def test_an_edited_checkpoint_line_fails_its_signature(
    engine: Engine, lab_settings: Settings
) -> None:
    make_organisation(engine)
    make_organisation(engine)
    checkpoint = checkpointed(engine, lab_settings)
    log = lab_settings.resolved_audit_checkpoint_log
    line = json.loads(log.read_bytes())
    line["event_id"], line["events"] = checkpoint.event_id - 2, checkpoint.events - 2
    log.write_text(json.dumps(line) + "\n")

    (problem,) = problems(engine, lab_settings)
    assert problem.startswith(f"checkpoint of {checkpoint.at} (line 1): its signature")
    assert "altered after signing" in problem


def test_a_checkpoint_re_signed_with_another_key_is_not_the_labs(
    engine: Engine, lab_settings: Settings
) -> None:
    make_organisation(engine)
    checkpointed(engine, lab_settings)
    log = lab_settings.resolved_audit_checkpoint_log
    line = json.loads(log.read_bytes())
    lab = detached.lab_detached_signer(lab_settings)
    insider = detached.DetachedSigner(
        key=ec.generate_private_key(ec.SECP256R1()), certificate=lab.certificate
    )
    forged = Checkpoint(**line)
    line["signature"] = detached.sign(forged.signed_bytes(), insider)
    log.write_text(json.dumps(line) + "\n")

    (problem,) = problems(engine, lab_settings)
    assert "its signature does not match the signed content" in problem


def test_a_line_removed_from_the_middle_of_the_log_is_caught(
    engine: Engine, lab_settings: Settings
) -> None:
    for _ in range(3):
        make_organisation(engine)
        checkpointed(engine, lab_settings)
    log = lab_settings.resolved_audit_checkpoint_log
    first, _, third = log.read_bytes().splitlines()
    log.write_bytes(first + b"\n" + third + b"\n")

    at = json.loads(third)["at"]
    assert problems(engine, lab_settings) == [
        f"checkpoint of {at} (line 2) does not follow the line before it: "
        "a line of the checkpoint log was removed or altered"
    ]


def test_after_renewing_the_labs_key_older_checkpoints_verify_with_the_kept_certificate(
    engine: Engine, lab_settings: Settings
) -> None:
    make_organisation(engine)
    checkpointed(engine, lab_settings)
    old = lab_settings.resolved_document_signing_certificate.read_bytes()
    lab_settings.resolved_document_signing_certificate.unlink()
    lab_settings.resolved_document_signing_key.unlink()
    create_demo_signing_key(lab_settings)
    make_organisation(engine)
    checkpointed(engine, lab_settings)

    (problem,) = problems(engine, lab_settings)
    assert "(line 1): its signature was not made with the trusted certificate" in problem
    kept = lab_settings.resolved_document_signing_certificate.parent / PREVIOUS_FOLDER
    kept.mkdir()
    (kept / "lab-certificate-1.pem").write_bytes(old)
    assert problems(engine, lab_settings) == []


def test_the_api_verification_reports_the_checkpoints(
    client: TestClient, engine: Engine, lab_settings: Settings
) -> None:
    manager = make_user(engine, Role.QUALITY_MANAGER)
    headers = bearer(lab_settings, manager)
    before = client.get("/api/v1/audit/verify", headers=headers)
    assert before.status_code == 200, before.text
    assert before.json()["checkpoints"]["checkpoints"] == 0
    assert before.json()["checkpoints"]["intact"] is True

    checkpoint = checkpointed(engine, lab_settings)
    answer = client.get("/api/v1/audit/verify", headers=headers).json()
    assert answer["intact"] is True
    assert answer["checkpoints"] == {
        "log": str(lab_settings.resolved_audit_checkpoint_log),
        "intact": True,
        "checkpoints": 1,
        "problems": [],
        "latest_at": checkpoint.at,
        "latest_event_id": checkpoint.event_id,
        "latest_hash": checkpoint.hash,
    }


def look_for_a_while(engine: Engine, settings: Settings) -> None:
    """Run the service's checkpoint task, looking every 10 ms, for half a second."""

    async def looks() -> None:
        task = asyncio.create_task(
            keep_checkpointing(lambda: engine, lambda: settings, every=timedelta(seconds=0.01))
        )
        await asyncio.sleep(0.5)
        task.cancel()

    asyncio.run(looks())


def test_the_audit_page_shows_the_newest_checkpoints_to_the_quality_manager(
    client: TestClient, engine: Engine, lab_settings: Settings
) -> None:
    manager = make_user(engine, Role.QUALITY_MANAGER)
    signed_in = client.post(
        "/api/v1/auth/login", json={"username": manager.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    assert "Allekirjoitettuja tarkistuspisteitä ei ole vielä." in client.get("/audit").text

    checkpoint = checkpointed(engine, lab_settings)
    page = client.get("/audit").text
    assert "Allekirjoitetut tarkistuspisteet" in page
    assert f"<code>{checkpoint.hash}</code>" in page
    assert f"<code>{checkpoint.signature_sha256[:16]}</code>" in page
    assert checkpoint.signature_sha256[:16] in checkpoint.paper_line()


def test_the_service_checkpoints_when_the_newest_is_older_than_the_setting(
    engine: Engine, lab_settings: Settings
) -> None:
    log = lab_settings.resolved_audit_checkpoint_log
    make_organisation(engine)
    first = checkpoint_if_due(engine, lab_settings)
    assert first is not None and first.written
    make_organisation(engine)
    assert checkpoint_if_due(engine, lab_settings) is None  # the newest is not a day old

    look_for_a_while(engine, lab_settings.model_copy(update={"audit_checkpoint_hours": 0}))
    assert len(read_checkpoints(log)) == 1  # 0 turns the service's checkpoints off

    newest = json.loads(log.read_bytes())
    newest["at"] = "2000-01-01T00:00:00+00:00"  # as if the newest were long ago
    log.write_text(json.dumps(newest) + "\n")
    look_for_a_while(engine, lab_settings)
    assert len(read_checkpoints(log)) == 2
