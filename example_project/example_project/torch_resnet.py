"""The PyTorch CIFAR-10 ResNet of the Keras/PyTorch comparison story (blocks 2, 2, 2).

The same network as :mod:`example_project.resnet`, written the PyTorch way:
3×3 convolutions without bias (batch norm follows each one), and a block that
halves the image takes its shortcut through a strided convolution with batch
norm. ``torchsummary`` prints 195,738 parameters; Keras counts 197,418 for its
twin: 560 convolution biases, and 1,120 batch-norm statistics that PyTorch keeps
as buffers, not parameters.
"""

from __future__ import annotations

from torch import nn


def conv3x3(in_channels: int, out_channels: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)


class ResidualBlock(nn.Module):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        stride: int = 1,
        downsample: nn.Module | None = None,
    ) -> None:
        super().__init__()
        self.conv1 = conv3x3(in_channels, out_channels, stride)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(out_channels, out_channels)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.downsample = downsample

    def forward(self, x):
        residual = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            residual = self.downsample(x)
        out += residual
        return self.relu(out)


class ResNet(nn.Module):
    """Stages of 16, 32 and 64 channels; every stage after the first halves the image."""

    def __init__(self, layers: tuple = (2, 2, 2), num_classes: int = 10) -> None:
        super().__init__()
        self.in_channels = 16
        self.conv = conv3x3(3, 16)
        self.bn = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._stage(16, layers[0])
        self.layer2 = self._stage(32, layers[1], 2)
        self.layer3 = self._stage(64, layers[2], 2)
        self.avg_pool = nn.AvgPool2d(8)
        self.fc = nn.Linear(64, num_classes)

    def _stage(self, out_channels: int, blocks: int, stride: int = 1) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.in_channels != out_channels:
            downsample = nn.Sequential(
                conv3x3(self.in_channels, out_channels, stride), nn.BatchNorm2d(out_channels)
            )
        layers = [ResidualBlock(self.in_channels, out_channels, stride, downsample)]
        self.in_channels = out_channels
        layers += [ResidualBlock(out_channels, out_channels) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        out = self.relu(self.bn(self.conv(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        out = self.avg_pool(out)
        return self.fc(out.view(out.size(0), -1))


def cifar_resnet(blocks: tuple = (2, 2, 2), num_classes: int = 10) -> ResNet:
    return ResNet(blocks, num_classes)
