"""Formulas on real Keras layers: exact counts, the numbers put in, and the never-wrong checks."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from sphinx_modelsummary import formulas  # noqa: E402
from sphinx_modelsummary.formulas import (  # noqa: E402
    attach,
    explain,
    make_formula,
    register,
    symbol,
    term,
)
from sphinx_modelsummary.frameworks import NAMES  # noqa: E402
from sphinx_modelsummary.render.text import formulas_text  # noqa: E402
from sphinx_modelsummary.report import ModelReport  # noqa: E402

# (family builder, layer, formula name, symbols, numbers, value, non-trainable part)
CASES = [
    ("dense_family", "dense", "dense", "(n_in + 1)·units", "(10 + 1)·7", 77, 0),
    ("dense_family", "dense_no_bias", "dense", "n_in·units", "10·7", 70, 0),
    ("dense_family", "dense_on_sequence", "dense", "(n_in + 1)·units", "(10 + 1)·5", 55, 0),
    ("dense_family", "einsum", "einsum ab,bc->ac", "b·c + c", "10·5 + 5", 55, 0),
    ("dense_family", "einsum_no_bias", "einsum abc,cd->abd", "c·d", "10·6", 60, 0),
    (
        "dense_family",
        "einsum_ellipsis",
        "einsum ...b,bcd->...cd",
        "b·c·d + c·d",
        "10·3·2 + 3·2",
        66,
        0,
    ),
    (
        "dense_family",
        "dense_lora",
        "dense",
        "(n_in + 1)·units + (n_in + units)·r",
        "(10 + 1)·4 + (10 + 4)·2",
        72,
        40,
    ),
    (
        "dense_family",
        "einsum_lora",
        "einsum ab,bc->ac",
        "b·c + c + (b + c)·r",
        "10·5 + 5 + (10 + 5)·3",
        100,
        50,
    ),
    ("dense_family", "prelu", "prelu", "d_1·d_2", "4·10", 40, 0),
    ("dense_family", "prelu_shared", "prelu", "d_2", "10", 10, 0),
    ("dense_family", "embedding", "embedding", "input_dim·output_dim", "100·8", 800, 0),
    (
        "dense_family",
        "embedding_lora",
        "embedding",
        "input_dim·output_dim + (input_dim + output_dim)·r",
        "10·4 + (10 + 4)·2",
        68,
        40,
    ),
    ("dense_family", "reversible", "embedding", "2·input_dim·output_dim", "2·50·4", 400, 0),
    ("conv_family", "conv", "conv", "(k_h·k_w·c_in + 1)·f", "(3·3·3 + 1)·16", 448, 0),
    ("conv_family", "pointwise", "conv", "(k_h·k_w·c_in + 1)·f", "(1·1·2048 + 1)·256", 524_544, 0),
    ("conv_family", "conv_no_bias", "conv", "k_h·k_w·c_in·f", "3·3·3·16", 432, 0),
    ("conv_family", "conv_groups", "conv", "(k_h·k_w·c_in/g + 1)·f", "(3·3·64/4 + 1)·32", 4_640, 0),
    ("conv_family", "conv_first", "conv", "(k_h·k_w·c_in + 1)·f", "(3·3·3 + 1)·8", 224, 0),
    ("conv_family", "conv1d", "conv", "(k·c_in + 1)·f", "(5·6 + 1)·12", 372, 0),
    ("conv_family", "conv1d_groups", "conv", "k·c_in/g·f", "3·6/2·12", 108, 0),
    ("conv_family", "conv3d", "conv", "(k_d·k_h·k_w·c_in + 1)·f", "(5·5·5·32 + 1)·32", 128_032, 0),
    ("conv_family", "conv1d_transpose", "conv_transpose", "(k·c_in + 1)·f", "(3·6 + 1)·4", 76, 0),
    (
        "conv_family",
        "conv2d_transpose",
        "conv_transpose",
        "(k_h·k_w·c_in + 1)·f",
        "(3·2·3 + 1)·8",
        152,
        0,
    ),
    (
        "conv_family",
        "conv3d_transpose",
        "conv_transpose",
        "k_d·k_h·k_w·c_in·f",
        "3·3·3·32·2",
        1_728,
        0,
    ),
    ("conv_family", "depthwise", "depthwise_conv", "(k_h·k_w + 1)·c_in", "(3·3 + 1)·3", 30, 0),
    ("conv_family", "depthwise_m2", "depthwise_conv", "k_h·k_w·c_in·m", "3·3·64·2", 1_152, 0),
    ("conv_family", "depthwise1d", "depthwise_conv", "(k + 1)·c_in·m", "(5 + 1)·6·3", 108, 0),
    (
        "conv_family",
        "separable",
        "separable_conv",
        "k_h·k_w·c_in + (c_in + 1)·f",
        "3·3·3 + (3 + 1)·24",
        123,
        0,
    ),
    (
        "conv_family",
        "separable_m2",
        "separable_conv",
        "k_h·k_w·c_in·m + c_in·m·f",
        "3·3·64·2 + 64·2·10",
        2_432,
        0,
    ),
    (
        "conv_family",
        "separable1d",
        "separable_conv",
        "k·c_in + (c_in + 1)·f",
        "3·6 + (6 + 1)·9",
        81,
        0,
    ),
    ("norm_family", "batch_norm", "batch_norm", "4·c", "4·12", 48, 24),
    ("norm_family", "batch_norm_no_center", "batch_norm", "3·c", "3·12", 36, 24),
    ("norm_family", "batch_norm_bare", "batch_norm", "2·c", "2·12", 24, 24),
    ("norm_family", "batch_norm_axis1", "batch_norm", "4·c", "4·6", 24, 12),
    ("norm_family", "batch_renorm", "batch_norm", "7·c", "7·12", 84, 60),
    ("norm_family", "layer_norm", "layer_norm", "2·c", "2·20", 40, 0),
    ("norm_family", "layer_norm_axes", "layer_norm", "d_1·d_2", "5·20", 100, 0),
    ("norm_family", "layer_norm_rms", "layer_norm", "c", "20", 20, 0),
    ("norm_family", "group_norm", "group_norm", "2·c", "2·12", 24, 0),
    ("norm_family", "group_norm_no_center", "group_norm", "c", "12", 12, 0),
    ("norm_family", "rms_norm", "rms_norm", "c", "20", 20, 0),
    ("norm_family", "normalization", "normalization", "2·c + 1", "2·12 + 1", 25, 25),
    ("norm_family", "normalization_axes", "normalization", "2·d_1·d_3 + 1", "2·6·12 + 1", 145, 145),
    (
        "norm_family",
        "spectral_dense",
        "spectral_norm dense",
        "(n_in + 1)·units + f_out",
        "(20 + 1)·9 + 9",
        198,
        9,
    ),
    (
        "norm_family",
        "spectral_conv",
        "spectral_norm conv",
        "(k_h·k_w·c_in + 1)·f + f_out",
        "(3·3·12 + 1)·5 + 5",
        550,
        5,
    ),
    (
        "rnn_family",
        "simple_rnn",
        "simple_rnn",
        "(n_in + units + 1)·units",
        "(10 + 16 + 1)·16",
        432,
        0,
    ),
    (
        "rnn_family",
        "simple_rnn_no_bias",
        "simple_rnn",
        "(n_in + units)·units",
        "(10 + 16)·16",
        416,
        0,
    ),
    ("rnn_family", "lstm", "lstm", "4·(n_in + units + 1)·units", "4·(10 + 32 + 1)·32", 5_504, 0),
    ("rnn_family", "lstm_no_bias", "lstm", "4·(n_in + units)·units", "4·(10 + 8)·8", 576, 0),
    ("rnn_family", "gru", "gru", "3·(n_in + units + 2)·units", "3·(10 + 12 + 2)·12", 864, 0),
    ("rnn_family", "gru_v1", "gru", "3·(n_in + units + 1)·units", "3·(10 + 12 + 1)·12", 828, 0),
    (
        "rnn_family",
        "rnn_lstm_cell",
        "lstm",
        "4·(n_in + units + 1)·units",
        "4·(10 + 6 + 1)·6",
        408,
        0,
    ),
    (
        "rnn_family",
        "conv_lstm1d",
        "conv_lstm",
        "4·(k·(c_in + f) + 1)·f",
        "4·(3·(6 + 5) + 1)·5",
        680,
        0,
    ),
    (
        "rnn_family",
        "conv_lstm2d",
        "conv_lstm",
        "4·(k_h·k_w·(c_in + f) + 1)·f",
        "4·(3·3·(4 + 8) + 1)·8",
        3_488,
        0,
    ),
    (
        "rnn_family",
        "conv_lstm3d",
        "conv_lstm",
        "4·k_d·k_h·k_w·(c_in + f)·f",
        "4·2·2·2·(2 + 3)·3",
        480,
        0,
    ),
    (
        "rnn_family",
        "bidirectional",
        "bidirectional lstm",
        "2·4·(n_in + units + 1)·units",
        "2·4·(10 + 16 + 1)·16",
        3_456,
        0,
    ),
    (
        "rnn_family",
        "bidirectional_mixed",
        "bidirectional gru",
        "3·(n_in + units + 2)·units + 3·(n_in + units + 2)·units",
        "3·(10 + 4 + 2)·4 + 3·(10 + 6 + 2)·6",
        516,
        0,
    ),
    ("rnn_family", "time_dense", "time_distributed dense", "(n_in + 1)·units", "(10 + 1)·3", 33, 0),
    (
        "rnn_family",
        "time_conv",
        "time_distributed conv",
        "(k_h·k_w·c_in + 1)·f",
        "(3·3·4 + 1)·7",
        259,
        0,
    ),
    (
        "attention_family",
        "mha",
        "multi_head_attention",
        "(d_q + 1)·h·k + (d_k + 1)·h·k + (d_v + 1)·h·v + (h·v + 1)·d_q",
        "(16 + 1)·4·8 + (12 + 1)·4·8 + (12 + 1)·4·8 + (4·8 + 1)·16",
        1_904,
        0,
    ),
    (
        "attention_family",
        "mha_odd",
        "multi_head_attention",
        "d_q·h·k + d_k·h·k + d_v·h·v + h·v·d_out",
        "16·2·3 + 10·2·3 + 12·2·5 + 2·5·7",
        346,
        0,
    ),
    (
        "attention_family",
        "mha_gate",
        "multi_head_attention",
        "(d_q + 1)·h·k + (d_k + 1)·h·k + (d_v + 1)·h·v + (d_q + 1)·h·v + (h·v + 1)·d_q",
        "(16 + 1)·2·4 + (12 + 1)·2·4 + (12 + 1)·2·4 + (16 + 1)·2·4 + (2·4 + 1)·16",
        624,
        0,
    ),
    (
        "attention_family",
        "gqa_gate",
        "grouped_query_attention",
        "d_q·h_q·k + d_k·h_kv·k + d_v·h_kv·k + d_q·h_q·k + h_q·k·d_q",
        "16·2·2 + 16·1·2 + 16·1·2 + 16·2·2 + 2·2·16",
        256,
        0,
    ),
    (
        "attention_family",
        "gqa",
        "grouped_query_attention",
        "(d_q + 1)·h_q·k + (d_k + 1)·h_kv·k + (d_v + 1)·h_kv·k + (h_q·k + 1)·d_q",
        "(16 + 1)·4·4 + (16 + 1)·2·4 + (16 + 1)·2·4 + (4·4 + 1)·16",
        816,
        0,
    ),
    ("attention_family", "attention", "attention", "scale", "1", 1, 0),
    ("attention_family", "attention_concat", "attention", "concat_score_weight", "1", 1, 0),
    ("attention_family", "additive", "additive_attention", "d_q", "16", 16, 0),
]

FAMILIES = sorted({case[0] for case in CASES})


@pytest.mark.parametrize(
    "family, path, name, symbolic, substituted, value, non_trainable",
    CASES,
    ids=[case[1] for case in CASES],
)
def test_named_formula(report_of, family, path, name, symbolic, substituted, value, non_trainable):
    layer = report_of(f"formula_models:{family}").layer(path)
    formula = layer.formula
    assert (formula.name, formula.symbolic, formula.substituted) == (name, symbolic, substituted)
    assert formula.value == value == layer.params
    assert formula.non_trainable == non_trainable == layer.non_trainable
    assert formula.trainable == value - non_trainable
    assert formula.fallback is False
    assert sum(t.value for t in formula.terms) == value


@pytest.mark.parametrize("family", FAMILIES)
def test_every_weighted_layer_of_the_families_is_tested_and_named(report_of, family):
    report = report_of(f"formula_models:{family}")
    weighted = {layer.path for layer in report.layers if layer.weights}
    assert weighted == {case[1] for case in CASES if case[0] == family}
    assert report.formula_disagreements == ()


def test_unit_normalization_has_no_weights_and_no_formula(report_of):
    layer = report_of("formula_models:norm_family").layer("unit_norm")
    assert (layer.params, layer.formula) == (0, None)


@pytest.mark.parametrize("family", FAMILIES)
def test_latex_subscripts_are_single_characters_or_braced(report_of, family):
    """``c_in`` must be ``c_{in}`` in LaTeX, or it would read as ``c_i`` times ``n``."""
    latex = [
        layer.formula.latex
        for layer in report_of(f"formula_models:{family}").layers
        if layer.formula
    ]
    assert [text for text in latex if re.search(r"(?<!\\)_[A-Za-z0-9]{2}", text)] == []


def test_conv_terms_show_where_the_parameters_live(report_of):
    formula = report_of("formula_models:conv_family").layer("pointwise").formula
    assert [(t.name, t.shape, t.value) for t in formula.terms] == [
        ("kernel", (1, 1, 2048, 256), 524_288),
        ("bias", (256,), 256),
    ]
    assert formula.latex == r"(k_h \cdot k_w \cdot c_{in} + 1) \cdot f"


def test_batch_norm_moving_statistics_are_the_non_trainable_terms(report_of):
    formula = report_of("formula_models:norm_family").layer("batch_norm_no_center").formula
    assert [(t.name, t.shape, t.trainable) for t in formula.terms] == [
        ("gamma", (12,), True),
        ("moving_mean", (12,), False),
        ("moving_variance", (12,), False),
    ]


def test_bidirectional_terms_name_each_direction(report_of):
    formula = report_of("formula_models:rnn_family").layer("bidirectional_mixed").formula
    assert [t.name for t in formula.terms] == [
        "forward/kernel",
        "forward/recurrent_kernel",
        "forward/bias",
        "backward/kernel",
        "backward/recurrent_kernel",
        "backward/bias",
    ]
    assert [t.shape for t in formula.terms][3:] == [(10, 18), (6, 18), (2, 18)]


def test_unknown_layer_gets_the_exact_fallback_without_a_disagreement(report_of):
    report = report_of("formula_models:custom_family")
    formula = report.layer("scale").formula
    assert formula.fallback is True
    assert (formula.value, formula.trainable, formula.non_trainable) == (12, 6, 6)
    assert formula.substituted == "scale 6 + offset 6"
    assert report.formula_disagreements == ()


def test_a_layer_never_called_gets_the_fallback_without_a_disagreement(report_of):
    report = report_of("formula_models:WithSpareLayer", [(None, 5)])
    assert report.layer("used").formula.substituted == "(5 + 1)·2"
    spare = report.layer("spare").formula
    assert (spare.fallback, spare.value, spare.substituted) == (True, 15, "kernel 4×3 + bias 3")
    assert report.formula_disagreements == ()


def _scale_formula(value_offset: int = 0, offset_trainable: bool = False, shape=None):
    """A formula for the test's Scale layer, optionally wrong in one chosen way."""

    def explain_scale(layer):
        c = symbol("c", layer.input_shapes[0][0][-1])
        dims = shape or (c.value,)
        expression = 2 * c + value_offset if value_offset else 2 * c
        terms = [term("scale", dims), term("offset", (c.value,), trainable=offset_trainable)]
        if value_offset:
            terms.append(term("extra", (value_offset,)))
        return make_formula("scale_and_offset", expression, terms)

    return explain_scale


