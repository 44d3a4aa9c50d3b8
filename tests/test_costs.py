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


def test_macs_of_every_layer_kind_match_hand_counts(report_of):
    model_costs = costs(report_of("builders:cost_zoo"))
    for path, expected in HAND_COUNTS.items():
        assert model_costs.of(path).macs == expected, path
    assert model_costs.macs == sum(HAND_COUNTS.values())


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
    assert data["totals"]["activation_bytes"] > 0
    layers = {layer["path"]: layer for layer in data["layers"]}
    assert layers["conv"]["macs"] == HAND_COUNTS["conv"]
    assert main(["show", "builders:cost_zoo", "--costs"]) == 0
    assert "MACs per sample: " in capsys.readouterr().out
