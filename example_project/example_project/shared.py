"""Six images through one base network, then Concatenate → LSTM → Dense.

:func:`shared_base_network` builds the base once (a Sequential) and calls it
on all six inputs: its weights exist once. :func:`rebuilt_base_network` makes
new base layers for every input, the slip of the story: six times the base's
parameters. At the default 32×32×3 images the base has 9,066,176 parameters;
the shared model 9,394,755 and the rebuilt one 54,725,635.
"""

from __future__ import annotations

import keras
from keras import layers

IMAGE_SIZE = (32, 32, 3)


def _base_layers(suffix: str = "") -> list[layers.Layer]:
    return [
        layers.Conv2D(64, 5, activation="relu", padding="same", name=f"conv1{suffix}"),
        layers.Conv2D(128, 4, activation="relu", padding="same", name=f"conv2{suffix}"),
        layers.Conv2D(256, 4, activation="relu", padding="same", name=f"conv3{suffix}"),
        layers.Conv2D(64, 1, activation="relu", padding="same", name=f"conv4{suffix}"),
        layers.MaxPooling2D(2, 2, name=f"pool1{suffix}"),
        layers.Flatten(name=f"flatten{suffix}"),
        layers.Dense(512, activation="relu", name=f"dense1{suffix}"),
        layers.Reshape((1, 512), name=f"reshape{suffix}"),
    ]


def _head(features: list, inputs: list, name: str) -> keras.Model:
    joined = layers.Concatenate(axis=1, name="concatenate")(features)
    x = layers.LSTM(128, name="lstm")(joined)
    outputs = layers.Dense(3, activation="softmax", name="out")(x)
    return keras.Model(inputs, outputs, name=name)


def _inputs(img_size: tuple, n_inputs: int) -> list:
    return [keras.Input(img_size, name=f"image_{i + 1}") for i in range(n_inputs)]


def shared_base_network(img_size: tuple = IMAGE_SIZE, n_inputs: int = 6) -> keras.Model:
    """One Sequential base, called on every input: shared weights."""
    base = keras.Sequential([keras.Input(img_size), *_base_layers()], name="base_network")
    inputs = _inputs(img_size, n_inputs)
    return _head([base(image) for image in inputs], inputs, name="shared_base")


def rebuilt_base_network(img_size: tuple = IMAGE_SIZE, n_inputs: int = 6) -> keras.Model:
    """The base's layers created anew for each input: six separate copies."""
    inputs = _inputs(img_size, n_inputs)
    features = []
    for index, image in enumerate(inputs):
        x = image
        for layer in _base_layers(suffix=f"_{index + 1}"):
            x = layer(x)
        features.append(x)
    return _head(features, inputs, name="rebuilt_base")
