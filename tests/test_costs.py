"""MACs per layer kind against hand counts, published totals, and the memory block."""

from __future__ import annotations

import json

import pytest

from sphinx_modelsummary.cli import main
from sphinx_modelsummary.costs import costs, format_macs
from sphinx_modelsummary.render.rows import cost_lines

HAND_COUNTS = {
    "conv": 8 * 8 * (3 * 3 * 3 * 4),
    "depthwise": 8 * 8 * (3 * 3 * 4),
    "separable": 8 * 8 * (3 * 3 * 4 + 4 * 6),
    "norm": 0,  # normalisation is element-wise work, not MACs (torchvision's convention)
    "pool": 4 * 4 * 6 * (2 * 2),
    "transpose": 4 * 4 * (3 * 3 * 6 * 2),
    "global_pool": 8 * 8 * 2,
    "lstm": 5 * (4 * (3 + 4) * 4),
    "gru": 5 * (3 * (4 + 2) * 2),
    # projections q, k, v (5 steps · 2 features · 2 heads · 3) and output (5 · 2·3 · 2),
    # then scores and weighted sum (2 heads · 5 · 5 · (3 + 3))
    "attention": 3 * (5 * 2 * 2 * 3) + 5 * 2 * 3 * 2 + 2 * 5 * 5 * (3 + 3),
    "einsum": 5 * 2 * 7,
    "dense": (2 + 35) * 3,
    "flatten": 0,
    "joined": 0,
}

#: Output elements per sample of every layer of the zoo (inputs count zero), counted by hand;
#: activations are float32, so each element is 4 bytes.
HAND_OUTPUTS = {
    "image": 0,
    "sequence": 0,
    "conv": 8 * 8 * 4,
    "depthwise": 8 * 8 * 4,
    "separable": 8 * 8 * 6,
    "norm": 8 * 8 * 6,
    "pool": 4 * 4 * 6,
    "transpose": 8 * 8 * 2,
    "global_pool": 2,
    "lstm": 5 * 4,
    "gru": 5 * 2,
    "attention": 5 * 2,
    "einsum": 5 * 7,
    "flatten": 35,
    "joined": 37,
    "dense": 3,
}
HAND_ACTIVATION_BYTES = 4 * sum(HAND_OUTPUTS.values())  # 4 · 1,656 = 6,624 per sample


def test_macs_of_every_layer_kind_match_hand_counts(report_of):
    model_costs = costs(report_of("builders:cost_zoo"))
    for path, expected in HAND_COUNTS.items():
        assert model_costs.of(path).macs == expected, path
    assert model_costs.macs == sum(HAND_COUNTS.values())


def test_activation_and_input_bytes_match_hand_counts(report_of):
    for batch_size in (1, 3):
        model_costs = costs(report_of("builders:cost_zoo"), batch_size)
        for path, elements in HAND_OUTPUTS.items():
            assert model_costs.of(path).activation_bytes == 4 * elements * batch_size, path
        assert model_costs.activation_bytes == HAND_ACTIVATION_BYTES * batch_size
        assert model_costs.input_bytes == 4 * (8 * 8 * 3 + 5 * 3) * batch_size
        assert model_costs.params_bytes == 4 * 724
        assert model_costs.forward_backward_bytes == 2 * HAND_ACTIVATION_BYTES * batch_size
        assert model_costs.total_bytes == 4 * (207 * batch_size + 724) + (
            2 * HAND_ACTIVATION_BYTES * batch_size
        )


@pytest.mark.parametrize(
    ("name", "published"),
    [
        ("VGG16", 15.47e9),
        ("ResNet50", 3.86e9),
        ("MobileNetV2", 0.30e9),
        ("MobileNet", 0.569e9),
    ],
)
def test_convolution_and_dense_macs_match_published_figures(report_of, name, published):
    report = report_of(f"keras.applications:{name}(weights=None)")
    model_costs = costs(report)
    counted = sum(
        model_costs.of(layer.path).macs
        for layer in report.layers
        if "Conv" in layer.class_name or layer.class_name == "Dense"
    )
    assert abs(counted - published) / published < 0.02, (name, format_macs(counted))


def test_unknown_image_size_gives_na_with_the_reason(report_of):
    model_costs = costs(report_of("example_project.basics:rgb_conv"))
    conv = model_costs.of("conv")
    assert conv.macs is None and "give :input-shape:" in conv.reason
    assert model_costs.macs is None and model_costs.activation_bytes is None
    fixed = costs(report_of("example_project.basics:rgb_conv", [(None, 32, 32, 3)]))
    assert fixed.of("conv").macs == 30 * 30 * 3 * 3 * 3 * 16


def test_memory_block_is_the_one_pytorch_users_know(report_of):
    report = report_of("example_project.resnet:cifar_resnet")
    model_costs = costs(report, batch_size=1)
    assert model_costs.input_bytes == 32 * 32 * 3 * 4
    lines = dict(cost_lines(model_costs))
    assert lines["Input size (batch 1)"] == "12.00 KB"
    assert lines["Forward/backward pass size"] == "3.63 MB"  # torchsummary says 3.63 too
    assert lines["Params size"] == "771.16 KB"
    doubled = costs(report, batch_size=2)
    assert doubled.activation_bytes == 2 * model_costs.activation_bytes


def test_show_json_has_macs_and_activation_bytes(capsys):
    assert main(["show", "builders:cost_zoo", "--format", "json", "--batch-size", "2"]) == 0

    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["macs"] == sum(HAND_COUNTS.values())
    assert data["totals"]["batch_size"] == 2
    assert data["totals"]["activation_bytes"] == 2 * HAND_ACTIVATION_BYTES
    layers = {layer["path"]: layer for layer in data["layers"]}
    assert {path: layers[path]["macs"] for path in HAND_COUNTS} == HAND_COUNTS
    assert main(["show", "builders:cost_zoo", "--costs"]) == 0
    out = capsys.readouterr().out
    # 16,757 MACs; 6,624 B of activations, twice for the backward pass; 828 B of inputs
    assert sum(HAND_COUNTS.values()) == 16_757
    for line in (
        "MACs per sample: 16.76 K",
        "Input size (batch 1): 828 B",
        "Forward/backward pass size: 12.94 KB",
        "Params size: 2.83 KB",
        "Estimated total size: 16.57 KB",
    ):
        assert line in out.splitlines(), line
