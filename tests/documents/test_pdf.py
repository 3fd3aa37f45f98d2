"""PDF/A-3b rendering: pages, Finnish text, PDF/A markers, associated files, and the URL fence."""

import base64
import io
import json
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from lxml import etree
from pypdf import PdfReader

from lims.documents import pdf as pdf_module
from lims.documents.pdf import EmbeddedFile, qr_svg_data_uri, read_attachments, render_pdf
from lims.errors import ConfigurationError

PDFAID = "http://www.aiim.org/pdfa/ns/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
TITLE = "Kalibrointitodistus K-2026-0001"
RESULTS = EmbeddedFile(
    name="tulokset.json",
    content=json.dumps({"mitattu": 10.0125, "yksikkö": "mm"}, ensure_ascii=False).encode(),
    media_type="application/json",
    description="Mittaustulokset koneluettavana",
)
SOURCE = EmbeddedFile(
    name="havainnot.csv",
    content="nro;kohde;arvo\n1;Ø10;10,0125\n".encode(),
    media_type="text/csv",
    description="Havainnot",
    relationship="Source",
)


def finnish_report_html(*, rows: int = 110, head: str = "", body: str = "") -> str:
    """A Finnish certificate-like page: ~45 rows fit an A4 page, so 110 rows make 3 pages."""
    cells = "".join(
        f"<tr><td>{number}</td><td>Ulkohalkaisija Ø{number}</td>"
        f"<td>{format_decimal(10 + number * 0.0125, format='0.0000', locale='fi')}</td>"
        "<td>Hyväksytty</td></tr>"
        for number in range(1, rows + 1)
    )
    return f"""<!doctype html>
<html lang="fi"><head><meta charset="utf-8"><title>{TITLE}</title>
<style>
  @page {{ size: A4; margin: 2cm;
           @bottom-center {{ content: "Sivu " counter(page) " / " counter(pages); }} }}
  body {{ font-family: "DejaVu Sans"; font-size: 10pt; }}
  table {{ border-collapse: collapse; width: 100%; }}
  thead {{ display: table-header-group; }}
  td, th {{ border: 0.5pt solid #444; padding: 2pt 4pt; }}
</style>{head}</head>
<body><h1>Kalibrointitodistus</h1>
<p>Asiakas: Åbo Mätteknik Oy. Mittauslämpötila 20,0 °C. Päätös tehtiin sovitulla säännöllä.</p>
{body}
<table><thead><tr><th>Nro</th><th>Mittauskohde</th><th>Mitattu arvo (mm)</th><th>Päätös</th></tr>
</thead><tbody>{cells}</tbody></table></body></html>"""


def small_html(*, head: str = "", body: str = "<p>Hyvä päivä</p>") -> str:
    return f'<html lang="fi"><head><title>Pieni</title>{head}</head><body>{body}</body></html>'


def pdfa_identification(pdf: bytes) -> tuple[str | None, str | None]:
    """(part, conformance) from the XMP packet, written as attributes or as elements."""
    packet = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data()
    found: dict[str, str] = {}
    for description in etree.fromstring(packet).iter(f"{{{RDF}}}Description"):
        for field in ("part", "conformance"):
            value = description.get(f"{{{PDFAID}}}{field}")
            element = description.find(f"{{{PDFAID}}}{field}")
            if value is None and element is not None:
                value = element.text
            if value is not None:
                found[field] = value
    return found.get("part"), found.get("conformance")


def associated_files(pdf: bytes) -> list[dict[str, object]]:
    """Each file specification listed in the catalog /AF, as plain values."""
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    specifications = [reference.get_object() for reference in root.get("/AF", [])]
    return [
        {
            "name": specification["/UF"],
            "relationship": specification["/AFRelationship"],
            "subtype": specification["/EF"]["/F"].get_object()["/Subtype"],
            "description": specification["/Desc"],
            "content": specification["/EF"]["/F"].get_object().get_data(),
        }
        for specification in specifications
    ]


@pytest.fixture(scope="module")
def report() -> bytes:
    return render_pdf(finnish_report_html(), attachments=[RESULTS, SOURCE])


