"""The Keras 2 (tf_keras) adapter on real models: the story's numbers, real shapes, clear errors."""

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


def leaf_params(report: ModelReport) -> list[tuple[str, int]]:
    """(class, params) of every layer that computes something, in order."""
    return [
        (layer.class_name, layer.params)
        for layer in report.layers
        if not layer.is_container and layer.class_name != "InputLayer"
    ]


# --- the seeds' models, written for Keras 2, give the Keras 3 numbers ---------------------

SAME_MODEL = [
    ("fire:fire_module_functional", "legacy_fire:fire_module_functional", None),
    ("fire:FireModuleWithSlip", "legacy_fire:FireModuleWithSlip", FIRE_SHAPE),
    ("fire:FireModule", "legacy_fire:FireModule", FIRE_SHAPE),
    ("resnet:cifar_resnet", "legacy_resnet:keras_residual", None),
    ("shared:shared_base_network", "legacy_shared:shared_base_network", None),
    ("shared:rebuilt_base_network", "legacy_shared:rebuilt_base_network", None),
    ("denoise:denoising_unet", "legacy_denoise:denoising_unet", None),
    ("denoise:denoising_unet((368, 256))", "legacy_denoise:denoising_unet((368, 256))", None),
]


@pytest.mark.parametrize(("keras3", "legacy", "shapes"), SAME_MODEL)
def test_legacy_model_has_the_numbers_of_its_keras3_version(report_of, keras3, legacy, shapes):
    modern = report_of(f"example_project.{keras3}", shapes)
    old = report_of(f"example_project.{legacy}", shapes)
    assert (old.framework, modern.framework) == ("tf_keras", "keras")
    assert old.build_mode == "shape-only"
    assert totals(old) == totals(modern)
    assert sorted(leaf_params(old)) == sorted(leaf_params(modern))
    assert [info.shape for info in old.outputs] == [info.shape for info in modern.outputs]


@pytest.mark.parametrize(
    ("target", "shapes", "expected"),
    [
        ("legacy_fire:fire_module_functional", None, (32_624, 32_480, 144)),
        ("legacy_fire:FireModuleWithSlip", FIRE_SHAPE, (128_624, 128_480, 144)),
        ("legacy_fire:built_fire_module_with_slip", None, (128_624, 128_480, 144)),
        ("legacy_fire:FireModule", FIRE_SHAPE, (32_624, 32_480, 144)),
        ("legacy_resnet:keras_residual", None, (197_418, 196_298, 1_120)),
        ("legacy_shared:shared_base_network", None, (9_394_755, 9_394_755, 0)),
        ("legacy_shared:rebuilt_base_network", None, (54_725_635, 54_725_635, 0)),
        ("legacy_denoise:denoising_unet", None, (372_771, 371_415, 1_356)),
        ("legacy_denoise:denoising_unet((368, 256))", None, (372_771, 371_415, 1_356)),
    ],
)
def test_the_stories_numbers(report_of, target, shapes, expected):
    assert totals(report_of(f"example_project.{target}", shapes)) == expected


def test_the_slip_is_in_the_third_block(report_of):
    report = report_of("example_project.legacy_fire:FireModuleWithSlip", FIRE_SHAPE)
    blocks = [layer for layer in report.top_level_layers() if layer.is_container]
    assert [block.params for block in blocks] == [48, 416, 128_160]
    convs = {layer.parent: layer for layer in report.layers if layer.class_name == "Conv3D"}
    assert convs[blocks[2].path].params == 128_032
    assert convs[blocks[2].path].input_shapes == (((None, 128, 128, 50, 32),),)
    assert report.layer(blocks[2].path).inbound == (blocks[1].path,)
    fixed = report_of("example_project.legacy_fire:FireModule", FIRE_SHAPE)
    fixed_blocks = [layer.path for layer in fixed.top_level_layers() if layer.is_container]
    assert fixed.layer(fixed_blocks[2]).inbound == (fixed_blocks[0],)


# --- real shapes, not Keras 2's "multiple" ---------------------------------------------------


