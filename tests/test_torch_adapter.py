"""The PyTorch adapter on real modules: PyTorch's counts, shared tensors once, formulas, MACs.

torch is imported inside the tests, never when the module is collected: the
Keras test run collects this module too, and TensorFlow then torch crashes.
"""

from __future__ import annotations

import pytest

from sphinx_modelsummary.costs import costs
from sphinx_modelsummary.errors import BuildError
from sphinx_modelsummary.execute import build_report
from sphinx_modelsummary.request import BuildRequest
from sphinx_modelsummary.target import parse_target

pytestmark = pytest.mark.torch


def report_of(target: str, *shapes, dtype: str | None = None, shape_only: bool = True):
    request = BuildRequest(
        parse_target(target), tuple(shapes) or None, dtype, shape_only=shape_only
    )
    return build_report(request)


def test_seed_001_resnet_counts_the_pytorch_way():
    report = report_of("example_project.torch_resnet:cifar_resnet", (1, 3, 32, 32))
    assert report.framework == "torch" and report.build_mode == "shape-only"
    assert (report.totals.params, report.totals.trainable) == (195_738, 195_738)
    # Running mean and variance of 15 batch norms (1,120) and their 15 batch counters.
    assert report.totals.buffers == 1_135
    assert report.totals.buffer_bytes == 1_120 * 4 + 15 * 8
    conv = report.layer("conv")
    assert (conv.params, conv.output_shapes, conv.inbound) == (432, (((1, 16, 32, 32),),), ("x",))
    assert conv.formula.substituted == "3·3·3·16" and not conv.formula.fallback
    bn = report.layer("bn")
    assert bn.params == 32 and [b.name for b in bn.buffers][:2] == ["running_mean", "running_var"]
    # The residual add is functional code: the block's ReLU is fed by both branches.
    relu = report.layer("layer2/0/relu")
    assert relu.calls == 2
    assert set(relu.inbound) == {"layer2/0/bn1", "layer2/0/bn2", "layer2/0/downsample"}
    # The ReLU module runs twice per block: the second convolution reads its first call.
    assert report.layer("layer2/0/conv2").inbound_calls == (("layer2/0/relu", 1),)
    assert report.layer("layer2").is_container and report.layer("layer2/0").is_container
    assert sum(layer.params for layer in report.top_level_layers()) == 195_738


def test_a_module_held_by_three_blocks_is_counted_once():
    report = report_of("example_project.torch_shared:SharedActivationNet", (1, 5))
    assert report.totals.params == 121
    prelus = [layer for layer in report.layers if layer.class_name == "PReLU"]
    assert [layer.params for layer in prelus] == [1, 0, 0]
    assert [w.shared_with for layer in prelus for w in layer.weights] == [
        None,
        "blocks/0/act",
        "blocks/0/act",
    ]
    assert sum(layer.params for layer in report.top_level_layers()) == 121


def test_an_embedding_tied_to_the_head_is_counted_once():
    report = report_of("example_project.torch_shared:TiedLanguageModel", (1, 16), dtype="int64")
    assert report.totals.params == 130_944
    head = report.layer("head")
    assert head.params == 0 and head.weights[0].shared_with == "embed"
    assert head.output_shapes == (((1, 16, 1000),),)
    assert report.inputs[0].dtype == "int64"
    encoder_layer = report.layer("encoder/layers/0")
    assert encoder_layer.is_container and encoder_layer.params == 33_472
    attention = report.layer("encoder/layers/0/self_attn")
    assert attention.formula.value == 16_640 and not attention.formula.fallback


def test_a_siamese_branch_is_one_row_called_twice():
    report = report_of("example_project.torch_shared:SiameseNet", (1, 8), (1, 8))
    branch = report.layer("branch")
    assert branch.calls == 2 and branch.inbound == ("left", "right")
    assert branch.output_shapes == (((1, 4),), ((1, 4),))
    assert report.layer("branch/0").calls == 1  # once per call of the branch
    assert report.totals.params == 217
    assert [info.name for info in report.inputs] == ["left", "right"]


