"""The Keras 3 adapter on real models: exact counts, real shapes, clear errors."""

from __future__ import annotations

import dataclasses

import pytest

from sphinx_modelsummary.errors import BuildError
from sphinx_modelsummary.execute import build_report
from sphinx_modelsummary.report import ModelReport
from sphinx_modelsummary.request import BuildRequest
from sphinx_modelsummary.target import parse_target

FIRE_SHAPE = [(None, 128, 128, 50, 1)]


def totals(report: ModelReport) -> tuple[int, int, int]:
    return report.totals.params, report.totals.trainable, report.totals.non_trainable


def build(target: str, input_shapes=None, shape_only: bool = True) -> ModelReport:
    shapes = tuple(tuple(s) for s in input_shapes) if input_shapes else None
    return build_report(BuildRequest(parse_target(target), shapes, shape_only=shape_only))


# --- the numbers of the user stories ------------------------------------------------------


def test_functional_fire_module(report_of):
    report = report_of("example_project.fire:fire_module_functional")
    assert totals(report) == (32_624, 32_480, 144)
    assert report.build_mode == "shape-only"
    assert report.framework == "keras"


def test_subclassed_fire_module_with_the_slip(report_of):
    report = report_of("example_project.fire:FireModuleWithSlip", FIRE_SHAPE)
    assert totals(report) == (128_624, 128_480, 144)
    blocks = [layer for layer in report.top_level_layers() if layer.is_container]
    assert [block.params for block in blocks] == [48, 416, 128_160]
    convs = {layer.parent: layer for layer in report.layers if layer.class_name == "Conv3D"}
    assert convs[blocks[2].path].params == 128_032
    assert convs[blocks[2].path].input_shapes == (((None, 128, 128, 50, 32),),)


def test_subclassed_fire_module_has_real_shapes_for_every_layer(report_of):
    report = report_of("example_project.fire:FireModuleWithSlip", FIRE_SHAPE)
    called = [layer for layer in report.layers if layer.calls]
    assert called, "no layer was traced"
    for layer in called:
        for call in layer.output_shapes:
            for shape in call:
                assert shape[0] is None and all(isinstance(d, int) for d in shape[1:]), layer.path
    shapes = {layer.path: layer.output_shapes[0][0] for layer in called if layer.depth == 0}
    blocks = [layer.path for layer in report.top_level_layers() if layer.is_container]
    assert [shapes[path] for path in blocks] == [
        (None, 128, 128, 50, 8),
        (None, 128, 128, 50, 32),
        (None, 128, 128, 50, 32),
    ]
    assert report.outputs[0].shape == (None, 128, 128, 50, 64)
    # the slip is visible: the third block is fed from the second, not the first
    assert report.layer(blocks[2]).inbound == (blocks[1],)


def test_corrected_subclassed_fire_module(report_of):
    report = report_of("example_project.fire:FireModule", FIRE_SHAPE)
    assert totals(report) == (32_624, 32_480, 144)
    blocks = [layer for layer in report.top_level_layers() if layer.is_container]
    assert [block.params for block in blocks] == [48, 416, 32_160]
    assert report.layer(blocks[2].path).inbound == (blocks[0].path,)


def test_shared_base_is_one_layer_called_six_times(report_of):
    shared = report_of("example_project.shared:shared_base_network")
    rebuilt = report_of("example_project.shared:rebuilt_base_network")
    bases = [layer for layer in shared.top_level_layers() if layer.is_container]
    assert len(bases) == 1
    base = bases[0]
    assert base.calls == 6
    assert len(base.output_shapes) == 6
    head = shared.totals.params - base.params
    assert rebuilt.totals.params == 6 * base.params + head
    assert shared.totals.params == sum(layer.params for layer in shared.top_level_layers())


def test_cifar_resnet(report_of):
    assert totals(report_of("example_project.resnet:cifar_resnet")) == (197_418, 196_298, 1_120)


def test_conv_counts_do_not_depend_on_image_size(report_of):
    assert report_of("example_project.basics:rgb_conv").totals.params == 448
    assert report_of("example_project.basics:pointwise_conv").totals.params == 524_544


@pytest.mark.parametrize("image_size", [None, (368, 256)])
def test_denoising_unet_count_is_the_same_at_any_size(report_of, image_size):
    target = "example_project.denoise:denoising_unet" + (
        "()" if image_size is None else f"(image_size={image_size})"
    )
    report = report_of(target)
    assert totals(report) == (372_771, 371_415, 1_356)
    assert len(report.inputs) == 2


# --- the report itself ---------------------------------------------------------------------


def test_report_round_trips_through_json(report_of):
    report = report_of("example_project.fire:FireModuleWithSlip", FIRE_SHAPE)
    assert ModelReport.from_json(report.to_json()) == report


def test_builds_are_deterministic():
    first = build("builders:tied_embeddings")
    second = build("builders:tied_embeddings")
    assert dataclasses.replace(first, build_seconds=0) == dataclasses.replace(
        second, build_seconds=0
    )


