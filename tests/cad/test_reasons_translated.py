"""Why a model file is refused reads in the person's language: every reason the STEP and QIF
readers give is a template of the Finnish problems catalog, nested reasons too."""

import gzip
from collections.abc import Callable, Iterator
from functools import cache

import pytest
from babel.messages.pofile import read_po

from lims.cad.part21 import MAX_NESTING, StepError, read_step
from lims.cad.plan import CadError
from lims.cad.reader import read_model
from lims.i18n import catalog_path
from lims.problem_text import localized
from lims.reasons import Reason

HEAD = b"ISO-10303-21;HEADER;FILE_SCHEMA(('AP242_MANAGED_MODEL_BASED_3D_ENGINEERING_MIM_LF'));"


def records(body: bytes) -> bytes:
    return HEAD + b"ENDSEC;DATA;" + body + b"ENDSEC;END-ISO-10303-21;"


def _read(data: bytes) -> Callable[[], object]:
    return lambda: read_step(data, max_decompressed_bytes=1000)


def _get(data: bytes, entity_id: int = 1) -> Callable[[], object]:
    return lambda: read_step(data).get(entity_id)


def _model(data: bytes) -> Callable[[], object]:
    return lambda: read_model(data)


MALFORMED: dict[str, Callable[[], object]] = {
    "not Part 21": _read(b"solid cube\nfacet normal 0 0 1"),
    "no DATA section": _read(b"ISO-10303-21;HEADER;ENDSEC;"),
    "no ENDSEC": _read(HEAD + b"ENDSEC;DATA;#1=A();"),
    "unterminated string": _read(records(b"#1=A('open);")),
    "defined twice": _read(records(b"#1=A();#1=B();")),
    "no type name": _read(records(b"#1=(1,2);")),
    "damaged gzip": _read(b"\x1f\x8b" + b"\0" * 20),
    "truncated gzip": _read(gzip.compress(records(b"#1=A();"))[:30]),
    "gzip bomb": _read(gzip.compress(b"\0" * 5000)),
    "unreadable header": _read(HEAD.replace(b"(('AP242", b"(@('AP242") + b"ENDSEC;DATA;ENDSEC;"),
    "deep nesting": _get(
        records(b"#1=A(" + b"(" * (MAX_NESTING + 1) + b")" * (MAX_NESTING + 1) + b");")
    ),
    "dangling reference": lambda: (lambda s: s.deref(s.get(1).args("A")[0]))(
        read_step(records(b"#1=A(#2);"))
    ),
    "complex part not typed": _get(records(b"#1=(A(1)2);")),
    "two type names": _get(records(b"#1=A(B C);")),
    "list not closed": _get(records(b"#1=A((1);")),
    "unreadable value": _get(records(b"#1=A(@);")),
    "record loop": _model(
        records(
            b"#2=PERPENDICULARITY_TOLERANCE('P','',$,#9,(#3));"
            b"#3=DATUM_SYSTEM('',$,#9,.F.,(#4));"
            b"#4=DATUM_REFERENCE_COMPARTMENT('',$,#9,.F.,COMMON_DATUM_LIST((#4)),$);"
            b"#9=SHAPE_ASPECT('','',#9,.T.);"
        )
    ),
    "malformed PMI": _model(records(b"#2=FLATNESS_TOLERANCE();")),
    "no semantic PMI": _model(records(b"#1=POINT('',(0.,0.,0.));")),
    "AP214": _model(b"ISO-10303-21;HEADER;FILE_SCHEMA(('AUTOMOTIVE_DESIGN'));ENDSEC;DATA;ENDSEC;"),
    "PDF": _model(b"%PDF-1.7\n"),
    "not XML": _model(b"<QIFDocument"),
    "not QIF": _model(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
}


@cache
def finnish_catalog() -> dict[str, str]:
    with catalog_path("problems", "fi").open("rb") as source:
        catalog = read_po(source, locale="fi", domain="problems")
    return {message.id: message.string for message in catalog if isinstance(message.id, str)}


def templates(reason: Reason | StepError | CadError) -> Iterator[str]:
    """The template of ``reason`` and of every reason it names."""
    yield reason.template
    for value in reason.params.values():
        if isinstance(value, (Reason, StepError, CadError)):
            yield from templates(value)


@pytest.mark.parametrize("case", MALFORMED)
def test_every_reason_a_reader_gives_is_in_the_finnish_catalog(case: str) -> None:
    with pytest.raises((StepError, CadError)) as refused:
        MALFORMED[case]()
    untranslated = [t for t in templates(refused.value) if not finnish_catalog().get(t)]
    assert untranslated == []
    assert localized(refused.value, "fi") != refused.value.message


def test_a_reason_names_the_header_in_finnish_too() -> None:
    with pytest.raises(StepError) as refused:
        MALFORMED["unreadable header"]()
    assert refused.value.message.startswith('the header: cannot read "@')
    assert localized(refused.value, "fi").startswith('HEADER-osa: kohtaa "@')
