"""Document HTML to PDF/A-3b with WeasyPrint, machine-readable data embedded as associated files.

The templates are ours, but users' free text lands in them (autoescaped).  The URL fetcher is a
second fence behind the escaping: a document may load only ``data:`` URIs and files under
``templates/documents/``, so nothing in the HTML can pull a local file (``/etc/passwd`` through an
``<img>`` or an ``<a rel="attachment">``) or a network resource into an issued PDF.  A refused or
missing resource stops the rendering: an issued certificate must never silently lose its logo.

Every call builds its own fetcher and font configuration, so rendering is safe in server worker
threads.
"""

import base64
import io
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, get_args
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pydyf
import segno
import weasyprint
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from weasyprint.document import Document
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from lims.errors import ConfigurationError
from lims.reasons import Reason

# The repository's templates/documents/ (lims/documents/pdf.py is two folders below the root).
TEMPLATES_DIR = (Path(__file__).resolve().parents[2] / "templates" / "documents").resolve()
PDF_VARIANT = "pdf/a-3b"

Relationship = Literal["Data", "Source", "Alternative", "Supplement"]
# WeasyPrint writes the media type into a PDF name (/application#2fjson): anything beyond
# type/subtype tokens, such as parameters, spaces or "#", would break the PDF syntax.
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!$&^_.+-]*")


@dataclass(frozen=True)
class EmbeddedFile:
    """A file carried inside the PDF as a PDF/A-3 associated file (listed in the catalog /AF).

    ``relationship`` is the /AFRelationship: ``Data`` for the machine-readable twin of the
    document, ``Source`` for what it was made from, ``Alternative`` for another rendering of the
    same content, ``Supplement`` for additional material.
    """

    name: str
    content: bytes
    media_type: str
    description: str
    relationship: Relationship = "Data"

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("an embedded file needs a name")
        if not _MEDIA_TYPE.fullmatch(self.media_type):
            raise ValueError(f"not a plain type/subtype media type: {self.media_type!r}")
        if self.relationship not in get_args(Relationship):
            raise ValueError(f"unknown AFRelationship: {self.relationship!r}")


def render_pdf(
    html: str, *, attachments: Sequence[EmbeddedFile] = (), base_url: str | None = None
) -> bytes:
    """Render HTML to PDF/A-3b bytes; ``<title>`` and ``<html lang>`` become title and language.

    Relative URLs resolve against ``base_url``, by default ``templates/documents/``.
    """
    names = [attachment.name for attachment in attachments]
    if len(set(names)) != len(names):
        raise ValueError(f"embedded file names must be unique: {names}")
    fetcher = _DocumentResourceFetcher()
    document = weasyprint.HTML(
        string=html, base_url=base_url or TEMPLATES_DIR.as_uri() + "/", url_fetcher=fetcher
    )
    # The PDF name tree of embedded files must be sorted by name; WeasyPrint keeps our order.
    ordered = sorted(attachments, key=lambda attachment: attachment.name.encode())
    try:
        return document.write_pdf(
            pdf_variant=PDF_VARIANT,
            attachments=[_weasyprint_attachment(attachment, fetcher) for attachment in ordered],
            finisher=_list_associated_files_once,
        )
    except FatalURLFetchingError as error:
        # WeasyPrint's fatal error is a BaseException: turn it into one a server handles.
        cause = error.__cause__ or error
        reason = (
            cause.reason
            if isinstance(cause, ResourceRefused)
            else Reason(
                "a resource of the document cannot be loaded (%(slip)s)",
                slip=type(cause).__name__,
            )
        )
        raise ConfigurationError(
            "The document cannot be rendered: %(reason)s",
            code="documents.document_cannot_rendered",
            reason=reason,
        ) from error


def qr_svg_data_uri(text: str) -> str:
    """A QR code (error level M, 4-module quiet zone) as an SVG data URI for an ``<img>``.

    Size it in the template's CSS; the SVG scales without loss.
    """
    code = segno.make(text, error="m", micro=False, boost_error=False)
    svg = io.BytesIO()
    code.save(svg, kind="svg", border=4, xmldecl=False, nl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode("ascii")


def read_attachments(pdf: bytes) -> dict[str, bytes]:
    """The embedded files of a PDF by name, read with pyHanko (a runtime dependency)."""
    root = PdfFileReader(io.BytesIO(pdf)).root
    try:
        tree = root["/Names"]["/EmbeddedFiles"]
    except KeyError:
        return {}
    return {
        str(spec.get("/UF", spec.get("/F"))): spec["/EF"]["/F"].get_object().data
        for spec in _name_tree_values(tree)
    }


def _name_tree_values(node: generic.DictionaryObject) -> list[generic.DictionaryObject]:
    """Values of a PDF name tree, following /Kids (other producers split large trees)."""
    values: list[generic.DictionaryObject] = []
    for kid in node.get("/Kids", ()):
        values.extend(_name_tree_values(kid.get_object()))
    pairs = node.get("/Names", ())
    values.extend(value.get_object() for value in list(pairs)[1::2])
    return values


class ResourceRefused(ValueError):
    """A resource the renderer may not or cannot load; the :class:`Reason` says which."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.message)
        self.reason = reason


class _DocumentResourceFetcher(URLFetcher):
    """Loads ``data:`` URIs and files under ``templates/documents/``; refuses everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), fail_on_errors=True)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme.lower() == "data":
            return super().fetch(url, headers)
        if parts.scheme.lower() == "file" and parts.netloc in ("", "localhost"):
            # Resolve first, so ".." and symlinks cannot step out of the folder.
            path = Path(url2pathname(parts.path)).resolve()
            if path.is_relative_to(TEMPLATES_DIR):
                return _template_file(url, path)
        shown = url if len(url) <= 100 else url[:100] + "…"
        raise ResourceRefused(
            Reason(
                "only data: URIs and files in %(folder)s may be loaded, not %(url)s",
                folder=str(TEMPLATES_DIR),
                url=shown,
            )
        )


def _template_file(url: str, path: Path) -> URLFetcherResponse:
    if not path.is_file():
        raise ResourceRefused(Reason("no template file %(path)s", path=str(path)))
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": media_type})


def _weasyprint_attachment(attachment: EmbeddedFile, fetcher: URLFetcher) -> weasyprint.Attachment:
    # A data: URI is the one source through which WeasyPrint takes the media type as given
    # (/Subtype of the embedded file stream) instead of guessing it from the file name.
    encoded = base64.b64encode(attachment.content).decode("ascii")
    now = datetime.now(UTC)  # WeasyPrint writes the dates with a "Z": they must be UTC.
    return weasyprint.Attachment(
        url=f"data:{attachment.media_type};base64,{encoded}",
        url_fetcher=fetcher,
        name=attachment.name,
        description=attachment.description,
        created=now,
        modified=now,
        relationship=attachment.relationship,
    )


def _list_associated_files_once(_document: Document, pdf: pydyf.PDF) -> None:
    # WeasyPrint 70 adds each attachment to the catalog /AF twice (once from the name tree,
    # once from the file specifications); list each one once.
    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))
