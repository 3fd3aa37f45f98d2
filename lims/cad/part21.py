"""A small ISO 10303-21 (STEP Part 21) reader: index every record by its id, parse lazily.

Loading splits the DATA section into records with one anchored regular expression per
record (strings may hold ``;``), keeping each record's raw text and the names of its types.
Only the records an extraction asks for are parsed into values.  A file that stops in the
middle of a record or a string, repeats an id, or nests too deep is refused with a message
naming the place.

>>> step = read_step(b"ISO-10303-21;HEADER;FILE_SCHEMA(('X'));ENDSEC;DATA;"
...                  b"#1=DATUM('',$,#2,.F.,'A');#2=(A(1.5)B('it''s'));ENDSEC;END-ISO-10303-21;")
>>> step.schema, step.types_of(2), step.get(1).args("DATUM")[4]
(['X'], ('A', 'B'), 'A')
>>> step.get(2).args("B")
["it's"]
"""

import re
import zlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lims.reasons import Reason

MAX_NESTING = 64  # real AP242 files nest lists 4-5 deep; a deeper file is hostile
GZIP_MAGIC = b"\x1f\x8b"


class StepError(ValueError):
    """The bytes are not a readable Part 21 file; the :class:`Reason` says where and why, so
    that the refusal carrying it is worded in its reader's language."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.message)
        self.reason = reason
        self.template = reason.template
        self.params = reason.params
        self.message = reason.message


@dataclass(frozen=True)
class Ref:
    """``#123``: a reference to another record."""

    id: int


@dataclass(frozen=True)
class Enum:
    """``.NAME.``: an enumeration value (``.T.`` and ``.F.`` are read as booleans)."""

    name: str


@dataclass(frozen=True)
class Typed:
    """``LENGTH_MEASURE(2.5)``: a value with its defined type."""

    type: str
    value: Any


DERIVED = Enum("*")  # ``*``: an attribute re-declared as derived in a subtype


@dataclass
class Entity:
    """One parsed record: its parts (one for a simple instance, several for a complex one)."""

    id: int
    parts: dict[str, list[Any]]

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(self.parts)

    def args(self, type_name: str) -> list[Any]:
        return self.parts.get(type_name, [])


@dataclass
class StepFile:
    """The header and the indexed, lazily parsed records of one exchange structure."""

    header: dict[str, list[Any]]
    raw: dict[int, str]
    by_type: dict[str, list[int]]
    _types: dict[int, tuple[str, ...]] = field(default_factory=dict)
    _parsed: dict[int, Entity] = field(default_factory=dict)

    @property
    def schema(self) -> list[str]:
        found = self.header.get("FILE_SCHEMA") or [[]]
        names = found[0] if isinstance(found[0], list) else []
        return [name for name in names if isinstance(name, str)]

    def __len__(self) -> int:
        return len(self.raw)

    def types_of(self, entity_id: int) -> tuple[str, ...]:
        return self._types[entity_id]

    def ids_of(self, *type_names: str) -> list[int]:
        """Ids of records having any of the types, in file order."""
        found: set[int] = set()
        for name in type_names:
            found.update(self.by_type.get(name, ()))
        return sorted(found)

    def get(self, entity_id: int) -> Entity:
        entity = self._parsed.get(entity_id)
        if entity is None:
            text = self.raw.get(entity_id)
            if text is None:
                raise StepError(
                    Reason(
                        "#%(entity)s is referenced but not defined in the file", entity=entity_id
                    )
                )
            entity = Entity(entity_id, _parse_instance(text, entity_id))
            self._parsed[entity_id] = entity
        return entity

    def deref(self, value: Any) -> Entity | None:
        return self.get(value.id) if isinstance(value, Ref) else None


# -- loading ------------------------------------------------------------------------------

_RECORD = re.compile(r"#(\d+)\s*=\s*([^;']*(?:'[^']*'[^;']*)*);")
_HEADER_RECORD = re.compile(r"([A-Z_][A-Z0-9_]*)\s*(\([^;']*(?:'[^']*'[^;']*)*\))\s*;")
_SPACE = re.compile(r"\s*")
_COMMENT = re.compile(r"('(?:[^']|'')*')|/\*.*?\*/", re.S)
_STRINGS = re.compile(r"'[^']*'")
_TOP_LEVEL_NAMES = re.compile(r"(?:^\(|\))\s*([A-Z_][A-Z0-9_]*)\s*\(")
_SIMPLE_NAME = re.compile(r"([A-Z_][A-Z0-9_]*)\s*\(")


