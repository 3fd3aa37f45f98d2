"""From a document's data to HTML in one language: Jinja2 templates, gettext catalogs, Babel.

Fixed wording comes from the ``documents`` catalog; free text from the data (Finnish) or
from its human translation; numbers, dates, units and money follow the language's locale.
"""

import base64
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from lims.accounts.countries import country_name
from lims.config import LOGO_TYPES
from lims.contracts import vat
from lims.documents import charts, formatting
from lims.documents.changes import printed_changes
from lims.documents.hyphenation import hyphenate_tables
from lims.documents.localised import localised
from lims.errors import ConfigurationError
from lims.i18n import translations
from lims.jobs import points
from lims.migrations import PROJECT_ROOT
from lims.sniffing import HEAD_BYTES, detect
from lims.training.rr import RRRequest
from lims.training.rr.charts import draw_all

TEMPLATE_DIR = PROJECT_ROOT / "templates" / "documents"
TEMPLATES = {
    "calibration_certificate": "calibration_certificate.html",
    "inspection_report": "calibration_certificate.html",
    "measurement_report": "measurement_report.html",
    "reference_report": "measurement_report.html",
    "agreement": "agreement.html",
    "quotation": "quotation.html",
    "price_list": "price_list.html",
    "training_certificate": "training_certificate.html",
    "rr_test_report": "rr_test_report.html",
}


@lru_cache(maxsize=8)
def environment(language: str) -> Environment:
    """One Jinja environment per language: the catalog is installed once, not per document."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        translations("documents", language), newstyle=True
    )
    env.filters.update(
        num=lambda value: formatting.number(value, language),
        fixed=lambda value, places=2: formatting.fixed(value, places, language),
        coverage_factor=lambda value: formatting.coverage_factor(value, language),
        pct=lambda value: formatting.percent(value, language),
        approximate_pct=lambda value: formatting.approximate_percent(value, language),
        day=lambda value: formatting.day(value, language),
        unit=formatting.unit,
        money=lambda value: formatting.money(value, language),
        css_string=css_string,
        printed_changes=printed_changes,
        country=lambda code: country_name(code, language),
        vat_word=lambda key: vat.word(key, language),
        vat_statement=lambda key: vat.statement(key, language),
    )
    # A calibration point's label as the reader writes it (lims.jobs.points): 2,5 mm in fi/sv.
    env.globals["point_name"] = env.filters["point_name"] = lambda point: points.reader_label(
        point, lambda size, unit: f"{formatting.number(size, language)} {formatting.unit(unit)}"
    )
    return env


def css_string(text: str) -> Markup:
    r"""``text`` as a quoted CSS string, safe inside <style> (for the page's margin boxes).

    >>> print(css_string('Lab "A" </style>'))
    "Lab \22 A\22  \3c /style\3e "
    """
    escaped = "".join(f"\\{ord(c):x} " if c in '\\"<>&' or ord(c) < 32 else c for c in str(text))
    return Markup(f'"{escaped}"')


def gettext_for(language: str) -> Callable[[str], str]:
    return translations("documents", language).gettext


def render_html(
    data: Mapping[str, Any],
    *,
    language: str,
    texts: Mapping[str, str],
    verify_url: str | None,
    qr_data_uri: str | None,
    logo_data_uri: str | None = None,
    master: Mapping[str, Any] | None = None,
    draft: bool = False,
) -> str:
    """The document as HTML.

    ``texts`` holds the free text in ``language`` by key (for the Finnish master, the
    Finnish text itself); ``master`` names the Finnish master a translation renders.
    """

    def text(key: str, fallback: str | None = None) -> str:
        return texts.get(key, fallback or "")

    data = localised(data, language)
    template = environment(language).get_template(TEMPLATES[data["kind"]])
    html = template.render(
        d=data,
        language=language,
        text=text,
        master=master,
        draft=draft,
        verify_url=verify_url,
        qr=qr_data_uri,
        logo=logo_data_uri,
        charts=_charts(data, language),
    )
    return hyphenate_tables(html, language)


def statement(
    macro: str, data: Mapping[str, Any], *, language: str, texts: Mapping[str, str]
) -> str:
    """A standard sentence of the job documents (a ``*_text`` macro of ``_job.html``) as plain
    text in ``language``: the DCC states what the PDF prints, from the same template."""
    module = environment(language).get_template("_job.html").module
    # The macros are the template module's attributes, unknown to the type checker.
    arguments = {"decision_rule_text": (data, _text_of(texts)), "traceability_text": (data,)}
    sentence = getattr(module, macro)(*arguments[macro])
    return Markup(sentence).striptags()


def _text_of(texts: Mapping[str, str]) -> Callable[..., str]:
    def text(key: str, fallback: str | None = None) -> str:
        return texts.get(key, fallback or "")

    return text


def _charts(data: Mapping[str, Any], language: str) -> dict[str, str]:
    """Plots where people would rather look than read, as SVG data URIs."""
    translate = gettext_for(language)
    locale = formatting.locale_of(language)
    results = data.get("results") or []
    made: dict[str, str] = {}
    if data["kind"] in ("calibration_certificate", "inspection_report"):
        points = [r for r in results if r["nominal"] is not None]
        if points:
            made["errors"] = _svg_uri(
                charts.errors_of_indication_chart(
                    points,
                    unit=points[0]["unit"],
                    nominal_unit=points[0]["nominal_unit"],
                    quantity=points[0].get("quantity", "error_of_indication"),
                    translate=translate,
                    locale=locale,
                )
            )
    if data["kind"] in ("measurement_report", "reference_report"):
        toleranced = [
            r for r in results if r["lower_limit"] is not None or r["upper_limit"] is not None
        ]
        if toleranced:
            made["deviations"] = _svg_uri(
                charts.deviation_chart(toleranced, translate=translate, locale=locale)
            )
    if data["kind"] == "rr_test_report":
        rr = data["rr"]
        drawn = draw_all(RRRequest.model_validate(rr["request"]), rr["evaluation"])
        made.update({name: _svg_uri(svg) for name, svg in drawn.items()})
    return made


def image_data_uri(path: Path) -> str:
    """A PNG or JPEG file (the lab's logo) inlined: the URL fetcher reads nothing else."""
    content = path.read_bytes()
    media_type = detect(content[:HEAD_BYTES])
    if media_type not in LOGO_TYPES:
        raise ConfigurationError(
            "%(path)s is not a PNG or JPEG image", code="documents.png_jpeg_image", path=path
        )
    return f"data:{media_type};base64," + base64.b64encode(content).decode("ascii")


def _svg_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
