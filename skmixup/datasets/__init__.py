"""Loaders for the paper's datasets, from local files or downloaded for users."""

from ._base import get_data_home
from ._images import fetch_fashion_mnist, load_cifar10
from ._uci import UCI_DATASETS, fetch_uci

__all__ = ["UCI_DATASETS", "fetch_fashion_mnist", "fetch_uci", "get_data_home", "load_cifar10"]