def test_subclassed_model_has_real_shapes_for_every_called_layer(report_of):
    report = report_of("example_project.legacy_fire:built_fire_module_with_slip")
    called = [layer for layer in report.layers if layer.calls]
    assert len(called) == 12  # the two ReLUs of the blocks without activation are never called
    for layer in called:
        for call in layer.output_shapes:
            for shape in call:
                assert shape[0] is None and all(isinstance(d, int) for d in shape[1:]), layer.path
    blocks = [layer for layer in report.top_level_layers() if layer.is_container]
    assert [block.output_shapes for block in blocks] == [
        (((None, 128, 128, 50, 8),),),
        (((None, 128, 128, 50, 32),),),
        (((None, 128, 128, 50, 32),),),
    ]
    assert report.outputs[0].shape == (None, 128, 128, 50, 64)


def test_a_layer_called_at_two_places_lists_both_calls():
    report = build("tf_keras_builders:built_shared_twice")
    project = report.layer("project")
    assert project.calls == 2
    assert project.output_shapes == (((None, 8),), ((None, 8),))
    assert project.inbound == ("input", "mix")
    assert report.layer("add").inbound == ("project",)
    assert report.totals.params == 2 * (8 + 1) * 8


def test_shared_base_is_one_row_called_six_times(report_of):
    report = report_of("example_project.legacy_shared:shared_base_network")
    bases = [layer for layer in report.top_level_layers() if layer.is_container]
    assert [(base.name, base.calls, base.params) for base in bases] == [
        ("base_network", 6, 9_066_176)
    ]
    assert report.totals.params == sum(layer.params for layer in report.top_level_layers())


def test_nested_functional_models_open_up():
    report = build("tf_keras_builders:nested_functional")
    assert totals(report) == (53, 53, 0)
    inner = next(layer for layer in report.layers if layer.name == "inner_dense")
    assert inner.depth == 2 and inner.params == (6 + 1) * 5
    assert inner.output_shapes == (((None, 5),),)
    assert report.outputs[0].shape == (None, 3)


def test_unbuilt_subclassed_model_is_built_from_the_given_shape():
    report = build("tf_keras_builders:Unbuilt", [(None, 3)])
    assert report.totals.params == (3 + 1) * 4 + (4 + 1) * 2
    assert [layer.output_shapes for layer in report.layers] == [(((None, 4),),), (((None, 2),),)]
    assert report.layers[0].inbound == ("input",)


# --- counts as Keras 2 counts them ----------------------------------------------------------


def test_a_frozen_layer_counts_as_non_trainable():
    """Keras 2 leaves the variables of a frozen layer ``trainable``; count_params does not."""
    report = build("tf_keras_builders:frozen_layer")
    assert totals(report) == (208, 72, 136)
    frozen = report.layer("dense_0")
    assert (frozen.trainable, frozen.non_trainable) == (0, 136)
    assert not any(weight.trainable for weight in frozen.weights)
    assert report.formula_disagreements == ()
    assert not frozen.formula.fallback and frozen.formula.non_trainable == 136


# --- shape-only builds ---------------------------------------------------------------------


def test_a_model_too_big_to_allocate_is_summarised_from_its_shapes():
    """40 Dense layers of 16,384 units: 10.7 billion parameters, 43 GB as float32."""
    report = build("tf_keras_builders:dense_stack(depth=40)")
    assert report.build_mode == "shape-only"
    assert report.totals.params == 40 * (16_384 + 1) * 16_384 == 10_738_073_600
    assert report.totals.bytes == 4 * 10_738_073_600


@pytest.mark.parametrize("target", ["reads_weight_values", "sets_weights"])
def test_builder_that_needs_real_values_is_run_again_normally(target):
    report = build(f"tf_keras_builders:{target}")
    assert report.build_mode == "full"
    assert totals(report) == (208, 208, 0)


def test_shape_only_and_full_builds_agree(report_of):
    shape_only = report_of("example_project.legacy_resnet:keras_residual")
    full = report_of("example_project.legacy_resnet:keras_residual", shape_only=False)
    assert (shape_only.build_mode, full.build_mode) == ("shape-only", "full")
    assert dataclasses.replace(full, build_mode="shape-only", build_seconds=0) == (
        dataclasses.replace(shape_only, build_seconds=0)
    )