def test_a_registered_user_formula_explains_the_layer(report_of, monkeypatch):
    monkeypatch.setitem(formulas.rules("keras"), "Scale", formulas.Rule(formula=_scale_formula()))
    report = attach(_without_formulas(report_of("formula_models:custom_family")))
    formula = report.layer("scale").formula
    assert (formula.name, formula.symbolic, formula.substituted) == (
        "scale_and_offset",
        "2·c",
        "2·6",
    )
    assert (formula.value, formula.trainable, formula.fallback) == (12, 6, False)
    assert report.formula_disagreements == ()


def test_wrappers_around_unknown_layers_fall_back_without_a_disagreement(report_of):
    report = report_of("formula_models:wrapped_custom_family")
    scale, model = report.layer("time_scale").formula, report.layer("time_model").formula
    assert (scale.fallback, scale.value, model.fallback, model.value) == (True, 12, True, 14)
    assert report.formula_disagreements == ()


def test_wrappers_use_the_users_formula_for_the_layer_they_wrap(report_of, monkeypatch):
    monkeypatch.setitem(formulas.rules("keras"), "Scale", formulas.Rule(formula=_scale_formula()))
    report = attach(_without_formulas(report_of("formula_models:wrapped_custom_family")))
    formula = report.layer("time_scale").formula
    assert (formula.name, formula.symbolic, formula.substituted, formula.value) == (
        "time_distributed scale_and_offset",
        "2·c",
        "2·6",
        12,
    )
    assert (formula.fallback, formula.non_trainable) == (False, 6)
    assert report.formula_disagreements == ()


