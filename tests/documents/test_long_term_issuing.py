"""Issuing with a time-stamp authority and signatories' own certificates, end to end over HTTP.

The TSA is the suite's local one (tests/documents/tsa.py) reached through the product's client.
"""

import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine

from lims.config import Settings
from lims.documents.signing import (
    SIGNATURE_FIELD,
    check_signature,
    load_lab_signer,
    trusted_certificates,
)
from tests.conftest import row_counts
from tests.documents.conftest import DCC_SCHEMAS
from tests.documents.factories import approved_calibration, download, issue
from tests.documents.pdfa import pdfa3b_problems
from tests.documents.test_pdf import associated_files
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
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.lab.name),
        ]
    )
    not_before = datetime.now(UTC) - timedelta(minutes=5)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=365))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=non_repudiation,  # as a signing certificate has
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
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
