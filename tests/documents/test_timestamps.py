"""Long-term signatures: PAdES B-T/B-LT with a time-stamp authority, B-LTA archive timestamps.

The TSA is a real one over HTTP on 127.0.0.1 (tests/documents/tsa.py), reached through the
product's own client; the levels are those of ETSI EN 319 142-1 (PAdES baseline signatures).
"""

import io
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import x509
from pypdf import PdfReader

from lims.config import Settings
from lims.documents.file_check import check_pdf
from lims.documents.pdf import render_pdf
from lims.documents.signing import (
    LabSigner,
    check_signature,
    create_demo_signing_key,
    load_lab_signer,
)
from lims.documents.timestamping import (
    TimeStampAuthority,
    TimeStampUnavailable,
    archive_timestamp,
    time_stamp_authority,
)
from lims.errors import ConfigurationError
from tests.documents.pdfa import pdfa3b_problems
from tests.documents.test_pdf import RESULTS, small_html
from tests.documents.test_signing import flip_byte, lab_settings_in, sign
from tests.documents.tsa import TSA_NAME, LocalTsa, served_tsa


@pytest.fixture(scope="module")
def unsigned_pdf() -> bytes:
    return render_pdf(small_html(), attachments=[RESULTS])


@pytest.fixture
def lab_signer(make_settings: Callable[..., Settings], tmp_path: Path) -> LabSigner:
    settings = lab_settings_in(make_settings, tmp_path / "lab")
    create_demo_signing_key(settings)
    return load_lab_signer(settings)


@pytest.fixture
def signed_pdf(unsigned_pdf: bytes, lab_signer: LabSigner) -> bytes:
    return sign(unsigned_pdf, lab_signer)


@pytest.fixture(scope="module")
def local_tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTsa]:
    with served_tsa(tmp_path_factory.mktemp("tsa")) as tsa:
        yield tsa


@pytest.fixture
def tsa(make_settings: Callable[..., Settings], local_tsa: LocalTsa) -> TimeStampAuthority:
    authority = time_stamp_authority(
        make_settings(
            document_tsa_url=local_tsa.url, document_tsa_certificate=local_tsa.certificate_path
        )
    )
    assert authority is not None
    return authority


@pytest.fixture
def long_term_pdf(unsigned_pdf: bytes, lab_signer: LabSigner, tsa: TimeStampAuthority) -> bytes:
    return sign(unsigned_pdf, lab_signer, tsa=tsa)


def trusted(lab_signer: LabSigner, local_tsa: LocalTsa) -> list[x509.Certificate]:
    return [lab_signer.certificate, local_tsa.certificate]


def dss_certificates(pdf: bytes) -> list[bytes]:
    dss = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/DSS"]
    return [stream.get_object().get_data() for stream in dss["/Certs"]]


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_a_signature_with_a_tsa_is_b_lt_with_the_tsa_time_and_both_chains_embedded(
    long_term_pdf: bytes, unsigned_pdf: bytes, lab_signer: LabSigner, local_tsa: LocalTsa
) -> None:
    check = check_signature(long_term_pdf, trusted(lab_signer, local_tsa))

    assert check.verified, check
    assert check.level == "B-LT"
    assert check.time_stamp_authority == TSA_NAME
    assert check.timestamped_at is not None
    assert abs(check.timestamped_at - datetime.now(UTC)) < timedelta(minutes=5)
    assert check.validation_data_embedded
    embedded = dss_certificates(long_term_pdf)
    assert lab_signer.certificate.dump() in embedded
    assert local_tsa.certificate.dump() in embedded
    assert "/" in local_tsa.requests  # the token came over HTTP from the TSA
    assert long_term_pdf.startswith(unsigned_pdf)
    assert pdfa3b_problems(long_term_pdf) == []


def test_without_a_tsa_the_signature_is_b_b_and_says_it_has_no_timestamp(
    signed_pdf: bytes, lab_signer: LabSigner, make_settings: Callable[..., Settings]
) -> None:
    assert time_stamp_authority(make_settings()) is None

    check = check_signature(signed_pdf, lab_signer.certificate)

    assert check.verified
    assert check.level == "B-B"
    assert (check.timestamped_at, check.validation_data_embedded) == (None, False)


def test_a_timestamp_by_an_untrusted_tsa_is_not_verified(
    long_term_pdf: bytes, lab_signer: LabSigner
) -> None:
    check = check_signature(long_term_pdf, lab_signer.certificate)

    assert check.valid and check.trusted
    assert not check.timestamps_trusted
    assert not check.verified


