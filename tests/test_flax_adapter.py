"""The Flax adapter on real NNX and linen models: counts checked against Flax's own state."""

from __future__ import annotations

import math
import subprocess
import sys

import jax
import jax.numpy as jnp
import pytest
from flax import nnx

from sphinx_modelsummary import execute
from sphinx_modelsummary.errors import BuildError
from sphinx_modelsummary.frameworks import framework_of
from sphinx_modelsummary.report import ModelReport
from sphinx_modelsummary.request import BuildRequest
from sphinx_modelsummary.target import parse_target
from tests import flax_builders

pytestmark = pytest.mark.flax


def _report(target: str, *shapes: tuple[int | None, ...], dtype: str | None = None):
    request = BuildRequest(parse_target(target), input_shapes=shapes or None, input_dtype=dtype)
    return execute.build_report(request)


def _count(state) -> int:
    return sum(math.prod(leaf.shape) for leaf in jax.tree.leaves(state))


def test_a_module_importing_only_flax_is_flax():
    assert framework_of(parse_target("tests.flax_builders:mlp")) == "flax"


def test_nnx_mlp_counts_its_params_shape_only():
    report = _report("tests.flax_builders:mlp(32)", (1, 8))
    model = flax_builders.Mlp(32)
    assert report.build_mode == "shape-only"
    assert report.framework == "flax"
    assert report.totals.params == _count(nnx.state(model, nnx.Param)) == 8 * 32 + 32 + 32 * 4 + 4
    assert [layer.path for layer in report.layers] == ["hidden", "dropout", "out"]
    assert report.layer("out").output_shapes == (((1, 4),),)
    assert report.layer("out").inbound == ("dropout",)
    assert report.inconsistencies() == []


@pytest.mark.parametrize("builder", ["Cnn", "abstract_cnn"])
def test_nnx_batch_statistics_are_state_apart_from_the_params(builder):
    report = _report(f"tests.flax_builders:{builder}", (2, 8, 8, 1))
    model = flax_builders.Cnn()
    assert report.build_mode == "shape-only"
    assert report.totals.params == _count(nnx.state(model, nnx.Param))
    assert report.totals.non_trainable == 0
    assert report.totals.buffers == _count(nnx.state(model, nnx.BatchStat)) == 2 * (8 + 16)
    norm = report.layer("norm2")
    assert (norm.params, sum(b.size for b in norm.buffers)) == (32, 32)
    assert report.layer("conv2").output_shapes == (((2, 4, 4, 16),),)
    assert not report.formula_disagreements
    assert all(not layer.formula.fallback for layer in report.layers if layer.params)


def test_a_shared_module_is_one_row_with_two_calls_and_its_weights_once():
    report = _report("tests.flax_builders:SharedBlock", (2, 6))
    assert report.totals.params == _count(nnx.state(flax_builders.SharedBlock(), nnx.Param))
    shared = [layer for layer in report.layers if layer.class_name == "Linear"]
    assert len(shared) == 1 and shared[0].calls == 2
    assert report.totals.params == 6 * 6 + 6 + 2 * 6


def test_a_tied_head_counts_the_embedding_once():
    report = _report("tests.flax_builders:TiedLm(50, 12)", (1, 5), dtype="int32")
    model = flax_builders.TiedLm(50, 12)
    assert report.totals.params == _count(nnx.state(model, nnx.Param)) == 50 * 12 + 2 * 156 + 12
    assert report.outputs[0].shape == (1, 5, 50)
    assert report.layer("blocks/1").output_shapes == (((1, 5, 12),),)
    assert ModelReport.from_json(report.to_json()) == report  # a list's items named as text


def test_linen_counts_the_params_collection_and_batch_stats_apart():
    report = _report("tests.flax_builders:linen_cnn(8)", (1, 8, 8, 1))
    variables = flax_builders.LinenCnn(8).init(jax.random.key(0), jnp.zeros((1, 8, 8, 1)))
    assert report.totals.params == _count(variables["params"])
    assert report.totals.buffers == _count(variables["batch_stats"])
    assert [layer.class_name for layer in report.layers] == [
        "Conv",
        "BatchNorm",
        "Dropout",
        "Dense",
    ]
    assert report.layer("Dense_0").output_shapes == (((1, 10),),)
    assert not report.formula_disagreements


def test_a_linen_model_without_an_input_shape_is_a_clear_error():
    with pytest.raises(BuildError, match="linen module .*:input-shape:") as caught:
        _report("tests.flax_builders:linen_cnn")
    assert caught.value.kind == "input-shape"


