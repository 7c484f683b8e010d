"""Loaders for the paper's datasets, from local files or downloaded for users."""

from ._base import get_data_home

__all__ = ["get_data_home"]