def test_register_decorator_adds_the_function_to_the_registry(monkeypatch):
    tables = {name: dict(formulas.rules(name)) for name in NAMES}
    monkeypatch.setattr(formulas.registry, "_RULES", tables)
    function = _scale_formula()
    assert register("Scale", "OtherScale")(function) is function
    rule = formulas.rule_of("Scale", "keras")
    assert rule.formula is formulas.rule_of("OtherScale", "torch").formula is function
    assert formulas.rule_of("Conv2D", "keras").formula is not None  # the built-ins stay


@pytest.mark.parametrize(
    "wrong, problem",
    [
        (_scale_formula(value_offset=3), "formula gives 15, the weights hold 12"),
        (_scale_formula(offset_trainable=True), "formula says 12 trainable, the weights hold 6"),
        (_scale_formula(shape=(2, 3)), "formula terms have shapes"),
        (lambda layer: layer.config["no such key"], "formula failed: KeyError"),
        (lambda layer: layer.no_such_attribute, "formula failed: AttributeError"),
    ],
    ids=["total", "split", "shapes", "raises", "crashes"],
)
def test_a_wrong_formula_falls_back_and_is_recorded(report_of, monkeypatch, wrong, problem):
    monkeypatch.setitem(formulas.rules("keras"), "Scale", formulas.Rule(formula=wrong))
    layer = report_of("formula_models:custom_family").layer("scale")
    formula, recorded = explain(layer)
    assert formula.fallback is True and formula.value == 12
    assert recorded.startswith("scale (Scale): ") and problem in recorded
    report = attach(_without_formulas(report_of("formula_models:custom_family")))
    assert len(report.formula_disagreements) == 1 and problem in report.formula_disagreements[0]


