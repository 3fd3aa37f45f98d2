"""The lab's PAdES signature on issued PDFs, and the check of one.

An issued document is signed with the lab's key and certificate (from the settings, or the
self-signed demo pair ``lims demo`` makes), or with the signatory's own when one is configured
for them (``LIMS_SIGNATORY_CERTIFICATE_DIR``): then the certificate names the person the
signature dictionary's /Name names, and signing refuses a certificate naming someone else.
The signature is an incremental update, so the rendered PDF/A-3b bytes stay an unchanged prefix
and its attachments and markers survive.

Levels (ETSI EN 319 142-1): without a time-stamp authority the signature is PAdES B-B (the time
in /M is the lab's own claim).  With one (``lims.documents.timestamping``) it carries an RFC 3161
timestamp token over the signature value (B-T), and a DSS with the certificates (and revocation
data where a certificate names a source) of the signer and the TSA is added right after it
(B-LT).  Archive timestamps over the whole file make it B-LTA.

The signed file stays PDF/A-3b: every update is written through
``lims.documents.incremental.PdfA3Writer`` (why: its docstring).

pyHanko's synchronous API runs its own event loop: call these from plain (thread-pool) code, not
from inside a running asyncio loop.
"""

import io
import logging
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from asn1crypto import keys, x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    PublicKeyTypes,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import InvalidCertificateError, PathError, ValidationError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from lims.config import Settings
from lims.documents.incremental import PdfA3Writer
from lims.documents.timestamping import (
    TimeStampAuthority,
    read_certificates,
    unavailable_on_failure,
    validation_context,
)
from lims.errors import ConfigurationError

SIGNATURE_FIELD = "Allekirjoitus"
DEMO_CERTIFICATE_YEARS = 10
_X509_NAME_MAX = 64  # upper bound of commonName and organizationName (RFC 5280)
# A username names files in the signatories' folder: nothing that could step out of it.
_SAFE_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,199}")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabSigner:
    """A key and its certificate (the lab's or a signatory's), loaded once for many documents.

    ``chain`` is the certificate and the CA certificates its file carries after it.
    """

    signer: signers.SimpleSigner
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def subject(self) -> str | None:
        return _common_name(self.certificate)


@dataclass(frozen=True)
class SignatureCheck:
    """What the last signature of a PDF proves; all False when there is none.

    ``valid`` means the signature value verifies over unchanged content (it implies ``intact``);
    ``trusted`` that the signer's certificate chains to a trusted certificate;
    ``covers_whole_file`` that nothing but validation data and document timestamps was added
    after it.  ``timestamped_at`` is the time in the signature's timestamp token (B-T),
    ``validation_data_embedded`` whether the file has a DSS (B-LT) and ``archived_at`` the time of
    the newest document timestamp (B-LTA).
    """

    intact: bool = False
    valid: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer: str | None = None
    signed_at: datetime | None = None
    timestamped_at: datetime | None = None
    time_stamp_authority: str | None = None
    timestamps_trusted: bool = False
    validation_data_embedded: bool = False
    archived_at: datetime | None = None

    @property
    def verified(self) -> bool:
        """The document is exactly what the trusted signer signed, every timestamp on it is a
        trusted TSA's, and nothing but validation data and timestamps was added."""
        timestamps_hold = self.timestamps_trusted or (
            self.timestamped_at is None and self.archived_at is None
        )
        return (
            self.intact
            and self.valid
            and self.trusted
            and self.covers_whole_file
            and timestamps_hold
        )

    @property
    def level(self) -> str | None:
        """The PAdES baseline level the file reaches, None without a valid signature."""
        if not self.valid:
            return None
        if self.timestamped_at is None:
            return "B-B"
        if not self.validation_data_embedded:
            return "B-T"
        return "B-LT" if self.archived_at is None else "B-LTA"


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
            "Only one of %(key_path)s and %(certificate_path)s exists: restore the "
            "other or remove both",
            code="documents.only_one_exists_restore_other",
            key_path=key_path,
            certificate_path=certificate_path,
        )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = self_signed_certificate(
        key, common_name=settings.lab.name, organisation=settings.lab.name
    )
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
                "Document signing file %(path)s is missing: run `lims demo` or set "
                "LIMS_DOCUMENT_SIGNING_KEY and LIMS_DOCUMENT_SIGNING_CERTIFICATE",
                code="documents.document_signing_file_missing_run",
                path=path,
            )
    return _cached_signer(
        key_path.resolve(),
        key_path.stat().st_mtime_ns,
        certificate_path.resolve(),
        certificate_path.stat().st_mtime_ns,
    )


