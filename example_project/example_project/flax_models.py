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


def conv3x3(in_channels: int, out_channels: int, stride: int, rngs: nnx.Rngs) -> nnx.Conv:
    return nnx.Conv(in_channels, out_channels, (3, 3), strides=stride, use_bias=False, rngs=rngs)


class ResidualBlock(nnx.Module):
    """Two 3×3 convolutions with batch norm; a strided block's shortcut is a convolution."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, rngs: nnx.Rngs) -> None:
        self.conv1 = conv3x3(in_channels, out_channels, stride, rngs)
        self.bn1 = nnx.BatchNorm(out_channels, rngs=rngs)
        self.conv2 = conv3x3(out_channels, out_channels, 1, rngs)
        self.bn2 = nnx.BatchNorm(out_channels, rngs=rngs)
        shortcut = None
        if stride != 1 or in_channels != out_channels:
            shortcut = nnx.Sequential(
                conv3x3(in_channels, out_channels, stride, rngs),
                nnx.BatchNorm(out_channels, rngs=rngs),
            )
        self.downsample = nnx.data(shortcut)

    def __call__(self, x: jax.Array) -> jax.Array:
        out = self.bn2(self.conv2(nnx.relu(self.bn1(self.conv1(x)))))
        residual = x if self.downsample is None else self.downsample(x)
        return nnx.relu(out + residual)


class ResNet(nnx.Module):
    """The CIFAR-10 ResNet of :mod:`example_project.torch_resnet`, the NNX way (channels
    last): stages of 16, 32 and 64 channels, every stage after the first halving the image."""

    def __init__(
        self, blocks: tuple = (2, 2, 2), classes: int = 10, rngs: nnx.Rngs | None = None
    ) -> None:
        rngs = rngs or nnx.Rngs(0)
        self.conv = conv3x3(3, 16, 1, rngs)
        self.bn = nnx.BatchNorm(16, rngs=rngs)
        stages, channels = [], 16
        for width, count, stride in zip((16, 32, 64), blocks, (1, 2, 2)):
            layers = [ResidualBlock(channels, width, stride, rngs)]
            layers += [ResidualBlock(width, width, 1, rngs) for _ in range(1, count)]
            stages.append(nnx.Sequential(*layers))
            channels = width
        self.layer1, self.layer2, self.layer3 = stages
        self.fc = nnx.Linear(64, classes, rngs=rngs)

    def __call__(self, images: jax.Array) -> jax.Array:
        out = nnx.relu(self.bn(self.conv(images)))
        out = self.layer3(self.layer2(self.layer1(out)))
        return self.fc(out.mean(axis=(1, 2)))


def cifar_resnet(blocks: tuple = (2, 2, 2), classes: int = 10) -> ResNet:
    return ResNet(blocks, classes)
