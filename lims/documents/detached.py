"""Detached signatures with the lab's key: a bundle's manifest, an audit checkpoint.

A JWS (RFC 7515) in compact form with a detached, unencoded payload (RFC 7797, ``b64``
false), made with PyJWT.  Chosen over a CMS signature because a JWS is one line of text
(it fits a line of the checkpoint log and sits beside ``manifest.json`` as a small file),
checking one takes microseconds rather than a pyHanko validation run per line, and any JOSE
library that implements RFC 7797 checks it without this program.

The protected header names the signing certificate by its SHA-256 (``x5t#S256``) and may
carry the certificate itself (``x5c``) so that a reader sees who signed.  Verification never
trusts the certificate a signature brings: it takes the trusted certificate(s) from the
caller (the lab's configured one, or an assessor's PEM copy) and accepts only the algorithm
of that certificate's key.
"""

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    PrivateKeyTypes,
    PublicKeyTypes,
)
from cryptography.x509.oid import NameOID

from lims.config import Settings
from lims.documents.signing import LabSigner, load_lab_signer
from lims.errors import ConfigurationError, InvalidInput

_CURVE_ALGORITHMS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
_THUMBPRINT = "x5t#S256"
#: Beside the lab's certificate: its earlier certificates, one PEM file each.
PREVIOUS_FOLDER = "previous"


class SignatureRefused(Exception):
    """A detached signature that does not prove what it should; the message says why."""


@dataclass(frozen=True)
class SignedBy:
    """The trusted certificate a signature was verified against."""

    subject: str
    fingerprint: str  # SHA-256 of the certificate's DER, hex


@dataclass(frozen=True)
class DetachedSigner:
    """The lab's key as JWS needs it, with its certificate."""

    key: PrivateKeyTypes
    certificate: x509.Certificate

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)


def lab_detached_signer(settings: Settings) -> DetachedSigner:
    """The lab's signing key and certificate, as ``lims.documents.signing`` loads them."""
    return detached_signer(load_lab_signer(settings))


def detached_signer(lab_signer: LabSigner) -> DetachedSigner:
    key = serialization.load_der_private_key(lab_signer.signer.signing_key.dump(), password=None)
    certificate = x509.load_der_x509_certificate(lab_signer.certificate.dump())
    return DetachedSigner(key=key, certificate=certificate)


def lab_certificate(settings: Settings) -> x509.Certificate:
    """The lab's configured certificate, the one its own signatures are checked against."""
    return read_certificate(settings.resolved_document_signing_certificate, ConfigurationError)


def trusted_lab_certificates(settings: Settings) -> list[x509.Certificate]:
    """The lab's configured certificate and its earlier ones, kept as PEM files in a
    ``previous`` folder beside it after a renewal, so that older signatures still verify."""
    current = settings.resolved_document_signing_certificate
    earlier = sorted((current.parent / PREVIOUS_FOLDER).glob("*.pem"))
    return [lab_certificate(settings), *(read_certificate(p, ConfigurationError) for p in earlier)]


def read_certificate(path: Path, error: type[Exception] = InvalidInput) -> x509.Certificate:
    """A PEM certificate from a file, e.g. an assessor's copy of the lab's certificate."""
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except OSError as problem:
        raise error(f"cannot read the certificate {path}: {problem.strerror}") from None
    except ValueError as problem:
        raise error(f"{path} is not a PEM certificate: {problem}") from None


def fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def sign(payload: bytes, signer: DetachedSigner, *, embed_certificate: bool = True) -> str:
    """The compact JWS of ``payload`` with the payload left out (``header..signature``)."""
    der = signer.certificate.public_bytes(serialization.Encoding.DER)
    headers: dict[str, object] = {
        "typ": None,
        _THUMBPRINT: _base64url(hashlib.sha256(der).digest()),
    }
    if embed_certificate:
        headers["x5c"] = [base64.b64encode(der).decode()]
    return jwt.api_jws.PyJWS().encode(
        payload,
        signer.key,  # type: ignore[arg-type]  # any key load_lab_signer accepts
        algorithm=_algorithm_of(signer.certificate.public_key()),
        headers=headers,
        is_payload_detached=True,
    )


def verify(payload: bytes, signature: str, trusted: Sequence[x509.Certificate]) -> SignedBy:
    """Which trusted certificate signed ``payload``; ``SignatureRefused`` naming why not."""
    try:
        header = jwt.get_unverified_header(signature)
    except jwt.DecodeError as error:
        raise SignatureRefused(f"is not a JWS signature: {error}") from None
    by_thumbprint = {_base64url(bytes.fromhex(fingerprint(c))): c for c in trusted}
    certificate = by_thumbprint.get(str(header.get(_THUMBPRINT)))
    if certificate is None:
        expected = ", ".join(fingerprint(c) for c in trusted)
        raise SignatureRefused(
            "was not made with the trusted certificate "
            f"(SHA-256 {expected}): it names another certificate or none"
        )
    try:
        jwt.api_jws.PyJWS().decode_complete(
            signature,
            key=certificate.public_key(),  # type: ignore[arg-type]  # checked by _algorithm_of
            algorithms=[_algorithm_of(certificate.public_key())],
            detached_payload=payload,
        )
    except jwt.InvalidSignatureError:
        raise SignatureRefused(
            "does not match the signed content: the content was altered after signing"
        ) from None
    except jwt.PyJWTError as error:
        raise SignatureRefused(f"cannot be checked: {error}") from None
    return SignedBy(subject=_common_name(certificate), fingerprint=fingerprint(certificate))


def _algorithm_of(public_key: PublicKeyTypes) -> str:
    """The one JWS algorithm a key of this type signs and is checked with."""
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        algorithm = _CURVE_ALGORITHMS.get(public_key.curve.name)
        if algorithm:
            return algorithm
    if isinstance(public_key, rsa.RSAPublicKey):
        return "PS256"
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return "EdDSA"
    raise ConfigurationError(
        "the lab's key (%(name__)s) cannot sign a JWS: use an ECDSA "
        "P-256/P-384/P-521, RSA or Ed25519 key",
        code="documents.lab_key_cannot_sign_jws",
        name__=type(public_key).__name__,
    )


def _common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
