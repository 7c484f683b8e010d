"""Loaders for the paper's datasets and the tabular benchmark suite, from local files or downloaded for users."""

from ._base import get_data_home
from ._images import fetch_fashion_mnist, load_cifar10
from ._keel import KEEL_DATASETS, fetch_keel
from ._uci import UCI_DATASETS, fetch_uci

__all__ = [
    "KEEL_DATASETS", "UCI_DATASETS", "fetch_fashion_mnist", "fetch_keel", "fetch_uci",
    "get_data_home", "load_cifar10",
]
