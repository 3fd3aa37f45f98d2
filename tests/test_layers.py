"""The arrows of ARCHITECTURE.md, read from the source: the audit trail is a base module that
imports no domain, and no two packages of ``lims`` import each other, however indirectly."""

import ast
from collections.abc import Iterator
from pathlib import Path

import lims

LIMS = Path(lims.__file__).parent
BASE_MODULES = {"lims.clock", "lims.config", "lims.db", "lims.errors", "lims.logs"}


def unit_of(module: str) -> str | None:
    """The package (or top-level module) of ``lims`` a dotted name belongs to."""
    parts = module.split(".")
    if parts[0] != "lims" or len(parts) < 2:
        return None
    unit = ".".join(parts[:2])
    exists = (LIMS / parts[1]).is_dir() or (LIMS / f"{parts[1]}.py").is_file()
    return unit if exists else None


def imported_units(path: Path) -> Iterator[str]:
    """Every unit of ``lims`` a file imports, at the top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        yield from (unit for name in names if (unit := unit_of(name)))


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in LIMS.rglob("*.py"):
        relative = path.relative_to(LIMS.parent).with_suffix("")
        unit = unit_of(".".join(relative.parts))
        if unit is None:
            continue
        graph.setdefault(unit, set()).update(u for u in imported_units(path) if u != unit)
    return graph


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        unit = todo.pop()
        if unit not in seen:
            seen.add(unit)
            todo.extend(graph.get(unit, ()))
    return seen


def test_the_audit_trail_imports_base_modules_only() -> None:
    assert reachable(import_graph(), "lims.audit") <= BASE_MODULES


def test_no_two_packages_import_each_other() -> None:
    graph = import_graph()
    cycles = sorted(unit for unit in graph if unit in reachable(graph, unit))
    assert cycles == []