def test_expression_text_latex_and_numbers_agree():
    k, c_in, g, f = symbol("k", 3), symbol("c_in", 64, "c_{in}"), symbol("g", 4), symbol("f", 8)
    expression = (k * k * (c_in / g) + 1) * f
    assert expression.text == "(k·k·c_in/g + 1)·f"
    assert expression.latex == r"(k \cdot k \cdot c_{in}/g + 1) \cdot f"
    assert expression.numbers == "(3·3·64/4 + 1)·8"
    assert expression.value == (3 * 3 * 16 + 1) * 8
    assert (c_in / (g * 2)).text == "c_in/(g·2)"
    assert ((c_in + 16) / g).numbers == "(64 + 16)/4"
    assert ((c_in + 16) / g).value == 20


def test_indivisible_channels_are_an_error_not_a_rounded_count():
    with pytest.raises(ValueError, match="64 is not divisible by 3"):
        symbol("c_in", 64) / symbol("g", 3)


def test_terms_that_do_not_add_up_are_refused():
    with pytest.raises(ValueError, match="terms sum to 5"):
        make_formula("broken", symbol("c", 6), [term("bias", (5,))])


def test_json_has_every_formula_field_and_round_trips(report_of):
    report = report_of("formula_models:norm_family")
    data = json.loads(report.to_json())
    layer = next(item for item in data["layers"] if item["path"] == "batch_norm")
    assert sorted(layer["formula"]) == sorted(
        [
            "name",
            "symbolic",
            "latex",
            "substituted",
            "value",
            "trainable",
            "non_trainable",
            "terms",
            "fallback",
        ]
    )
    assert layer["formula"]["terms"][2] == {
        "name": "moving_mean",
        "shape": [12],
        "value": 12,
        "trainable": False,
    }
    assert ModelReport.from_json(report.to_json()) == report