def signer_for(settings: Settings, *, username: str | None, full_name: str) -> LabSigner:
    """The signatory's own signer when their key and certificate are configured, else the lab's.

    A personal certificate must name the signatory (its common name is ``full_name``): the
    signature dictionary's /Name says who signed, and the certificate is what binds it.
    """
    directory = settings.signatory_certificate_dir
    if directory is None or username is None or not _SAFE_USERNAME.fullmatch(username):
        return load_lab_signer(settings)
    key_path, certificate_path = directory / f"{username}.key", directory / f"{username}.pem"
    if not key_path.is_file() and not certificate_path.is_file():
        return load_lab_signer(settings)
    for path in (key_path, certificate_path):
        if not path.is_file():
            raise ConfigurationError(
                "Signatory signing file %(path)s is missing: a signatory needs both "
                "%(username)s.key and %(username)s.pem in %(directory)s",
                code="documents.signatory_signing_file_missing_signatory",
                path=path,
                username=username,
                directory=directory,
            )
    signer = _cached_signer(
        key_path.resolve(),
        key_path.stat().st_mtime_ns,
        certificate_path.resolve(),
        certificate_path.stat().st_mtime_ns,
    )
    usage = signer.certificate.key_usage_value
    if usage is None or "non_repudiation" not in usage.native:
        raise ConfigurationError(
            "The certificate %(certificate_path)s does not allow signing for "
            "non-repudiation (key usage contentCommitment): it is not a signing "
            "certificate",
            code="documents.certificate_does_allow_signing_non",
            certificate_path=certificate_path,
        )
    if signer.subject != full_name:
        raise ConfigurationError(
            "The certificate %(certificate_path)s names '%(subject)s', not the "
            "signatory '%(full_name)s': a signature must be made with the "
            "signatory's own certificate",
            code="documents.certificate_names_signatory_signature_must",
            certificate_path=certificate_path,
            subject=signer.subject,
            full_name=full_name,
        )
    return signer


def trusted_certificates(settings: Settings) -> list[x509.Certificate]:
    """What the lab's documents are checked against: the lab's certificate, the signatories'
    certificates and their CAs, and the TSA's certificates."""
    trusted = [load_lab_signer(settings).certificate]
    directory = settings.signatory_certificate_dir
    if directory is not None and directory.is_dir():
        for path in sorted(directory.glob("*.pem")):
            trusted.extend(read_certificates(path))
    if settings.document_tsa_certificate is not None:
        trusted.extend(read_certificates(settings.document_tsa_certificate))
    return trusted


def sign_pdf(
    pdf: bytes,
    signer: LabSigner,
    *,
    signatory: str,
    reason: str,
    location: str,
    tsa: TimeStampAuthority | None = None,
) -> bytes:
    """Sign in an invisible field: PAdES B-B, or B-LT with a TSA; the input bytes stay an
    unchanged prefix.  A TSA that fails raises ``TimeStampUnavailable`` and nothing is signed."""
    writer = PdfA3Writer(io.BytesIO(pdf))
    _set_producer_to_pyhanko(writer)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        name=signatory,
        reason=reason,
        location=location,
        embed_validation_info=tsa is not None,
        validation_context=(
            None if tsa is None else validation_context([*signer.chain, *tsa.certificates])
        ),
    )
    if tsa is None:
        return signers.sign_pdf(writer, metadata, signer=signer.signer).getvalue()
    try:
        with unavailable_on_failure(tsa):
            signed = signers.sign_pdf(
                writer, metadata, signer=signer.signer, timestamper=tsa.timestamper()
            )
    except InvalidCertificateError as error:
        # Validation data are gathered by validating the certificates: one not made for its
        # use (no nonRepudiation on the signer's, no timeStamping on the TSA's) stops here.
        raise ConfigurationError(
            "A certificate of the signature (the signer's '%(subject)s' or the "
            "TSA's) is not valid for its use: %(error)s",
            code="documents.certificate_signature_signer_tsa_valid",
            subject=signer.subject,
            error=error,
        ) from error
    return signed.getvalue()


