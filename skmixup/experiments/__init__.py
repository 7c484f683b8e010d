"""Experiments that reproduce the paper's studies; run as ``python -m skmixup.experiments.<name>``."""