#: Module name → (torch.nn class, arguments, keyword arguments, input shapes).
RECURRENT_AND_ATTENTION = {
    "lstm": ("LSTM", (10, 20), {}, [(5, 3, 10)]),
    "lstm_deep": (
        "LSTM",
        (10, 20),
        {"num_layers": 3, "bidirectional": True, "batch_first": True},
        [(2, 7, 10)],
    ),
    "lstm_proj": (
        "LSTM",
        (10, 20),
        {"num_layers": 2, "proj_size": 6, "bidirectional": True},
        [(7, 2, 10)],
    ),
    "lstm_no_bias": ("LSTM", (10, 20), {"num_layers": 2, "bias": False}, [(7, 2, 10)]),
    "gru": ("GRU", (8, 16), {"num_layers": 2, "bidirectional": True}, [(7, 2, 8)]),
    "rnn": ("RNN", (8, 16), {"nonlinearity": "relu"}, [(7, 2, 8)]),
    "lstm_cell": ("LSTMCell", (8, 16), {}, [(2, 8)]),
    "gru_cell": ("GRUCell", (8, 16), {"bias": False}, [(2, 8)]),
    "mha": ("MultiheadAttention", (32, 4), {}, [(5, 2, 32), (5, 2, 32), (5, 2, 32)]),
    "mha_kv": (
        "MultiheadAttention",
        (32, 4),
        {"kdim": 12, "vdim": 20, "batch_first": True},
        [(2, 5, 32), (2, 6, 12), (2, 6, 20)],
    ),
    "mha_bias_kv": (
        "MultiheadAttention",
        (32, 4),
        {"bias": False, "add_bias_kv": True},
        [(5, 2, 32), (5, 2, 32), (5, 2, 32)],
    ),
    "bilinear": ("Bilinear", (3, 4, 5), {}, [(2, 3), (2, 4)]),
    "conv_transpose": ("ConvTranspose2d", (8, 12, 3), {"groups": 4, "bias": False}, [(1, 8, 5, 5)]),
    "conv3d_groups": ("Conv3d", (8, 12, (3, 2, 1)), {"groups": 2}, [(1, 8, 5, 5, 5)]),
    "layer_norm": ("LayerNorm", ((4, 6),), {"bias": False}, [(1, 3, 4, 6)]),
    "group_norm": ("GroupNorm", (2, 8), {}, [(1, 8, 4)]),
    "instance_norm": ("InstanceNorm2d", (8,), {"affine": True}, [(1, 8, 4, 4)]),
    "rms_norm": ("RMSNorm", (6,), {}, [(2, 6)]),
    "prelu": ("PReLU", (8,), {}, [(2, 8, 3)]),
    "embedding_bag": ("EmbeddingBag", (10, 3), {}, [(2, 4)]),
    "decoder_layer": ("TransformerDecoderLayer", (16, 2, 32), {}, [(5, 2, 16), (6, 2, 16)]),
}


def build(name: str):
    """The module ``name`` of the table above (a target: ``tests...:build('lstm')``)."""
    from torch import nn

    class_name, args, kwargs, _ = RECURRENT_AND_ATTENTION[name]
    return getattr(nn, class_name)(*args, **kwargs)


@pytest.mark.parametrize("name", sorted(RECURRENT_AND_ATTENTION))
def test_named_formulas_equal_the_real_counts(name):
    shapes = RECURRENT_AND_ATTENTION[name][3]
    dtype = "int64" if name == "embedding_bag" else None
    report = report_of(f"{__name__}:build({name!r})", *shapes, dtype=dtype)
    assert report.formula_disagreements == ()
    real = sum(p.numel() for p in build(name).parameters())
    assert report.totals.params == real
    weighted = [layer for layer in report.layers if layer.weights and not layer.is_container]
    assert weighted and all(not layer.formula.fallback for layer in weighted), [
        (layer.path, layer.formula) for layer in weighted
    ]
    assert sum(layer.formula.value for layer in weighted) == real


def test_lstm_formula_reads_as_pytorch_stores_it():
    report = report_of(f"{__name__}:build('lstm_proj')", (7, 2, 10))
    formula = report.layers[0].formula
    assert formula.symbolic == "D·(4·h·(n_in + p + 2) + p·h) + D·(4·h·(D·p + p + 2) + p·h)"
    assert formula.value == 6_560


#: torchvision's documented GFLOPS (which count multiply-adds) at 224×224.
TORCHVISION = {
    "resnet18": 1.81,
    "resnet50": 4.09,
    "vgg16": 15.47,
    "vit_b_16": 17.56,
    "convnext_tiny": 4.46,
    "swin_t": 4.49,
    "mobilenet_v3_large": 0.22,
    "efficientnet_b0": 0.39,
    "densenet121": 2.83,
    "regnet_y_400mf": 0.40,
}


@pytest.mark.parametrize("name", sorted(TORCHVISION))
def test_torchvision_totals_are_sum_numel_and_macs_match_the_table(name):
    import torchvision

    report = report_of(f"torchvision.models:{name}", (1, 3, 224, 224))
    model = getattr(torchvision.models, name)()
    assert report.totals.params == sum(p.numel() for p in model.parameters())
    assert report.totals.trainable == report.totals.params
    assert report.totals.buffers == sum(b.numel() for b in model.buffers())
    assert sum(layer.params for layer in report.top_level_layers()) == report.totals.params
    assert report.formula_disagreements == ()
    macs = costs(report).macs
    assert macs is not None
    assert abs(macs / 1e9 - TORCHVISION[name]) / TORCHVISION[name] < 0.03, macs
    # regnet computes its widths with tensor operations: it cannot be built on meta.
    assert report.build_mode == ("full" if name == "regnet_y_400mf" else "shape-only")


