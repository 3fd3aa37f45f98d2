"""STEP AP242 extraction against the NIST models' ground truth (../shared/fixtures/cad)."""

import gzip
import json
import math
from collections import Counter
from typing import Any

import pytest

from lims.cad import ap242, iso286
from lims.cad.part21 import StepError, read_step
from lims.cad.plan import NoSemanticPmi, Plan
from tests.conftest import shared_path

STEP_FILES = [
    "nist_ctc_01_asme1_ap242-e1.stp",
    "nist_ctc_03_asme1_ap242-e2.stp",
    "nist_ctc_05_asme1_ap242-e1.stp",
]


def ground_truth(name: str) -> dict[str, Any]:
    truth = json.loads(shared_path("fixtures", "cad", "ground_truth.json").read_text())
    return next(entry for entry in truth["step"] if entry["file"] == name)


def plan_of(name: str) -> Plan:
    return ap242.extract(read_step(shared_path("fixtures", "cad", "step", name).read_bytes()))


def close(got: float | None, expected: float | None) -> bool:
    if expected is None:
        return got is None
    return got is not None and math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-12)


@pytest.mark.parametrize("name", STEP_FILES)
def test_counts_types_and_datums_match_the_ground_truth(name: str) -> None:
    truth, plan = ground_truth(name), plan_of(name)
    counts = truth["counts"]
    assert plan.counts == {
        "geometric_tolerances": counts["geometric_tolerances"],
        "dimensions": counts["dimensions_dcr"],
        "datums": counts["datum_entities"],
        "datum_features": counts["datum_features"],
        "datum_targets": counts["datum_targets"],
    }
    tolerances = [c for c in plan.characteristics if c.kind == "geometric_tolerance"]
    assert Counter(c.type for c in tolerances) == Counter(counts["by_type"])
    assert (
        sum(c.zone == "cylindrical or circular" for c in tolerances)
        == (counts["zone_cylindrical_or_circular"])
    )
    assert sum(bool(c.datum_frame) for c in tolerances) == counts["with_datum_reference"]
    dimensions = [c for c in plan.characteristics if c.kind == "dimension"]
    assert Counter(c.type for c in dimensions) == Counter(counts["dims_by_name"])
    assert Counter(c.name for c in dimensions) == Counter(counts["dims_by_type"])
    assert [d.label for d in plan.datums] == counts["datum_labels"]
    assert plan.schema == truth["file_schema"]
    assert plan.warnings == []


@pytest.mark.parametrize("name", STEP_FILES)
def test_every_tolerance_matches_with_its_step_id(name: str) -> None:
    plan = plan_of(name)
    by_ref = {c.ref: c for c in plan.characteristics}
    for expected in ground_truth(name)["geometric_tolerances"]:
        got = by_ref[f"#{expected['step_id']}"]
        assert (got.type, got.name, got.unit, got.zone, got.projected) == (
            expected["type"],
            expected["name"],
            expected["unit"],
            expected["zone"],
            expected["projected"],
        )
        assert close(got.magnitude, expected["magnitude"])
        assert got.modifiers == expected["modifiers"]
        assert got.datum_frame == expected["datum_frame"]


@pytest.mark.parametrize("name", STEP_FILES)
def test_every_dimension_matches_with_its_step_id(name: str) -> None:
    plan = plan_of(name)
    by_ref = {c.ref: c for c in plan.characteristics}
    for expected in ground_truth(name)["dimensions"]:
        got = by_ref[f"#{expected['step_id']}"]
        assert (got.type, got.name, got.unit, got.fit) == (
            expected["name"],
            expected["type"],
            expected["unit"],
            expected["limits_and_fits"],
        )
        assert close(got.nominal, expected["nominal"])
        assert close(got.upper_deviation, expected["plus"])
        assert close(got.lower_deviation, expected["minus"])
        if expected["upper_limit"] is not None:  # a value range, given as such
            assert close(got.upper_limit, expected["upper_limit"])
            assert close(got.lower_limit, expected["lower_limit"])
        elif expected["plus"] is not None:  # limits are nominal plus deviation
            assert close(got.upper_limit, expected["nominal"] + expected["plus"])
            assert close(got.lower_limit, expected["nominal"] + expected["minus"])


def test_spot_values_of_ctc01() -> None:
    by_ref = {c.ref: c for c in plan_of("nist_ctc_01_asme1_ap242-e1.stp").characteristics}
    diameter = by_ref["#122"]  # diameter 20 +0.05/-0.10
    assert (diameter.type, diameter.nominal, diameter.unit) == ("diameter", 20.0, "millimetre")
    assert close(diameter.upper_deviation, 0.05) and close(diameter.lower_deviation, -0.1)
    assert close(diameter.upper_limit, 20.05) and close(diameter.lower_limit, 19.9)
    angle = by_ref["#33"]  # 60 degrees +-0.5, in its own unit beside the millimetres
    assert (angle.type, angle.nominal, angle.unit) == ("angle", 60.0, "degree")
    assert close(angle.upper_limit, 60.5) and close(angle.lower_limit, 59.5)


