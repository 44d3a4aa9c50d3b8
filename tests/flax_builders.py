"""Real Flax models for the Flax tests: NNX and linen, each a builder the tests name as a target."""

from __future__ import annotations

import jax
from flax import linen, nnx


class Mlp(nnx.Module):
    def __init__(self, features: int = 16, rngs: nnx.Rngs | None = None) -> None:
        rngs = rngs or nnx.Rngs(0)
        self.hidden = nnx.Linear(8, features, rngs=rngs)
        self.dropout = nnx.Dropout(0.1, rngs=rngs)
        self.out = nnx.Linear(features, 4, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.out(self.dropout(nnx.relu(self.hidden(x))))


class Cnn(nnx.Module):
    """Two convolutions with batch norm: batch statistics are state, not parameters."""

    def __init__(self, rngs: nnx.Rngs | None = None) -> None:
        rngs = rngs or nnx.Rngs(0)
        self.conv1 = nnx.Conv(1, 8, kernel_size=(3, 3), rngs=rngs)
        self.norm1 = nnx.BatchNorm(8, rngs=rngs)
        self.conv2 = nnx.Conv(8, 16, kernel_size=(3, 3), strides=2, rngs=rngs)
        self.norm2 = nnx.BatchNorm(16, rngs=rngs)
        self.head = nnx.Linear(16, 10, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        x = nnx.relu(self.norm1(self.conv1(x)))
        x = nnx.relu(self.norm2(self.conv2(x)))
        return self.head(x.mean(axis=(1, 2)))


class SharedBlock(nnx.Module):
    """One linear layer applied twice: one row, two calls, its weights once."""

    def __init__(self, rngs: nnx.Rngs | None = None) -> None:
        rngs = rngs or nnx.Rngs(0)
        self.first = nnx.Linear(6, 6, rngs=rngs)
        self.again = self.first
        self.norm = nnx.LayerNorm(6, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.again(self.norm(self.first(x)))


class TiedLm(nnx.Module):
    """A language model whose output head is its embedding (``embed.attend``)."""

    def __init__(self, vocab: int = 50, width: int = 12, rngs: nnx.Rngs | None = None) -> None:
        rngs = rngs or nnx.Rngs(0)
        self.embed = nnx.Embed(vocab, width, rngs=rngs)
        self.blocks = nnx.List([nnx.Linear(width, width, rngs=rngs) for _ in range(2)])
        self.norm = nnx.RMSNorm(width, rngs=rngs)

    def __call__(self, tokens: jax.Array) -> jax.Array:
        x = self.embed(tokens)
        for block in self.blocks:
            x = x + nnx.gelu(block(x))
        return self.embed.attend(self.norm(x))


class LinenCnn(linen.Module):
    """A linen CNN with batch norm (``batch_stats``) and dropout."""

    features: int = 8

    @linen.compact
    def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
        x = linen.Conv(self.features, (3, 3))(x)
        x = linen.BatchNorm(use_running_average=not train)(x)
        x = linen.relu(x)
        x = linen.Dropout(0.1, deterministic=not train)(x)
        x = x.mean(axis=(1, 2))
        return linen.Dense(10)(x)


def mlp(features: int = 16) -> Mlp:
    return Mlp(features)


def linen_cnn(features: int = 8) -> LinenCnn:
    return LinenCnn(features)


class Layers(nnx.Module):
    """One of each NNX layer the knowledge module explains, called on a sequence."""

    def __init__(self, rngs: nnx.Rngs | None = None) -> None:
        rngs = rngs or nnx.Rngs(0)
        self.up = nnx.ConvTranspose(4, 6, kernel_size=(3,), rngs=rngs)
        self.groups = nnx.GroupNorm(6, num_groups=2, rngs=rngs)
        self.attention = nnx.MultiHeadAttention(
            num_heads=2, in_features=6, qkv_features=8, out_features=6, decode=False, rngs=rngs
        )
        self.lstm = nnx.RNN(nnx.LSTMCell(6, 5, rngs=rngs))
        self.gru = nnx.RNN(nnx.GRUCell(5, 3, rngs=rngs))
        self.cell = nnx.SimpleCell(3, 3, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        x = self.groups(self.up(x))
        x = self.attention(x)
        x = self.gru(self.lstm(x))
        return self.cell(jax.numpy.zeros((x.shape[0], 3)), x[:, 0])[1]


class LinenLayers(linen.Module):
    """The linen counterparts, with the input sizes they learn from their inputs."""

    @linen.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        x = linen.ConvTranspose(6, (3,))(x)
        x = linen.GroupNorm(num_groups=2)(x)
        x = linen.LayerNorm()(x)
        x = linen.MultiHeadDotProductAttention(num_heads=2, qkv_features=8)(x)
        x = linen.RNN(linen.LSTMCell(5))(x)
        x = linen.RNN(linen.GRUCell(3))(x)
        x = linen.Embed(10, 3)(jax.numpy.zeros(x.shape[:2], "int32")) + x
        return linen.RMSNorm()(x)


def needs_real_values() -> Mlp:
    """A builder that reads a weight's value (as one that loads a checkpoint does)."""
    model = Mlp()
    if float(model.out.bias[...].sum()) != 0.0:
        raise ValueError("a fresh bias starts at zero")
    return model


class DecoderLayer(nnx.Module):
    """A LLaMA-shaped decoder layer: attention without biases, a gated MLP, RMS norms."""

    def __init__(self, width: int, heads: int, hidden: int, rngs: nnx.Rngs) -> None:
        self.attention_norm = nnx.RMSNorm(width, rngs=rngs)
        self.attention = nnx.MultiHeadAttention(
            num_heads=heads, in_features=width, use_bias=False, decode=False, rngs=rngs
        )
        self.mlp_norm = nnx.RMSNorm(width, rngs=rngs)
        self.gate = nnx.Linear(width, hidden, use_bias=False, rngs=rngs)
        self.up = nnx.Linear(width, hidden, use_bias=False, rngs=rngs)
        self.down = nnx.Linear(hidden, width, use_bias=False, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        x = x + self.attention(self.attention_norm(x))
        y = self.mlp_norm(x)
        return x + self.down(nnx.silu(self.gate(y)) * self.up(y))


class Decoder(nnx.Module):
    """LLaMA-7B's shape by default (6,738,415,616 parameters); smaller for the quick tests."""

    def __init__(
        self,
        vocab: int = 32000,
        width: int = 4096,
        layers: int = 32,
        heads: int = 32,
        hidden: int = 11008,
        rngs: nnx.Rngs | None = None,
    ) -> None:
        rngs = rngs or nnx.Rngs(0)
        self.embed = nnx.Embed(vocab, width, rngs=rngs)
        self.layers = nnx.List([DecoderLayer(width, heads, hidden, rngs) for _ in range(layers)])
        self.norm = nnx.RMSNorm(width, rngs=rngs)
        self.head = nnx.Linear(width, vocab, use_bias=False, rngs=rngs)

    def __call__(self, tokens: jax.Array) -> jax.Array:
        x = self.embed(tokens)
        for layer in self.layers:
            x = layer(x)
        return self.head(self.norm(x))


class Positional(nnx.Module):
    """A container's own variables (a position table, a running count) beside its layers."""

    def __init__(self, rngs: nnx.Rngs | None = None) -> None:
        rngs = rngs or nnx.Rngs(0)
        self.position = nnx.Param(jax.numpy.zeros((5, 6)))
        self.seen = nnx.BatchStat(jax.numpy.zeros((6,)))
        self.proj = nnx.Linear(6, 6, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.proj(x + self.position[...])


def sixty_four_bit() -> Mlp:
    """A builder that switches JAX to 64-bit numbers, which must not outlive its build."""
    jax.config.update("jax_enable_x64", True)
    return Mlp()


def abstract_cnn() -> Cnn:
    """A builder that makes its model abstract itself (as a 7B model's code does)."""
    return nnx.eval_shape(lambda: Cnn())
