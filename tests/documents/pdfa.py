"""Structural checks of the PDF/A-3b rules a signature or a timestamp can break.

The suite has no veraPDF; these are the rules of its PDF/A-3B profile that an incremental
update (signature, DSS, document timestamp) can touch (/work/shared/ENVIRONMENT.md section 4):
the file stays PDF 1.7 (PDF/A-3 is based on ISO 32000-1, so no catalog /Version 2.0 and no
extension based on PDF 2.0), the trailer has an /ID and nothing follows the last %%EOF
(ISO 19005-3 6.1.3), the XMP still says part 3, conformance B, and every associated file keeps
its /AFRelationship and stays listed in the catalog /AF.
"""

import io

from pypdf import PdfReader

from tests.documents.test_pdf import associated_files, pdfa_identification


def pdfa3b_problems(pdf: bytes) -> list[str]:
    """What in ``pdf`` breaks the PDF/A-3b rules above; empty when nothing does."""
    problems: list[str] = []
    if not pdf.startswith(b"%PDF-1.7\n"):
        problems.append(f"header {pdf[:9]!r} is not %PDF-1.7")
    if pdf.rstrip(b"\r\n")[-5:] != b"%%EOF":
        problems.append("bytes follow the last %%EOF")
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    if "/Version" in root:
        problems.append(f"catalog /Version {root['/Version']}")
    for prefix, extension in root.get("/Extensions", {}).items():
        for each in extension if isinstance(extension, list) else [extension]:
            if each.get_object()["/BaseVersion"] != "/1.7":
                problems.append(f"extension {prefix} is based on {each['/BaseVersion']}")
    if "/ID" not in reader.trailer:
        problems.append("no trailer /ID")
    if pdfa_identification(pdf) != ("3", "B"):
        problems.append(f"XMP identifies PDF/A {pdfa_identification(pdf)}")
    for attached in associated_files(pdf):
        if attached["relationship"] not in ("/Data", "/Source", "/Alternative", "/Supplement"):
            problems.append(f"{attached['name']} has /AFRelationship {attached['relationship']}")
    return problems
