"""The experiments' view of the shared data folder, read only through :mod:`skmixup.datasets`.

Every file goes through the package's loaders, which check its sha256 before
parsing it; nothing is downloaded here.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

UCI_CLASSIFICATION = ("abalone", "arrhythmia", "iris", "phishing", "htru2")


def data_dir(data_home=None) -> Path:
    """The shared data folder; ``FileNotFoundError`` when it is missing."""
    if data_home is None:
        data_home = os.environ.get("SKMIXUP_DATA") or Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
    path = Path(data_home).resolve()
    if not (path / "uci").is_dir():
        raise FileNotFoundError(
            f"No shared data folder at {path} (expected uci/ and images/ inside). Set the "
            "SKMIXUP_DATA environment variable to the folder that holds them."
        )
    return path


def load_uci(name, data_home=None, *, target="class"):
    """``(X, y)`` of a UCI dataset of the paper's table, as float64 features.

    Abalone's Sex is one-hot encoded (columns F, I, M first); arrhythmia's
    missing values stay NaN. ``target="rings"`` gives abalone's ring count as
    a float regression target.
    """
    from skmixup.datasets import fetch_uci

    if name not in UCI_CLASSIFICATION:
        raise ValueError(f"Unknown dataset {name!r}; choose from {UCI_CLASSIFICATION}.")
    bunch = fetch_uci(name, data_home=data_dir(data_home), download_if_missing=False, as_frame=True)
    df, y = bunch.data, bunch.target.to_numpy()
    if name == "abalone":
        sex = pd.get_dummies(df.iloc[:, 0]).to_numpy(float)
        X = np.hstack([sex, df.iloc[:, 1:].to_numpy(float)])
        return X, (y.astype(float) if target == "rings" else y)
    return df.to_numpy(float), y


def load_fashion_mnist(data_home=None, *, train=True):
    """``(X, y)``: uint8 images of shape (n, 28, 28) and labels 0-9."""
    from skmixup.datasets import fetch_fashion_mnist

    return fetch_fashion_mnist(data_dir(data_home), subset="train" if train else "test",
                               download_if_missing=False, return_X_y=True)