def test_formula_table_text_shows_numbers_split_and_fallback_marks(report_of):
    text = formulas_text(report_of("formula_models:conv_family"))
    row = next(line for line in text.splitlines() if line.startswith("pointwise (Conv2D)"))
    assert row.split() == [  # the count next to the name, as on the pages
        "pointwise",
        "(Conv2D)",
        "524,544",
        "(k_h·k_w·c_in",
        "+",
        "1)·f",
        "(1·1·2048",
        "+",
        "1)·256",
    ]
    norm = formulas_text(report_of("formula_models:norm_family")).splitlines()
    assert norm[1].split()[:3] == ["Layer", "Params", "Non-trainable"]
    assert next(line for line in norm if line.startswith("batch_norm ")).split()[2:5] == [
        "48",
        "24",
        "4·c",
    ]
    custom = formulas_text(report_of("formula_models:custom_family"))
    assert "6 + 6 *" in custom and custom.splitlines()[-1].startswith("* no named formula")


def test_formula_table_lists_disagreements(report_of, monkeypatch):
    monkeypatch.setitem(
        formulas.rules("keras"), "Scale", formulas.Rule(formula=_scale_formula(value_offset=3))
    )
    text = formulas_text(attach(_without_formulas(report_of("formula_models:custom_family"))))
    assert text.splitlines()[-1] == (
        "formula disagreed, exact sum shown: scale (Scale): formula gives 15, the weights hold 12"
    )


