"""keras-hub backbones (small configs built from their constructors, no weights, nothing
downloaded): every composite layer opens, every parameter is counted and explained."""

from __future__ import annotations

from importlib.util import find_spec

import pytest

# Checked without importing: a collection run for the torch tests must not load TensorFlow.
pytestmark = pytest.mark.skipif(find_spec("keras_hub") is None, reason="keras-hub not installed")

#: Backbone → the classes that must open up as containers.
CONTAINERS = {
    "bert": {"TransformerEncoder"},
    "gpt2": {"TransformerDecoder"},
    "llama": {"LlamaTransformerDecoder", "LlamaAttention"},
    "vit": {"ViTPatchingAndEmbedding", "ViTEncoder", "ViTEncoderBlock", "MLP"},
    "gemma": {"GemmaDecoderBlock", "CachedGemmaAttention"},
}

#: Backbone → the weighted rows left to the exact fallback (none: each is named).
FALLBACKS: dict[str, set[str]] = {name: set() for name in CONTAINERS}


def _weighted_rows(report):
    """Leaves with weights, and containers with weights of their own (ViT's class token)."""
    return [layer for layer in report.layers if layer.weights]


@pytest.mark.parametrize("backbone", sorted(CONTAINERS))
def test_backbone_totals_equal_count_params(report_of, backbone):
    import composite_models

    report = report_of(f"composite_models:{backbone}")
    model = getattr(composite_models, backbone)()
    assert report.totals.params == model.count_params()
    assert sum(layer.params for layer in report.top_level_layers()) == report.totals.params
    assert report.build_mode == "shape-only"


@pytest.mark.parametrize("backbone", sorted(CONTAINERS))
def test_backbone_composite_layers_are_opened(report_of, backbone):
    report = report_of(f"composite_models:{backbone}")
    containers = {layer.class_name for layer in report.layers if layer.is_container}
    assert containers == CONTAINERS[backbone]
    for layer in report.layers:
        if layer.is_container:
            children = report.children(layer.path)
            assert children, layer.path
            own = sum(w.size for w in layer.weights if w.shared_with is None)
            assert layer.params == own + sum(child.params for child in children), layer.path


@pytest.mark.parametrize("backbone", sorted(CONTAINERS))
def test_backbone_weighted_layers_have_named_formulas(report_of, backbone):
    report = report_of(f"composite_models:{backbone}")
    assert report.formula_disagreements == ()
    weighted = _weighted_rows(report)
    fallbacks = {layer.path for layer in weighted if layer.formula.fallback}
    assert fallbacks == FALLBACKS[backbone]
    assert sum(layer.formula.value for layer in weighted) == report.totals.params


def test_at_least_98_percent_of_weighted_rows_are_named(report_of):
    weighted = [
        layer
        for backbone in CONTAINERS
        for layer in _weighted_rows(report_of(f"composite_models:{backbone}"))
    ]
    named = [layer for layer in weighted if not layer.formula.fallback]
    assert len(named) / len(weighted) >= 0.98


@pytest.mark.parametrize(
    ("backbone", "path", "name", "symbolic", "substituted", "value"),
    [
        ("bert", "token_embedding", "tied_embedding", "input_dim·output_dim", "100·16", 1_600),
        ("bert", "position_embedding", "position_embedding", "sequence_length·d", "24·16", 384),
        (
            "gpt2",
            "transformer_layer_0/self_attention",
            "multi_head_attention",
            "(d_q + 1)·h·k + (d_k + 1)·h·k + (d_v + 1)·h·v + (h·v + 1)·d_q",
            "(16 + 1)·2·8 + (16 + 1)·2·8 + (16 + 1)·2·8 + (2·8 + 1)·16",
            1_088,
        ),
        ("llama", "sequence_output_layernorm", "rms_norm", "c", "16", 16),
        ("gemma", "final_normalization", "rms_norm", "c", "16", 16),
        ("vit", "vit_patching_and_embedding", "class_token", "d", "16", 16),
        (
            "llama",
            "transformer_layer_0/self_attention/key",
            "einsum bkm,mvh->bkvh",
            "m·v·h",
            "16·2·4",
            128,
        ),
    ],
)
def test_transformer_building_blocks_have_named_formulas(
    report_of, backbone, path, name, symbolic, substituted, value
):
    formula = report_of(f"composite_models:{backbone}").layer(path).formula
    assert (formula.name, formula.symbolic, formula.substituted, formula.value) == (
        name,
        symbolic,
        substituted,
        value,
    )
    assert not formula.fallback


def test_gpt2_attention_is_a_subclass_explained_by_its_parent(report_of):
    layer = report_of("composite_models:gpt2").layer("transformer_layer_0/self_attention")
    assert layer.class_name == "CachedMultiHeadAttention"
    assert layer.base_classes[0] == "MultiHeadAttention"
    assert not layer.is_container and layer.kind == "attention"
    # the parent's MAC rule applies too: unknown only because the sequence length is open
    assert "sequence lengths are unknown" in layer.macs_unknown


def test_a_subclass_takes_its_parents_formula_only_when_it_gives_the_real_count(report_of):
    report = report_of("composite_models:dense_subclasses")
    plain, scaled = report.layer("plain"), report.layer("scaled")
    assert plain.base_classes == ("Dense",)
    assert (plain.formula.name, plain.formula.substituted) == ("dense", "(6 + 1)·4")
    assert scaled.formula.fallback and scaled.params == (4 + 1) * 3 + 3
    assert report.formula_disagreements == ()
