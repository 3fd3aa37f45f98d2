"""The Babel extractor of the ``problems`` catalog (babel/problems.cfg, ``make messages``).

It takes what :mod:`lims.problem_text` translates: the template of every call of an error
class or marker named by ``-k`` (its first argument), and the words a template takes as a
parameter (:data:`lims.problem_text.PHRASES`, e.g. ``doing="add items"``), which Babel's own
Python extractor cannot find because they are passed by keyword.
"""

import ast
from collections.abc import Collection, Iterator
from typing import IO, Any

from lims.problem_text import PHRASES

Found = tuple[int, str | None, str, list[str]]


def extract(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: object, options: dict[str, Any]
) -> Iterator[Found]:
    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in keywords and node.args and _text(node.args[0]):
            yield node.lineno, name, _text(node.args[0]), []
        for keyword in node.keywords:
            if keyword.arg in PHRASES and _text(keyword.value):
                # Babel reads a message with no function name as one plain text.
                yield keyword.value.lineno, None, _text(keyword.value), []


def _text(node: ast.expr) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
