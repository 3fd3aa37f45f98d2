"""The lab's PAdES signature on issued PDFs, and the check of one.

An issued document is signed by the lab (its key and certificate from the settings, or the
self-signed demo pair ``lims demo`` makes) as PAdES B-B: an incremental update, so the rendered
PDF/A-3b bytes stay an unchanged prefix and its attachments and markers survive.  The person who
approved the document is named in the signature dictionary (/Name), not in the certificate.

The signed file stays PDF/A-3b.  PDF/A-3 (ISO 19005-3) is based on PDF 1.7 (ISO 32000-1), but
pyHanko marks a file signed with ECDSA on a named curve, such as the demo P-256 key, as PDF 2.0:
it sets the catalog /Version to 2.0 and declares the ISO/TS 32002 extension (/Extensions /ISO_,
whose base version is 2.0).  pyHanko has no option to leave that out, so the signature is
written through ``_PdfA3Writer``, which never raises the file's version and drops any developer
extension based on a later PDF version than the file's.  Nothing in the signature depends on the
declaration: the CMS signature value and its algorithm identifier are the same either way, and
validators read them from the CMS.  The 1.7-based ESIC extension that pyHanko declares for PAdES
structures stays.  Changing the demo key to RSA was the alternative; it would not protect a lab
that configures its own ECDSA key, and signs ten times slower (ENVIRONMENT.md).

pyHanko's synchronous API runs its own event loop: call these from plain (thread-pool) code, not
from inside a running asyncio loop.
"""

import io
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from asn1crypto import keys, x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.extensions import DeveloperExtension
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader, parse_catalog_version
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathError, ValidationError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from lims.config import Settings
from lims.errors import ConfigurationError

SIGNATURE_FIELD = "Allekirjoitus"
DEMO_CERTIFICATE_YEARS = 10
_X509_NAME_MAX = 64  # upper bound of commonName and organizationName (RFC 5280)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabSigner:
    """The lab's key and certificate, loaded once and ready to sign many documents."""

    signer: signers.SimpleSigner
    certificate: x509.Certificate


@dataclass(frozen=True)
class SignatureCheck:
    """What the last signature of a PDF proves; all False when there is none.

    ``valid`` means the signature value verifies over unchanged content (it implies ``intact``);
    ``trusted`` that the signer's certificate chains to the trusted certificate.
    """

    intact: bool = False
    valid: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer: str | None = None
    signed_at: datetime | None = None

    @property
    def verified(self) -> bool:
        """The document is exactly what the trusted signer signed, with nothing added."""
        return self.intact and self.valid and self.trusted and self.covers_whole_file


def create_demo_signing_key(settings: Settings) -> bool:
    """Make a self-signed ECDSA P-256 key and certificate for the lab, unless they exist.

    Returns True when it made them; never overwrites.  The key file is readable by its owner only.
    """
    key_path = settings.resolved_document_signing_key
    certificate_path = settings.resolved_document_signing_certificate
    if key_path.exists() and certificate_path.exists():
        return False
    if key_path.exists() or certificate_path.exists():
        raise ConfigurationError(
            f"Only one of {key_path} and {certificate_path} exists: "
            "restore the other or remove both"
        )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = _self_signed_certificate(key, settings.lab.name)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Key first: a certificate on disk then always has its key beside it.
    _write_new_file(key_path, key_pem, mode=0o600)
    _write_new_file(
        certificate_path, certificate.public_bytes(serialization.Encoding.PEM), mode=0o644
    )
    return True


def load_lab_signer(settings: Settings) -> LabSigner:
    """The lab signer from the configured files, read again only when a file changes."""
    key_path = settings.resolved_document_signing_key
    certificate_path = settings.resolved_document_signing_certificate
    for path in (key_path, certificate_path):
        if not path.is_file():
            raise ConfigurationError(
                f"Document signing file {path} is missing: run `lims demo` or set "
                "LIMS_DOCUMENT_SIGNING_KEY and LIMS_DOCUMENT_SIGNING_CERTIFICATE"
            )
    return _cached_lab_signer(
        key_path.resolve(),
        key_path.stat().st_mtime_ns,
        certificate_path.resolve(),
        certificate_path.stat().st_mtime_ns,
    )


def sign_pdf(pdf: bytes, signer: LabSigner, *, signatory: str, reason: str, location: str) -> bytes:
    """Sign as PAdES B-B in an invisible field; the input bytes stay an unchanged prefix."""
    writer = _PdfA3Writer(io.BytesIO(pdf))
    _set_producer_to_pyhanko(writer)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        name=signatory,
        reason=reason,
        location=location,
    )
    return signers.sign_pdf(writer, metadata, signer=signer.signer).getvalue()


