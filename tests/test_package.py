"""The package as a whole: its import graph has no cycle, and its problem kinds are documented."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sphinx_modelsummary.adapters import Adapter
from sphinx_modelsummary.errors import BuildKind
from sphinx_modelsummary.frameworks import FRAMEWORKS
from sphinx_modelsummary.sphinx.problems import ProblemKind

PACKAGE = Path(__file__).parent.parent / "sphinx_modelsummary"
DOCS = Path(__file__).parent.parent / "docs"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(name: str, path: Path, everywhere: bool) -> list[tuple[str, list[str]]]:
    """What the source imports, as (module, names imported from it): at module level, or
    also inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree) if everywhere else tree.body:
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            base = base[: len(base) - node.level + 1] if node.level else []
            source = ".".join([*base, node.module] if node.module else base)
            found.append((source, [alias.name for alias in node.names]))
    return found


def import_graph(everywhere: bool = False) -> dict[str, set[str]]:
    """Module → the package modules it imports when it is imported (module level), or
    anywhere in it (``everywhere``: imports inside functions too). ``from . import adapters``
    is a join to ``adapters``, not to the package that holds it."""
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for source, names in imports_of(name, path, everywhere):
            submodules = {f"{source}.{item}" for item in names} & modules.keys()
            graph[name].update(submodules)
            if source in modules and (not names or len(submodules) < len(names)):
                graph[name].add(source)
        graph[name].discard(name)
    return graph


def package_graph() -> dict[str, set[str]]:
    """The same graph, imports inside functions included, with each subpackage as one node
    (``adapters``, ``formulas``, ``render``, ``sphinx``) beside the top-level modules."""

    def unit(module: str) -> str:
        return ".".join(module.split(".")[:2])

    graph: dict[str, set[str]] = {}
    for name, targets in import_graph(everywhere=True).items():
        graph.setdefault(unit(name), set()).update(unit(target) for target in targets)
    for name, targets in graph.items():
        targets.discard(name)
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


def test_the_modules_and_subpackages_import_one_way_also_inside_functions():
    """A lazy import inside a function is still a join: the formulas once imported the
    adapters, which ask the formulas whether a composite layer is one row."""
    graph = package_graph()
    assert "sphinx_modelsummary.formulas" in graph["sphinx_modelsummary.execute"]
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph))


#: Packages only the adapters may import: a framework, or a library that imports one.
FRAMEWORK_PACKAGES = {"keras", "tensorflow", "tf_keras", "torch", "jax", "flax", "timm"}


def test_only_the_adapters_import_a_framework():
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    importing = {
        name: sorted(
            {t.split(".")[0] for t, _ in imports_of(name, path, True)} & FRAMEWORK_PACKAGES
        )
        for name, path in modules.items()
        if not name.startswith("sphinx_modelsummary.adapters.")
    }
    assert {name: found for name, found in importing.items() if FRAMEWORK_PACKAGES & {*found}} == {}


def _top_level_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def test_every_framework_record_has_its_adapter_and_its_layer_knowledge():
    """The framework contract, read without importing any framework: each record names an
    adapter module with the functions of ``adapters.Adapter`` and a knowledge module."""
    wanted = {
        name
        for name, value in vars(Adapter).items()
        if callable(value) and not name.startswith("_")
    }
    assert wanted == {"build_report", "configuration", "configure"}
    for record in FRAMEWORKS:
        adapter = PACKAGE / "adapters" / f"{record.adapter}.py"
        assert wanted <= _top_level_functions(adapter), record.name
        assert (PACKAGE / "formulas" / f"{record.knowledge}.py").is_file(), record.name


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
