"""The built-in networks: an MLP for tables, a small CNN and a PreAct ResNet-18 for images.

Plain :class:`torch.nn.Module` classes that return logits; importable and usable
without any training loop. The estimators build :class:`MLP` for 2-D inputs and
:class:`SmallCNN` for image tensors; pass any of them (or your own module) as
``module=``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["MLP", "PreActResNet18", "SmallCNN"]


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
        """Logits of a batch.

        Parameters
        ----------
        x : torch.Tensor of shape (n, n_features)
            The inputs, in the module's dtype.

        Returns
        -------
        logits : torch.Tensor of shape (n, n_outputs)
            One row of unnormalised class scores (or regression outputs) per sample.
        """
        return self.layers(x)


class SmallCNN(nn.Module):
    """A small convolutional network for ``(n, channels, height, width)`` images.

    Three stages of 3x3 convolution, batch normalisation and ReLU, with
    ``width``, ``2 * width`` and ``4 * width`` channels and a 2x2 max pooling
    between stages; an adaptive max pooling to a 2x2 grid, so that any image
    size works (28x28 gives 28 -> 14 -> 7 -> 2, 8x8 gives 8 -> 4 -> 2 -> 2);
    then a 128-unit hidden layer and the output layer.

    Measured on 2 CPU cores (see the images results page): with the default
    ``width=32`` (160 k weights), 98.7% test accuracy on scikit-learn's 8x8
    digits after 15 epochs of :class:`~skmixup.MixupClassifier` (alpha 0.4,
    Adam, batch 32, no early stopping);
    with ``width=16`` (58 k weights), 88.3% on Fashion-MNIST after 15 epochs
    on a 5,000-image subset (ERM).

    Parameters
    ----------
    in_channels : int
        Number of input channels.
    n_outputs : int
        Number of logits.
    dropout : float
        Dropout probability before the last layer (0 disables it).
    width : int, default=32
        Channels of the first stage; the cost grows as its square.
    """

    def __init__(self, in_channels: int, n_outputs: int, dropout: float = 0.0, width: int = 32):
        super().__init__()

        def stage(c_in: int, c_out: int) -> list[nn.Module]:
            return [
                nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
                nn.BatchNorm2d(c_out),
                nn.ReLU(),
            ]

        self.features = nn.Sequential(
            *stage(in_channels, width),
            nn.MaxPool2d(2, ceil_mode=True),
            *stage(width, 2 * width),
            nn.MaxPool2d(2, ceil_mode=True),
            *stage(2 * width, 4 * width),
            nn.AdaptiveMaxPool2d(2),
        )
        head: list[nn.Module] = [nn.Flatten(), nn.Linear(4 * width * 4, 128), nn.ReLU()]
        if dropout > 0:
            head.append(nn.Dropout(dropout))
        head.append(nn.Linear(128, n_outputs))
        self.head = nn.Sequential(*head)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of a batch.

        Parameters
        ----------
        x : torch.Tensor of shape (n, channels, height, width)
            The inputs, in the module's dtype.

        Returns
        -------
        logits : torch.Tensor of shape (n, n_outputs)
            One row of unnormalised class scores (or regression outputs) per sample.
        """
        return self.head(self.features(x))


class PreActBlock(nn.Module):
    """Pre-activation residual block: (BN, ReLU, 3x3 conv) twice, plus the shortcut.

    The shortcut is the identity, or a strided 1x1 convolution of the
    pre-activated input when the shape changes (He et al., 2016).
    """

    def __init__(self, c_in: int, c_out: int, stride: int = 1):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.shortcut = None
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.bn1(x))
        skip = x if self.shortcut is None else self.shortcut(out)
        out = self.conv1(out)
        out = self.conv2(torch.relu(self.bn2(out)))
        return out + skip


class PreActResNet18(nn.Module):
    """Pre-activation ResNet-18 (He et al., 2016), the mixup paper's CIFAR network.

    A 3x3 stem convolution, four stages of two :class:`PreActBlock` each with
    ``width``, 2, 4 and 8 times ``width`` channels (strides 1, 2, 2, 2), a
    final batch norm and ReLU, global average pooling and a linear layer.
    About 11 M weights with ``width=64``.

    Parameters
    ----------
    in_channels : int, default=3
        Number of input channels.
    n_outputs : int, default=10
        Number of logits.
    width : int, default=64
        Channels of the first stage (64 in the paper; small values for tests).

    References
    ----------
    .. [1] He, K., Zhang, X., Ren, S., Sun, J. (2016). Identity Mappings in Deep
       Residual Networks. ECCV. :arxiv:`1603.05027`
    """

    def __init__(self, in_channels: int = 3, n_outputs: int = 10, width: int = 64):
        super().__init__()
        self.stem = nn.Conv2d(in_channels, width, 3, padding=1, bias=False)
        blocks: list[nn.Module] = []
        c_in = width
        for i, stride in enumerate((1, 2, 2, 2)):
            c_out = width * 2**i
            blocks += [PreActBlock(c_in, c_out, stride), PreActBlock(c_out, c_out, 1)]
            c_in = c_out
        self.blocks = nn.Sequential(*blocks)
        self.bn = nn.BatchNorm2d(c_in)
        self.linear = nn.Linear(c_in, n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of a batch.

        Parameters
        ----------
        x : torch.Tensor of shape (n, channels, height, width)
            The inputs, in the module's dtype.

        Returns
        -------
        logits : torch.Tensor of shape (n, n_outputs)
            One row of unnormalised class scores (or regression outputs) per sample.
        """
        out = torch.relu(self.bn(self.blocks(self.stem(x))))
        return self.linear(out.mean(dim=(2, 3)))