ISSUE_CLASSES = [
    "Dense",
    "EinsumDense",
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "SeparableConv1D",
    "SeparableConv2D",
    "BatchNormalization",
    "LayerNormalization",
    "GroupNormalization",
    "RMSNormalization",
    "SpectralNormalization",
    "Normalization",
    "Embedding",
    "SimpleRNN",
    "LSTM",
    "GRU",
    "ConvLSTM1D",
    "ConvLSTM2D",
    "ConvLSTM3D",
    "Bidirectional",
    "TimeDistributed",
    "MultiHeadAttention",
    "GroupedQueryAttention",
    "Attention",
    "AdditiveAttention",
    "PReLU",
    "LayerScale",
]


def test_registry_covers_every_layer_class_the_issue_lists():
    assert [name for name in ISSUE_CLASSES if formulas.rule_of(name, "keras").formula is None] == []


def test_docs_page_lists_every_registered_layer_class():
    page = (Path(__file__).parents[1] / "docs" / "formulas.rst").read_text(encoding="utf-8")
    named = sorted(name for name, rule in formulas.rules("keras").items() if rule.formula)
    assert [name for name in named if f"``{name}``" not in page] == []


def test_formulas_module_does_not_import_a_framework():
    code = (
        "import sys, sphinx_modelsummary.formulas as f; assert 'Conv2D' in f.rules('keras'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('keras', 'tensorflow', 'torch', 'jax')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def _without_formulas(report: ModelReport) -> ModelReport:
    layers = tuple(dataclasses.replace(layer, formula=None) for layer in report.layers)
    return dataclasses.replace(report, layers=layers, formula_disagreements=())


def test_a_diagram_kind_comes_from_the_rule_before_the_name_words():
    # torch's name words know nothing of Bilinear or Parameter: only their rules do
    assert formulas.registry.kind_of("Bilinear", "torch") == "dense"
    assert formulas.registry.kind_of("Parameter", "torch") == "input"
    assert formulas.registry.kind_of("LowRankBilinear", "torch", ("Bilinear", "Module")) == "dense"
    # without a rule, the words decide
    assert formulas.registry.kind_of("LearnedPool", "torch") == "pool"
    assert formulas.registry.kind_of("Gate", "torch", ("Module",)) == "other"
