"""The package's import rules, as a newcomer would break them.

`lint-imports` (import-linter, configured in pyproject.toml) checks the
layers and cycles on the import graph. This test adds the rule the graph
cannot see: the compiled core is imported in one place only, kamkit/_native.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import kamkit

PACKAGE = Path(kamkit.__file__).resolve().parent
ENTRY_POINTS = {"cli.py", "__main__.py"}
# The lifetimes drop-in still imports the core directly (`from ... import _core`);
# it is left out until it imports it through kamkit/_native.py.
NOT_YET = {"lifetimes"}


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, node.module or "", (node.level, [a.name for a in node.names])


def test_no_module_imports_the_facade_or_the_core_directly():
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in NOT_YET:
            continue
        if rel.name == "__init__.py" and rel.parent == Path("."):
            continue
        for line, module, relative in _imports(path):
            where = f"{rel}:{line}"
            if relative is None:
                if module == "kamkit" and rel.name not in ENTRY_POINTS:
                    bad.append(f"{where}: import kamkit (the facade)")
                continue
            level, names = relative
            if level == 0 and module == "kamkit" and rel.name not in ENTRY_POINTS:
                bad.append(f"{where}: from kamkit import ... (the facade)")
            if level > 0 and "_core" in names and rel.name != "_native.py":
                bad.append(f"{where}: import the core as `from ._native import core as _core`")
            if level > 0 and module == "" and len(rel.parts) == level:
                for name in names:
                    if name != "_core" and not (
                        (PACKAGE / f"{name}.py").exists() or (PACKAGE / name).is_dir()
                    ):
                        bad.append(f"{where}: from {'.' * level} import {name} (the facade)")
    assert not bad, "\n".join(bad)
