"""Keras 2 (tf_keras) layer knowledge: every weighted layer class explained by a named formula
equal to its real count, tf_keras.applications models exact, MACs as for Keras 3."""

from __future__ import annotations

import pytest

from sphinx_modelsummary.formulas import rules
from sphinx_modelsummary.report import Layer, ModelReport

#: Every Keras 2 layer class that holds weights (tf_keras.layers and layers.experimental).
WEIGHTED_CLASSES = {
    *("Dense", "EinsumDense", "Embedding", "PReLU"),
    *("Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"),
    *("DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D"),
    *("LocallyConnected1D", "LocallyConnected2D"),
    *("BatchNormalization", "SyncBatchNormalization", "LayerNormalization"),
    *("GroupNormalization", "Normalization"),
    *("SimpleRNN", "LSTM", "GRU", "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"),
    *("SimpleRNNCell", "LSTMCell", "GRUCell", "Bidirectional", "TimeDistributed"),
    *("MultiHeadAttention", "Attention", "AdditiveAttention", "RandomFourierFeatures"),
}


def weighted(report: ModelReport) -> list[Layer]:
    return [layer for layer in report.layers if layer.weights and not layer.is_container]


def assert_every_count_explained(report: ModelReport) -> None:
    """No formula disagreed with the weights, and a named one explains every weighted layer."""
    assert report.formula_disagreements == ()
    unexplained = [
        (layer.path, layer.class_name) for layer in weighted(report) if layer.formula.fallback
    ]
    assert unexplained == []
    for layer in weighted(report):
        assert layer.formula.value == layer.params + sum(
            w.size for w in layer.weights if w.shared_with
        ), layer.path
    assert sum(layer.formula.value for layer in weighted(report)) == report.totals.params


def test_every_weighted_class_has_a_formula():
    assert sorted(WEIGHTED_CLASSES - {n for n, r in rules("tf_keras").items() if r.formula}) == []


def test_a_model_of_every_weighted_layer_is_explained_by_named_formulas(report_of):
    report = report_of("tf_keras_builders:every_weighted_layer")
    assert report.framework == "tf_keras"
    assert (report.totals.params, report.totals.trainable) == (80_557, 80_168)
    assert_every_count_explained(report)
    classes = {layer.class_name for layer in weighted(report)}
    assert classes == WEIGHTED_CLASSES - {"SimpleRNNCell", "LSTMCell", "GRUCell", "ConvLSTM3D"}


def test_locally_connected_formulas_in_every_implementation(report_of):
    report = report_of("tf_keras_builders:every_weighted_layer")
    by_name = {layer.name: layer for layer in report.layers}
    # 10×8×4 → LocallyConnected2D(3, 3): 8×6 positions of a 3×3 window on 4 channels
    first = by_name["locally_connected2d"].formula
    assert first.symbolic == "p·(k_h·k_w·c_in + 1)·f"
    assert first.substituted == "48·(3·3·4 + 1)·3"
    assert first.value == 48 * (3 * 3 * 4 + 1) * 3 == 5_328
    # implementation=2: a dense masked kernel from all 8×6×3 inputs to all 7×5 positions
    dense = by_name["locally_connected2d_1"].formula
    assert dense.symbolic == "(n_in + 1)·p·f"
    assert dense.substituted == "(144 + 1)·35·2"
    assert dense.value == 10_150
    # implementation=3: only the window's values, flat
    sparse = by_name["locally_connected2d_2"].formula
    assert sparse.substituted == "24·2·2·2·2"
    assert [t.shape for t in sparse.terms] == [(384,)]
    # MACs: the window on every channel, per position and filter, whatever the storage
    assert by_name["locally_connected2d"].macs == 48 * 3 * 3 * 4 * 3
    assert by_name["locally_connected2d_1"].macs == 35 * 2 * 2 * 3 * 2


def test_depthwise_kernel_keeps_its_keras2_name(report_of):
    report = report_of("tf_keras_builders:every_weighted_layer")
    layer = next(layer for layer in report.layers if layer.class_name == "DepthwiseConv2D")
    assert [t.name for t in layer.formula.terms] == ["depthwise_kernel", "bias"]
    assert layer.formula.substituted == "(3·3 + 1)·8·2"


def test_macs_follow_the_keras3_convention(report_of):
    legacy = report_of("example_project.legacy_resnet:keras_residual")
    modern = report_of("example_project.resnet:cifar_resnet")
    assert sum(layer.macs for layer in legacy.layers if not layer.is_container) == sum(
        layer.macs for layer in modern.layers if not layer.is_container
    )
    kinds = {layer.class_name: layer.kind for layer in legacy.layers}
    assert kinds["Conv2D"] == "conv" and kinds["BatchNormalization"] == "norm"
    assert kinds["Dense"] == "dense" and kinds["InputLayer"] == "input"


APPLICATIONS = [
    ("MobileNetV2", (3_538_984, 3_504_872, 34_112)),
    ("ResNet50", (25_636_712, 25_583_592, 53_120)),
    ("DenseNet121", (8_062_504, 7_978_856, 83_648)),
    ("EfficientNetB0", (5_330_571, 5_288_548, 42_023)),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "expected"), APPLICATIONS)
def test_applications_exact_and_explained(report_of, name, expected):
    report = report_of(f"tf_keras.applications:{name}(weights=None)")
    assert (report.framework, report.build_mode) == ("tf_keras", "shape-only")
    totals = report.totals
    assert (totals.params, totals.trainable, totals.non_trainable) == expected
    assert_every_count_explained(report)
    assert all(layer.output_shapes for layer in report.layers)
