"""The standard sentences of the job documents as reviewed, in the four document languages.

Coverage probability: with k = 2 and a normal distribution the interval covers 95.45 %,
which the GUM (JCGM 100:2008, 6.3.3) and EA-4/02 (section 5, the statement of uncertainty in
calibration certificates) state as "approximately 95 %"; k = 3 (99.73 %) as approximately
99 %.  "Approximately 95.45 %" claimed a precision the approximation does not have.

Traceability: natural wording in each language instead of the literal "national metrology
institute(s)" construction; one institute and several have sentences of their own.
"""

from typing import Any

import pytest

from lims.documents.render import environment

COVERAGE = {
    "fi": "vastaava kattavuustodennäköisyys on noin 95 %",
    "en": "corresponds to a coverage probability of approximately 95%",
    "sv": "motsvarar en täckningssannolikhet på cirka 95 %",
    "et": "sellele vastab kattetõenäosus ligikaudu 95 %",
}
ONE_INSTITUTE = {
    "fi": "Mittaustulokset ovat metrologisesti jäljitettävissä SI-yksiköihin käytettyjen "
    "kalibroitujen laitteiden kautta. Laitteiden kalibrointien jäljitettävyys perustuu "
    "kansallisen metrologialaitoksen (VTT MIKES) mittanormaaleihin.",
    "en": "The results are metrologically traceable to the International System of Units (SI) "
    "through the calibrated equipment used. The calibrations of the equipment are traceable to "
    "the measurement standards of the national metrology institute VTT MIKES.",
    "sv": "Mätresultaten är metrologiskt spårbara till SI-enheterna via den kalibrerade "
    "utrustning som har använts. Utrustningens kalibreringar är spårbara till mätnormalerna hos "
    "det nationella metrologiinstitutet VTT MIKES.",
    "et": "Mõõtetulemused on metroloogiliselt jälgitavad SI-ühikuteni kasutatud kalibreeritud "
    "seadmete kaudu. Seadmete kalibreerimiste jälgitavus põhineb riikliku "
    "metroloogiainstituudi (VTT MIKES) etalonidel.",
}
SEVERAL_INSTITUTES = {
    "fi": "kansallisten metrologialaitosten (PTB, VTT MIKES) mittanormaaleihin.",
    "en": "of the national metrology institutes PTB, VTT MIKES.",
    "sv": "hos de nationella metrologiinstituten PTB, VTT MIKES.",
    "et": "riiklike metroloogiainstituutide (PTB, VTT MIKES) etalonidel.",
}
LANGUAGES = list(COVERAGE)


def _macro(language: str, name: str, data: dict[str, Any]) -> str:
    module = environment(language).get_template("_job.html").module
    html = str(getattr(module, name)(data))
    return " ".join(html.replace("\u00a0", " ").split())


def _results(*probabilities: float) -> dict[str, Any]:
    return {
        "results": [
            {"label": f"{n} mm", "coverage_probability": p, "uncertainty_raised_to_cmc": False}
            for n, p in enumerate(probabilities, start=1)
        ]
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_k_2_states_a_coverage_probability_of_approximately_95_percent(language: str) -> None:
    sentence = _macro(language, "uncertainty_statement", _results(0.9545, 0.95, 0.9545))
    assert COVERAGE[language] in sentence
    assert "95,45" not in sentence and "95.45" not in sentence
    assert sentence.count("95") == 1  # one probability, said once


@pytest.mark.parametrize("language", LANGUAGES)
def test_k_3_states_approximately_99_percent(language: str) -> None:
    sentence = _macro(language, "uncertainty_statement", _results(0.9973))
    assert COVERAGE[language].replace("95", "99") in sentence


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_traceability_sentence_names_one_institute_in_natural_wording(language: str) -> None:
    sentence = _macro(language, "traceability_text", {"traceable_to": ["VTT MIKES"]})
    assert sentence == ONE_INSTITUTE[language]
    assert "(s)" not in sentence and "-laitosten" not in sentence


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_traceability_sentence_names_several_institutes(language: str) -> None:
    sentence = _macro(language, "traceability_text", {"traceable_to": ["PTB", "VTT MIKES"]})
    assert sentence.endswith(SEVERAL_INSTITUTES[language])
