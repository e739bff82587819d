"""Which source files a module runs: itself, the packages it sits in, and every module of
its own top-level package that it imports, directly or through others.

Why: the Rasa component retrains our model when the training code changes (Rasa's
cache cannot see code). Hashing a whole directory retrained on changes to code that
training never runs (the serving thread) and missed shared code it does run (device
placement, worker processes). Read statically with ``ast``: nothing is imported, and
imports of other packages (torch, transformers) are not followed.
"""

from __future__ import annotations

import ast
from pathlib import Path


def imported_sources(module: str, package_dir: Path) -> list[Path]:
    """Sorted files of ``module`` (dotted, e.g. "ecomai.nlu.train") and of everything in
    its top-level package that it imports, at module level or inside functions alike.

    Args:
        module: dotted name whose first part is the package at ``package_dir``.
        package_dir: the top-level package's directory (the one with its ``__init__.py``).
    """
    package = module.split(".")[0]
    found: dict[str, Path] = {}
    pending = [module]
    while pending:
        name = pending.pop()
        path = None if name in found else _file(name, package_dir)
        if path is None:
            continue
        found[name] = path
        parts = name.split(".")
        pending.extend(".".join(parts[:end]) for end in range(1, len(parts)))  # its packages run first
        pending.extend(imported for imported in _imports(name, path) if imported.split(".")[0] == package)
    return sorted(found.values())


def _file(module: str, package_dir: Path) -> Path | None:
    """The file that defines ``module``, or None when it is not a module of the package
    (``from ecomai.x import name`` names an attribute, not a module)."""
    relative = Path(*module.split(".")[1:])
    for candidate in (package_dir / relative / "__init__.py", (package_dir / relative).with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imports(module: str, path: Path) -> list[str]:
    """Dotted names ``module`` (defined in ``path``) imports; for ``from a import b`` both
    ``a`` and ``a.b``, since ``b`` may be a submodule (the names that are not are dropped
    by the caller)."""
    is_package = path.name == "__init__.py"
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, module, is_package)
            names.append(base)
            names.extend(f"{base}.{alias.name}" for alias in node.names)
    return names


def _absolute(target: str | None, level: int, module: str, is_package: bool) -> str:
    """``from .x import`` / ``from .. import`` made absolute."""
    if level == 0:
        return target or ""
    parts = module.split(".")
    anchor = parts if is_package else parts[:-1]
    anchor = anchor[:len(anchor) - (level - 1)]
    return ".".join([*anchor, target] if target else anchor)