def test_a_module_without_an_input_shape_is_told_to_give_one():
    with pytest.raises(BuildError) as caught:
        report_of("example_project.torch_resnet:cifar_resnet")
    assert caught.value.kind == "input-shape"
    assert "ResNet.forward needs 1 input (x)" in caught.value.message
    assert "':input-shape: (1, 3, 32, 32)'" in caught.value.message


def test_a_builder_returning_something_else_is_named():
    with pytest.raises(BuildError) as caught:
        report_of(f"{__name__}:not_a_module", (1, 2))
    assert caught.value.kind == "not-a-model"
    assert "gave a builtins.list, not a model; the target must name a torch.nn.Module" in (
        caught.value.message
    )


def not_a_module():
    from torch import nn

    return [nn.Linear(2, 3)]


def test_a_failing_forward_names_the_shapes_and_the_users_line():
    with pytest.raises(BuildError) as caught:
        report_of(f"{__name__}:build('rnn')", (7, 2, 5))
    assert caught.value.kind == "builder"
    assert "calling the module on (7, 2, 5) float32 failed" in caught.value.message


def test_a_full_build_gives_the_same_report_with_real_weights():
    shape_only = report_of("example_project.torch_resnet:cifar_resnet", (1, 3, 32, 32))
    full = report_of("example_project.torch_resnet:cifar_resnet", (1, 3, 32, 32), shape_only=False)
    assert full.build_mode == "full"
    assert full.layers == shape_only.layers and full.totals == shape_only.totals


def test_seven_billion_parameters_tiny_sibling_counts_exactly():
    report = report_of("example_project.torch_llama:tiny_llama", (1, 16), dtype="int64")
    assert report.totals.params == 227_136
    assert report.layer("layers/0/attention/rotary").buffers[0].name == "cos"


def test_llama_2_7b_sized_decoder_is_summarised_shape_only():
    report = report_of("example_project.torch_llama:llama2_7b", (1, 128), dtype="int64")
    assert report.build_mode == "shape-only"
    assert report.totals.params == 6_738_415_616
    assert report.layer("lm_head").output_shapes == (((1, 128, 32000),),)


def test_a_module_object_is_documented_as_it_is():
    report = report_of("example_project.torch_shared:SIAMESE", (1, 8), (1, 8))
    assert report.build_mode == "full"  # its weights were made when its module was imported
    assert report.totals.params == 217 and report.layer("branch").calls == 2


def frozen_encoder_layer():
    from torch import nn

    return nn.TransformerEncoderLayer(16, 2, 32, batch_first=True).requires_grad_(False)


def test_a_frozen_transformer_layer_opens_into_its_modules():
    """Frozen weights are non-trainable parameters; the layer's modules are still traced one
    by one (torch's fused encoder kernel, which would skip them, is not used under hooks)."""
    report = report_of(f"{__name__}:frozen_encoder_layer", (1, 5, 16))
    assert report.totals.trainable == 0 and report.totals.non_trainable == 2_224
    attention = report.layer("self_attn")
    assert attention.non_trainable == 1_088 and not attention.formula.fallback
    assert report.layer("linear1").macs == 5 * 16 * 32


def padded_conv():
    from torch import nn

    class SamePadConv(nn.Conv2d):
        """A project's own convolution: a subclass the registry does not know by name."""

    return nn.Sequential(SamePadConv(3, 8, 3, padding=1), nn.ReLU())


def test_a_subclass_of_a_torch_layer_is_explained_by_its_base_class():
    report = report_of(f"{__name__}:padded_conv", (1, 3, 32, 32))
    conv = report.layer("0")
    assert (conv.class_name, conv.base_classes[0]) == ("SamePadConv", "Conv2d")
    assert conv.formula.substituted == "(3·3·3 + 1)·8" and not conv.formula.fallback
    assert conv.macs == 3 * 3 * 3 * 8 * 32 * 32 and conv.kind == "conv"


def two_layer_encoder():
    from torch import nn

    layer = nn.TransformerEncoderLayer(16, 2, 32, batch_first=True)
    return nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)


def test_connections_name_module_list_entries_by_their_dotted_path():
    """A bare ``0`` could be any ModuleList's first entry: a source outside the row's own
    block, or an index, is written as PyTorch names it (``layers.0``)."""
    from sphinx_modelsummary.render.rows import summary_rows

    report = report_of(f"{__name__}:two_layer_encoder", (1, 5, 16))
    rows = {
        row.path: row.connected_to
        for row in summary_rows(report, expand_nested=True, fold_repeats=False)
    }
    assert rows["layers/1"] == "layers.0"
    assert rows["layers/1/self_attn"] == "layers.0"
    assert rows["layers/1/norm1"] == "dropout1, layers.0"
    assert rows["layers/0/norm2"] == "dropout2, norm1"