def check_signature(pdf: bytes, trusted_certificate: x509.Certificate) -> SignatureCheck:
    """Check the last signature of a PDF against the one certificate trusted to have made it."""
    try:
        signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
        if not signatures:
            return SignatureCheck()
        signature = signatures[-1]
        status = validate_pdf_signature(
            signature, ValidationContext(trust_roots=[trusted_certificate])
        )
    except (PdfReadError, SignatureValidationError) as error:
        # A file that cannot be read as a signed PDF proves nothing: a verdict, not a failure.
        logger.info("signature not checkable: %s", error)
        return SignatureCheck()
    return SignatureCheck(
        intact=status.intact,
        valid=status.intact and status.valid,
        trusted=status.trusted,
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer=status.signing_cert.subject.native.get("common_name"),
        signed_at=status.signer_reported_dt,
    )


@lru_cache(maxsize=4)
def _cached_lab_signer(
    key_path: Path, key_mtime_ns: int, certificate_path: Path, certificate_mtime_ns: int
) -> LabSigner:
    # The modification times are part of the cache key only: a replaced file is read again.
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (TypeError, ValueError) as error:
        raise ConfigurationError(
            f"Document signing key {key_path} is not an unencrypted PEM private key: {error}"
        ) from error
    try:
        certificate = pyca_x509.load_pem_x509_certificate(certificate_path.read_bytes())
    except ValueError as error:
        raise ConfigurationError(
            f"Document signing certificate {certificate_path} is not a PEM certificate: {error}"
        ) from error
    if _public_key_der(key.public_key()) != _public_key_der(certificate.public_key()):
        raise ConfigurationError(
            f"Document signing key {key_path} does not belong to certificate {certificate_path}"
        )
    asn1_certificate = x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    # pyHanko takes asn1crypto objects; building the signer once avoids reparsing per document.
    signer = signers.SimpleSigner(
        signing_cert=asn1_certificate,
        signing_key=keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs([asn1_certificate]),
    )
    return LabSigner(signer=signer, certificate=asn1_certificate)


def _public_key_der(public_key: PublicKeyTypes) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _self_signed_certificate(
    key: ec.EllipticCurvePrivateKey, lab_name: str
) -> pyca_x509.Certificate:
    # A plain end-entity certificate: pyHanko trusts it as its own root when it is the trust root.
    name = pyca_x509.Name(
        [
            pyca_x509.NameAttribute(NameOID.COMMON_NAME, lab_name[:_X509_NAME_MAX]),
            pyca_x509.NameAttribute(NameOID.ORGANIZATION_NAME, lab_name[:_X509_NAME_MAX]),
            pyca_x509.NameAttribute(NameOID.COUNTRY_NAME, "FI"),
        ]
    )
    # A few minutes back, so a server whose clock runs slightly behind still accepts it.
    not_before = datetime.now(UTC) - timedelta(minutes=5)
    return (
        pyca_x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(pyca_x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=round(365.25 * DEMO_CERTIFICATE_YEARS)))
        .add_extension(pyca_x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            pyca_x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
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


def _write_new_file(path: Path, content: bytes, *, mode: int) -> None:
    """Write atomically and never replace: readers see no file or the whole one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.link(temporary, path)  # unlike a rename, fails when the file exists
    finally:
        os.unlink(temporary)


class _PdfA3Writer(IncrementalPdfFileWriter):
    """An incremental update that keeps the file at the PDF version its header declares.

    See the module docstring: pyHanko would declare PDF 2.0 for an ECDSA signature, which a
    PDF/A-3 file (PDF 1.7 based) must not.
    """

    def ensure_output_version(self, version: tuple[int, int]) -> None:
        if version <= self.prev.input_version:
            super().ensure_output_version(version)
        else:
            logger.debug("PDF %s.%s not declared: the file stays PDF/A-3", *version)

    def register_extension(self, ext: DeveloperExtension) -> None:
        base_version = parse_catalog_version(ext.base_version)
        if base_version is not None and base_version <= self.prev.input_version:
            super().register_extension(ext)
        else:
            logger.debug(
                "extension %s %s not declared: the file stays PDF/A-3",
                ext.prefix_name,
                ext.base_version,
            )


def _set_producer_to_pyhanko(writer: IncrementalPdfFileWriter) -> None:
    # pyHanko rewrites the XMP producer to its own name but appends it to Info /Producer;
    # naming it alone in Info first keeps the two equal.  A PDF without Info gets pyHanko's alone.
    if "/Info" not in writer.trailer:
        return
    info = writer.trailer["/Info"].get_object()
    info["/Producer"] = generic.TextStringObject(VENDOR)
    writer.update_container(info)


class _UntrustedWithoutTraceback(logging.Filter):
    """pyHanko logs a certificate path it cannot trust as a WARNING with a full traceback.

    The check's ``trusted=False`` already reports it; keep the one-line message, drop the
    traceback so verifying a stranger's PDF does not flood the log.  Other records pass as is.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], ValidationError | PathError):
            record.exc_info = None
            record.exc_text = None
        return True


logging.getLogger("pyhanko.sign.validation.generic_cms").addFilter(_UntrustedWithoutTraceback())
