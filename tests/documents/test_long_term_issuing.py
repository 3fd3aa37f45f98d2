"""Issuing with a time-stamp authority and signatories' own certificates, end to end over HTTP.

The TSA is the suite's local one (tests/documents/tsa.py) reached through the product's client.
"""

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.audit.models import AuditEvent
from lims.cli import main
from lims.config import Settings
from lims.documents.archive import REASON
from lims.documents.models import Document
from lims.documents.pdf import render_pdf
from lims.documents.signing import (
    SIGNATURE_FIELD,
    check_signature,
    load_lab_signer,
    self_signed_certificate,
    sign_pdf,
    signer_for,
    trusted_certificates,
)
from lims.documents.timestamping import time_stamp_authority
from lims.errors import ConfigurationError
from lims.storage import store_in
from tests.conftest import row_counts
from tests.documents.conftest import DCC_SCHEMAS
from tests.documents.factories import approved_calibration, download, issue
from tests.documents.pdfa import pdfa3b_problems
from tests.documents.test_one_valid_master import sign_in
from tests.documents.test_pdf import associated_files, small_html
from tests.documents.tsa import TSA_NAME, LocalTsa, served_tsa
from tests.jobs.factories import Lab, make_lab


@pytest.fixture(scope="module")
def local_tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTsa]:
    with served_tsa(tmp_path_factory.mktemp("tsa")) as tsa:
        yield tsa


@pytest.fixture
def settings(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., Settings],
    database_url: str,
    local_tsa: LocalTsa,
    tmp_path: Path,
) -> Settings:
    """The documents' settings with the local TSA (at the path a test parametrizes) and a
    folder of signatories' certificates."""
    from lims.documents.signing import create_demo_signing_key

    lab_settings = make_settings(
        database_url=database_url,
        dcc_schema_dir=DCC_SCHEMAS if DCC_SCHEMAS.exists() else None,
        document_tsa_url=local_tsa.url + getattr(request, "param", ""),
        document_tsa_certificate=local_tsa.certificate_path,
        signatory_certificate_dir=tmp_path / "signatories",
    )
    create_demo_signing_key(lab_settings)
    return lab_settings


