"""Finnish typography of the documents: tables inside the margins, header words that break
only where a word may break (with a hyphen), for a certificate with long labels.

The certificate is laid out by WeasyPrint itself (its layout tree), in Finnish and in the
translations, and every page is drawn to ``test-artifacts/documents/`` for a person to look
at.
"""

import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import weasyprint
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session
from weasyprint.formatting_structure import boxes

from lims.config import Settings
from lims.documents.hyphenation import FINNISH_BREAKS, LONG_WORD
from lims.documents.models import Document
from lims.documents.render import TEMPLATE_DIR, render_html
from lims.i18n import translations
from lims.migrations import PROJECT_ROOT
from tests.documents import layout
from tests.documents.factories import issue
from tests.jobs.factories import MICROMETER, PRODUCT, make_lab, submit

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "documents"
LONG_REFERENCE = (
    "EURAMET Calibration Guide No. 6 v.01 (2007), lieriömäisten halkaisijanormaalien "
    "kalibroinnin laajuus; vertailu vertailurenkaaseen pituusmittauskoneella "
    "(Mittausjärjestelmäkuvaus-MK-2026-RENGAS-0042-versio-7)"
)
LONG_EQUIPMENT = (
    "Asetusrengas 50 mm, teräs, vertailunormaali pituusmittauskoneen "
    "kalibrointiin ja ulkomikrometrien näyttämävirheen määrittämiseen "
    "(Kalibrointilaboratorio-Pituusmittaus-Vertailunormaali-SR50)"
)
# Labels as a lab types them: long words, a long unbroken code, and ordinary ones.
LABELS = {
    10.0: "Sisähalkaisijan mittauspiste keskikorkeudella, suunta A-B, 10 mm",
    25.0: "Tarkastuspiste_KALIBROINTIRENGAS_SR-0050/2026_PITUUSMITTAUSKONE_25mm",
    50.0: "Vertailupituus 50 mm",
}
READINGS = {10.0: [0.40, 0.42, 0.41], 25.0: [1.10, 1.12, 1.11], 50.0: [2.50, 2.52, 2.51]}
LANGUAGES = ("fi", "en", "sv", "et")
HYPHENS = ("-", "\u2010")  # WeasyPrint draws a hyphenation as U+2010


@dataclass(frozen=True)
class Rendered:
    language: str
    pages: list[weasyprint.Page]


def _issue_long_label_certificate(
    client: TestClient, engine: Engine, settings: Settings
) -> dict[str, Any]:
    lab = make_lab(engine, settings)
    headers = lab.headers(lab.manager)
    method = client.patch(
        f"/api/v1/methods/{lab.ring_method.id}", json={"guidance": LONG_REFERENCE}, headers=headers
    )
    assert method.status_code == 200, method.text
    ring = client.patch(
        f"/api/v1/equipment/{lab.ring_gauge.id}", json={"name": LONG_EQUIPMENT}, headers=headers
    )
    assert ring.status_code == 200, ring.text
    job = submit(client, lab, "calibration", MICROMETER)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    points = [
        job.plan(
            label=label,
            kind="calibration_point",
            nominal=size,
            lower_limit=-2,
            upper_limit=2,
            unit="um",
            method_id=lab.ring_method.id,
        )
        for size, label in LABELS.items()
    ]
    job.step("in_measurement", lab.technician)
    for point, readings in zip(points, READINGS.values(), strict=True):
        job.record(
            characteristic_id=point["id"],
            equipment={"reference": lab.ring_gauge.id},
            observations={"d_x": readings},
        )
    for to, user in (("measured", lab.technician), ("reviewed", lab.reviewer)):
        job.step(to, user)
    job.step("approved", lab.signatory)
    document = issue(client, lab, job_id=job.job["id"])
    with Session(engine) as db_session:
        return db_session.get_one(Document, document["id"]).data


def _issue_long_label_reference_report(
    client: TestClient, engine: Engine, settings: Settings
) -> dict[str, Any]:
    """B2, the widest results (and the company's values beside them): long labels, datums."""
    lab = make_lab(engine, settings)
    job = submit(client, lab, "reference", PRODUCT)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    planned = [
        job.plan(
            label=label,
            nominal=nominal,
            lower_limit=nominal - 0.05,
            upper_limit=nominal + 0.05,
            unit="mm",
            datums="A|B|C-Referenssitaso-Kiinnityspinta",
            method_id=lab.cmm_method.id,
        )
        for label, nominal in (
            ("Laipan sisähalkaisija kiinnitysreikien keskiympyrällä", 20.0),
            ("Tarkastusmitta_LAIPPA_4471-2/17_SISÄHALKAISIJA_REIKÄ_A1", 10.0),
        )
    ]
    job.step("in_measurement", lab.technician)
    for characteristic in planned:
        nominal = characteristic["nominal"]
        job.record(
            characteristic_id=characteristic["id"],
            equipment={"cmm": lab.cmm.id},
            observations={"x": [nominal + 0.0010, nominal + 0.0012, nominal + 0.0014]},
        )
        response = client.post(
            f"{job.url}/customer-values",
            json={
                "characteristic_id": characteristic["id"],
                "value": nominal + 0.004,
                "expanded_uncertainty": 0.004,
                "coverage_factor": 2,
            },
            headers=lab.headers(lab.customer_user),
        )
        assert response.status_code in (200, 201), response.text
    for to, user in (("measured", lab.technician), ("reviewed", lab.reviewer)):
        job.step(to, user)
    job.step("approved", lab.signatory)
    document = issue(client, lab, job_id=job.job["id"])
    with Session(engine) as db_session:
        return db_session.get_one(Document, document["id"]).data


