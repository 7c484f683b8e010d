"""The built-in networks: an MLP for tables and a small CNN for image tensors.

Plain :class:`torch.nn.Module` classes that return logits; importable and usable
without any training loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["MLP", "SmallCNN"]


class MLP(nn.Module):
    """Fully connected ReLU network returning logits.

    Parameters
    ----------
    n_features : int
        Width of the input.
    n_outputs : int
        Number of logits (classes) or regression outputs.
    hidden_layer_sizes : sequence of int
        Width of each hidden layer; ``(128, 128)`` is the paper's UCI network.
    dropout : float
        Dropout probability after each hidden ReLU (0 disables it).
    """

    def __init__(
        self,
        n_features: int,
        n_outputs: int,
        hidden_layer_sizes: Sequence[int] = (128, 128),
        dropout: float = 0.0,
    ):
        super().__init__()
        layers: list[nn.Module] = []
        width = n_features
        for size in hidden_layer_sizes:
            layers += [nn.Linear(width, size), nn.ReLU()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = size
        layers.append(nn.Linear(width, n_outputs))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


class SmallCNN(nn.Module):
    """A small convolutional network for ``(n, channels, height, width)`` images.

    Two 3x3 convolution blocks with max pooling, adaptive average pooling to a
    fixed 4x4 grid (so any image of at least 4x4 pixels works), then a
    128-unit hidden layer.

    Parameters
    ----------
    in_channels : int
        Number of input channels.
    n_outputs : int
        Number of logits.
    dropout : float
        Dropout probability before the last layer (0 disables it).
    """

    def __init__(self, in_channels: int, n_outputs: int, dropout: float = 0.0):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 32, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2, ceil_mode=True),
            nn.Conv2d(32, 64, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2, ceil_mode=True),
            nn.AdaptiveAvgPool2d(4),
        )
        head: list[nn.Module] = [nn.Flatten(), nn.Linear(64 * 16, 128), nn.ReLU()]
        if dropout > 0:
            head.append(nn.Dropout(dropout))
        head.append(nn.Linear(128, n_outputs))
        self.head = nn.Sequential(*head)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))
