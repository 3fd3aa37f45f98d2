"""What a PDF in hand proves: its signature, timestamps and validation data, and the record.

``lims documents verify --file`` prints these facts one per line.  A file is verified when its
signature is intact, valid and made by a trusted certificate, every timestamp on it is a trusted
TSA's, nothing but validation data and timestamps was added after signing, and it is the file on
record: the issued PDF, or its newest archive copy (``lims.documents.archive``).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509
from pyhanko.pdf_utils.misc import PdfReadError

from lims.documents.models import Document
from lims.documents.pdf import read_attachments
from lims.documents.signing import SignatureCheck, check_signature
from lims.errors import InvalidInput

PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class FileReport:
    sha256: str
    number: str | None
    signature: SignatureCheck
    record: Document | None

    @property
    def on_record(self) -> str | None:
        """Which file on record this is ("issued", "archive copy"), None when neither."""
        if self.record is None:
            return None
        if self.sha256 == self.record.sha256:
            return "issued"
        if self.sha256 == self.record.archive_sha256:
            return "archive copy"
        return None

    @property
    def verified(self) -> bool:
        return self.signature.verified and self.on_record is not None

    def lines(self) -> list[str]:
        check = self.signature
        return [
            f"sha256: {self.sha256}",
            f"number: {self.number or 'not found in the file'}",
            f"on record: {self._record_line()}",
            f"intact: {_yes(check.intact and check.valid and check.covers_whole_file)}",
            f"signer: {check.signer or 'no signature'}"
            + ("" if check.trusted or not check.signer else " (NOT trusted)"),
            f"signing time: {_time(check.signed_at)} (the signer's own claim)",
            "timestamp: "
            + (
                f"{_time(check.timestamped_at)} by {check.time_stamp_authority}"
                + ("" if check.timestamps_trusted else " (NOT trusted)")
                if check.timestamped_at
                else "no timestamp"
            ),
            f"validation data (DSS): {'embedded' if check.validation_data_embedded else 'none'}",
            f"archive timestamp: {_time(check.archived_at) if check.archived_at else 'none'}",
            f"PAdES level: {check.level or 'none'}",
            f"verified: {_yes(self.verified)}",
        ]

    def _record_line(self) -> str:
        if self.record is None:
            return f"no document {self.number} is on record" if self.number else "unknown"
        state = self.record.state
        if self.on_record is None:
            return f"NO: not the file issued as {self.record.number} ({state})"
        return f"yes, the {self.on_record} of {self.record.number} ({state})"


def document_number(pdf: bytes) -> str | None:
    """The number in the file's embedded data.json, if it has one."""
    try:
        data = json.loads(read_attachments(pdf).get("data.json", b"null"))
    except (PdfReadError, ValueError, KeyError, TypeError):
        # A file whose data cannot be read names no number; its signature check says the rest.
        return None
    number = data.get("number") if isinstance(data, dict) else None
    return number if isinstance(number, str) else None


def require_pdf(pdf: bytes, name: str) -> None:
    if not pdf.startswith(PDF_MAGIC):
        raise InvalidInput(
            "%(name)s is not a PDF (it does not start with %%PDF-)",
            code="documents.pdf_does_start_pdf",
            name=name,
        )


def check_pdf(
    pdf: bytes, *, trusted: list[x509.Certificate], record: Document | None, number: str | None
) -> FileReport:
    """The facts about ``pdf`` (checked by ``require_pdf`` first)."""
    return FileReport(
        sha256=hashlib.sha256(pdf).hexdigest(),
        number=number,
        signature=check_signature(pdf, trusted),
        record=record,
    )


def _yes(value: bool) -> str:
    return "yes" if value else "NO"


def _time(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "none"