def test_shape_only_and_full_builds_agree(report_of):
    shape_only = report_of("example_project.resnet:cifar_resnet")
    full = report_of("example_project.resnet:cifar_resnet", shape_only=False)
    assert full.build_mode == "full"
    assert dataclasses.replace(full, build_mode="shape-only", build_seconds=0) == (
        dataclasses.replace(shape_only, build_seconds=0)
    )


def test_a_model_above_two_billion_parameters_is_summarised_without_its_weights():
    report = build("builders:huge_dense")
    assert report.build_mode == "shape-only"
    assert report.totals.params == 2_500_050_000
    assert report.totals.bytes == 10_000_200_000


def test_builder_that_needs_real_values_is_run_again_normally():
    report = build("builders:refuses_stateless_scope")
    assert report.build_mode == "full"
    assert report.totals.params == 208


def test_shared_weights_count_once():
    report = build("builders:tied_embeddings")
    assert report.totals.params == 800
    embedding = report.layer("shared_embedding")
    assert embedding.calls == 2
    assert report.layer("joined").inbound == ("shared_embedding",)


def test_a_variable_that_two_layers_hold_counts_once():
    """Weight tying without a shared layer: the head holds the embedding's matrix itself."""
    report = build("builders:tied_output_projection")
    assert report.totals.params == 100 * 8 + (8 * 8 + 8) + 100
    head = report.layer("tied_head")
    assert head.params == 100
    assert [(w.name, w.shape, w.shared_with) for w in head.weights] == [
        ("embeddings", (100, 8), "embedding"),
        ("bias", (100,), None),
    ]
    assert sum(layer.params for layer in report.layers) == report.totals.params


def test_unbuilt_subclassed_model_is_built_from_the_given_shape():
    report = build("builders:Unbuilt", [(None, 3)])
    assert report.totals.params == (3 + 1) * 4 + (4 + 1) * 2
    assert [layer.output_shapes for layer in report.layers] == [
        (((None, 4),),),
        (((None, 2),),),
    ]
    assert report.layers[0].inbound == ("input",)


def test_given_shape_replaces_unknown_dimensions(report_of):
    report = report_of("example_project.basics:rgb_conv", [(None, 64, 48, 3)])
    assert report.inputs[0].shape == (None, 64, 48, 3)
    assert report.totals.params == 448


# --- bad input: each gets a clear error ----------------------------------------------------


@pytest.mark.parametrize(
    ("target", "shapes", "kind", "message"),
    [
        ("no_such_package.models:build", None, "import", "no module named 'no_such_package'"),
        ("builders:dense_chian", None, "attribute", "did you mean 'dense_chain'"),
        ("builders:not_a_model", None, "not-a-model", "gave a builtins.dict, not a model"),
        ("builders:NOT_A_MODEL_OBJECT", None, "not-a-model", "builtins.NoneType"),
        ("builders:Unbuilt", None, "input-shape", "give one with :input-shape:"),
        ("builders:dense_chain", [(None, 16), (None, 16)], "input-shape", "has 1 inputs but 2"),
        ("builders:mismatched_shapes", None, "builder", "incompatible shapes"),
    ],
)
def test_bad_targets_fail_clearly(target, shapes, kind, message):
    with pytest.raises(BuildError) as caught:
        build(target, shapes)
    assert caught.value.kind == kind
    assert message in caught.value.message


def test_builder_errors_show_the_users_frames_not_ours():
    with pytest.raises(BuildError) as caught:
        build("builders:raising_builder")
    message = caught.value.message
    assert "builders.py" in message and "_helper_that_fails" in message
    assert "RuntimeError: width 3 is not supported by this block" in message
    assert "sphinx_modelsummary" not in message


@pytest.mark.parametrize(
    "target",
    [
        "example_project.fire:fire_module_functional",
        "example_project.resnet:cifar_resnet",
        "example_project.denoise:denoising_unet",
        "builders:tied_embeddings",
        "keras.applications:MobileNetV2(weights=None)",
    ],
)
def test_reading_a_functional_graph_gives_what_tracing_gives(target):
    """Functional models are read from Keras's own graph (fast); tracing must agree."""
    from sphinx_modelsummary.adapters import keras3
    from sphinx_modelsummary.execute import _call_builder

    parsed = parse_target(target)
    reports = [
        keras3.build_report(lambda: _call_builder(parsed), BuildRequest(parsed), read_graph=flag)
        for flag in (True, False)
    ]
    read, traced = (dataclasses.replace(r, build_seconds=0) for r in reports)
    assert read == traced


# --- composite layers, graph ops, calls told apart (#13) -----------------------------------


def _shape_of_rows(report: ModelReport) -> list[tuple]:
    """Everything a row says except the blocks' base class."""
    return [
        (
            layer.path,
            layer.class_name,
            layer.depth,
            layer.parent,
            layer.output_shapes,
            layer.input_shapes,
            layer.inbound,
            layer.inbound_calls,
            layer.calls,
            layer.params,
            layer.trainable,
            layer.is_container,
            layer.formula.name if layer.formula else None,
        )
        for layer in report.layers
    ]