def test_ctc05_has_a_common_datum_and_two_datum_targets() -> None:
    plan = plan_of("nist_ctc_05_asme1_ap242-e1.stp")
    runouts = [c for c in plan.characteristics if c.type == "circular_runout"]
    assert {tuple(c.datum_frame) for c in runouts} == {("A-B",)}
    assert plan.counts["datum_targets"] == 2


def test_a_file_with_only_graphic_pmi_says_so() -> None:
    with pytest.raises(NoSemanticPmi, match=r"no semantic PMI.*60 graphic or tessellated"):
        plan_of("nist_ftc_08_asme1_ap242-e1-tg.stp")


def test_gzip_step_reads_the_same_and_a_bomb_is_refused() -> None:
    raw = shared_path("fixtures", "cad", "step", STEP_FILES[0]).read_bytes()
    assert ap242.extract(read_step(gzip.compress(raw))).counts == plan_of(STEP_FILES[0]).counts
    with pytest.raises(StepError, match="decompresses to more than the limit of 100000 bytes"):
        read_step(gzip.compress(raw), max_decompressed_bytes=100_000)


AP214 = (
    b"ISO-10303-21;HEADER;FILE_SCHEMA(('AUTOMOTIVE_DESIGN { 1 0 10303 214 1 1 1 1 }'));"
    b"ENDSEC;DATA;#1=CARTESIAN_POINT('',(0.,0.,0.));ENDSEC;END-ISO-10303-21;"
)


def test_ap203_and_ap214_carry_no_semantic_pmi() -> None:
    with pytest.raises(NoSemanticPmi, match=r"AP214 file .* carries no semantic PMI"):
        ap242.extract(read_step(AP214))
    ap203 = AP214.replace(b"AUTOMOTIVE_DESIGN { 1 0 10303 214 1 1 1 1 }", b"CONFIG_CONTROL_DESIGN")
    with pytest.raises(NoSemanticPmi, match="AP203"):
        ap242.extract(read_step(ap203))


def _step_with_fit(form: str, grade: str, nominal: float) -> bytes:
    return f"""ISO-10303-21;HEADER;FILE_SCHEMA(('AP242_MANAGED_MODEL_BASED_3D_ENGINEERING_MIM_LF'));
ENDSEC;DATA;
#1=(LENGTH_UNIT()NAMED_UNIT(*)SI_UNIT(.MILLI.,.METRE.));
#2=DIMENSIONAL_SIZE(#9,'diameter');
#3=(LENGTH_MEASURE_WITH_UNIT()MEASURE_REPRESENTATION_ITEM()
MEASURE_WITH_UNIT(LENGTH_MEASURE({nominal}),#1)REPRESENTATION_ITEM('nominal value'));
#4=SHAPE_DIMENSION_REPRESENTATION('',(#3),#8);
#5=DIMENSIONAL_CHARACTERISTIC_REPRESENTATION(#2,#4);
#6=LIMITS_AND_FITS('{form}','','{grade}','ISO 286');
#7=PLUS_MINUS_TOLERANCE(#6,#2);
#8=REPRESENTATION_CONTEXT('','');
#9=SHAPE_ASPECT('','',#8,.T.);
ENDSEC;END-ISO-10303-21;""".encode()


def test_a_limits_and_fits_code_resolves_through_the_iso_286_table() -> None:
    (hole,) = ap242.extract(read_step(_step_with_fit("G", "6", 20.0))).characteristics
    assert hole.fit == "G6"
    assert (hole.upper_deviation, hole.lower_deviation) == (0.02, 0.007)
    assert close(hole.upper_limit, 20.02) and close(hole.lower_limit, 20.007)
    plan = ap242.extract(read_step(_step_with_fit("zc", "6", 20.0)))
    assert plan.characteristics[0].upper_deviation is None
    assert plan.warnings == ["#2: shaft deviation 'zc' is not covered (d e f g h js k m n p r s)"]


@pytest.mark.parametrize(
    ("tolerance_class", "size", "expected"),
    [  # ISO 286-2:2010 Tables 2-17 (holes) and 18-32 (shafts), in micrometres
        ("H7", 25, (21, 0)),
        ("H7", 400, (57, 0)),
        ("g6", 25, (-7, -20)),
        ("f7", 50, (-25, -50)),
        ("js6", 10, (4.5, -4.5)),
        ("JS7", 25, (10, -10)),  # IT7 = 21: odd, rounded down to 20 (ISO 286-1 5.2)
        ("k6", 25, (15, 2)),
        ("m6", 25, (21, 8)),
        ("n6", 25, (28, 15)),
        ("p6", 25, (35, 22)),
        ("r6", 70, (62, 43)),
        ("s6", 110, (101, 79)),
        ("K7", 25, (6, -15)),
        ("M7", 25, (0, -21)),
        ("N7", 25, (-7, -28)),
        ("P7", 25, (-14, -35)),
        ("S7", 110, (-66, -101)),
        ("N9", 25, (0, -52)),
        ("M6", 300, (-9, -41)),
        ("D10", 10, (98, 40)),
        ("E9", 40, (112, 50)),
        ("F8", 6, (28, 10)),
        ("h11", 500, (0, -400)),
        ("K7", 2, (0, -10)),
    ],
)
def test_iso_286_table_values(tolerance_class: str, size: float, expected: tuple) -> None:
    upper, lower = iso286.deviations(tolerance_class, size)
    assert (round(upper * 1000, 3), round(lower * 1000, 3)) == expected


