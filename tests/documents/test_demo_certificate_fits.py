"""The demo's Finnish certificates on A4: every table inside the printable width, the
conformity column's header and each row's conformity word printed in full (#25).

The issued PDF is read back (pypdf) for the words; WeasyPrint's layout tree of the same
certificate gives each table's width against the page's content box.
"""

from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import Session, select
from weasyprint.formatting_structure import boxes

from lims.config import Settings
from lims.documents.models import Document
from lims.documents.render import gettext_for, render_html
from lims.documents.service import pdf_of
from lims.storage import store_in
from tests.conftest import load_demo
from tests.documents import layout
from tests.factories import FACTORY_ACTOR

FINNISH = gettext_for("fi")
# The words the certificate prints for a row's decision (templates/documents/_job.html).
DECISIONS = {
    "pass": "conforms",
    "fail": "does not conform",
    "conditional_pass": "conditional pass",
    "conditional_fail": "conditional fail",
}
ROUNDING = 0.5  # CSS px: WeasyPrint's own rounding of glyph advances


def _printed(pdf: bytes) -> str:
    """The PDF's text in one line, a word hyphenated across lines joined again."""
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    for hyphen in ("\u2010\n", "-\n", "\u00ad"):
        text = text.replace(hyphen, "")
    return " ".join(text.split())


def _tables_past_the_margins(html: str) -> list[str]:
    found = []
    for number, page in enumerate(layout.pages(html), start=1):
        left, _, right, _ = layout.content_area(page)
        for table in page._page_box.descendants():
            if isinstance(table, boxes.TableBox) and (
                table.position_x < left - ROUNDING
                or table.position_x + table.margin_width() > right + ROUNDING
            ):
                found.append(f"page {number}: {table.margin_width():.1f} px wide")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite"])  # the layout, not the store, is under test
def test_the_demo_certificates_fit_the_page_and_print_every_conformity_word(
    engine: Engine, settings: Settings
) -> None:
    load_demo(engine, settings)
    with Session(engine) as db_session:
        certificates = db_session.exec(
            select(Document).where(
                Document.kind == "calibration_certificate", Document.language == "fi"
            )
        ).all()
        assert certificates, "the demo issues Finnish certificates"
        for certificate in certificates:
            assert certificate.id is not None
            _, pdf = pdf_of(
                db_session,
                actor=FACTORY_ACTOR,
                document_id=certificate.id,
                store=store_in(settings.data_dir),
            )
            printed = _printed(pdf)
            assert FINNISH("Statement of conformity") in printed, certificate.number
            decided = [row for row in certificate.data["results"] if row.get("decision")]
            assert decided, certificate.number
            for row in decided:
                assert FINNISH(DECISIONS[row["decision"]]) in printed, (
                    certificate.number,
                    row["decision"],
                )
            html = render_html(
                certificate.data,
                language="fi",
                texts=certificate.data.get("free_text", {}),
                verify_url="https://lims.example/verify",
                qr_data_uri=None,
            )
            assert _tables_past_the_margins(html) == [], certificate.number
