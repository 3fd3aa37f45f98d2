"""A refusal worded in the reader's language: the catalog's template, the parameters written
as that language writes numbers and dates, English where the catalog has no translation."""

from datetime import date
from decimal import Decimal

import pytest

from lims import problem_text
from lims.errors import InvalidInput
from lims.problem_text import json_params, localized, negotiated_language
from lims.reasons import Reason

TEMPLATE = "the certificate of %(equipment)s has no result for nominal %(nominal)s %(unit)s"
CATALOG = {
    ("fi", TEMPLATE): "laitteen %(equipment)s kalibrointitodistuksessa ei ole tulosta "
    "nimellismitalle %(nominal)s %(unit)s",
    ("sv", TEMPLATE): "kalibreringsbeviset för %(equipment)s har inget resultat för "
    "nominellt %(nominal)s %(unit)s",
    ("fi", "due on %(day)s"): "erääntyy %(day)s",
    ("fi", "U is %(value).3f µm"): "U on %(value).3f µm",
    ("fi", "not a readable STEP file: %(reason)s"): "STEP-tiedostoa ei voi lukea: %(reason)s",
    ("fi", "#%(entity)s is defined twice"): "#%(entity)s on määritelty kahdesti",
}


@pytest.fixture(autouse=True)
def catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """A catalog of a few known words, so that these tests read no translator's wording."""
    monkeypatch.setattr(
        problem_text.i18n,
        "gettext",
        lambda domain, language, message: CATALOG.get((language, message), message),
    )


def refusal(template: str = TEMPLATE, **params: object) -> InvalidInput:
    given = {"equipment": "MK-12", "nominal": 2.5, "unit": "mm"} | params
    return InvalidInput(template, code="methods.no_result_for_nominal", **given)


def test_finnish_writes_a_decimal_comma_and_names_the_equipment_by_its_code() -> None:
    assert localized(refusal(), "fi") == (
        "laitteen MK-12 kalibrointitodistuksessa ei ole tulosta nimellismitalle 2,5 mm"
    )


def test_swedish_writes_a_decimal_comma_too() -> None:
    assert localized(refusal(nominal=Decimal("0.125")), "sv") == (
        "kalibreringsbeviset för MK-12 har inget resultat för nominellt 0,125 mm"
    )


def test_english_is_the_message_as_raised() -> None:
    assert localized(refusal(), "en") == (
        "the certificate of MK-12 has no result for nominal 2.5 mm"
    )


def test_a_conversion_keeps_the_digits_the_english_shows() -> None:
    error = InvalidInput("U is %(value).3f µm", code="t.u", value=0.25)
    assert (error.message, localized(error, "fi")) == ("U is 0.250 µm", "U on 0,250 µm")


def test_a_negative_number_takes_the_language_minus() -> None:
    assert "\u22122,5 mm" in localized(refusal(nominal=-2.5), "fi")


def test_a_date_is_written_as_the_language_writes_it() -> None:
    error = InvalidInput("due on %(day)s", code="t.due", day=date(2026, 12, 8))
    assert error.message == "due on 2026-12-08"
    assert localized(error, "fi") == "erääntyy 8.12.2026"


def test_a_whole_number_is_not_grouped() -> None:
    # A year or a job's running number reads as typed: 2026, not 2 026.
    assert "nimellismitalle 2026 mm" in localized(refusal(nominal=2026), "fi")


def test_markup_in_a_parameter_is_kept_as_text_for_the_page_to_escape() -> None:
    assert "<b>MK</b>" in localized(refusal(equipment="<b>MK</b>"), "fi")


def test_a_template_without_a_translation_reads_in_english_whole() -> None:
    error = InvalidInput("nothing translated %(n)s", code="t.none", n=1.5)
    assert localized(error, "fi") == "nothing translated 1.5"


def test_a_translation_naming_an_unknown_parameter_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(CATALOG, ("fi", TEMPLATE), "väärin %(missing)s")
    assert localized(refusal(), "fi") == (
        "the certificate of MK-12 has no result for nominal 2.5 mm"
    )


def test_a_reason_given_as_a_parameter_is_translated_with_the_refusal() -> None:
    error = InvalidInput(
        "not a readable STEP file: %(reason)s",
        code="cad.step_unreadable",
        reason=Reason("#%(entity)s is defined twice", entity=1200),
    )
    assert (error.message, localized(error, "fi")) == (
        "not a readable STEP file: #1200 is defined twice",
        "STEP-tiedostoa ei voi lukea: #1200 on määritelty kahdesti",
    )
    assert json_params(error.params) == {"reason": "#1200 is defined twice"}


def test_a_reason_without_a_translation_reads_in_english_inside_the_translated_lead() -> None:
    error = InvalidInput(
        "not a readable STEP file: %(reason)s",
        code="cad.step_unreadable",
        reason=Reason("the gzip data is truncated"),
    )
    assert localized(error, "fi") == "STEP-tiedostoa ei voi lukea: the gzip data is truncated"


def test_a_refusal_passed_on_as_another_refusals_reason_is_translated_too() -> None:
    error = InvalidInput(
        "not a readable STEP file: %(reason)s", code="cad.step_unreadable", reason=refusal()
    )
    assert localized(error, "fi") == (
        "STEP-tiedostoa ei voi lukea: laitteen MK-12 kalibrointitodistuksessa ei ole tulosta "
        "nimellismitalle 2,5 mm"
    )


def test_a_refusal_that_is_only_its_reason_reads_the_reason_in_the_language() -> None:
    # "%(reason)s" has no words of its own: the catalog keeps it as it is, and the reason
    # it carries is still translated.
    error = InvalidInput(
        "%(reason)s",
        code="cad.model_unreadable",
        reason=Reason("#%(entity)s is defined twice", entity=7),
    )
    assert localized(error, "fi") == "#7 on määritelty kahdesti"
    assert localized(InvalidInput("%(reason)s", code="x.y", reason="as given"), "fi") == (
        "as given"
    )


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("fi-FI,fi;q=0.9,en;q=0.5", "fi"),
        ("de, sv;q=0.8, fi;q=0.5", "sv"),
        ("en;q=0.2, fi;q=0.9", "fi"),
        ("fi;q=0, sv", "sv"),
        ("sv;q=", "en"),
        ("de-DE", "en"),
    ],
)
def test_the_language_is_negotiated_from_accept_language(header: str | None, language: str) -> None:
    assert negotiated_language(header) == language