def test_iso_286_refuses_what_it_does_not_cover() -> None:
    with pytest.raises(iso286.FitError, match="up to 500 mm"):
        iso286.deviations("H7", 630)
    with pytest.raises(iso286.FitError, match="not an ISO 286 tolerance class"):
        iso286.deviations("H", 20)


RICH_TOLERANCES = b"""ISO-10303-21;HEADER;
FILE_SCHEMA(('AP242_MANAGED_MODEL_BASED_3D_ENGINEERING_MIM_LF'));ENDSEC;DATA;
#1=(LENGTH_UNIT()NAMED_UNIT(*)SI_UNIT(.MILLI.,.METRE.));
#2=LENGTH_MEASURE_WITH_UNIT(LENGTH_MEASURE(0.1),#1);
#3=LENGTH_MEASURE_WITH_UNIT(LENGTH_MEASURE(25.),#1);
#4=LENGTH_MEASURE_WITH_UNIT(LENGTH_MEASURE(0.3),#1);
#5=LENGTH_MEASURE_WITH_UNIT(LENGTH_MEASURE(0.02),#1);
#6=LENGTH_MEASURE_WITH_UNIT(LENGTH_MEASURE(12.),#1);
#10=(GEOMETRIC_TOLERANCE('Straightness per unit','',#2,#90)
GEOMETRIC_TOLERANCE_WITH_DEFINED_UNIT(#3)
GEOMETRIC_TOLERANCE_WITH_MAXIMUM_TOLERANCE(#4)
STRAIGHTNESS_TOLERANCE());
#11=(GEOMETRIC_TOLERANCE('Profile UZ','',#2,#90)
SURFACE_PROFILE_TOLERANCE()
UNEQUALLY_DISPOSED_GEOMETRIC_TOLERANCE(#5));
#12=(GEOMETRIC_TOLERANCE('Position PZ','',#2,#90)
GEOMETRIC_TOLERANCE_WITH_DATUM_REFERENCE((#40))
GEOMETRIC_TOLERANCE_WITH_MODIFIERS((.PROJECTED.,.MAXIMUM_MATERIAL_REQUIREMENT.))
POSITION_TOLERANCE());
#13=(GEOMETRIC_TOLERANCE('Position lower segment','',#5,#90)
GEOMETRIC_TOLERANCE_WITH_DATUM_REFERENCE((#41))
POSITION_TOLERANCE());
#20=TOLERANCE_ZONE_FORM('spherical');
#21=TOLERANCE_ZONE('',$,#90,.F.,(#12),#20);
#22=PROJECTED_ZONE_DEFINITION(#21,(#90),#90,#6);
#23=GEOMETRIC_TOLERANCE_RELATIONSHIP('composite','',#12,#13);
#30=DATUM('',$,#90,.F.,'A');
#31=DATUM('',$,#90,.F.,'B');
#40=DATUM_SYSTEM('',$,#90,.F.,(#42,#43));
#41=DATUM_SYSTEM('',$,#90,.F.,(#42));
#42=DATUM_REFERENCE_COMPARTMENT('',$,#90,.F.,#30,$);
#43=DATUM_REFERENCE_COMPARTMENT('',$,#90,.F.,#31,(SIMPLE_DATUM_REFERENCE_MODIFIER(
.LEAST_MATERIAL_REQUIREMENT.)));
#90=SHAPE_ASPECT('','',#91,.T.);
#91=PRODUCT_DEFINITION_SHAPE('','',$);
ENDSEC;END-ISO-10303-21;"""


def test_unit_basis_maximum_unequal_zone_projected_zone_and_composite_frames() -> None:
    by_ref = {c.ref: c for c in ap242.extract(read_step(RICH_TOLERANCES)).characteristics}
    per_unit = by_ref["#10"]
    assert (per_unit.type, per_unit.magnitude, per_unit.unit) == ("straightness", 0.1, "millimetre")
    assert per_unit.details == {"unit_size": 25.0, "maximum_tolerance": 0.3}
    assert by_ref["#11"].details == {"displacement": 0.02}
    projected = by_ref["#12"]
    assert (projected.zone, projected.projected) == ("spherical", True)
    assert projected.modifiers == ["projected", "maximum_material_requirement"]
    assert projected.datum_frame == ["A", "B(least_material_requirement)"]
    assert projected.details["projected_length"] == 12.0
    assert projected.details["relations"] == [
        {"relation": "composite", "role": "relating", "with": "#13"}
    ]
    assert by_ref["#13"].details["relations"][0]["role"] == "related"
    assert by_ref["#13"].datum_frame == ["A"]
