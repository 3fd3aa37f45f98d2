"""The lab's notation on the pages: units as the lab writes them (µm, °C, ‰), the CMC as the
accredited scope writes it, enumerated values in words, numbers and days by Babel in the
reader's locale, and the calibration status and traceability in the reader's language."""

import html
import re
from datetime import date
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from lims import units
from lims.config import Settings
from lims.equipment.models import Equipment
from lims.equipment.status import CalibrationFacts, CalibrationStatus, CheckFacts, derive_status
from lims.jobs.models import Job
from lims.methods.cmc import written
from lims.methods.models import Method
from lims.ui.rendering import environment
from tests.conftest import load_demo
from tests.ui.test_pages import sign_in

FINNISH, ENGLISH, SWEDISH = "fi_FI", "en_GB", "sv_FI"


def cmc(text: str, locale: str, result_unit: str = "um") -> str:
    return written(text, result_unit=result_unit, size_unit="mm", locale=locale)


@pytest.mark.parametrize(
    ("text", "finnish", "english"),
    [
        ("6 + 0.01*L", "(6 + 0,01·L/mm) µm", "(6 + 0.01·L/mm) µm"),
        ("0.6 + 0.004*L", "(0,6 + 0,004·L/mm) µm", "(0.6 + 0.004·L/mm) µm"),
        ("Q[0.3, 0.002*L]", "Q[0,3; 0,002·L/mm] µm", "Q[0.3, 0.002·L/mm] µm"),
        ("1.8 + L/300", "(1,8 + L/(300 mm)) µm", "(1.8 + L/(300 mm)) µm"),
        ("0.5", "0,5 µm", "0.5 µm"),
        ("2e-3*L + 0.1", "(0,002·L/mm + 0,1) µm", "(0.002·L/mm + 0.1) µm"),
        # Subtraction takes the minus sign (U+2212), as typeset mathematics does.
        (
            "3 - 0.5*(L - 10)/100",
            "(3 \u2212 0,5·(L/mm \u2212 10)/100) µm",
            "(3 \u2212 0.5·(L/mm \u2212 10)/100) µm",
        ),
        ("sqrt(0.25 + (1e-3*L)**2)", "√(0,25 + (0,001·L/mm)²) µm", "√(0.25 + (0.001·L/mm)²) µm"),
        ("12000 + L", "(12\u00a0000 + L/mm) µm", "(12,000 + L/mm) µm"),
    ],
)
def test_the_cmc_reads_as_the_scope_writes_it_in_the_readers_locale(
    text: str, finnish: str, english: str
) -> None:
    assert cmc(text, FINNISH) == finnish
    assert cmc(text, ENGLISH) == english


def test_the_quadrature_cmc_separates_its_terms_with_a_semicolon_where_decimals_take_a_comma() -> (
    None
):
    assert cmc("Q[50, 0.5*L]", SWEDISH, "nm") == "Q[50; 0,5·L/mm] nm"
    assert cmc("Q[ 50 , 0.5*L , 2 ]", FINNISH, "nm") == "Q[50; 0,5·L/mm; 2] nm"


def test_a_negative_number_takes_the_languages_minus_sign_as_limits_do() -> None:
    template = environment("fi", "UTC").from_string("{{ low | number }} … {{ high | number }}")
    assert template.render(low=-2.0, high=2.0) == "\u22122 … 2"
    assert environment("sv", "UTC").from_string("{{ x | number }}").render(x=-0.25) == "\u22120,25"
    assert environment("en", "UTC").from_string("{{ x | number }}").render(x=-0.25) == "-0.25"


def test_a_cmc_the_parser_refuses_is_shown_as_written_and_never_run() -> None:
    assert cmc("__import__('os').system('x')", FINNISH) == "__import__('os').system('x') µm"
    assert cmc("Q[0.3, ]", FINNISH) == "Q[0.3, ] µm"


def test_the_cmc_takes_the_units_in_the_labs_notation() -> None:
    assert written("0.05 + 0.001*L", result_unit="degC", size_unit="degC", locale=FINNISH) == (
        "(0,05 + 0,001·L/°C) °C"
    )
    assert written("0.2", result_unit="permille", size_unit="mm", locale=FINNISH) == "0,2 ‰"


