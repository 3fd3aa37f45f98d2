"""Time-stamps from the lab's RFC 3161 time-stamp authority (TSA) for PAdES signatures.

A signature with a timestamp token over its value is PAdES B-T: the TSA, not the lab's clock,
vouches that the signature existed at that time.  ``lims.documents.signing`` asks for the
token while signing and adds the validation data (B-LT); ``archive_timestamp`` adds a document
timestamp over the whole file, after the validation data of the timestamp before it (B-LTA),
so an archive can renew the proof before the algorithms or certificates behind it expire.

The TSA is named in the settings (``LIMS_DOCUMENT_TSA_URL``, its certificates in
``LIMS_DOCUMENT_TSA_CERTIFICATE``).  It is reached over HTTP(S) by pyHanko's aiohttp client
(``HTTPTimeStamper``; aiohttp is a dependency of pyHanko's).  A TSA that is down or answers with
anything but a granted token stops the signing with a 503: a document is then not issued,
rather than issued with less than the lab configured.
"""

import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from asn1crypto import x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from lims.config import Settings
from lims.documents.incremental import PdfA3Writer
from lims.errors import ConfigurationError, LimsError

#: Seconds a client is told to wait after the TSA failed: long enough for a restart.
RETRY_AFTER_SECONDS = 60
#: What a failed exchange with the TSA raises inside pyHanko: the request (network, timeout,
#: HTTP status, content type), the answer's ASN.1 or status, and the token's own validation.
_TSA_FAILURES = (
    TimestampRequestError,
    SigningError,
    SignatureValidationError,
    PathBuildingError,
    PathValidationError,
    ValueError,
)


class TimeStampUnavailable(LimsError):
    """The TSA did not give a valid timestamp: nothing was signed; try again later."""

    status = 503
    title = "Time-stamp authority unavailable"
    slug = "time-stamp-authority"

    def __init__(self, message: str, *, code: str, **params: Any) -> None:
        super().__init__(message, code=code, **params)
        self.retry_after = RETRY_AFTER_SECONDS
        self.extensions = {"retry_after": RETRY_AFTER_SECONDS}


@dataclass(frozen=True)
class TimeStampAuthority:
    """Where the TSA is, how to sign in to it, and the certificates its tokens chain to."""

    url: str
    certificates: tuple[x509.Certificate, ...]
    timeout_seconds: float
    credentials: tuple[str, str] | None = None

    def timestamper(self) -> HTTPTimeStamper:
        return HTTPTimeStamper(self.url, timeout=self.timeout_seconds, auth=self.credentials)


def time_stamp_authority(settings: Settings) -> TimeStampAuthority | None:
    """The configured TSA; None when signatures stay B-B (no ``LIMS_DOCUMENT_TSA_URL``)."""
    if not settings.document_tsa_url:
        return None
    if not settings.document_tsa_url.startswith(("http://", "https://")):
        raise ConfigurationError(
            "LIMS_DOCUMENT_TSA_URL '%(document_tsa_url)s' is not an http(s) URL",
            code="documents.lims_document_tsa_url_http",
            document_tsa_url=settings.document_tsa_url,
        )
    path = settings.document_tsa_certificate
    if path is None or not path.is_file():
        raise ConfigurationError(
            "LIMS_DOCUMENT_TSA_CERTIFICATE must name a PEM file with the TSA's "
            "certificate (and its CA's): without it a timestamp cannot be checked "
            "(given: %(path)s)",
            code="documents.lims_document_tsa_certificate_must",
            path=path,
        )
    credentials = None
    if settings.document_tsa_username is not None:
        password = settings.document_tsa_password
        credentials = (
            settings.document_tsa_username,
            password.get_secret_value() if password else "",
        )
    return TimeStampAuthority(
        url=settings.document_tsa_url,
        certificates=read_certificates(path),
        timeout_seconds=settings.document_tsa_timeout_seconds,
        credentials=credentials,
    )


def read_certificates(path: Path) -> tuple[x509.Certificate, ...]:
    """Every certificate of a PEM file, read again only when the file changes."""
    return _cached_certificates(path.resolve(), path.stat().st_mtime_ns)


def validation_context(trusted: Iterable[x509.Certificate]) -> ValidationContext:
    """Trust in ``trusted`` only; revocation data are fetched where a certificate names a
    source and embedded when found, and their absence (self-signed, offline) is no failure."""
    return ValidationContext(
        trust_roots=list(trusted), allow_fetching=True, revocation_mode="soft-fail"
    )


@contextmanager
def unavailable_on_failure(tsa: TimeStampAuthority) -> Iterator[None]:
    """Turn a failed exchange with the TSA into one 503 naming it."""
    try:
        yield
    except _TSA_FAILURES as error:
        raise TimeStampUnavailable(
            "the time-stamp authority %(url)s gave no valid timestamp: %(error)s; "
            "nothing was signed",
            code="documents.time_stamp_authority_gave_valid",
            url=tsa.url,
            error=error,
        ) from error


def archive_timestamp(
    pdf: bytes, tsa: TimeStampAuthority, trusted: Iterable[x509.Certificate]
) -> bytes:
    """Add the validation data of the newest timestamp and a document timestamp over it all.

    The input bytes stay an unchanged prefix, so the file as issued can still be cut out of
    the result and checked against its recorded hash.
    """
    context = validation_context([*trusted, *tsa.certificates])
    reader = PdfFileReader(io.BytesIO(pdf))
    stamper = signers.PdfTimeStamper(tsa.timestamper())
    output = io.BytesIO()
    with unavailable_on_failure(tsa):
        if reader.embedded_timestamp_signatures:
            # Validates the newest document timestamp, adds its validation data to the DSS,
            # then timestamps; pyHanko adds no PDF 2.0 marking to a timestamp update.
            stamper.update_archival_timestamp_chain(reader, context, in_place=False, output=output)
        else:
            stamper.timestamp_pdf(
                PdfA3Writer(io.BytesIO(pdf)), "sha256", validation_context=context, output=output
            )
    return output.getvalue()


@lru_cache(maxsize=8)
def _cached_certificates(path: Path, _mtime_ns: int) -> tuple[x509.Certificate, ...]:
    try:
        certificates = pyca_x509.load_pem_x509_certificates(path.read_bytes())
    except ValueError as error:
        raise ConfigurationError(
            "%(path)s holds no PEM certificate: %(error)s",
            code="documents.holds_pem_certificate",
            path=path,
            error=error,
        ) from error
    return tuple(
        x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
        for certificate in certificates
    )