def test_subclassed_shape_only_and_full_builds_agree(report_of):
    shape_only = report_of("example_project.legacy_fire:FireModuleWithSlip", FIRE_SHAPE)
    full = report_of("example_project.legacy_fire:FireModuleWithSlip", FIRE_SHAPE, False)
    assert dataclasses.replace(full, build_mode="shape-only", build_seconds=0) == (
        dataclasses.replace(shape_only, build_seconds=0)
    )


def test_builds_are_deterministic():
    first = build("example_project.legacy_fire:FireModule", FIRE_SHAPE)
    second = build("example_project.legacy_fire:FireModule", FIRE_SHAPE)
    assert dataclasses.replace(first, build_seconds=0) == dataclasses.replace(
        second, build_seconds=0
    )


def test_report_round_trips_through_json(report_of):
    report = report_of("example_project.legacy_fire:FireModuleWithSlip", FIRE_SHAPE)
    assert ModelReport.from_json(report.to_json()) == report


# --- bad input: each gets a clear error -----------------------------------------------------


@pytest.mark.parametrize(
    ("target", "shapes", "kind", "message"),
    [
        ("tf_keras_builders:dense_chian", None, "attribute", "did you mean 'dense_chain'"),
        ("tf_keras_builders:Unbuilt", None, "input-shape", "give one with :input-shape:"),
        ("tf_keras_builders:dense_chain", [(None, 16)] * 2, "input-shape", "has 1 inputs but 2"),
        ("tf_keras_builders:mismatched_shapes", None, "builder", "incompatible shapes"),
        ("tf_keras_builders:FailsOnCall", [(None, 4)], "builder", "calling the model on (None, 4)"),
    ],
)
def test_bad_targets_fail_clearly(target, shapes, kind, message):
    with pytest.raises(BuildError) as caught:
        build(target, shapes)
    assert caught.value.kind == kind
    assert message in caught.value.message


def test_a_failing_call_shows_the_users_frame_not_ours_nor_autographs():
    """The user's frame, never a copy that autograph generated (the trace runs ``call``
    without autograph; code the user wraps in ``tf.function`` still goes through it)."""
    with pytest.raises(BuildError) as caught:
        build("tf_keras_builders:FailsOnCall", [(None, 4)])
    message = caught.value.message
    assert "tf_keras_builders.py" in message and "return self.dense(inputs) + inputs" in message
    assert "__autograph_generated_file" not in message and "sphinx_modelsummary" not in message


def test_a_model_object_made_on_import_is_summarised():
    for shape_only in (True, False):
        report = build("tf_keras_builders:MODEL_OBJECT", shape_only=shape_only)
        assert (report.totals.params, report.layers[-1].output_shapes) == (88, (((None, 4),),))


def test_a_builder_changing_keras2_settings_does_not_change_the_next_build():
    assert build("tf_keras_builders:sets_channels_first").totals.bytes == 208 * 2
    assert build("tf_keras_builders:dense_chain").totals.bytes == 208 * 4
    import tf_keras

    assert tf_keras.backend.image_data_format() == "channels_last"


def test_a_models_own_weights_are_rows_as_in_keras3():
    old = build("tf_keras_builders:ScaledOutput", [(None, 3)])
    modern = build("builders:ScaledOutput", [(None, 3)])
    assert totals(old) == totals(modern) == (24, 20, 4)
    rows = [[(row.class_name, row.params) for row in r.top_level_layers()] for r in (old, modern)]
    assert rows[0] == rows[1] == [("Dense", 16), ("Variable", 4), ("Variable", 4)]


def test_composite_layers_open_as_in_keras3(report_of):
    """A subclassed Layer holding sublayers is a container in both Keras: the README
    promises the same tables, so :expand-nested: shows the same rows."""
    from sphinx_modelsummary.render.rows import summary_rows

    def rows(report: ModelReport) -> list[tuple[str, str, str, str]]:
        return [
            (row.path, row.class_name, row.output_shape, row.params)
            for row in summary_rows(report, expand_nested=True)
        ]

    modern = report_of("composite_models:layer_blocks")
    old = report_of("legacy_composite_models:layer_blocks")
    assert old.framework == "tf_keras" and old.layer("shared").is_container
    assert rows(old) == rows(modern)
    assert ("shared", "ConvBlock", "(None, 32, 32, 16) ×2", "2,656") in rows(old)
    assert ("shared/norm", "BatchNormalization", "(None, 32, 32, 16)", "64") in rows(old)
