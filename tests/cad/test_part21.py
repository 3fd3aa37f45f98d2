"""The Part 21 reader on its own: values, escapes, comments and malformed structure."""

import pytest

from lims.cad.part21 import MAX_NESTING, Enum, Ref, StepError, Typed, read_step

HEAD = b"ISO-10303-21;HEADER;FILE_SCHEMA(('S'));ENDSEC;DATA;"


def records(body: bytes) -> bytes:
    return HEAD + body + b"ENDSEC;END-ISO-10303-21;"


def test_values_of_every_kind_are_parsed_on_demand() -> None:
    step = read_step(
        records(
            b"#7=THING('it''s; fine',$,*,.T.,.ENUM.,#8,(1,2.5E-1,-3.),LENGTH_MEASURE(2.),"
            b"\"0FF\");\n/* a comment; with a quote ' */ #8=(A()B('\\X2\\00E400F6\\X0\\'));"
        )
    )
    assert step.types_of(7) == ("THING",) and step.types_of(8) == ("A", "B")
    assert step.raw[7].startswith("THING(")  # indexed, not yet parsed
    args = step.get(7).args("THING")
    assert args[:5] == ["it's; fine", None, Enum("*"), True, Enum("ENUM")]
    assert args[5:] == [Ref(8), [1, 0.25, -3.0], Typed("LENGTH_MEASURE", 2.0), "0FF"]
    assert step.get(8).args("B") == ["äö"]
    assert step.ids_of("A", "THING") == [7, 8]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"solid cube\nfacet normal 0 0 1", "does not begin with ISO-10303-21"),
        (HEAD + b"#1=A();", "the DATA section has no ENDSEC"),
        (records(b"#1=A();#1=B();"), "#1 is defined twice"),
        (records(b"#1=A('open);"), "unterminated string"),
        (records(b"#1=(1,2);"), "a record names its entity type"),
        (b"ISO-10303-21;HEADER;ENDSEC;", "no HEADER or DATA section"),
    ],
)
def test_malformed_files_are_refused_with_the_reason(data: bytes, message: str) -> None:
    with pytest.raises(StepError, match=message):
        read_step(data)


def test_deep_nesting_and_dangling_references_are_refused_when_read() -> None:
    deep = records(b"#1=A(" + b"(" * (MAX_NESTING + 1) + b")" * (MAX_NESTING + 1) + b");")
    with pytest.raises(StepError, match=f"nest deeper than {MAX_NESTING}"):
        read_step(deep).get(1)
    with pytest.raises(StepError, match="#2 is referenced but not defined"):
        step = read_step(records(b"#1=A(#2);"))
        step.deref(step.get(1).args("A")[0])
