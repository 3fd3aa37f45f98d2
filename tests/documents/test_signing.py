"""The lab's PAdES signature: what it proves, what breaks it, and the demo key it uses."""

import io
import logging
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pypdf import PdfReader

from lims.config import LabProfile, Settings
from lims.documents.pdf import read_attachments, render_pdf
from lims.documents.signing import (
    SIGNATURE_FIELD,
    LabSigner,
    SignatureCheck,
    check_signature,
    create_demo_signing_key,
    load_lab_signer,
    sign_pdf,
)
from lims.documents.timestamping import TimeStampAuthority
from lims.errors import ConfigurationError
from tests.documents.pdfa import pdfa3b_problems
from tests.documents.test_pdf import RESULTS, associated_files, pdfa_identification, small_html

LAB_NAME = "Turun Mittauslaboratorio"
SIGNATORY = "Maija Mittaaja"


@pytest.fixture(scope="module")
def unsigned_pdf() -> bytes:
    return render_pdf(small_html(), attachments=[RESULTS])


@pytest.fixture
def lab_settings(make_settings: Callable[..., Settings], tmp_path: Path) -> Settings:
    return lab_settings_in(make_settings, tmp_path / "lab")


@pytest.fixture
def lab_signer(lab_settings: Settings) -> LabSigner:
    create_demo_signing_key(lab_settings)
    return load_lab_signer(lab_settings)


@pytest.fixture
def signed_pdf(unsigned_pdf: bytes, lab_signer: LabSigner) -> bytes:
    return sign(unsigned_pdf, lab_signer)


def lab_settings_in(make_settings: Callable[..., Settings], data_dir: Path) -> Settings:
    return make_settings(data_dir=data_dir, lab=LabProfile(name=LAB_NAME))


def sign(pdf: bytes, signer: LabSigner, *, tsa: TimeStampAuthority | None = None) -> bytes:
    return sign_pdf(
        pdf, signer, signatory=SIGNATORY, reason="Kalibrointitodistus", location="Turku", tsa=tsa
    )


def signature_field(pdf: bytes) -> dict[str, object]:
    fields = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/AcroForm"]["/Fields"]
    return next(
        field.get_object() for field in fields if field.get_object()["/T"] == SIGNATURE_FIELD
    )


