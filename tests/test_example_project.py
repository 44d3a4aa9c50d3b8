"""The example_project models, built with plain Keras: the exact counts of the user stories."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from example_project import basics, denoise, fire, resnet, shared

FIRE_SHAPE = (None, 128, 128, 50, 1)


def size(weights) -> int:
    return sum(int(np.prod(w.shape)) for w in weights)


def totals(model: keras.Model) -> tuple[int, int, int]:
    """(total, trainable, non-trainable), the trainable split summed from the weights."""
    return model.count_params(), size(model.trainable_weights), size(model.non_trainable_weights)


# --- fire ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fire_functional() -> keras.Model:
    return fire.fire_module_functional()


@pytest.fixture(scope="module")
def fire_slip() -> keras.Model:
    model = fire.FireModuleWithSlip()
    model.build(FIRE_SHAPE)
    return model


@pytest.fixture(scope="module")
def fire_fixed() -> keras.Model:
    model = fire.FireModule()
    model.build(FIRE_SHAPE)
    return model


def test_functional_fire_module(fire_functional):
    assert totals(fire_functional) == (32_624, 32_480, 144)
    assert [layer.name for layer in fire_functional.layers[1:]] == [
        "fire_squeeze_1_conv",
        "fire_squeeze_1_batch_norm",
        "fire_squeeze_1_relu",
        "fire_expand_1_conv",
        "fire_expand_2_conv",
        "fire_expand_1_batch_norm",
        "fire_expand_2_batch_norm",
        "fire_concatenate",
        "fire_relu",
    ]
    assert fire_functional.get_layer("fire_expand_2_conv").count_params() == 32_032


def test_subclassed_fire_modules_are_not_built_by_their_constructors():
    for cls in (fire.FireModule, fire.FireModuleWithSlip):
        model = cls()
        assert model.n_hidden == 32
        assert not model.built and not model.weights


def test_fire_module_with_the_slip(fire_slip):
    assert totals(fire_slip) == (128_624, 128_480, 144)
    blocks = [fire_slip.squeeze_1, fire_slip.expand_1, fire_slip.expand_2]
    assert all(isinstance(block, fire.ConvBlock) for block in blocks)
    assert [block.count_params() for block in blocks] == [48, 416, 128_160]
    assert fire_slip.expand_2.conv.count_params() == 128_032
    assert fire_slip.expand_2.conv.kernel.shape == (5, 5, 5, 32, 32)


def test_corrected_fire_module(fire_fixed):
    assert totals(fire_fixed) == (32_624, 32_480, 144)
    blocks = [fire_fixed.squeeze_1, fire_fixed.expand_1, fire_fixed.expand_2]
    assert [block.count_params() for block in blocks] == [48, 416, 32_160]


def test_the_slip_costs_96000(fire_slip, fire_fixed):
    assert fire_slip.count_params() - fire_fixed.count_params() == 96_000


def test_subclassed_fire_module_config_round_trips(fire_slip):
    clone = fire.FireModuleWithSlip.from_config(fire_slip.get_config())
    assert clone.n_hidden == 32
    clone.build(FIRE_SHAPE)
    assert clone.count_params() == 128_624


def test_conv_block_alone():
    block = fire.ConvBlock(8, (1, 1, 1))
    block.build(FIRE_SHAPE)
    assert totals(block) == (48, 32, 16)


# --- shared vs rebuilt base -----------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_model() -> keras.Model:
    return shared.shared_base_network()


@pytest.fixture(scope="module")
def rebuilt_model() -> keras.Model:
    return shared.rebuilt_base_network()


def test_shared_base_is_one_layer(shared_model):
    bases = [layer for layer in shared_model.layers if isinstance(layer, keras.Sequential)]
    assert len(bases) == 1
    assert len(bases[0]._inbound_nodes) == 6  # called once per input
    assert totals(bases[0]) == (9_066_176, 9_066_176, 0)
    assert totals(shared_model) == (9_394_755, 9_394_755, 0)
    assert len(shared_model.inputs) == 6


def test_rebuilt_base_has_six_copies(shared_model, rebuilt_model):
    assert totals(rebuilt_model) == (54_725_635, 54_725_635, 0)
    assert not any(isinstance(layer, keras.Sequential) for layer in rebuilt_model.layers)
    base = 9_066_176
    head = shared_model.count_params() - base
    assert rebuilt_model.count_params() == 6 * base + head


# --- resnet, single convolutions, denoiser ---------------------------------------------------


def test_cifar_resnet():
    model = resnet.cifar_resnet()
    assert totals(model) == (197_418, 196_298, 1_120)
    assert model.inputs[0].shape == (None, 32, 32, 3)
    assert model.outputs[0].shape == (None, 10)


def test_rgb_conv():
    model = basics.rgb_conv()
    assert totals(model) == (448, 448, 0)
    assert model.inputs[0].shape[-1] == 3


def test_pointwise_conv():
    model = basics.pointwise_conv()
    assert totals(model) == (524_544, 524_544, 0)
    assert model.inputs[0].shape[-1] == 2048


@pytest.mark.parametrize(
    ("image_size", "shapes"),
    [
        (None, [(None, None, None, 4), (None, None, None, 3)]),
        ((368, 256), [(None, 368, 256, 4), (None, 736, 512, 3)]),
    ],
)
def test_denoising_unet_count_does_not_depend_on_size(image_size, shapes):
    model = denoise.denoising_unet(image_size=image_size)
    assert totals(model) == (372_771, 371_415, 1_356)
    assert [tuple(tensor.shape) for tensor in model.inputs] == shapes
    assert model.outputs[0].shape[-1] == 3
