"""Every refusal the service raises is a template with a stable code, in the problems catalog.

A person reads a refusal in their own language only when its text is a literal template the
catalog can hold (``make messages`` extracts it by the error class's name), its parameters
are passed by name, and its code says which template it is; these tests read the source of
``lims/`` to hold every raise to that.
"""

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from lims.i18n import catalog_path
from lims.problem_text import PHRASES

SOURCE = Path(__file__).parent.parent / "lims"
#: The refusals a person reads: the service's, and the uncertainty engine's own (a ValueError,
#: so that the engine stays usable without the service).
BASES = {"LimsError", "UncertaintyInputError"}
PLACEHOLDER = re.compile(r"%\((\w+)\)")


@dataclass(frozen=True)
class Site:
    where: str
    error: str
    template: str | None
    code: str | None
    names: frozenset[str]
    open_names: bool  # ``**params`` passed on: the names cannot be read from the source


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(), str(path)) for path in sorted(SOURCE.rglob("*.py"))}


def _error_classes(trees: dict[Path, ast.Module]) -> dict[str, ast.ClassDef]:
    """LimsError and its subclasses (by name; the lims package defines each name once)."""
    classes: dict[str, ast.ClassDef] = {}
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                classes[node.name] = node
                bases[node.name] = {base.id for base in node.bases if isinstance(base, ast.Name)}
    found = set(BASES)
    while True:
        more = {name for name, parents in bases.items() if parents & found} - found
        if not more:
            return {name: classes[name] for name in found}
        found |= more


def _takes_message(cls: ast.ClassDef) -> bool:
    """Whether the class is called with a template (its own ``__init__``, if any, says so)."""
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__init__":
            parameters = node.args.args[1:]
            return bool(parameters) and parameters[0].arg == "message"
    return True


def _wording_helpers(tree: ast.Module, errors: set[str]) -> set[str]:
    """Functions of one module that build an error from their ``message`` (``_bad(message,
    *location)``): their calls in that module are raises too."""
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and node.args.args
        and node.args.args[0].arg == "message"
        and any(
            isinstance(inner, ast.Call)
            and isinstance(inner.func, ast.Name)
            and inner.func.id in errors
            for inner in ast.walk(node)
        )
    }


def _site(path: Path, call: ast.Call, error: str) -> Site:
    first = call.args[0] if call.args else None
    template = (
        first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
    )
    code_given = next((k.value for k in call.keywords if k.arg == "code"), None)
    code = (
        code_given.value
        if isinstance(code_given, ast.Constant) and isinstance(code_given.value, str)
        else None
    )
    return Site(
        where=f"{path.relative_to(SOURCE.parent)}:{call.lineno}",
        error=error,
        template=template,
        code=code,
        names=frozenset(k.arg for k in call.keywords if k.arg),
        open_names=any(k.arg is None for k in call.keywords),
    )


def _table_rows(path: Path, tree: ast.Module) -> list[Site]:
    """The rows of a module's refusal table (``MISSING_RECORDS`` in lims/accounts/principal.py):
    a literal dict of ``(problem_template(template), code, name of the parameter)``, from which
    one raise picks a row; each row is held to the rules of a raise."""
    rows = []
    for node in tree.body:
        table = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if not isinstance(table, ast.Dict):
            continue
        for row in table.values:
            if not (isinstance(row, ast.Tuple) and len(row.elts) == 3):
                continue
            marked, code, name = row.elts
            if not (
                isinstance(marked, ast.Call)
                and isinstance(marked.func, ast.Name)
                and marked.func.id == "problem_template"
                and isinstance(code, ast.Constant)
                and isinstance(name, ast.Constant)
            ):
                continue
            rows.append(
                Site(
                    where=f"{path.relative_to(SOURCE.parent)}:{row.lineno}",
                    error="table",
                    template=_literal(marked.args[0]) if marked.args else None,
                    code=code.value if isinstance(code.value, str) else None,
                    names=frozenset({name.value} if isinstance(name.value, str) else set()),
                    open_names=False,
                )
            )
    return rows


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _raises_a_table_row(call: ast.Call) -> bool:
    """``NotFound(template, code=code, **{name: number})`` with the three taken from a row."""
    code = next((k.value for k in call.keywords if k.arg == "code"), None)
    return bool(call.args) and isinstance(call.args[0], ast.Name) and isinstance(code, ast.Name)