def decompress(data: bytes, *, max_bytes: int) -> bytes:
    """The bytes of a gzip file, refusing to inflate beyond ``max_bytes`` (a gzip bomb)."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error:
        raise StepError(Reason("the gzip data is damaged")) from None
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise StepError(
            Reason(
                "the file decompresses to more than the limit of %(max_bytes)s bytes",
                max_bytes=max_bytes,
            )
        )
    if not inflater.eof:
        raise StepError(Reason("the gzip data is truncated"))
    return out


def read_step(data: bytes, *, max_decompressed_bytes: int = 512 * 1024 * 1024) -> StepFile:
    """Index a Part 21 file (plain or gzip-compressed) without parsing its records."""
    if data.startswith(GZIP_MAGIC):
        data = decompress(data, max_bytes=max_decompressed_bytes)
    # Part 21 text is 8-bit (non-ASCII comes as \X\ escapes); latin-1 maps every byte.
    text = data.decode("latin-1")
    start = text.find("ISO-10303-21;")
    if start < 0 or text[:start].strip():
        raise StepError(Reason("not a STEP file: it does not begin with ISO-10303-21;"))
    if "/*" in text:
        text = _COMMENT.sub(lambda match: match.group(1) or " ", text)
    header_at = text.find("HEADER;", start)
    data_at = text.find("DATA;", header_at)
    if header_at < 0 or data_at < 0:
        raise StepError(Reason("the file has no HEADER or DATA section"))
    header = _read_header(text[header_at + len("HEADER;") : data_at])
    raw, types = _index_data(text, data_at + len("DATA;"))
    by_type: dict[str, list[int]] = defaultdict(list)
    for entity_id, names in types.items():
        for name in names:
            by_type[name].append(entity_id)
    return StepFile(header=header, raw=raw, by_type=dict(by_type), _types=types)


def _read_header(section: str) -> dict[str, list[Any]]:
    header: dict[str, list[Any]] = {}
    for match in _HEADER_RECORD.finditer(section):
        name, body = match.groups()
        if name != "ENDSEC":
            header[name] = _parse_params(body, 0, where=Reason("the header"))
    return header


def _index_data(text: str, position: int) -> tuple[dict[int, str], dict[int, tuple[str, ...]]]:
    raw: dict[int, str] = {}
    types: dict[int, tuple[str, ...]] = {}
    end = len(text)
    while True:
        position = _SPACE.match(text, position).end()  # type: ignore[union-attr]  # \s* always matches
        if text.startswith("ENDSEC;", position):
            return raw, types
        match = _RECORD.match(text, position)
        if match is None:
            if position >= end:
                raise StepError(Reason("the file is truncated: the DATA section has no ENDSEC;"))
            line = text.count("\n", 0, position) + 1
            raise StepError(
                Reason(
                    "line %(line)s: expected a record #id=...; "
                    "(truncated file or unterminated string)",
                    line=line,
                )
            )
        entity_id, body = int(match.group(1)), match.group(2).strip()
        if entity_id in raw:
            raise StepError(Reason("#%(entity)s is defined twice", entity=entity_id))
        raw[entity_id] = body
        types[entity_id] = _type_names(body, entity_id)
        position = match.end()


def _type_names(body: str, entity_id: int) -> tuple[str, ...]:
    if body.startswith("("):
        # A complex instance: its parts are the names at the top level, found after the
        # opening parenthesis or after the previous part's closing one (strings removed).
        names = tuple(_TOP_LEVEL_NAMES.findall(_STRINGS.sub("''", body)))
    else:
        match = _SIMPLE_NAME.match(body)
        names = (match.group(1),) if match else ()
    if not names:
        raise StepError(_untyped(f"#{entity_id}"))
    return names


# -- parsing one record -------------------------------------------------------------------

#: Where a parse failed: a record (``"#12"``) or a part of the file (``Reason("the header")``).
Where = str | Reason


def _untyped(where: Where) -> Reason:
    return Reason("%(where)s: a record names its entity type, e.g. #1=POINT(...)", where=where)


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<ref>\#\d+)
    | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
    | (?P<enum>\.[A-Z_][A-Z0-9_]*\.)
    | (?P<name>[A-Z_][A-Z0-9_]*)
    | (?P<binary>"[0-9A-F]*")
    | (?P<punct>[(),$*])
    )""",
    re.X,
)
_ESCAPE = re.compile(r"\\X2\\((?:[0-9A-F]{4})+)\\X0\\|\\X\\([0-9A-F]{2})|\\S\\(.)")


