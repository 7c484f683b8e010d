"""Loaders for the paper's datasets and the tabular benchmark suite, from files checked by sha256.

Every loader reads below one data root (:func:`get_data_home`: the
``data_home`` argument, else ``$SKMIXUP_DATA``, else ``~/skmixup_data``), laid
out as ``uci/<name>/``, ``keel/<name>.csv.gz``, ``regression/<name>.csv.gz`` and
``images/fashion-mnist/``;
:func:`fetch_uci` and :func:`fetch_fashion_mnist` can download missing files.
"""

from ._base import get_data_home
from ._images import fetch_fashion_mnist, load_cifar10
from ._keel import KEEL_DATASETS, fetch_keel
from ._regression import REGRESSION_DATASETS, fetch_regression
from ._uci import UCI_DATASETS, fetch_uci

__all__ = [
    "KEEL_DATASETS",
    "REGRESSION_DATASETS",
    "UCI_DATASETS",
    "fetch_fashion_mnist",
    "fetch_keel",
    "fetch_regression",
    "fetch_uci",
    "get_data_home",
    "load_cifar10",
]