def test_a_changed_byte_breaks_a_long_term_signature(
    long_term_pdf: bytes, unsigned_pdf: bytes, lab_signer: LabSigner, local_tsa: LocalTsa
) -> None:
    tampered = flip_byte(long_term_pdf, len(unsigned_pdf) // 2)

    assert not check_signature(tampered, trusted(lab_signer, local_tsa)).verified


@pytest.mark.parametrize("path", ["garbage", "rejection"])
def test_a_tsa_answering_garbage_or_refusing_signs_nothing(
    unsigned_pdf: bytes, lab_signer: LabSigner, local_tsa: LocalTsa, path: str
) -> None:
    tsa = TimeStampAuthority(
        url=local_tsa.url + path, certificates=(local_tsa.certificate,), timeout_seconds=5
    )

    with pytest.raises(TimeStampUnavailable) as raised:
        sign(unsigned_pdf, lab_signer, tsa=tsa)

    assert raised.value.status == 503
    assert tsa.url in raised.value.message
    assert f"/{path}" in local_tsa.requests


def test_a_tsa_that_is_down_signs_nothing(unsigned_pdf: bytes, lab_signer: LabSigner) -> None:
    tsa = TimeStampAuthority(url=closed_port_url(), certificates=(), timeout_seconds=2)

    with pytest.raises(TimeStampUnavailable, match="nothing was signed"):
        sign(unsigned_pdf, lab_signer, tsa=tsa)


def test_archive_timestamps_make_b_lta_and_keep_the_signed_bytes_as_a_prefix(
    long_term_pdf: bytes, lab_signer: LabSigner, local_tsa: LocalTsa, tsa: TimeStampAuthority
) -> None:
    roots = [lab_signer.certificate]
    first = archive_timestamp(long_term_pdf, tsa, roots)
    second = archive_timestamp(first, tsa, roots)

    for archived in (first, second):
        check = check_signature(archived, trusted(lab_signer, local_tsa))
        assert check.verified, check
        assert check.level == "B-LTA"
        assert pdfa3b_problems(archived) == []
    assert first.startswith(long_term_pdf) and second.startswith(first)
    first_time = check_signature(first, trusted(lab_signer, local_tsa)).archived_at
    second_time = check_signature(second, trusted(lab_signer, local_tsa)).archived_at
    assert first_time is not None and second_time is not None and first_time <= second_time
    assert len(PdfReader(io.BytesIO(second)).trailer["/Root"]["/AcroForm"]["/Fields"]) == 3


def test_archive_timestamp_of_a_b_b_file_adds_a_document_timestamp(
    signed_pdf: bytes, lab_signer: LabSigner, local_tsa: LocalTsa, tsa: TimeStampAuthority
) -> None:
    archived = archive_timestamp(signed_pdf, tsa, [lab_signer.certificate])

    check = check_signature(archived, trusted(lab_signer, local_tsa))
    assert check.verified, check
    assert check.archived_at is not None
    assert pdfa3b_problems(archived) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"document_tsa_url": "ftp://tsa.example/"}, "not an http"),
        ({"document_tsa_url": "http://tsa.example/"}, "LIMS_DOCUMENT_TSA_CERTIFICATE"),
    ],
)
def test_a_tsa_url_needs_http_and_the_tsa_certificate(
    make_settings: Callable[..., Settings], overrides: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        time_stamp_authority(make_settings(**overrides))


def test_a_tsa_certificate_file_without_a_certificate_is_refused(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    not_a_certificate = tmp_path / "tsa.pem"
    not_a_certificate.write_text("-----BEGIN CERTIFICATE-----\nbroken\n")

    with pytest.raises(ConfigurationError, match="no PEM certificate"):
        time_stamp_authority(
            make_settings(
                document_tsa_url="http://tsa.example/", document_tsa_certificate=not_a_certificate
            )
        )


def test_the_facts_of_a_b_b_file_say_it_has_no_timestamp(
    signed_pdf: bytes, lab_signer: LabSigner
) -> None:
    report = check_pdf(signed_pdf, trusted=[lab_signer.certificate], record=None, number=None)

    reported = dict(line.split(": ", 1) for line in report.lines())
    assert reported["timestamp"] == "no timestamp"
    assert reported["validation data (DSS)"] == "none"
    assert reported["PAdES level"] == "B-B"
    assert reported["on record"] == "unknown"
    assert not report.verified  # a file on no record is not verified, however well signed