def _fresh_build(target: str, shape: tuple[int, ...], dtype: str, printed: str) -> list[str]:
    """Build in a process of its own, as a worker does; what ``printed`` (an expression of
    ``report``, ``sys`` and ``resource``) gives there, as words."""
    code = (
        "import resource, sys\n"
        "from sphinx_modelsummary import execute\n"
        "from sphinx_modelsummary.request import BuildRequest\n"
        "from sphinx_modelsummary.target import parse_target\n"
        f"request = BuildRequest(parse_target({target!r}), input_shapes=({shape!r},),"
        f" input_dtype={dtype!r})\n"
        "report = execute.build_report(request)\n"
        f"print({printed})\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600
    )
    return result.stdout.split("\n")[-2].split()


def test_the_flax_worker_never_imports_tensorflow_or_torch():
    printed = "*sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'torch', 'flax'})"
    assert _fresh_build("tests.flax_builders:Cnn", (1, 8, 8, 1), "float32", printed) == ["flax"]


def _explained(report) -> dict[str, str]:
    """Each leaf row with parameters → its formula's name, or ``fallback``."""
    return {
        layer.path: "fallback" if layer.formula.fallback else layer.formula.name
        for layer in report.layers
        if layer.params and not layer.is_container
    }


def test_nnx_layers_are_explained_by_formulas_that_equal_their_counts():
    report = _report("tests.flax_builders:Layers", (2, 7, 4))
    assert report.totals.params == _count(nnx.state(flax_builders.Layers(), nnx.Param))
    assert not report.formula_disagreements
    explained = _explained(report)
    # nnx.RNN scans its cell inside a transform the trace does not see into: its exact sum
    assert explained.pop("lstm") == explained.pop("gru") == "fallback"
    assert set(explained.values()) == {"conv", "groupnorm", "dense"}
    assert report.layer("attention/query").macs == 2 * 7 * 6 * 8


def test_linen_layers_are_explained_with_sizes_from_their_inputs():
    report = _report("tests.flax_builders:LinenLayers", (2, 7, 4))
    variables = flax_builders.LinenLayers().init(jax.random.key(0), jnp.zeros((2, 7, 4)))
    assert report.totals.params == _count(variables["params"])
    assert not report.formula_disagreements
    assert "fallback" not in _explained(report).values()
    assert report.layer("ConvTranspose_0").formula.substituted == "(3·4 + 1)·6"
    # nn.scan runs the cell once more while it creates its variables: not a call
    assert report.layer("LSTMCell_0").calls == report.layer("LSTMCell_0/ii").calls == 1


def test_a_builder_reading_real_values_is_built_again_in_full():
    report = _report("tests.flax_builders:needs_real_values", (1, 8))
    assert report.build_mode == "full"
    assert report.totals.params == _count(nnx.state(flax_builders.Mlp(), nnx.Param))


def test_a_small_decoder_counts_as_flax_does():
    report = _report("tests.flax_builders:Decoder(100, 16, 2, 2, 24)", (1, 4), dtype="int32")
    model = flax_builders.Decoder(100, 16, 2, 2, 24)
    assert report.totals.params == _count(nnx.state(model, nnx.Param))
    assert report.layer("layers/1/down").output_shapes == (((1, 4, 16),),)
    assert not report.formula_disagreements


def test_a_7b_decoder_is_summarised_shape_only_in_under_2_gb():
    """In a process of its own, so its peak memory is the build's."""
    printed = (
        "report.build_mode, report.totals.params, "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss"
    )
    mode, params, peak_kb = _fresh_build("tests.flax_builders:Decoder", (1, 8), "int32", printed)
    assert (mode, int(params)) == ("shape-only", 6_738_415_616)
    assert int(peak_kb) < 2 * 1024 * 1024


def test_a_containers_own_variables_are_rows_of_their_own():
    report = _report("tests.flax_builders:Positional", (1, 5, 6))
    rows = {layer.path: layer for layer in report.layers}
    assert (rows["position"].class_name, rows["position"].params) == ("Param", 30)
    assert rows["seen"].class_name == "BatchStat" and rows["seen"].params == 0
    assert [b.size for b in rows["seen"].buffers] == [6]
    assert report.totals.params == 30 + 42 and report.totals.buffers == 6
    assert report.inconsistencies() == []


def test_a_builders_jax_settings_do_not_outlive_its_build():
    assert not jax.config.jax_enable_x64
    _report("tests.flax_builders:sixty_four_bit", (1, 8))
    assert not jax.config.jax_enable_x64
