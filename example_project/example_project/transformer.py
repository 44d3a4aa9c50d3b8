"""A small transformer text classifier built from ``keras.layers.Layer`` blocks.

Token and position embeddings, two encoder blocks (multi-head self-attention and a
feed-forward network, each with a residual connection and layer normalisation), then
the first token's vector (``x[:, 0, :]``) into a softmax classifier. The blocks are
plain layers that hold sublayers, as in keras-hub; the docs open them up and explain
every parameter. At the defaults (vocabulary 8,000, 128 tokens, width 64, 4 heads,
feed-forward width 128, 2 blocks, 2 classes) the model has 587,266 parameters.
"""

from __future__ import annotations

import keras
from keras import layers


class TokenAndPositionEmbedding(layers.Layer):
    """A learned vector per token id plus a learned vector per position."""

    def __init__(self, vocabulary: int, length: int, width: int, **kwargs):
        super().__init__(**kwargs)
        self.token = layers.Embedding(vocabulary, width, name="token")
        self.position = layers.Embedding(length, width, name="position")

    def call(self, token_ids):
        positions = keras.ops.arange(keras.ops.shape(token_ids)[-1])
        return self.token(token_ids) + self.position(positions)


class EncoderBlock(layers.Layer):
    """Self-attention and a feed-forward network, each added back and normalised."""

    def __init__(self, width: int, heads: int, hidden: int, dropout: float = 0.1, **kwargs):
        super().__init__(**kwargs)
        self.attention = layers.MultiHeadAttention(heads, width // heads, name="attention")
        self.attention_norm = layers.LayerNormalization(epsilon=1e-6, name="attention_norm")
        self.hidden = layers.Dense(hidden, activation="gelu", name="hidden")
        self.project = layers.Dense(width, name="project")
        self.dropout = layers.Dropout(dropout, name="dropout")
        self.output_norm = layers.LayerNormalization(epsilon=1e-6, name="output_norm")

    def call(self, x, training=False):
        attended = self.attention(x, x, training=training)
        x = self.attention_norm(x + attended)
        feed_forward = self.dropout(self.project(self.hidden(x)), training=training)
        return self.output_norm(x + feed_forward)


def text_classifier(
    vocabulary: int = 8_000,
    length: int = 128,
    width: int = 64,
    heads: int = 4,
    hidden: int = 128,
    blocks: int = 2,
    classes: int = 2,
) -> keras.Model:
    """Token ids in, class probabilities out."""
    token_ids = keras.Input((length,), dtype="int32", name="token_ids")
    x = TokenAndPositionEmbedding(vocabulary, length, width, name="embedding")(token_ids)
    for index in range(blocks):
        x = EncoderBlock(width, heads, hidden, name=f"encoder_{index + 1}")(x)
    first_token = x[:, 0, :]
    outputs = layers.Dense(classes, activation="softmax", name="classifier")(first_token)
    return keras.Model(token_ids, outputs, name="text_classifier")
