"""Upload checks: a file's first bytes against the type its name declares, and its name.

An upload named ``drawing.pdf`` must be a PDF; one named ``model.stp`` a STEP file.  A file
that a browser would run as a page (HTML, SVG, XHTML) is refused whatever its name: nothing
the lab keeps is one, and serving it back from the LIMS's own origin would let it act for
whoever opens it.  Names are kept for people to read and for download headers, so one
that is empty, a path, or holds control characters is refused.

>>> check_content("drawing.pdf", b"%PDF-1.7 ...")
'application/pdf'
>>> check_filename("rengas ø50.stp")
'rengas ø50.stp'
"""

import re
import unicodedata
from collections.abc import Callable
from pathlib import PurePosixPath

from lims.errors import InvalidInput, UnsupportedContent, problem_template

#: Bytes read from the start of a file to decide what it is.
HEAD_BYTES = 4096
_BOM = b"\xef\xbb\xbf"
_ACTIVE = re.compile(
    rb"<(!doctype\s+html|html|head|body|script|iframe|svg|object|embed)[\s>/]"
    rb"|xmlns\s*=\s*[\"']http://www\.w3\.org/(1999/xhtml|2000/svg)",
    re.IGNORECASE,
)


def _text(head: bytes) -> bytes:
    return head.removeprefix(_BOM).lstrip()


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the end of the head is still text.
        return error.start >= len(head) - 3
    return True


_SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    "application/pdf": lambda head: head.startswith(b"%PDF-"),
    "image/png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "image/gif": lambda head: head.startswith((b"GIF87a", b"GIF89a")),
    "image/tiff": lambda head: head.startswith((b"II*\x00", b"MM\x00*")),
    "application/zip": lambda head: head.startswith(b"PK\x03\x04"),
    "application/gzip": lambda head: head.startswith(b"\x1f\x8b"),
    "model/step": lambda head: _text(head).startswith(b"ISO-10303-21;"),
    "application/xml": lambda head: _text(head).startswith(b"<") and _is_text(head),
    "image/vnd.dwg": lambda head: head.startswith(b"AC1"),
    "image/vnd.dxf": lambda head: (
        head.startswith(b"AutoCAD Binary DXF") or (_is_text(head) and b"SECTION" in head[:256])
    ),
    "text/plain": _is_text,
}
#: What each file name ending declares (longest endings first, so ".stp.gz" beats ".gz").
DECLARED = {
    ".stp.gz": "application/gzip",
    ".step.gz": "application/gzip",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".zip": "application/zip",
    ".docx": "application/zip",
    ".xlsx": "application/zip",
    ".3mf": "application/zip",
    ".gz": "application/gzip",
    ".stp": "model/step",
    ".step": "model/step",
    ".p21": "model/step",
    ".qif": "application/xml",
    ".xml": "application/xml",
    ".dwg": "image/vnd.dwg",
    ".dxf": "image/vnd.dxf",
    ".csv": "text/plain",
    ".txt": "text/plain",
}
#: Content a browser could take for a page: text, or of no known type.  (A PDF or an image
#: is served as what it is, and ``nosniff`` keeps browsers from guessing otherwise.)
_MAY_BE_ACTIVE = frozenset({None, "application/xml", "image/vnd.dxf", "text/plain"})
_EXTENSION_OF = {media_type: ending for ending, media_type in reversed(DECLARED.items())}
#: What each type is called in a refusal (words of the problems catalog).
_NAMES = {
    "application/pdf": problem_template("a PDF"),
    "image/png": problem_template("a PNG image"),
    "image/jpeg": problem_template("a JPEG image"),
    "image/gif": problem_template("a GIF image"),
    "image/tiff": problem_template("a TIFF image"),
    "application/zip": problem_template("a ZIP archive"),
    "application/gzip": problem_template("a gzip file"),
    "model/step": problem_template("a STEP (ISO 10303-21) file"),
    "application/xml": problem_template("an XML document"),
    "image/vnd.dwg": problem_template("a DWG drawing"),
    "image/vnd.dxf": problem_template("a DXF drawing"),
    "text/plain": problem_template("text"),
}


def detect(head: bytes) -> str | None:
    """The media type the first bytes show, most specific first; None when unknown."""
    return next((kind for kind, matches in _SIGNATURES.items() if matches(head)), None)


def declared_type(filename: str) -> str | None:
    lowered = filename.lower()
    return next((kind for ending, kind in DECLARED.items() if lowered.endswith(ending)), None)


def check_content(filename: str, head: bytes, *, allowed: frozenset[str] | None = None) -> str:
    """The upload's media type; refuse content that is active or contradicts its name.

    ``allowed`` narrows what may be uploaded at all (a certificate: PDF, images, XML).
    """
    found = detect(head)
    if found in _MAY_BE_ACTIVE and _ACTIVE.search(head[:HEAD_BYTES]):
        raise UnsupportedContent(
            "%(filename)s holds a web page or SVG (active content), which the lab "
            "does not keep: send the document as PDF",
            code="sniffing.holds_web_page_svg_active",
            filename=filename,
        )
    declared = declared_type(filename)
    if declared is not None and not _SIGNATURES[declared](head):
        if found:
            raise UnsupportedContent(
                "%(filename)s is named as %(named_as)s, but it looks like %(looks_like)s: "
                "send the file under its right name",
                code="sniffing.named_as_but_looks_like",
                filename=filename,
                named_as=_NAMES[declared],
                looks_like=_NAMES[found],
            )
        raise UnsupportedContent(
            "%(filename)s is named as %(named_as)s, but its content is of no known type: "
            "send the file under its right name",
            code="sniffing.named_as_but_unknown_content",
            filename=filename,
            named_as=_NAMES[declared],
        )
    media_type = declared or found or "application/octet-stream"
    if allowed is not None and media_type not in allowed:
        kinds = ", ".join(sorted(_NAMES[kind] for kind in allowed))
        raise UnsupportedContent(
            "%(filename)s is not one of: %(kinds)s",
            code="sniffing.one",
            filename=filename,
            kinds=kinds,
        )
    return media_type


def extension_for(media_type: str) -> str:
    """A file name ending for a detected type, e.g. for an upload sent without a name."""
    return _EXTENSION_OF.get(media_type, ".bin")


def check_filename(name: str) -> str:
    """The name as kept (Unicode NFC); refuse paths, dot names and control characters."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name or len(name) > 255:
        raise InvalidInput(
            "a file name has 1 to 255 characters",
            code="sniffing.file_name_has_1_255",
            location=("filename",),
        )
    if any(unicodedata.category(character).startswith("C") for character in name):
        raise InvalidInput(
            "a file name may not hold control or invisible characters",
            code="sniffing.file_name_may_hold_control",
            location=("filename",),
        )
    if "/" in name or "\\" in name or name in {".", ".."} or PurePosixPath(name).name != name:
        raise InvalidInput(
            "a file name is a name only, without folders or '..'",
            code="sniffing.file_name_name_only_without",
            location=("filename",),
        )
    return name
