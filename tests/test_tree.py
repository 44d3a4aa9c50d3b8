"""The one tree → report step (adapters/tree.py), on hand-built trees: no framework needed."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from sphinx_modelsummary.adapters.tree import (
    MAX_ITEMS,
    MAX_TEXT,
    HeldTensor,
    ModelTree,
    Row,
    model_report,
    plain_config,
)
from sphinx_modelsummary.report import TensorInfo, Weight

ADAPTERS = Path(__file__).parent.parent / "sphinx_modelsummary" / "adapters"


@dataclass
class Call:
    input_shapes: list
    output_shapes: list


def _tree(rows: list[Row], tensors: list[HeldTensor]) -> ModelTree:
    return ModelTree(
        name="net",
        class_name="Net",
        framework="keras",
        framework_version="0",
        inputs=[TensorInfo(name="x", shape=(None, 4), dtype="float32")],
        outputs=[TensorInfo(name="output", shape=(None, 4), dtype="float32")],
        rows=rows,
        tensors=tensors,
    )


def test_a_tree_becomes_layers_calls_shared_weights_and_totals():
    kernel = HeldTensor(1, Weight("kernel", (4, 4), "float32", trainable=True))
    mean = HeldTensor(2, Weight("mean", (4,), "float32", trainable=False), is_buffer=True)
    calls = [Call(input_shapes=[(None, 4)], output_shapes=[(None, 4)])] * 4
    block = Row("block", "block", "Block", 0, None, calls[:2], is_container=True, inbound=["x"])
    dense = Row("block/dense", "dense", "Dense", 1, block, calls, tensors=[kernel, mean])
    feeds = [("block/dense", 0), ("block/dense", 2), ("block/dense", 1)]
    relu = Row("block/relu", "relu", "ReLU", 1, block, calls, inbound=["block/dense"], feeds=feeds)
    tied = Row("tied", "tied", "Dense", 0, None, tensors=[kernel])
    report = model_report(_tree([block, dense, relu, tied], [kernel, mean]), "m:net", "full", 0.5)

    assert report.layer("block/dense").calls == 2  # twice per call of its block
    assert report.layer("block/dense").params == 16
    assert [w.name for w in report.layer("block/dense").buffers] == ["mean"]
    assert report.layer("block").params == 16  # a container counts the rows inside it
    # which of the source's two calls per block call fed it, each once, counted from 1
    assert report.layer("block/relu").inbound_calls == (("block/dense", 1), ("block/dense", 2))
    # a row never called shows no call; a tensor listed again is shared, counted once
    assert report.layer("tied").calls == 0
    assert report.layer("tied").params == 0
    assert report.layer("tied").weights[0].shared_with == "block/dense"
    assert (report.totals.params, report.totals.buffers) == (16, 4)
    assert [(e.source, e.target) for e in report.edges] == [
        ("x", "block"),
        ("block/dense", "block/relu"),
    ]


def test_every_adapter_reports_through_the_one_tree_step():
    """Only tree.py makes layers, reports and totals: a second tree → report (the drift of
    Keras's and PyTorch's rules) does not come back in another adapter module."""
    makers = {"Layer", "ModelReport", "totals_of", "with_container_counts"}
    found = {}
    for path in ADAPTERS.glob("*.py"):
        if path.name == "tree.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        called = {
            getattr(node.func, "id", getattr(node.func, "attr", None))
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
        }
        if called & makers:
            found[path.name] = sorted(called & makers)
    assert found == {}


def test_a_config_keeps_plain_values_under_one_set_of_caps_for_every_framework():
    """Keras configs and PyTorch attributes go through the same filter (the two once
    drifted: only PyTorch dropped long strings and lists)."""
    config = {
        "units": 3,
        "kernel_size": (3, (1, 1)),
        "vocabulary": list(range(MAX_ITEMS)),
        "code": "x" * MAX_TEXT,
        "activation": object(),
        "use_bias": None,
    }
    assert plain_config(config) == {"units": 3, "kernel_size": [3, [1, 1]], "use_bias": None}
