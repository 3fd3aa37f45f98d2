"""QIF 3.0 read, validated against the schema set in ../shared/schemas/qif, and written."""

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lims.cad import qif
from lims.cad.reader import Model, read_model
from tests.conftest import shared_cases, shared_path

QIF_NAMES = {  # QIF characteristic type -> the STEP name the plan uses
    "Diameter": "diameter",
    "DistanceBetween": "linear distance",
    "LinearCoordinate": "linear coordinate",
    "PointProfile": "point_profile",
    "Position": "position",
    "Flatness": "flatness",
    "Perpendicularity": "perpendicularity",
    "SurfaceProfile": "surface_profile",
    "Angle": "angle",
    "Angularity": "angularity",
    "Width": "width",
    "CircularRunout": "circular_runout",
    "Circularity": "roundness",
    "Concentricity": "concentricity",
    "Length": "length",
    "Straightness": "straightness",
    "TotalRunout": "total_runout",
}


@pytest.fixture
def schema_dir() -> Path:
    return shared_path("schemas", "qif")


def qif_truth() -> list[Any]:
    return shared_cases(
        lambda path: json.loads(path.read_text())["qif"], "fixtures", "cad", "ground_truth.json"
    )


def read(name: str, schema_dir: Path | None) -> Model:
    path = shared_path("fixtures", "cad", "qif", name)
    return read_model(path.read_bytes(), qif_schema_dir=schema_dir)


@pytest.mark.parametrize("truth", qif_truth(), ids=lambda t: t and t["file"])
def test_characteristics_datums_and_measurements_match(truth: dict, schema_dir: Path) -> None:
    model = read(truth["file"], schema_dir)
    assert model.format == "qif" and model.plan is not None and model.results is not None
    assert model.plan.schema == "QIF 3.0.0"
    # One characteristic per item, or per definition-nominal pair in MBD without items.
    expected = truth.get("char_items") or truth.get("char_nominals") or {}
    assert Counter(c.type for c in model.plan.characteristics) == Counter(
        {QIF_NAMES[name]: count for name, count in expected.items()}
    )
    assert [d.label for d in model.plan.datums] == truth["datum_labels"]
    assert Counter(m.status for m in model.results.measurements) == Counter(
        truth.get("measurement_status", {})
    )
    assert Counter(model.results.inspection_status) == Counter(truth.get("inspection_status", {}))


def test_measurements_carry_value_status_device_and_operator(schema_dir: Path) -> None:
    model = read("testPython30.qif", schema_dir)
    assert model.results is not None
    failed = [m for m in model.results.measurements if m.status == "FAIL"]
    assert [(m.ref, m.value, m.devices) for m in failed] == [("44", 6.2, ["CMM2"])]
    plan = {c.ref: c for c in model.plan.characteristics}  # type: ignore[union-attr]
    assert (plan["44"].lower_limit, plan["44"].upper_limit) == (6.3, 6.5)
    assert read("QIF_Results_Sample.QIF", schema_dir).results.operator == "John Doe"  # type: ignore[union-attr]


def test_a_measurement_names_the_part_measured_by_its_serial_number(schema_dir: Path) -> None:
    # The SheetMetal sample names its part (ActualComponent SN5802801); testPython30 names none.
    sheet = read("SheetMetal_QIF_Results_sample_1.QIF", schema_dir).results
    assert sheet is not None and {m.part for m in sheet.measurements} == {"SN5802801"}
    plain = read("testPython30.qif", schema_dir).results
    assert plain is not None and {m.part for m in plain.measurements} == {None}


@pytest.mark.parametrize("number", ["01", "03", "05"])
def test_a_step_model_and_its_qif_translation_give_the_same_plan(number: str) -> None:
    step_file = next(shared_path("fixtures", "cad", "step").glob(f"nist_ctc_{number}_*.stp"))
    step = read_model(step_file.read_bytes()).plan
    translated = read(f"nist_ctc_{number}_asme1_ap242.qif", None).plan
    assert step is not None and translated is not None
    assert step.counts == translated.counts
    assert [d.label for d in step.datums] == [d.label for d in translated.datums]

    def tolerances(plan: Any) -> Counter:
        return Counter(
            (c.type, round(c.magnitude, 6))
            for c in plan.characteristics
            if c.kind == "geometric_tolerance"
        )

    def dimensions(plan: Any) -> Counter:
        return Counter(
            (round(c.nominal, 6), c.upper_deviation and round(c.upper_deviation, 6))
            for c in plan.characteristics
            if c.kind == "dimension"
        )

    assert tolerances(step) == tolerances(translated)
    assert dimensions(step) == dimensions(translated)
    if number != "05":  # the QIF translation of CTC-05 drops the runouts' common datum A-B
        frames = [
            Counter(tuple(c.datum_frame) for c in plan.characteristics)
            for plan in (step, translated)
        ]
        assert frames[0] == frames[1]


def test_a_document_failing_the_schema_is_refused_with_its_message(schema_dir: Path) -> None:
    data = shared_path("fixtures", "cad", "qif", "testPython30.qif").read_bytes()
    broken = data.replace(b"<Value>0.023</Value>", b"<Value>not a number</Value>")
    with pytest.raises(qif.QifError, match=r"fails the QIF 3.0 schema: line \d+: .*Value"):
        read_model(broken, qif_schema_dir=schema_dir)


def test_an_entity_bomb_is_refused_without_expansion() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE QIFDocument [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<QIFDocument xmlns="http://qifstandards.org/xsd/qif3">&d;&d;&d;&d;&d;&d;&d;&d;</QIFDocument>"""
    with pytest.raises(qif.QifError, match="declares a DTD"):
        read_model(bomb)


def test_other_xml_is_not_qif() -> None:
    with pytest.raises(qif.QifError, match=r"the root is html without a namespace"):
        read_model(b"<html><body/></html>")


def test_the_lab_results_export_validates_and_reads_back(schema_dir: Path) -> None:
    rows = [
        {"label": "Position.1", "type": "position", "nominal": None, "lower_limit": None,
         "upper_limit": 0.75, "unit": "millimetre", "value": 0.31, "status": "PASS"},
        {"label": "D20", "type": "diameter", "nominal": 20.0, "lower_limit": 19.9,
         "upper_limit": 20.05, "unit": "millimetre", "value": 20.07, "status": "FAIL"},
        {"label": "Angle", "type": "angle", "nominal": 60.0, "lower_limit": 59.5,
         "upper_limit": 60.5, "unit": "degree", "value": None, "status": "UNDEFINED"},
    ]  # fmt: skip
    document = qif.write_results(
        rows,
        operator="Maija Mittaaja",
        temperature=20.1,
        qpid="9f8e7d6c-0000-4000-8000-000000000001",
    )
    root = qif.parse(document)
    qif.validate(root, schema_dir)
    results = qif.read_results(root)
    assert results.operator == "Maija Mittaaja" and results.temperature == 20.1
    assert [(m.value, m.status) for m in results.measurements] == [(0.31, "PASS"), (20.07, "FAIL")]
    assert results.inspection_status == ["FAIL"]
    plan = qif.read_plan(root)
    assert [c.name for c in plan.characteristics] == ["Position.1", "D20", "Angle"]
    assert math.isclose(plan.characteristics[1].upper_limit or 0, 20.05)
