"""Minimal readers for the shared UCI and Fashion-MNIST files used by the experiments.

Stand-ins until :mod:`skmixup.datasets` has the full loaders: they read the
files of the shared data folder (``$SKMIXUP_DATA``, else ``../shared/data``
beside the repository) and nothing else; no download.
"""

from __future__ import annotations

import gzip
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

    Abalone's Sex is one-hot encoded; arrhythmia's missing values stay NaN.
    ``target="rings"`` gives abalone's ring count as a float regression target.
    """
    uci = data_dir(data_home) / "uci"
    if name == "abalone":
        df = pd.read_csv(uci / "abalone" / "abalone.data", header=None)
        sex = pd.get_dummies(df[0]).to_numpy(float)
        X = np.hstack([sex, df.iloc[:, 1:8].to_numpy(float)])
        y = df[8].to_numpy()
        return X, (y.astype(float) if target == "rings" else y)
    if name == "arrhythmia":
        df = pd.read_csv(uci / "arrhythmia" / "arrhythmia.data", header=None, na_values="?")
        return df.iloc[:, :-1].to_numpy(float), df.iloc[:, -1].to_numpy()
    if name == "iris":
        df = pd.read_csv(uci / "iris" / "bezdekIris.data", header=None).dropna()
        return df.iloc[:, :4].to_numpy(float), df[4].to_numpy()
    if name == "htru2":
        df = pd.read_csv(uci / "htru2" / "HTRU_2.csv.gz", header=None)
        return df.iloc[:, :8].to_numpy(float), df[8].to_numpy()
    if name == "phishing":
        from scipy.io import arff

        data, _ = arff.loadarff(uci / "phishing" / "Training Dataset.arff")
        df = pd.DataFrame(data).apply(lambda col: col.str.decode("ascii").astype(int))
        return df.drop(columns="Result").to_numpy(float), df["Result"].to_numpy()
    raise ValueError(f"Unknown dataset {name!r}; choose from {UCI_CLASSIFICATION}.")


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_fashion_mnist(data_home=None, *, train=True):
    """``(X, y)``: uint8 images of shape (n, 28, 28) and labels 0-9."""
    folder = data_dir(data_home) / "images" / "fashion-mnist"
    prefix = "train" if train else "t10k"
    X = _read_idx(folder / f"{prefix}-images-idx3-ubyte.gz")
    y = _read_idx(folder / f"{prefix}-labels-idx1-ubyte.gz")
    return X, y.astype(np.int64)