def test_blocks_subclassing_layer_open_up_like_blocks_subclassing_model(report_of):
    as_layers = report_of("composite_models:layer_blocks")
    as_models = report_of("composite_models:model_blocks")
    assert _shape_of_rows(as_layers) == _shape_of_rows(as_models)
    assert totals(as_layers) == totals(as_models) == (4_490, 4_410, 80)
    blocks = [layer for layer in as_layers.layers if layer.is_container]
    assert [block.path for block in blocks] == ["first", "second", "shared"]
    assert [child.path for child in as_layers.children("second")] == [
        "second/conv",
        "second/norm",
        "second/project",
    ]
    conv = as_layers.layer("second/conv")
    assert conv.input_shapes == (((None, 32, 32, 8),),)
    assert conv.output_shapes == (((None, 32, 32, 16),),)
    assert conv.inbound == ("first",)
    assert as_layers.layer("second/norm").inbound == ("second/conv",)
    assert conv.formula is not None and not conv.formula.fallback
    # the shared block runs twice; its conv runs once per run of the block, first on the
    # second block's output, then on the output of the shared block's first call
    assert as_layers.layer("shared").calls == 2
    shared_conv = as_layers.layer("shared/conv")
    assert shared_conv.calls == 1
    assert shared_conv.inbound == ("second", "shared")
    assert shared_conv.inbound_calls == (("shared", 1),)


def test_a_composite_layer_called_twice_names_each_call(report_of):
    report = report_of("composite_models:functional_of_layer_blocks")
    block = report.layer("block")
    assert block.is_container and block.calls == 2
    assert block.inbound == ("left", "right")
    assert report.layer("block/conv").inbound == ("left", "right")
    join = report.layer("join")
    assert join.inbound == ("block",)
    assert join.inbound_calls == (("block", 1), ("block", 2))
    assert report.totals.params == (3 * 3 * 3 + 1) * 4 + 4 * 4 + (3 + 1) * 4


def test_graph_ops_are_rows_with_shapes_and_connections(report_of):
    """BERT's pooled output takes x[:, 0, :]: a GetItem op feeding pooled_dense."""
    report = report_of("composite_models:bert")
    get_item = report.layer("get_item")
    assert get_item.class_name == "GetItem"
    assert get_item.output_shapes == (((None, 16),),)
    assert get_item.inbound == ("transformer_layer_1",)
    assert get_item.params == 0 and not get_item.weights
    assert report.layer("pooled_dense").inbound == ("get_item",)


def test_composite_layer_report_round_trips_through_json(report_of):
    report = report_of("composite_models:functional_of_layer_blocks")
    assert ModelReport.from_json(report.to_json()) == report


def test_terminal_text_of_a_long_fallback_fits_a_terminal(report_of):
    from sphinx_modelsummary.render.text import formulas_text

    report = report_of("composite_models:many_weights")
    formula = report.layer("many").formula
    assert formula.fallback and len(formula.substituted) > 250
    text = formulas_text(report)
    assert max(len(line) for line in text.splitlines()) <= 110
    assert "w_0 16×16 +" in text and "w_23 16×16" in text
    assert text.count("\n") > 10  # the sum wraps over several lines


def test_layer_blocks_open_in_the_diagram_and_the_comparison_like_model_blocks(report_of):
    from sphinx_modelsummary.compare import compare
    from sphinx_modelsummary.render.layout import LayoutOptions, layout

    as_layers = report_of("composite_models:layer_blocks")
    as_models = report_of("composite_models:model_blocks")
    drawn = layout(as_layers, LayoutOptions(expand_nested=True))
    assert {"second/conv", "second/norm", "second/project"} <= {box.key for box in drawn.boxes}
    assert {group.key for group in drawn.groups} == {"first", "second", "shared"}
    one_level = layout(as_layers, LayoutOptions(expand_nested=True, max_depth=0))
    assert "second/conv" not in {box.key for box in one_level.boxes}
    comparison = compare(as_layers, as_models)
    assert comparison.differing_rows() == ()
    assert [row.a.path for row in comparison.rows][:3] == [
        "first/conv",
        "first/norm",
        "first/project",
    ]


def test_a_models_own_weights_are_rows_so_the_rows_make_the_totals():
    report = build("builders:ScaledOutput", [(None, 3)])
    assert totals(report) == ((3 + 1) * 4 + 4 + 4, (3 + 1) * 4 + 4, 4)
    rows = [(layer.name, layer.class_name, layer.params) for layer in report.top_level_layers()]
    assert rows == [("dense", "Dense", 16), ("scale", "Variable", 4), ("shift", "Variable", 4)]
    assert [w.trainable for w in report.layer("shift").weights] == [False]
    assert sum(layer.params for layer in report.top_level_layers()) == report.totals.params