def _parse_instance(body: str, entity_id: int) -> dict[str, list[Any]]:
    where: Where = f"#{entity_id}"
    if body.startswith("("):
        parts: dict[str, list[Any]] = {}
        for part in _parse_params(body, 0, where=where, complex_instance=True):
            if not isinstance(part, tuple):
                raise StepError(
                    Reason("%(where)s: a complex instance holds only TYPE(...) parts", where=where)
                )
            parts[part[0]] = part[1]
        return parts
    match = _SIMPLE_NAME.match(body)
    if match is None:
        raise StepError(_untyped(where))
    return {match.group(1): _parse_params(body, match.end() - 1, where=where)}


def _parse_params(
    text: str, position: int, *, where: Where, complex_instance: bool = False
) -> list[Any]:
    """Parse the parenthesised list at ``position``: an explicit stack, no recursion."""
    stack: list[list[Any]] = []
    pending_names: list[str | None] = []
    current: list[Any] | None = None
    name: str | None = None
    for token in _tokens(text, position, where):
        kind, value = token
        if kind == "(":
            if len(stack) >= MAX_NESTING:
                raise StepError(
                    Reason(
                        "%(where)s: lists nest deeper than %(levels)s levels",
                        where=where,
                        levels=MAX_NESTING,
                    )
                )
            if current is not None:
                stack.append(current)
            pending_names.append(name)
            current, name = [], None
            continue
        if current is None:
            raise StepError(Reason("%(where)s: expected '('", where=where))
        if name is not None:
            raise StepError(Reason("%(where)s: a type name must be followed by '('", where=where))
        if kind == ")":
            finished, typed_as = current, pending_names.pop()
            if not stack:
                return finished
            current = stack.pop()
            if typed_as is None:
                current.append(finished)
            elif complex_instance and len(stack) == 0:
                current.append((typed_as, finished))
            else:
                current.append(Typed(typed_as, finished[0] if len(finished) == 1 else finished))
        elif kind == "name":
            name = value
        elif kind != ",":
            current.append(value)
    raise StepError(Reason("%(where)s: the record ends inside a list", where=where))


def _tokens(text: str, position: int, where: Where) -> Iterator[tuple[str, Any]]:
    end = len(text)
    while True:
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            if text[position:].strip():
                raise StepError(
                    Reason(
                        "%(where)s: cannot read %(text)r",
                        where=where,
                        text=text[position : position + 20],
                    )
                )
            return
        position = match.end()
        kind = match.lastgroup
        token = match.group(kind)  # type: ignore[arg-type]  # each alternative is a named group
        if kind == "punct":
            yield (token, None) if token in "()," else ("value", None if token == "$" else DERIVED)
        elif kind == "string":
            yield "value", _unescape(token[1:-1].replace("''", "'"))
        elif kind == "ref":
            yield "value", Ref(int(token[1:]))
        elif kind == "number":
            yield "value", float(token) if any(c in token for c in ".eE") else int(token)
        elif kind == "enum":
            flag = token[1:-1]
            yield "value", {"T": True, "F": False}.get(flag, Enum(flag))
        elif kind == "binary":
            yield "value", token[1:-1]
        else:
            yield "name", token
        if position >= end:
            return


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            hexes = match.group(1)
            return "".join(chr(int(hexes[i : i + 4], 16)) for i in range(0, len(hexes), 4))
        if match.group(2):
            return chr(int(match.group(2), 16))
        return chr(ord(match.group(3)) + 128)

    return _ESCAPE.sub(replace, text).replace("\\\\", "\\")
