"""Flax models the docs document: an NNX CNN with batch norm and a linen classifier."""

from __future__ import annotations

import jax
from flax import linen, nnx


class NnxCnn(nnx.Module):
    """A small image classifier: two convolutions with batch norm, pooled, then a dense head."""

    def __init__(self, classes: int = 10, rngs: nnx.Rngs | None = None) -> None:
        rngs = rngs or nnx.Rngs(0)
        self.conv1 = nnx.Conv(3, 32, kernel_size=(3, 3), rngs=rngs)
        self.norm1 = nnx.BatchNorm(32, rngs=rngs)
        self.conv2 = nnx.Conv(32, 64, kernel_size=(3, 3), strides=2, rngs=rngs)
        self.norm2 = nnx.BatchNorm(64, rngs=rngs)
        self.head = nnx.Linear(64, classes, rngs=rngs)

    def __call__(self, images: jax.Array) -> jax.Array:
        x = nnx.relu(self.norm1(self.conv1(images)))
        x = nnx.relu(self.norm2(self.conv2(x)))
        return self.head(x.mean(axis=(1, 2)))


class LinenClassifier(linen.Module):
    """A linen text classifier: token embeddings, one dense layer, mean over the tokens."""

    vocabulary: int = 1000
    width: int = 64
    classes: int = 4

    @linen.compact
    def __call__(self, tokens: jax.Array, train: bool = False) -> jax.Array:
        x = linen.Embed(self.vocabulary, self.width)(tokens)
        x = linen.LayerNorm()(linen.gelu(linen.Dense(self.width)(x)))
        x = linen.Dropout(0.1, deterministic=not train)(x)
        return linen.Dense(self.classes)(x.mean(axis=1))
