"""Where dataset files live, and checking them: shared by every loader."""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

ENV_VAR = "SKMIXUP_DATA"


def get_data_home(data_home=None) -> Path:
    """The data root: the folder that holds (or will cache) every loader's files.

    Every loader and every study reads the same layout below it (that of the
    project's ``shared/data`` folder)::

        <data root>/uci/<name>/...               fetch_uci (abalone/abalone.data, ...)
        <data root>/keel/<name>.csv.gz           fetch_keel (imbalanced/ for that group)
        <data root>/regression/<name>.csv.gz     fetch_regression
        <data root>/images/fashion-mnist/*.gz    fetch_fashion_mnist

    Parameters
    ----------
    data_home : str or path-like, default=None
        The data root. ``None`` means the ``SKMIXUP_DATA`` environment
        variable, else ``~/skmixup_data``.

    Returns
    -------
    data_home : pathlib.Path
        The data root, with ``~`` expanded (it need not exist yet).
    """
    if data_home is None:
        data_home = os.environ.get(ENV_VAR) or Path.home() / "skmixup_data"
    return Path(data_home).expanduser()


#: The data root's layout, as the loaders' messages show it.
LAYOUT = (
    "  <data root>/uci/<name>/...               fetch_uci (e.g. uci/abalone/abalone.data)\n"
    "  <data root>/keel/<name>.csv.gz           fetch_keel (keel/imbalanced/ for that group)\n"
    "  <data root>/regression/<name>.csv.gz     fetch_regression\n"
    "  <data root>/images/fashion-mnist/*.gz    fetch_fashion_mnist"
)

_SUBFOLDERS = ("uci", "keel", "imbalanced", "regression", "images", "fashion-mnist")


def _origin(data_home):
    if data_home is not None:
        return "from data_home="
    if os.environ.get(ENV_VAR):
        return f"from ${ENV_VAR}"
    return f"the default: neither data_home= nor ${ENV_VAR} is set"


def missing_files_message(call, missing, folder, data_home, *, reason=""):
    """The message of a loader whose files are not there: what it looked for, where, the layout.

    Parameters
    ----------
    call : str
        The loader's call, e.g. ``"fetch_uci('abalone')"``.
    missing : list of str
        The file names looked for and not found.
    folder : path-like
        Where they were looked for.
    data_home : str, path-like or None
        The ``data_home`` the loader was given (``None``: the environment or the default).
    reason : str, default=""
        A last sentence: why nothing was downloaded, or how the download failed.

    Returns
    -------
    message : str
    """
    root = get_data_home(data_home)
    names = ", ".join(repr(str(m)) for m in missing)
    lines = [
        f"{call} could not find {names} in {folder}.",
        f"The data root is {root} ({_origin(data_home)}); the loaders read this layout below it:",
        LAYOUT,
    ]
    if root.name in _SUBFOLDERS:
        lines.append(
            f"{root} looks like a folder inside the data root, not the root itself: "
            f"pass its parent (data_home={str(root.parent)!r})."
        )
    lines.append(
        f"Put the files there, or pass data_home= (or set {ENV_VAR}) to the data root that "
        f"holds them, e.g. {ENV_VAR}=../shared/data."
    )
    if reason:
        lines.append(reason)
    return "\n".join(lines)


def download_failed(message, exc):
    """``FileNotFoundError(message)`` saying how the download failed; raise it ``from exc``."""
    return FileNotFoundError(
        f"{message}\nThe download failed: {type(exc).__name__}: {exc}. Put the files in "
        "place by hand (above), or retry on a machine with network access."
    )


def sha256(path) -> str:
    """Hex sha256 of a file's bytes as stored."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ChecksumError(ValueError):
    """A file does not have its recorded sha256."""


def check_sha256(path, expected: str) -> None:
    """Raise ``ValueError`` (a :class:`ChecksumError`) when ``path`` does not have the
    expected sha256."""
    actual = sha256(path)
    if actual != expected:
        raise ChecksumError(
            f"{path} has sha256 {actual}, expected {expected}: the file is corrupt or "
            "is not the original distribution file. Delete it and download it again."
        )


def check_local_file(path, expected, *, call, data_home, reason):
    """A file that is never downloaded: ``FileNotFoundError`` saying where it goes when it is
    missing (:func:`missing_files_message`), :class:`ChecksumError` when its sha256 is not
    ``expected``. ``call``, ``data_home`` and ``reason`` are for the message."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            missing_files_message(call, [path.name], path.parent, data_home, reason=reason)
        )
    check_sha256(path, expected)


def open_bytes(path):
    """Open a file for reading bytes, decompressing ``.gz`` transparently."""
    path = Path(path)
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def categorical_columns(X):
    """Names of the ``category`` columns of a DataFrame."""
    return [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]


def to_bunch(X, y, *, descr, source, return_X_y, as_frame, **extra):
    """A loader's result from a DataFrame ``X`` (categorical columns as ``category``), Series ``y``.

    ``as_frame=False`` one-hot encodes the categorical columns into a float64
    array; ``return_X_y`` returns ``(data, target)``; otherwise a ``Bunch`` with
    ``data``, ``target``, ``frame``, ``feature_names``, ``target_names``,
    ``categorical_features``, ``DESCR``, ``source`` and ``extra``.
    """
    categorical = categorical_columns(X)
    if as_frame:
        data, target, frame = X, y, pd.concat([X, y], axis=1)
        feature_names = list(X.columns)
    else:
        encoded = pd.get_dummies(X, columns=categorical, prefix_sep="_", dtype=np.float64)
        data, target, frame = encoded.to_numpy(dtype=np.float64), y.to_numpy(), None
        feature_names = list(encoded.columns)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        feature_names=feature_names,
        target_names=np.unique(y.to_numpy()),
        categorical_features=categorical,
        DESCR=descr,
        source=source,
        **extra,
    )
