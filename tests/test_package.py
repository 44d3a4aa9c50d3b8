"""The package as a whole: its import graph has no cycle, and its problem kinds are documented."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sphinx_modelsummary.errors import BuildKind
from sphinx_modelsummary.sphinx.problems import ProblemKind

PACKAGE = Path(__file__).parent.parent / "sphinx_modelsummary"
DOCS = Path(__file__).parent.parent / "docs"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module → the package modules it imports when it is imported (module level)."""
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")
                base = base[: len(base) - node.level + 1] if node.level else []
                source = ".".join([*base, node.module] if node.module else base)
                targets = [source] + [f"{source}.{alias.name}" for alias in node.names]
            graph[name].update(target for target in targets if target in modules)
        graph[name].discard(name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for following in sorted(graph[node]):
            if state.get(following) == 1:
                return stack[stack.index(following) :] + [following]
            if following not in state:
                cycle = visit(following)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_package_imports_have_no_cycle():
    graph = import_graph()
    assert "sphinx_modelsummary.execute" in graph["sphinx_modelsummary.worker"]  # it does look
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph))


def test_the_cycle_finder_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def _listed(marker: str) -> set[str]:
    """The ````name```` entries of the definition list that follows ``.. marker`` in checks.rst."""
    page = (DOCS / "checks.rst").read_text(encoding="utf-8")
    names = set()
    for line in page.split(f".. {marker}", 1)[1].splitlines()[1:]:
        if not line.strip() or line.startswith(" "):
            continue
        found = re.fullmatch(r"``([a-z-]+)``", line.strip())
        if found is None:
            break
        names.add(found.group(1))
    return names


def test_docs_list_exactly_the_problem_kinds():
    assert _listed("problem kinds") == {kind.value for kind in ProblemKind}


def test_docs_list_exactly_the_build_error_kinds():
    assert _listed("build error kinds") == {kind.value for kind in BuildKind}