def personal_certificate(
    settings: Settings, username: str, common_name: str, *, non_repudiation: bool = True
) -> None:
    """A signatory's own key and self-signed certificate, as an operator would place them."""
    directory = settings.signatory_certificate_dir
    assert directory is not None
    directory.mkdir(exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = self_signed_certificate(
        key,
        common_name=common_name,
        organisation=settings.lab.name,
        days=365,
        non_repudiation=non_repudiation,
    )
    (directory / f"{username}.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (directory / f"{username}.pem").write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
    )


def signature_name(pdf: bytes) -> str:
    fields = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/AcroForm"]["/Fields"]
    field = next(each.get_object() for each in fields if each.get_object()["/T"] == SIGNATURE_FIELD)
    return str(field["/V"].get_object()["/Name"])


def issued_certificate(client: TestClient, lab: Lab) -> bytes:
    master = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    return download(client, lab, master)


def test_an_issued_certificate_is_b_lt_by_the_lab_key_and_stays_pdfa_3b(
    client: TestClient, engine: Engine, settings: Settings, local_tsa: LocalTsa
) -> None:
    lab = make_lab(engine, settings)

    pdf = issued_certificate(client, lab)

    check = check_signature(pdf, trusted_certificates(settings))
    assert check.verified, check
    assert check.level == "B-LT"
    assert check.signer == settings.lab.name
    assert check.time_stamp_authority == TSA_NAME
    assert pdfa3b_problems(pdf) == []
    relationships = {each["name"]: each["relationship"] for each in associated_files(pdf)}
    assert relationships == {"data.json": "/Data", "dcc.xml": "/Alternative"}


def test_the_document_page_shows_the_staff_the_level_and_the_timestamp(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    master = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    sign_in(client, lab.manager.username)

    facts = client.get(f"/documents/{master['id']}").text.split('id="signature-facts"')[1]

    facts = facts.split("</dd>")[0]
    assert f"PAdES B-LT · {settings.lab.name}" in facts
    assert f"aikaleimapalvelu {TSA_NAME}" in facts
    assert "kelpoisuustiedot tiedostossa" in facts
    assert "ei todennettu" not in facts
    # A customer checks a file on the public page instead; the signature facts are the lab's.
    sign_in(client, lab.customer_user.username)
    assert 'id="signature-facts"' not in client.get(f"/documents/{master['id']}").text


def test_a_signatory_with_their_own_certificate_signs_with_it(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    personal_certificate(settings, lab.signatory.username, lab.signatory.full_name)

    pdf = issued_certificate(client, lab)

    check = check_signature(pdf, trusted_certificates(settings))
    assert check.verified, check
    assert check.signer == lab.signatory.full_name
    assert signature_name(pdf).startswith(lab.signatory.full_name)
    # Signed with the signatory's key, so the lab's certificate alone does not vouch for it.
    assert not check_signature(pdf, load_lab_signer(settings).certificate).trusted


@pytest.mark.parametrize(
    ("someone_else", "non_repudiation", "message"),
    [(True, True, "Joku Muu"), (False, False, "non-repudiation")],
)
def test_a_personal_certificate_not_fit_to_sign_is_refused_and_nothing_is_issued(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    someone_else: bool,
    non_repudiation: bool,
    message: str,
) -> None:
    lab = make_lab(engine, settings)
    named = "Joku Muu" if someone_else else lab.signatory.full_name
    personal_certificate(settings, lab.signatory.username, named, non_repudiation=non_repudiation)
    job = approved_calibration(client, lab)
    before = row_counts(engine)

    refused = issue(client, lab, expect=500, job_id=job.job["id"])

    assert message in refused["detail"]
    assert row_counts(engine) == before


@pytest.mark.parametrize("settings", ["garbage"], indirect=True)
def test_a_tsa_answering_garbage_refuses_the_issue_with_503_and_changes_nothing(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    job = approved_calibration(client, lab)
    before = row_counts(engine)

    refused = issue(client, lab, expect=503, job_id=job.job["id"])

    assert "time-stamp authority" in refused["detail"]
    assert refused["retry_after"] == 60
    assert row_counts(engine) == before


# -- the archive: `lims documents verify --file` and `lims documents timestamp` -----------


@pytest.fixture
def cli_environment(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, database_url: str, local_tsa: LocalTsa
) -> None:
    """The command's environment: the same database, data folder and TSA as the API's."""
    for name, value in {
        "LIMS_DATABASE_URL": database_url,
        "LIMS_DATA_DIR": str(settings.data_dir),
        "LIMS_DOCUMENT_TSA_URL": local_tsa.url,
        "LIMS_DOCUMENT_TSA_CERTIFICATE": str(local_tsa.certificate_path),
        "LIMS_SIGNATORY_CERTIFICATE_DIR": str(settings.signatory_certificate_dir),
    }.items():
        monkeypatch.setenv(name, value)


def run_cli(*argv: str) -> int:
    try:
        main(list(argv))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def facts(output: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in output.strip().splitlines())


def document_row(engine: Engine, number: str) -> Document:
    with Session(engine) as db_session:
        document = db_session.exec(select(Document).where(Document.number == number)).one()
        db_session.expunge(document)
        return document


def test_verify_file_reports_signer_times_validation_data_level_and_record(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    cli_environment: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = make_lab(engine, settings)
    master = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    path = tmp_path / "certificate.pdf"
    path.write_bytes(download(client, lab, master))
    capsys.readouterr()

    assert run_cli("documents", "verify", "--file", str(path)) == 0

    reported = facts(capsys.readouterr().out)
    assert reported["number"] == master["number"]
    assert reported["on record"] == f"yes, the issued of {master['number']} (issued)"
    assert reported["intact"] == "yes"
    assert reported["signer"] == settings.lab.name
    assert reported["signing time"].endswith("(the signer's own claim)")
    assert reported["timestamp"].endswith(f"by {TSA_NAME}")
    assert reported["validation data (DSS)"] == "embedded"
    assert reported["PAdES level"] == "B-LT"
    assert reported["verified"] == "yes"


def test_verify_file_of_a_changed_copy_or_against_another_certificate_exits_1(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    cli_environment: None,
    local_tsa: LocalTsa,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = make_lab(engine, settings)
    master = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    pdf = download(client, lab, master)
    changed = bytearray(pdf)
    changed[len(pdf) // 3] ^= 0x01
    path = tmp_path / "changed.pdf"
    path.write_bytes(bytes(changed))
    original = tmp_path / "original.pdf"
    original.write_bytes(pdf)
    capsys.readouterr()

    assert run_cli("documents", "verify", master["number"], "--file", str(path)) == 1
    reported = facts(capsys.readouterr().out)
    assert reported["on record"].startswith("NO: not the file issued as")
    assert reported["verified"] == "NO"

    # Trusting only the TSA: the lab's signature is intact but not by a trusted signer.
    trust = str(local_tsa.certificate_path)
    assert run_cli("documents", "verify", "--file", str(original), "--trust", trust) == 1
    reported = facts(capsys.readouterr().out)
    assert reported["signer"] == f"{settings.lab.name} (NOT trusted)"
    assert reported["verified"] == "NO"


@pytest.mark.parametrize(
    ("content", "message"), [(None, "no such file"), (b"hello, not a PDF", "is not a PDF")]
)
def test_verify_file_that_is_missing_or_not_a_pdf_is_one_line_and_exit_2(
    cli_environment: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    message: str,
) -> None:
    path = tmp_path / "given.pdf"
    if content is not None:
        path.write_bytes(content)

    assert run_cli("documents", "verify", "--file", str(path)) == 2

    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_verify_file_of_a_broken_pdf_proves_nothing_and_exits_1(
    cli_environment: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 64 + b"\n%%EOF")

    assert run_cli("documents", "verify", "--file", str(path)) == 1

    reported = facts(capsys.readouterr().out)
    assert (reported["signer"], reported["PAdES level"]) == ("no signature", "none")
    assert reported["verified"] == "NO"


@pytest.mark.parametrize("username", ["../lab-key", "a/b", "", ".hidden", "x" * 300])
def test_a_username_that_is_no_plain_file_name_signs_with_the_lab_key(
    settings: Settings, username: str
) -> None:
    directory = settings.signatory_certificate_dir
    assert directory is not None
    directory.mkdir(exist_ok=True)

    signer = signer_for(settings, username=username, full_name="Maija Mittaaja")

    assert signer == load_lab_signer(settings)


def test_archive_timestamp_keeps_the_issued_file_and_records_a_new_copy(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    cli_environment: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = make_lab(engine, settings)
    job = approved_calibration(client, lab).job
    master = issue(client, lab, job_id=job["id"])
    issued = download(client, lab, master)
    store = store_in(settings.data_dir)
    capsys.readouterr()

    assert run_cli("documents", "timestamp", "--number", master["number"]) == 0
    first = document_row(engine, master["number"])
    assert run_cli("documents", "timestamp", "--all") == 0
    second = document_row(engine, master["number"])

    outcome = json.loads(capsys.readouterr().out.splitlines()[0])
    assert outcome == {
        "number": master["number"],
        "archive_sha256": first.archive_sha256,
        "problem": None,
    }
    assert second.sha256 == first.sha256 == master["sha256"]  # the file as issued stays
    assert download(client, lab, master) == issued
    assert first.archive_sha256 and second.archive_sha256
    first_copy = store.read(first.archive_sha256)
    second_copy = store.read(second.archive_sha256)
    assert first_copy.startswith(issued) and second_copy.startswith(first_copy)
    assert second.archive_size == len(second_copy)
    assert pdfa3b_problems(second_copy) == []
    with Session(engine) as db_session:
        reasons = db_session.exec(
            select(AuditEvent.reason).where(
                AuditEvent.entity_type == "document", AuditEvent.entity_id == str(master["id"])
            )
        ).all()
    assert reasons.count(REASON) == 2

    archived = tmp_path / "archived.pdf"
    archived.write_bytes(second_copy)
    assert run_cli("documents", "verify", "--file", str(archived)) == 0
    reported = facts(capsys.readouterr().out)
    assert reported["on record"] == f"yes, the archive copy of {master['number']} (issued)"
    assert reported["PAdES level"] == "B-LTA"
    assert reported["archive timestamp"] != "none"
    # The audited rows still rebuild from their events, and the job's records bundle carries
    # both files, each checked against the hash its record keeps.
    assert run_cli("audit", "verify", "--records") == 0
    bundle = tmp_path / "records.zip"
    assert run_cli("records", "export", "--job", job["number"], "-o", str(bundle)) == 0
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
    assert any(name.endswith(f"documents/{master['number']}-archive.pdf") for name in names)
    assert run_cli("records", "verify", str(bundle)) == 0


def test_archive_timestamp_without_a_tsa_is_one_line_and_exit_2(
    cli_environment: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("LIMS_DOCUMENT_TSA_URL")

    assert run_cli("documents", "timestamp", "--all") == 2

    assert "LIMS_DOCUMENT_TSA_URL" in capsys.readouterr().err


def test_a_lab_certificate_not_for_signing_is_a_configuration_error_with_a_tsa(
    settings: Settings, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    personal_certificate(settings, "lab", settings.lab.name, non_repudiation=False)
    directory = settings.signatory_certificate_dir
    assert directory is not None
    lab_settings = make_settings(
        **{
            **settings.model_dump(),
            "document_signing_key": directory / "lab.key",
            "document_signing_certificate": directory / "lab.pem",
        }
    )
    tsa = time_stamp_authority(lab_settings)
    assert tsa is not None

    with pytest.raises(ConfigurationError, match="not valid for its use"):
        sign_pdf(
            render_pdf(small_html()),
            load_lab_signer(lab_settings),
            signatory="Maija Mittaaja",
            reason="KT-2026-0001",
            location="Turku",
            tsa=tsa,
        )
