"""Fuzzing the readers: any bytes give a model or a CadError, never another exception.

The corpus in ``corpus/`` holds inputs found while fuzzing (each once crashed a draft of
the reader, or reaches a distinct refusal); it is replayed on every run.
"""

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lims.cad.plan import CadError
from lims.cad.reader import read_model

CORPUS = Path(__file__).parent / "corpus"
SEED = (
    b"ISO-10303-21;\nHEADER;FILE_SCHEMA(('AP242_MANAGED_MODEL_BASED_3D_ENGINEERING_MIM_LF'));"
    b"ENDSEC;\nDATA;\n"
    b"#1=(GEOMETRIC_TOLERANCE('Position.1','',#5,#9)GEOMETRIC_TOLERANCE_WITH_DATUM_REFERENCE"
    b"((#3))GEOMETRIC_TOLERANCE_WITH_MODIFIERS((.MAXIMUM_MATERIAL_REQUIREMENT.))"
    b"POSITION_TOLERANCE());\n"
    b"#2=TOLERANCE_ZONE('',$,#9,.F.,(#1),#8);\n"
    b"#3=DATUM_SYSTEM('',$,#9,.F.,(#4,#6));\n"
    b"#4=DATUM_REFERENCE_COMPARTMENT('',$,#9,.F.,#7,(SIMPLE_DATUM_REFERENCE_MODIFIER("
    b".MAXIMUM_MATERIAL_REQUIREMENT.)));\n"
    b"#5=(LENGTH_MEASURE_WITH_UNIT()MEASURE_REPRESENTATION_ITEM()MEASURE_WITH_UNIT("
    b"LENGTH_MEASURE(0.05),#10)REPRESENTATION_ITEM(''));\n"
    b"#6=DATUM_REFERENCE_COMPARTMENT('',$,#9,.F.,COMMON_DATUM_LIST((#11,#12)),$);\n"
    b"#7=DATUM('',$,#9,.F.,'A');\n#8=TOLERANCE_ZONE_FORM('cylindrical or circular');\n"
    b"#9=SHAPE_ASPECT('','',#9,.T.);\n#10=(LENGTH_UNIT()NAMED_UNIT(*)SI_UNIT(.MILLI.,.METRE.));\n"
    b"#11=DATUM_REFERENCE_ELEMENT('',$,#9,.F.,#7,$);\n"
    b"#12=DATUM_REFERENCE_ELEMENT('',$,#9,.F.,#13,$);\n#13=DATUM('',$,#9,.F.,'B');\n"
    b"#14=DIMENSIONAL_SIZE(#9,'diameter');\n#15=DIMENSIONAL_CHARACTERISTIC_REPRESENTATION"
    b"(#14,#16);\n#16=SHAPE_DIMENSION_REPRESENTATION('',(#17),#9);\n#17=(LENGTH_MEASURE_WITH_"
    b"UNIT()MEASURE_REPRESENTATION_ITEM()MEASURE_WITH_UNIT(LENGTH_MEASURE(20.),#10)"
    b"REPRESENTATION_ITEM('nominal value'));\n#18=LIMITS_AND_FITS('H','','7','');\n"
    b"#19=PLUS_MINUS_TOLERANCE(#18,#14);\nENDSEC;\nEND-ISO-10303-21;\n"
)
QIF_SEED = (
    b'<?xml version="1.0"?><QIFDocument xmlns="http://qifstandards.org/xsd/qif3" '
    b'versionQIF="3.0.0"><Characteristics><CharacteristicDefinitions n="1">'
    b'<DiameterCharacteristicDefinition id="1"><Tolerance><MaxValue>0.1</MaxValue>'
    b"<MinValue>-0.1</MinValue><DefinedAsLimit>false</DefinedAsLimit></Tolerance>"
    b'</DiameterCharacteristicDefinition></CharacteristicDefinitions><CharacteristicNominals n="1">'
    b'<DiameterCharacteristicNominal id="2"><CharacteristicDefinitionId>1'
    b"</CharacteristicDefinitionId><TargetValue>20</TargetValue></DiameterCharacteristicNominal>"
    b"</CharacteristicNominals></Characteristics></QIFDocument>"
)
TOKENS = [b"#1", b"#2", b"#99", b"=", b"(", b")", b",", b";", b"'", b"''", b"$", b"*", b".T.",
          b".X.", b"1.5", b"-2", b"1E400", b"A_B(", b"COMMON_DATUM_LIST(", b"/*", b"*/", b"\\X2\\",
          b"ENDSEC;", b"DATA;", b"\n", b"\x00", b"\xff"]  # fmt: skip


def assert_refused_or_read(data: bytes) -> None:
    """Any other exception fails the test; a CadError is the reader refusing, as it should."""
    with contextlib.suppress(CadError):
        read_model(data, max_decompressed_bytes=1_000_000)


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["delete", "insert", "token", "truncate"]))
        if action == "delete":
            del data[position : position + draw(st.integers(1, 40))]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif action == "token":
            data[position:position] = draw(st.sampled_from(TOKENS))
        else:
            del data[position:]
    return bytes(data)


@settings(max_examples=300, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(SEED))
def test_mutated_step_never_crashes_the_reader(data: bytes) -> None:
    assert_refused_or_read(data)


@settings(max_examples=150, deadline=1000)
@given(mutated(QIF_SEED))
def test_mutated_qif_never_crashes_the_reader(data: bytes) -> None:
    assert_refused_or_read(data)


@settings(max_examples=200, deadline=1000)
@given(st.lists(st.sampled_from(TOKENS), max_size=60).map(b"".join))
def test_token_soup_after_a_step_header_never_crashes_the_reader(body: bytes) -> None:
    assert_refused_or_read(SEED[: SEED.index(b"DATA;") + 5] + body)


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*-*")), ids=lambda p: p.name)
def test_the_crash_free_corpus_is_still_read_or_refused(path: Path) -> None:
    assert_refused_or_read(path.read_bytes())
