"""One formula toolkit: every framework's layer knowledge is declared with it, none keeps its own.

Built on hand-made layers, no framework imported: a new framework's knowledge
module (Flax is next) only declares its layers.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sphinx_modelsummary.formulas import make_formula, registry, term, toolkit
from sphinx_modelsummary.report import Formula, Layer, Weight

FORMULAS = Path(toolkit.__file__).parent
#: The modules that are the toolkit itself; every other module of formulas/ is a framework's.
TOOLKIT_MODULES = {"__init__", "expr", "registry", "toolkit"}


def _top_level_names(path: Path, methods: bool = False) -> set[str]:
    """The names a module defines, private or not (``_sym`` is ``sym`` written again)."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
            if methods and isinstance(node, ast.ClassDef):
                names.update(f.name for f in node.body if isinstance(f, ast.FunctionDef))
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {name.lstrip("_") for name in names if not name.startswith("__")}


def test_no_knowledge_module_writes_again_what_the_toolkit_has():
    shared = _top_level_names(FORMULAS / "toolkit.py", methods=True)
    knowledge = sorted(p for p in FORMULAS.glob("*.py") if p.stem not in TOOLKIT_MODULES)
    assert knowledge, "no knowledge module found"
    again = {p.name: sorted(_top_level_names(p) & shared) for p in knowledge}
    assert again == {p.name: [] for p in knowledge}


def test_every_built_in_formula_comes_from_the_toolkit():
    """Read in a process of its own: the tables as the knowledge modules alone fill them (no
    test's own registrations), and no reloaded module left behind for the other tests."""
    script = textwrap.dedent(
        """
        from sphinx_modelsummary.formulas import registry, toolkit
        from sphinx_modelsummary.frameworks import NAMES
        tables = {name: registry.rules(name) for name in NAMES}
        assert all(tables.values()), "an empty table"
        odd = [
            (framework, name)
            for framework, table in tables.items()
            for name, rule in table.items()
            if rule.formula is not None and not isinstance(rule.formula, toolkit.PartsFormula)
        ]
        print(odd)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _layer(class_name: str, config: dict, weights: tuple[Weight, ...] = ()) -> Layer:
    return Layer(
        path="scaled",
        name="scaled",
        class_name=class_name,
        depth=0,
        parent=None,
        output_shapes=(((None, 8),),),
        input_shapes=(((None, 8),),),
        inbound=(),
        calls=1,
        weights=weights,
        params=sum(w.size for w in weights),
        trainable=sum(w.size for w in weights if w.trainable),
        non_trainable=sum(w.size for w in weights if not w.trainable),
        config=config,
    )


@pytest.fixture
def knowledge(monkeypatch: pytest.MonkeyPatch) -> toolkit.Knowledge:
    """A framework of the test's own, in tables that are thrown away after it."""
    monkeypatch.setattr(registry, "_RULES", {})
    monkeypatch.setattr(registry, "_LOADED", {"made_up"})
    return toolkit.Knowledge("made_up")


def test_a_new_framework_only_declares_its_layers(knowledge: toolkit.Knowledge):
    @knowledge.formula("Scale", macs=toolkit.no_macs, kind="norm")
    def scale(layer: Layer) -> toolkit.Parts:
        width = toolkit.sym("n_in", toolkit.dim(toolkit.first_input_shape(layer), -1))
        return toolkit.Parts("scale", width, (term("scale", (width.value,)),))

    layer = _layer("Scale", {}, (Weight("scale", (8,), "float32", True),))
    formula, problem = registry.explain(layer, "made_up")
    assert problem is None and not formula.fallback
    assert (formula.symbolic, formula.latex, formula.substituted) == ("n_in", "n_{in}", "8")
    assert registry.macs_of(layer, 0, "made_up") == 0
    assert registry.kind_of("Scale", "made_up") == "norm"


def test_a_wrapper_sees_the_parts_of_built_in_and_registered_formulas(
    knowledge: toolkit.Knowledge,
):
    @knowledge.formula("Scale")
    def scale(layer: Layer) -> toolkit.Parts:
        width = toolkit.sym("units", layer.config["units"])
        return toolkit.Parts("scale", width + 1, (term("scale", (width.value + 1,)),))

    def projection(layer: Layer) -> Formula:
        width = toolkit.sym("d", layer.config["units"])
        return make_formula("projection", 2 * width, (term("kernel", (2 * width.value,)),))

    knowledge.define("Projection", formula=projection)
    built_in = knowledge.parts_of(_layer("Scale", {"units": 3}))
    assert (built_in.name, built_in.expression.text, built_in.expression.value) == (
        "scale",
        "units + 1",
        4,
    )
    registered = knowledge.parts_of(_layer("Projection", {"units": 3}))
    assert (registered.name, registered.expression.text, registered.expression.value) == (
        "projection",
        "2·d",
        6,
    )