def flip_byte(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def test_signed_pdf_verifies_against_the_lab_certificate(
    signed_pdf: bytes, lab_signer: LabSigner
) -> None:
    check = check_signature(signed_pdf, lab_signer.certificate)

    assert (check.intact, check.valid, check.trusted, check.covers_whole_file) == (
        True,
        True,
        True,
        True,
    )
    assert check.verified
    assert check.signer == LAB_NAME
    assert check.signed_at is not None
    assert abs(check.signed_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_signing_appends_to_the_original_bytes(unsigned_pdf: bytes, signed_pdf: bytes) -> None:
    assert signed_pdf.startswith(unsigned_pdf)
    assert len(signed_pdf) > len(unsigned_pdf)


def test_signature_is_pades_in_an_invisible_field_naming_the_signatory(signed_pdf: bytes) -> None:
    field = signature_field(signed_pdf)
    value = field["/V"].get_object()

    assert value["/SubFilter"] == "/ETSI.CAdES.detached"
    assert [float(number) for number in field["/Rect"]] == [0, 0, 0, 0]
    assert (value["/Name"], value["/Reason"], value["/Location"]) == (
        SIGNATORY,
        "Kalibrointitodistus",
        "Turku",
    )


def test_signing_keeps_pdfa_markers_and_attachments(signed_pdf: bytes) -> None:
    assert pdfa_identification(signed_pdf) == ("3", "B")
    assert read_attachments(signed_pdf) == {RESULTS.name: RESULTS.content}


def test_info_and_xmp_name_the_same_producer(signed_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(signed_pdf))

    assert reader.metadata is not None
    assert reader.xmp_metadata is not None
    assert reader.metadata.producer == reader.xmp_metadata.pdf_producer


def test_a_changed_byte_in_the_signed_range_breaks_the_signature(
    unsigned_pdf: bytes, signed_pdf: bytes, lab_signer: LabSigner
) -> None:
    tampered = flip_byte(signed_pdf, len(unsigned_pdf) // 2)

    check = check_signature(tampered, lab_signer.certificate)

    assert not check.intact
    assert not check.valid
    assert not check.verified


def test_a_signature_by_another_key_is_not_trusted(
    unsigned_pdf: bytes,
    lab_signer: LabSigner,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    # The impostor even uses the lab's name: only the key tells them apart.
    impostor_settings = lab_settings_in(make_settings, tmp_path / "impostor")
    create_demo_signing_key(impostor_settings)
    forged = sign(unsigned_pdf, load_lab_signer(impostor_settings))

    check = check_signature(forged, lab_signer.certificate)

    assert check.intact and check.valid
    assert not check.trusted
    assert not check.verified


def test_an_untrusted_signer_is_logged_without_a_traceback(
    signed_pdf: bytes,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    stranger_settings = lab_settings_in(make_settings, tmp_path / "stranger")
    create_demo_signing_key(stranger_settings)

    with caplog.at_level(logging.WARNING):
        check_signature(signed_pdf, load_lab_signer(stranger_settings).certificate)

    assert caplog.records
    assert all(record.exc_info is None for record in caplog.records)


@pytest.mark.parametrize("document", [b"%PDF-1.7 no signature here", b"not a pdf at all"])
def test_a_pdf_without_a_readable_signature_gives_an_all_false_check(
    document: bytes, lab_signer: LabSigner
) -> None:
    assert check_signature(document, lab_signer.certificate) == SignatureCheck()


def test_an_unsigned_pdf_gives_an_all_false_check(
    unsigned_pdf: bytes, lab_signer: LabSigner
) -> None:
    assert check_signature(unsigned_pdf, lab_signer.certificate) == SignatureCheck()


def test_demo_signing_key_is_made_once_and_readable_by_its_owner_only(
    lab_settings: Settings,
) -> None:
    key_path = lab_settings.resolved_document_signing_key

    assert create_demo_signing_key(lab_settings) is True
    first_key = key_path.read_bytes()
    assert create_demo_signing_key(lab_settings) is False

    assert key_path.read_bytes() == first_key
    assert key_path.stat().st_mode & 0o777 == 0o600
    assert key_path.parent == lab_settings.data_dir / "signing"


def test_demo_certificate_names_the_lab_for_ten_years(lab_settings: Settings) -> None:
    create_demo_signing_key(lab_settings)
    certificate = x509.load_pem_x509_certificate(
        lab_settings.resolved_document_signing_certificate.read_bytes()
    )

    subject = {attribute.oid: attribute.value for attribute in certificate.subject}
    assert subject == {
        NameOID.COMMON_NAME: LAB_NAME,
        NameOID.ORGANIZATION_NAME: LAB_NAME,
        NameOID.COUNTRY_NAME: "FI",
    }
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert timedelta(days=3650) <= lifetime <= timedelta(days=3655)
    key_usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert key_usage.digital_signature and key_usage.content_commitment
    public_key = certificate.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    assert public_key.curve.name == "secp256r1"


def test_demo_key_is_not_made_over_a_lone_certificate(lab_settings: Settings) -> None:
    create_demo_signing_key(lab_settings)
    lab_settings.resolved_document_signing_key.unlink()

    with pytest.raises(ConfigurationError, match="restore the other"):
        create_demo_signing_key(lab_settings)


def test_a_missing_signing_key_names_its_path_and_the_remedy(lab_settings: Settings) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_lab_signer(lab_settings)

    message = raised.value.message
    assert str(lab_settings.resolved_document_signing_key) in message
    assert "lims demo" in message
    assert "LIMS_DOCUMENT_SIGNING_KEY" in message


def test_signer_is_read_once_until_its_files_change(
    lab_settings: Settings, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    create_demo_signing_key(lab_settings)
    first = load_lab_signer(lab_settings)
    assert load_lab_signer(lab_settings) is first

    replacement = lab_settings_in(make_settings, tmp_path / "replacement")
    create_demo_signing_key(replacement)
    for source, target in [
        (replacement.resolved_document_signing_key, lab_settings.resolved_document_signing_key),
        (
            replacement.resolved_document_signing_certificate,
            lab_settings.resolved_document_signing_certificate,
        ),
    ]:
        shutil.copyfile(source, target)
        later = target.stat().st_mtime_ns + 1_000_000_000
        os.utime(target, ns=(later, later))

    assert load_lab_signer(lab_settings) is not first


def test_a_key_that_does_not_match_the_certificate_is_refused(
    lab_settings: Settings, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    create_demo_signing_key(lab_settings)
    other = lab_settings_in(make_settings, tmp_path / "other")
    create_demo_signing_key(other)
    lab_settings.resolved_document_signing_certificate.unlink()
    shutil.copyfile(
        other.resolved_document_signing_certificate,
        lab_settings.resolved_document_signing_certificate,
    )

    with pytest.raises(ConfigurationError, match="does not belong"):
        load_lab_signer(lab_settings)


def test_a_signature_by_the_demo_ecdsa_key_leaves_the_file_pdfa_3b(
    unsigned_pdf: bytes, signed_pdf: bytes, lab_signer: LabSigner
) -> None:
    # The reproduction of issue #23: pyHanko declared PDF 2.0 (catalog /Version /2.0 and
    # /Extensions /ISO_) for an ECDSA P-256 signature, which PDF/A-3 does not allow.
    assert lab_signer.certificate.public_key.algorithm == "ec"
    assert pdfa3b_problems(unsigned_pdf) == []

    assert pdfa3b_problems(signed_pdf) == []
    root = PdfReader(io.BytesIO(signed_pdf)).trailer["/Root"]
    assert "/ISO_" not in root.get("/Extensions", {})
    assert [attached["relationship"] for attached in associated_files(signed_pdf)] == ["/Data"]
    assert check_signature(signed_pdf, lab_signer.certificate).verified
