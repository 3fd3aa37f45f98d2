"""Upload content against its declared type, and file names."""

import pytest

from lims.errors import InvalidInput, UnsupportedContent
from lims.sniffing import check_content, check_filename, extension_for

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
STEP = b"ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('NIST'),'2;1');"
QIF = b'<?xml version="1.0"?>\n<QIFDocument xmlns="http://qifstandards.org/xsd/qif3">'
GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00"


@pytest.mark.parametrize(
    ("filename", "head", "media_type"),
    [
        ("piirustus.pdf", PDF, "application/pdf"),
        ("Scan.PNG", PNG, "image/png"),
        ("flange.stp", STEP, "model/step"),
        ("flange.stp.gz", GZIP, "application/gzip"),
        ("plan.qif", QIF, "application/xml"),
        ("readings.csv", "kärki;arvo\n25;0,4\n".encode(), "text/plain"),
        ("model.sldprt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/octet-stream"),
        ("no-extension", PDF, "application/pdf"),
    ],
)
def test_content_that_matches_its_name_is_accepted(
    filename: str, head: bytes, media_type: str
) -> None:
    assert check_content(filename, head) == media_type


@pytest.mark.parametrize(
    ("filename", "head", "message"),
    [
        ("drawing.pdf", b"<!DOCTYPE html><html><script>alert(1)</script>", "active content"),
        ("drawing.pdf", b"MZ\x90\x00\x03\x00", "its content is of no known type"),
        ("model.stp", PDF, "it looks like a PDF"),
        ("photo.png", b"\xff\xd8\xff\xe0\x00\x10JFIF", "it looks like a JPEG image"),
        ("plan.qif", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "active content"),
        ("notes.txt", b"  <html><body onload=x()>", "active content"),
        ("unknown.bin", b"\n<script src=//evil.example/x.js></script>", "active content"),
        ("model.stp.gz", STEP, "named as a gzip file"),
    ],
)
def test_content_that_contradicts_its_name_or_is_active_is_refused(
    filename: str, head: bytes, message: str
) -> None:
    with pytest.raises(UnsupportedContent, match=message):
        check_content(filename, head)


def test_a_binary_format_is_not_mistaken_for_a_page_by_chance_bytes() -> None:
    assert check_content("scan.pdf", PDF + b"<html " + b"\x00" * 100) == "application/pdf"


def test_allowed_types_narrow_what_is_kept() -> None:
    allowed = frozenset({"application/pdf"})
    with pytest.raises(UnsupportedContent, match="is not one of: a PDF"):
        check_content("certificate", STEP, allowed=allowed)
    assert extension_for(check_content("certificate", PNG)) == ".png"


@pytest.mark.parametrize(
    "name",
    ["..", ".", "../../etc/passwd", "a\\b.pdf", "x\x00.pdf", "a\nb", "evil\u202efdp.exe", ""],
)
def test_names_that_are_paths_or_hold_control_characters_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput):
        check_filename(name)


def test_names_are_kept_in_one_unicode_form() -> None:
    assert check_filename("ma\u0308a\u0308ra\u0308.pdf") == "määrä.pdf"
