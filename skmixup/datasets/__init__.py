"""Loaders for the paper's datasets, from local files or downloaded for users."""

from ._base import get_data_home
from ._images import fetch_fashion_mnist, load_cifar10

__all__ = ["fetch_fashion_mnist", "get_data_home", "load_cifar10"]