def _sites() -> list[Site]:
    trees = _trees()
    classes = _error_classes(trees)
    called_with_message = {name for name, cls in classes.items() if _takes_message(cls)}
    sites = []
    for path, tree in trees.items():
        table = _table_rows(path, tree)
        sites.extend(table)
        helpers = _wording_helpers(tree, called_with_message)
        inside_helpers = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name in helpers
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) in inside_helpers:
                continue
            if isinstance(node, ast.ClassDef) and node.name in classes and node.name not in BASES:
                # A class that words its own message passes a template to its parent.
                for inner in ast.walk(node):
                    if (
                        isinstance(inner, ast.Call)
                        and isinstance(inner.func, ast.Attribute)
                        and inner.func.attr == "__init__"
                        and inner.args
                        and not _takes_message(node)
                    ):
                        sites.append(_site(path, inner, node.name))
            if not isinstance(node, ast.Call):
                continue
            name = (
                node.func.id
                if isinstance(node.func, ast.Name)
                else node.func.attr
                if isinstance(node.func, ast.Attribute)
                else None
            )
            if table and _raises_a_table_row(node):
                continue
            if name in called_with_message or name in helpers:
                sites.append(_site(path, node, name))
    return sites


SITES = _sites()


def _phrases() -> set[str]:
    """The words templates take as parameters (``doing="add items"``), translated with them."""
    return {
        keyword.value.value
        for tree in _trees().values()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg in PHRASES
        if isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str)
    }


def test_the_source_has_the_raises_it_is_known_to_have() -> None:
    # A change in how errors are raised (an alias, a factory) would hide sites from the checks.
    assert len(SITES) > 400


def test_every_refusal_has_a_literal_template_and_a_literal_code() -> None:
    unworded = [site.where for site in SITES if site.template is None or site.code is None]
    assert unworded == [], "raise X('template with %(name)s', code='area.what', name=...)"


def test_every_placeholder_of_a_template_is_given_by_name() -> None:
    missing = [
        f"{site.where}: {sorted(set(PLACEHOLDER.findall(site.template)) - site.names)}"
        for site in SITES
        if site.template and not site.open_names
        if set(PLACEHOLDER.findall(site.template)) - site.names
    ]
    assert missing == []


def test_a_code_names_one_template() -> None:
    templates = defaultdict(set)
    for site in SITES:
        if site.code and site.template:
            templates[site.code].add(site.template)
    shared = {code: sorted(words) for code, words in templates.items() if len(words) > 1}
    assert shared == {}


def test_a_code_reads_area_dot_what() -> None:
    malformed = [
        f"{site.where}: {site.code}"
        for site in SITES
        if site.code and not re.fullmatch(r"[a-z][a-z0-9_]*\.[a-z0-9_]+", site.code)
    ]
    assert malformed == []


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_template_is_translated_in_the_problems_catalog(language: str) -> None:
    with catalog_path("problems", language).open("rb") as source:
        catalog = read_po(source, locale=language, domain="problems")
    translated = {message.id for message in catalog if message.id and message.string}
    untranslated = sorted(
        ({site.template for site in SITES if site.template} | _phrases()) - translated,
    )
    assert untranslated == [], f"run make messages; {len(untranslated)} to translate"


def _reason_calls() -> list[tuple[str, ast.Call]]:
    return [
        (f"{path.relative_to(SOURCE.parent)}:{node.lineno}", node)
        for path, tree in _trees().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Reason"
    ]


def test_every_reason_is_a_literal_template_with_its_placeholders_given_by_name() -> None:
    # A Reason is translated with the refusal it explains: the catalog holds it only when
    # ``make messages`` can read it from the source.
    unworded = []
    for where, call in _reason_calls():
        first = call.args[0] if call.args else None
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            unworded.append(where)
            continue
        given = {keyword.arg for keyword in call.keywords}
        if None not in given and set(PLACEHOLDER.findall(first.value)) - given:
            unworded.append(where)
    assert unworded == [], "Reason('template with %(name)s', name=...)"
