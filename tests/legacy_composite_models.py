"""The composite-layer net of :mod:`composite_models`, made of Keras 2 (``tf_keras``)
layers: blocks that are plain ``tf_keras.layers.Layer``s holding sublayers, for the twin test."""

from __future__ import annotations

from types import SimpleNamespace

import tensorflow as tf
import tf_keras
from composite_models import block_net


def layer_blocks() -> tf_keras.Model:
    kit = SimpleNamespace(Model=tf_keras.Model, layers=tf_keras.layers, relu=tf.nn.relu)
    return block_net(tf_keras.layers.Layer, kit)