def _render(data: dict[str, Any], language: str) -> Rendered:
    # Free text stays Finnish here: the layout, not the translation, is under test.
    html = render_html(
        data,
        language=language,
        texts=data["free_text"],
        verify_url="https://lims.example/verify/KT-2026-0001",
        qr_data_uri=None,
        master={"number": data["number"], "sha256": "0" * 64} if language != "fi" else None,
    )
    return Rendered(language, layout.pages(html))


def _outside(rendered: Rendered) -> list[str]:
    found = []
    for number, page in enumerate(rendered.pages, start=1):
        left, top, right, bottom = layout.content_area(page)
        for box in layout.text_boxes(page):
            # Half a CSS px: WeasyPrint's own rounding of glyph advances.
            if (
                box.left < left - 0.5
                or box.right > right + 0.5
                or box.top < top - 0.5
                or box.bottom > bottom + 0.5
            ):
                found.append(f"page {number}: {box.text!r} at {box.left:.1f}..{box.right:.1f}")
    return found


def _broken_header_words(rendered: Rendered) -> list[str]:
    """Lines of a table header that end or start inside a word without a hyphen."""
    found = []
    for page in rendered.pages:
        for cell in page._page_box.descendants():
            if not isinstance(cell, boxes.TableCellBox) or cell.element_tag != "th":
                continue
            words = set("".join(cell.element.itertext()).replace("\u00ad", "").split())
            lines = [
                "".join(text.text for text in line.descendants() if isinstance(text, boxes.TextBox))
                .replace("\u00ad", "")
                .strip()
                for line in cell.descendants()
                if isinstance(line, boxes.LineBox)
            ]
            for before, after in itertools.pairwise(lines):
                if before.endswith(HYPHENS):
                    continue
                first = after.split()[0]
                starts_a_word = (
                    any(word.startswith(first.rstrip("".join(HYPHENS))) for word in words)
                    if first.endswith(HYPHENS)
                    else first in words
                )
                if before.split()[-1] not in words or not starts_a_word:
                    found.append(f"{' / '.join(lines)}")
    return found


@pytest.mark.slow
def test_a_long_label_certificate_stays_inside_the_margins_in_every_language(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    data = _issue_long_label_certificate(client, engine, settings)
    for language in LANGUAGES:
        rendered = _render(data, language)
        for number, page in enumerate(rendered.pages, start=1):
            layout.draw(page, ARTIFACTS / f"long-labels-{language}-page-{number}.png")
        assert _outside(rendered) == [], language
        assert _broken_header_words(rendered) == [], language
        text = " ".join(box.text for page in rendered.pages for box in layout.text_boxes(page))
        # The long code is in the certificate, broken where it must be, not cut off.
        assert "Tarkastuspiste_" in text and "25mm" in text


@pytest.mark.slow
def test_a_long_label_reference_report_stays_inside_the_margins(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    data = _issue_long_label_reference_report(client, engine, settings)
    assert data["comparison"], "the company's values are printed beside the lab's"
    for language in ("fi", "en"):
        rendered = _render(data, language)
        for number, page in enumerate(rendered.pages, start=1):
            path = ARTIFACTS / f"long-labels-reference-report-{language}-page-{number}.png"
            layout.draw(page, path)
        assert _outside(rendered) == [], language
        assert _broken_header_words(rendered) == [], language


def test_the_layout_checks_find_a_table_past_the_margin_and_a_word_broken_mid_word() -> None:
    """The two checks see what they look for (so a pass means something)."""
    html = (
        '<html lang="fi"><style>@page { size: A4; margin: 20mm }</style>'
        '<table><tr><th style="width: 9mm; overflow-wrap: anywhere">Mittauspiste</th>'
        '<td style="white-space: nowrap">' + "Vertailupituus " * 30 + "</td></tr></table></html>"
    )
    rendered = Rendered("fi", layout.pages(html))
    assert _outside(rendered)
    assert _broken_header_words(rendered)


def test_pictures_of_the_pages_are_drawn(tmp_path: Path) -> None:
    (page,) = layout.pages('<html lang="fi"><p>Kalibrointitodistus</p></html>')
    layout.draw(page, tmp_path / "page.png")
    assert (tmp_path / "page.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_long_finnish_header_word_has_its_breaks_listed() -> None:
    """A new header's long Finnish word gets its syllable breaks in hyphenation.py, or it
    would widen its column unbroken."""
    headers = set()
    for template in TEMPLATE_DIR.glob("*.html"):
        headers.update(re.findall(r'<th[^>]*>\{\{ _\("([^"]+)"\)', template.read_text()))
    catalog = translations("documents", "fi")
    unlisted = {
        word
        for header in headers
        for word in re.findall(r"\w+", catalog.gettext(header))
        if len(word) >= LONG_WORD and word.lower() not in FINNISH_BREAKS
    }
    assert unlisted == set()