def test_units_print_as_the_lab_writes_them_and_the_permille_sign_is_read() -> None:
    assert [units.symbol(code) for code in ("um", "degC", "permille", "Nm", "%RH")] == [
        "µm", "°C", "‰", "N·m", "% RH",
    ]  # fmt: skip
    assert units.convert(5, from_unit="‰", to_unit="%", what="the ratio") == pytest.approx(0.5)


@pytest.mark.parametrize(
    "code", ["um", "degC", "delta_degC", "permille", "%RH", "Nm", "deg", "urad", "um/m", "N/mm**2"]
)
def test_each_symbol_a_page_prints_reads_back_as_the_same_unit(code: str) -> None:
    # Typed back as a page shows it (copied from a page into a form), it is the same unit.
    symbol = units.symbol(code)
    assert units.parse(symbol) == units.parse(code), symbol


def test_enumerated_values_read_as_words_and_an_unknown_kind_without_underscores() -> None:
    label = environment("fi", "Europe/Helsinki").globals["label"]
    assert label("equipment_kind", "gauge_block_comparator") == "Mittapalakomparaattori"
    assert label("distribution", "type_a") == "Havainnot (tyyppi A)"
    assert label("equipment_role", "gauge_blocks") == "Mittapalat"
    assert label("characteristic_kind", "total_runout") == "Kokonaisheitto"
    assert label("characteristic_kind", "flatness") == "Tasomaisuus"
    # The register's kinds are the lab's own: a new one reads as words, not as a code.
    assert label("equipment_kind", "torque_wrench") == "torque wrench"
    # A closed vocabulary still shows an unknown value as it is, so it is noticed.
    assert label("job_status", "no_such_status") == "no_such_status"


# --- The pages in Finnish --------------------------------------------------------------------

# Identifiers and code are written as they are: a model's input names, a formula, a file's
# column names; the rest of a page is words.
_CODE = re.compile(r"<(script|style|template|code|var|pre|kbd|samp|textarea)\b.*?</\1>", re.S)
_CSV_HINT = re.compile(r'<small id="csv-file-hint".*?</small>', re.S)
_TAG = re.compile(r"<[^>]+>")
_ASCII_UNIT = re.compile(r"\d\s*(?:um|degC|delta_degC|permille|deg)\b|\bum\b")
# A code is a word joined to more by underscores (type_a, gauge_block); a symbol with a
# one-letter stem (u_c, E_L) is the lab's notation.
_ENUM_CODE = re.compile(r"\b[a-z]{2,}(?:_[a-z0-9]+)+\b")
_ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_DECIMAL_POINT = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")
_NUMBER_CELL = re.compile(r'<td class="num[^"]*"[^>]*>.*?</td>', re.S)


def visible_text(page: str) -> str:
    return html.unescape(_TAG.sub("\n", _CSV_HINT.sub(" ", _CODE.sub(" ", page))))


@pytest.fixture
def lab_pages(engine: Engine, settings: Settings) -> list[str]:
    """Every job, instrument and method page of the demo, the registers, scope and workbench."""
    load_demo(engine, settings)
    with Session(engine) as db_session:
        jobs = db_session.exec(select(Job.id).order_by(col(Job.id))).all()
        equipment = db_session.exec(select(Equipment.id).order_by(col(Equipment.id))).all()
        methods = db_session.exec(select(Method.id).order_by(col(Method.id))).all()
    return [
        "/", "/jobs", "/equipment", "/methods", "/scope", "/uncertainty",
        *(f"/jobs/{job}" for job in jobs),
        *(f"/equipment/{item}" for item in equipment),
        *(f"/methods/{method}" for method in methods),
    ]  # fmt: skip


def test_the_lab_pages_in_finnish_show_no_ascii_unit_enum_code_or_iso_date(
    client: TestClient, lab_pages: list[str]
) -> None:
    found = []
    for user in ("laatu", "mittaaja"):
        sign_in(client, user)
        for address in lab_pages:
            answer = client.get(address)
            assert answer.status_code == 200, (user, address)
            text = visible_text(answer.text)
            for name, pattern in (
                ("unit", _ASCII_UNIT),
                ("code", _ENUM_CODE),
                ("ISO day", _ISO_DAY),
            ):
                found += [(user, address, name, hit) for hit in pattern.findall(text)]
    assert found == []


