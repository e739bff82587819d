"""ecomai/ is framework-free: it must run where Rasa is not installed (the GPU machine)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "ecomai"
FORBIDDEN = {"rasa", "rasa_sdk", "sanic", "bot", "actions"}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_ecomai_imports_no_rasa_sanic_or_glue() -> None:
    offenders = {str(p.relative_to(PACKAGE)): imported_roots(p) & FORBIDDEN for p in PACKAGE.rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}
    assert len(offenders) > 10  # the walk really saw the package
