"""keras-hub backbones (small configs built from their constructors, no weights, nothing
downloaded): every composite layer opens, every parameter is counted and explained."""

from __future__ import annotations

import composite_models
import pytest

pytest.importorskip("keras_hub")

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