def test_the_scope_and_the_methods_write_the_cmc_with_decimal_commas_in_finnish(
    client: TestClient, lab_pages: list[str]
) -> None:
    sign_in(client, "mittaaja")
    for address in ("/scope", "/methods"):
        page = client.get(address).text
        assert "(6 + 0,01·L/mm) µm" in page and "Q[50; 0,5·L/mm] nm" in page, address
        assert "0.01*L" not in page and "Q[50, 0.5*L]" not in page
    method = client.get("/methods").text.split("/methods/")[1].split('"')[0]
    detail = client.get(f"/methods/{method}").text
    assert re.search(r"<dd data-cmc>[^<]*·L/mm\) µm</dd>|<dd data-cmc>Q\[[^<]*µm</dd>", detail)


def test_the_scope_writes_the_cmc_with_decimal_points_in_english(
    client: TestClient, lab_pages: list[str]
) -> None:
    sign_in(client, "mittaaja")
    me = client.get("/api/v1/auth/me").json()
    csrf = client.cookies.get("lims_csrf")
    changed = client.patch(
        f"/api/v1/users/{me['id']}", json={"language": "en"}, headers={"x-csrf-token": csrf}
    )
    assert changed.status_code == 200, changed.text
    page = client.get("/scope").text
    assert "Q[0.3, 0.002·L/mm] µm" in page and "(1.8 + L/(300 mm)) µm" not in page
    assert "(6 + 0.01·L/mm) µm" in page


def test_every_number_cell_of_a_lab_page_in_finnish_takes_the_decimal_comma(
    client: TestClient, lab_pages: list[str]
) -> None:
    sign_in(client, "laatu")
    pointed = []
    for address in lab_pages:
        for cell in _NUMBER_CELL.findall(client.get(address).text):
            pointed += [(address, hit) for hit in _DECIMAL_POINT.findall(visible_text(cell))]
    assert pointed == []


# --- What the pages write their sentences from --------------------------------------------


def test_the_derived_status_carries_the_facts_its_reason_names() -> None:
    facts = CalibrationFacts(date(2026, 1, 5), date(2026, 7, 5), True, "C-1")
    overdue = derive_status(
        equipment_status="in_service", latest_calibration=facts, latest_check=None,
        due_soon_days=30, on_date=date(2026, 8, 1),
    )  # fmt: skip
    assert (overdue.status, overdue.calibration, overdue.failed_check_on) == (
        CalibrationStatus.OVERDUE, facts, None,
    )  # fmt: skip
    failed = derive_status(
        equipment_status="in_service", latest_calibration=facts,
        latest_check=CheckFacts(date(2026, 3, 1), passed=False), due_soon_days=30,
        on_date=date(2026, 3, 2),
    )  # fmt: skip
    assert failed.failed_check_on == date(2026, 3, 1)


def test_the_traceability_api_gives_each_links_status_code(
    client: TestClient, lab_pages: list[str]
) -> None:
    sign_in(client, "arvioija")
    register = client.get("/api/v1/equipment").json()
    working = next(item for item in register if item["identification"] == "GB-WRK")
    chain = client.get(f"/api/v1/equipment/{working['id']}/traceability").json()
    assert [link["status"] for link in chain["links"]] == ["in_calibration", "in_calibration"]
    page = client.get(f"/equipment/{working['id']}").text
    assert "Kalibrointi voimassa" in page and "Jäljitettävissä kansalliseen" in page


def test_markup_in_a_cmc_or_a_kind_is_shown_as_text() -> None:
    env = environment("fi", "Europe/Helsinki")
    method = SimpleNamespace(cmc="<b>0.5</b>", result_unit="um", size_unit="mm")
    page = env.from_string("{{ method | cmc }} {{ label('equipment_kind', kind) }}").render(
        method=method, kind="<script>x</script>"
    )
    assert "<b>" not in page and "<script>" not in page
    assert "&lt;b&gt;0.5&lt;/b&gt; µm" in page and "&lt;script&gt;x&lt;/script&gt;" in page
