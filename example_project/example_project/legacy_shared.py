"""The six-input network of :mod:`example_project.shared`, written for Keras 2 (``tf_keras``).

As the story wrote it: ``create_base_network`` adds the base's layers to a
``Sequential`` one by one; :func:`shared_base_network` calls that one base on
six inputs (9,394,755 parameters), :func:`rebuilt_base_network` makes the
base's layers again for every input (54,725,635), the slip of the story.
"""

from __future__ import annotations

import tf_keras
from tf_keras.layers import (
    LSTM,
    Concatenate,
    Conv2D,
    Dense,
    Flatten,
    Input,
    MaxPooling2D,
    Reshape,
)

IMG_SIZE = (32, 32, 3)


def _base_layers(tag: str = "") -> list:
    return [
        Conv2D(64, 5, activation="relu", padding="same", name="conv1" + tag),
        Conv2D(128, 4, activation="relu", padding="same", name="conv2" + tag),
        Conv2D(256, 4, activation="relu", padding="same", name="conv3" + tag),
        Conv2D(64, 1, activation="relu", padding="same", name="conv4" + tag),
        MaxPooling2D(2, 2, name="pool1" + tag),
        Flatten(name="fla1" + tag),
        Dense(512, activation="relu", name="dense1" + tag),
        Reshape((1, 512), name="reshape" + tag),
    ]


def create_base_network(input_dim: tuple) -> tf_keras.Sequential:
    seq = tf_keras.Sequential(name="base_network")
    seq.add(tf_keras.Input(input_dim))
    for layer in _base_layers():
        seq.add(layer)
    return seq


def _lstm_head(features: list, inputs: list, name: str) -> tf_keras.Model:
    out_all = Concatenate(axis=1)(features)
    lstm_layer = LSTM(128, name="lstm")(out_all)
    outputs = Dense(3, activation="softmax", name="out")(lstm_layer)
    return tf_keras.Model(inputs, outputs, name=name)


def shared_base_network(img_size: tuple = IMG_SIZE, n_inputs: int = 6) -> tf_keras.Model:
    """One base network called on each input: its weights exist once."""
    base_network = create_base_network(img_size)
    inputs = [Input(shape=img_size, name=f"input_{i + 1}") for i in range(n_inputs)]
    return _lstm_head([base_network(x) for x in inputs], inputs, name="shared_base")


def rebuilt_base_network(img_size: tuple = IMG_SIZE, n_inputs: int = 6) -> tf_keras.Model:
    """The base's layers made anew for each input: six copies of its weights."""
    inputs = [Input(shape=img_size, name=f"input_{i + 1}") for i in range(n_inputs)]
    features = []
    for index, x in enumerate(inputs):
        for layer in _base_layers(tag=f"_{index + 1}"):
            x = layer(x)
        features.append(x)
    return _lstm_head(features, inputs, name="rebuilt_base")