def check_signature(
    pdf: bytes, trusted: x509.Certificate | Iterable[x509.Certificate]
) -> SignatureCheck:
    """Check the last signature of a PDF, and the timestamps on it, against the certificates
    trusted to have made them (the signer's, the TSA's)."""
    roots = [trusted] if isinstance(trusted, x509.Certificate) else list(trusted)
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_regular_signatures
        if not signatures:
            return SignatureCheck()
        status = validate_pdf_signature(
            signatures[-1],
            ValidationContext(trust_roots=roots),
            ValidationContext(trust_roots=roots),
        )
        archives = [
            validate_pdf_timestamp(timestamp, ValidationContext(trust_roots=roots))
            for timestamp in reader.embedded_timestamp_signatures
        ]
    except (PdfReadError, SignatureValidationError) as error:
        # A file that cannot be read as a signed PDF proves nothing: a verdict, not a failure.
        logger.info("signature not checkable: %s", error)
        return SignatureCheck()
    token = status.timestamp_validity
    only_validation_data_after = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level == ModificationLevel.LTA_UPDATES
    )
    return SignatureCheck(
        intact=status.intact,
        valid=status.intact and status.valid,
        trusted=status.trusted,
        covers_whole_file=only_validation_data_after,
        signer=_common_name(status.signing_cert),
        signed_at=status.signer_reported_dt,
        timestamped_at=token.timestamp if token else None,
        time_stamp_authority=_common_name(token.signing_cert) if token else None,
        timestamps_trusted=all(
            each.intact and each.valid and each.trusted
            for each in [*([token] if token else []), *archives]
        ),
        validation_data_embedded="/DSS" in reader.root,
        archived_at=archives[-1].timestamp if archives else None,
    )


@lru_cache(maxsize=4)
def _cached_signer(
    key_path: Path, key_mtime_ns: int, certificate_path: Path, certificate_mtime_ns: int
) -> LabSigner:
    # The modification times are part of the cache key only: a replaced file is read again.
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (TypeError, ValueError) as error:
        raise ConfigurationError(
            "Document signing key %(key_path)s is not an unencrypted PEM private key: %(error)s",
            code="documents.document_signing_key_unencrypted_pem",
            key_path=key_path,
            error=error,
        ) from error
    try:
        certificate = pyca_x509.load_pem_x509_certificate(certificate_path.read_bytes())
    except ValueError as error:
        raise ConfigurationError(
            "Document signing certificate %(certificate_path)s is not a PEM certificate: %(error)s",
            code="documents.document_signing_certificate_pem_certificate",
            certificate_path=certificate_path,
            error=error,
        ) from error
    if _public_key_der(key.public_key()) != _public_key_der(certificate.public_key()):
        raise ConfigurationError(
            "Document signing key %(key_path)s does not belong to certificate %(certificate_path)s",
            code="documents.document_signing_key_does_belong",
            key_path=key_path,
            certificate_path=certificate_path,
        )
    chain = tuple(
        x509.Certificate.load(each.public_bytes(serialization.Encoding.DER))
        for each in pyca_x509.load_pem_x509_certificates(certificate_path.read_bytes())
    )
    asn1_certificate = chain[0]
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
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )
    return LabSigner(signer=signer, certificate=asn1_certificate, chain=chain)


def _common_name(certificate: x509.Certificate) -> str | None:
    name: str | None = certificate.subject.native.get("common_name")
    return name


def _public_key_der(public_key: PublicKeyTypes) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def self_signed_certificate(
    key: CertificateIssuerPrivateKeyTypes,
    *,
    common_name: str,
    organisation: str | None = None,
    days: int = round(365.25 * DEMO_CERTIFICATE_YEARS),
    non_repudiation: bool = True,
    time_stamping: bool = False,
) -> pyca_x509.Certificate:
    """A plain end-entity certificate for ``key``: pyHanko trusts it as its own root when it
    is the trust root.  A signing certificate (the default) has digitalSignature and
    nonRepudiation; a time-stamping one only the critical timeStamping purpose (RFC 3161 2.3)."""
    attributes = [pyca_x509.NameAttribute(NameOID.COMMON_NAME, common_name[:_X509_NAME_MAX])]
    if organisation is not None:
        attributes += [
            pyca_x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:_X509_NAME_MAX]),
            pyca_x509.NameAttribute(NameOID.COUNTRY_NAME, "FI"),
        ]
    name = pyca_x509.Name(attributes)
    # A few minutes back, so a server whose clock runs slightly behind still accepts it.
    not_before = datetime.now(UTC) - timedelta(minutes=5)
    builder = (
        pyca_x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(pyca_x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=days))
    )
    if time_stamping:
        builder = builder.add_extension(
            pyca_x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    else:
        builder = builder.add_extension(
            pyca_x509.BasicConstraints(ca=False, path_length=None), critical=True
        ).add_extension(
            pyca_x509.KeyUsage(
                digital_signature=True,
                content_commitment=non_repudiation,
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
    return builder.sign(key, hashes.SHA256())


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
