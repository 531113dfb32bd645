"""The package's shape: no import circles among ``app`` modules, no Qt below the UI, short modules.

Imports are read with :mod:`ast`, not by importing: every ``import`` counts wherever it stands (at
the top, inside a function, or under ``if TYPE_CHECKING``), because a circle that only type
checkers or lazy imports walk today is one edit away from a real one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
MAX_LINES = 420  # "about 400": a module longer than this wants splitting by responsibility
QT_FREE = ("app.stripe", "app.sandbox", "app.history", "app.directory", "app.profiles", "app.clock",
           "app.countdown", "app.paths", "app.preferences", "app.redact", "app.requirements",
           "app.services", "app.cli")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(APP.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The ``app`` modules that ``name`` imports (resolving ``from pkg import submodule``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import app.stripe.client.X` → the module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = app_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_module_of_app_imports_itself_back_through_others():
    assert circles(import_graph()) == []


def test_the_circle_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_relative_and_submodule_imports_are_resolved(tmp_path):
    pkg = tmp_path / "pkg.py"
    pkg.write_text("from . import b\nfrom .c import thing\nimport app.x.y.z\n")
    known = {"app.p", "app.p.b", "app.p.c", "app.x.y"}
    assert imports_of("app.p.a", pkg, known) == {"app.p.b", "app.p.c", "app.x.y"}


@pytest.mark.parametrize("prefix", QT_FREE)
def test_the_core_never_imports_qt(prefix):
    offenders = [name for name, path in app_modules().items()
                 if (name == prefix or name.startswith(prefix + "."))
                 and any(line.lstrip().startswith(("import PySide6", "from PySide6", "import qasync",
                                                   "from qasync"))
                         for line in path.read_text(encoding="utf-8").splitlines())]
    assert offenders == []


def test_no_module_is_too_long_to_read_in_one_sitting():
    long = {name: n for name, path in app_modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_every_ui_package_says_what_it_holds():
    for init in (APP / "ui").rglob("__init__.py"):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{init.relative_to(ROOT)} has no docstring"
