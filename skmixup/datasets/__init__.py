"""Loaders for the paper's datasets, from local files or downloaded for users."""

from ._base import get_data_home
from ._uci import UCI_DATASETS, fetch_uci

__all__ = ["UCI_DATASETS", "fetch_uci", "get_data_home"]
