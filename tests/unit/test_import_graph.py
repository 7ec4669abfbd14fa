"""The ``cultivation`` package's import graph has no cycles (outside ORM model pairs), and no
module grows past ~300 lines except the declarative rule tables.

The graph is read from the source (``ast``), counting imports anywhere in a module — a cycle
hidden in a function body is still a cycle between the two concepts.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "cultivation"

# Mapped classes refer to each other in relationship() annotations: a pair of ``models``
# modules may import each other (SQLAlchemy resolves the names late). Nothing else may.
MAX_LINES = 300
LONG_ALLOWED = {
    "cultivation/policy/rules/thresholds.py",  # declarative rule table (dated values)
}


def module_name(root: Path, path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the package's modules it imports (at any depth of the module's code)."""
    modules = {module_name(root, path): path for path in root.rglob("*.py")}
    names = {name for name, _ in modules}

    def resolve(dotted: str) -> str | None:
        while dotted and dotted not in names:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    graph: dict[str, set[str]] = {name: set() for name in names}
    for (name, is_package), path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: Iterable[str] = ()
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    here = name.split(".") if is_package else name.split(".")[:-1]
                    here = here[: len(here) - node.level + 1]
                    base = ".".join([*here, *([node.module] if node.module else [])])
                targets = [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                resolved = resolve(target)
                if resolved and resolved != name:
                    graph[name].add(resolved)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def is_model_pair(component: list[str]) -> bool:
    return all(name.endswith(".models") for name in component)


def test_no_import_cycles_outside_orm_model_pairs() -> None:
    bad = [c for c in cycles(import_graph(PACKAGE)) if not is_model_pair(c)]
    assert bad == []


def test_the_cycle_check_finds_a_cycle(tmp_path: Path) -> None:
    """The check can fail: a package whose views import each other (one lazily, inside a
    function, as the old visit routes did) is reported; two model modules are tolerated."""
    root = tmp_path / "cultivation"
    (root / "firms").mkdir(parents=True)
    (root / "visits").mkdir()
    for package in (root, root / "firms", root / "visits"):
        (package / "__init__.py").write_text("")
    (root / "firms" / "views.py").write_text("from cultivation.visits import views\n")
    (root / "visits" / "views.py").write_text("def f():\n    from ..firms.views import bp\n")
    (root / "firms" / "models.py").write_text("from cultivation.visits.models import Visit\n")
    (root / "visits" / "models.py").write_text("from cultivation.firms import models\n")
    found = cycles(import_graph(root))
    assert ["cultivation.firms.views", "cultivation.visits.views"] in found
    assert [c for c in found if not is_model_pair(c)] == [
        ["cultivation.firms.views", "cultivation.visits.views"]]


def long_modules(root: Path) -> dict[str, int]:
    base = root.parent
    sizes = {path.relative_to(base).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
             for path in root.rglob("*.py")}
    return {name: n for name, n in sizes.items() if n > MAX_LINES and name not in LONG_ALLOWED}


def test_no_module_over_300_lines() -> None:
    assert long_modules(PACKAGE) == {}


@pytest.mark.parametrize(("lines", "expected"), [(MAX_LINES, {}), (MAX_LINES + 1, {
    "cultivation/big.py": MAX_LINES + 1})])
def test_the_size_check_finds_a_long_module(tmp_path: Path, lines: int,
                                            expected: dict[str, int]) -> None:
    root = tmp_path / "cultivation"
    root.mkdir()
    (root / "big.py").write_text("x = 1\n" * lines)
    assert long_modules(root) == expected