@pytest.fixture
def templates_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throw-away templates/documents folder, so tests need not write into the repository."""
    folder = tmp_path / "templates" / "documents"
    folder.mkdir(parents=True)
    monkeypatch.setattr(pdf_module, "TEMPLATES_DIR", folder.resolve())
    return folder


def test_report_has_three_pages_numbered_in_the_footer(report: bytes) -> None:
    pages = PdfReader(io.BytesIO(report)).pages

    assert len(pages) == 3
    assert "Sivu 2 / 3" in pages[1].extract_text()


def test_table_header_repeats_on_every_page(report: bytes) -> None:
    for page in PdfReader(io.BytesIO(report)).pages:
        assert "Mitattu arvo (mm)" in page.extract_text()


def test_finnish_letters_and_decimal_commas_survive_as_text(report: bytes) -> None:
    text = PdfReader(io.BytesIO(report)).pages[0].extract_text()

    for word in ("Åbo Mätteknik", "Mittauslämpötila 20,0 °C", "Päätös", "Hyväksytty", "10,0125"):
        assert word in text


def test_pdf_declares_pdfa_3b(report: bytes) -> None:
    assert pdfa_identification(report) == ("3", "B")


def test_pdf_carries_a_pdfa_output_intent_with_a_colour_profile(report: bytes) -> None:
    intents = PdfReader(io.BytesIO(report)).trailer["/Root"]["/OutputIntents"]

    assert intents[0].get_object()["/S"] == "/GTS_PDFA1"
    assert "/DestOutputProfile" in intents[0].get_object()


def test_title_and_language_come_from_the_html(report: bytes) -> None:
    reader = PdfReader(io.BytesIO(report))

    assert reader.metadata is not None
    assert reader.metadata.title == TITLE
    assert reader.trailer["/Root"]["/Lang"] == "fi"


def test_attachments_read_back_byte_for_byte(report: bytes) -> None:
    expected = {RESULTS.name: RESULTS.content, SOURCE.name: SOURCE.content}

    assert read_attachments(report) == expected
    assert {
        name: contents[0] for name, contents in PdfReader(io.BytesIO(report)).attachments.items()
    } == expected


def test_each_attachment_is_an_associated_file_with_its_type_and_relationship(
    report: bytes,
) -> None:
    by_name = {entry["name"]: entry for entry in associated_files(report)}

    assert len(associated_files(report)) == 2  # each listed once in /AF
    for attachment in (RESULTS, SOURCE):
        assert by_name[attachment.name] == {
            "name": attachment.name,
            "relationship": f"/{attachment.relationship}",
            "subtype": "/" + attachment.media_type,
            "description": attachment.description,
            "content": attachment.content,
        }


def test_pdf_without_attachments_has_none() -> None:
    pdf = render_pdf(small_html())

    assert read_attachments(pdf) == {}
    assert associated_files(pdf) == []


@pytest.mark.parametrize(
    "change",
    [{"name": ""}, {"media_type": "text/csv; charset=utf-8"}, {"relationship": "Mystery"}],
)
def test_embedded_file_refuses_what_would_break_the_pdf(change: dict[str, str]) -> None:
    fields = {"name": "a.csv", "content": b"", "media_type": "text/csv", "description": ""}

    with pytest.raises(ValueError):
        EmbeddedFile(**(fields | change))  # type: ignore[arg-type]


def test_two_attachments_may_not_share_a_name() -> None:
    with pytest.raises(ValueError, match="unique"):
        render_pdf(small_html(), attachments=[RESULTS, RESULTS])


@pytest.mark.parametrize(
    "hostile",
    [
        '<img src="file:///etc/passwd">',
        '<a rel="attachment" href="file:///etc/passwd">liite</a>',
        '<img src="../../../../../../etc/passwd">',
        '<img src="http://127.0.0.1:9/logo.png">',
        '<link rel="stylesheet" href="https://example.com/evil.css">',
    ],
)
def test_resources_outside_templates_are_never_fetched(hostile: str) -> None:
    with pytest.raises(ConfigurationError, match="only data: URIs"):
        render_pdf(small_html(body=hostile))


def test_a_file_beside_the_templates_is_refused(templates_dir: Path) -> None:
    secret = templates_dir.parent / "secret.css"
    secret.write_text("@page { size: A5 }")

    with pytest.raises(ConfigurationError, match="only data: URIs"):
        render_pdf(small_html(head='<link rel="stylesheet" href="../secret.css">'))


def test_a_symlink_out_of_the_templates_is_refused(templates_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.css"
    outside.write_text("@page { size: A5 }")
    (templates_dir / "linked.css").symlink_to(outside)

    with pytest.raises(ConfigurationError, match="only data: URIs"):
        render_pdf(small_html(head='<link rel="stylesheet" href="linked.css">'))


def test_stylesheet_from_the_templates_folder_applies(templates_dir: Path) -> None:
    (templates_dir / "certificate.css").write_text("@page { size: A5 }")

    pdf = render_pdf(small_html(head='<link rel="stylesheet" href="certificate.css">'))

    width_pt = float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width)
    assert width_pt == pytest.approx(148 / 25.4 * 72, abs=1)


def test_a_missing_template_file_stops_the_rendering(templates_dir: Path) -> None:
    with pytest.raises(ConfigurationError, match="no template file"):
        render_pdf(small_html(body='<img src="logo.png">'))


def test_qr_code_is_an_svg_data_uri_the_renderer_accepts() -> None:
    uri = qr_svg_data_uri("https://lims.example/tarkista/K-2026-0001")
    prefix = "data:image/svg+xml;base64,"

    assert uri.startswith(prefix)
    svg = etree.fromstring(base64.b64decode(uri.removeprefix(prefix)))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    render_pdf(small_html(body=f'<img src="{uri}" style="width: 3cm">'))
