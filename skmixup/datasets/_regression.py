"""The regression suite: 20 real regression tables from R packages, for MixupRegressor.

:func:`fetch_regression` reads one table from a local folder laid out as the
project's ``shared/data/regression`` (``<name>.csv.gz``), checks its sha256
against the hash recorded here (copied from that folder's ``SHA256SUMS``)
before parsing, and returns a scikit-learn ``Bunch``. Each file is a
gzip-compressed CSV with a header row; its last column, ``target``, is the
value to predict (log-transformed where the table's description says so);
empty fields are missing values; text columns are categorical. The file is
only parsed as text: nothing in it is run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._base import categorical_columns, check_local_file, get_data_home, open_bytes, to_bunch

__all__ = ["REGRESSION_DATASETS", "fetch_regression"]

#: name -> (source, what the target is, sha256 of ``<name>.csv.gz``).
REGRESSION_DATASETS: dict[str, tuple[str, str, str]] = {
    "ais": (
        "R package DAAG, ais",
        "lbm: lean body mass of athletes",
        "4ebbe6f44e354713b3e25bfeb0f8bd519542160c93c5cd4e860e4310c06a9638",
    ),
    "attend": (
        "R package wooldridge, attend",
        "final: final exam score",
        "a6962d0e8c59ffeb1009f81661cfc50c338e8b251e33b2d23143a56ba3284b72",
    ),
    "babies": (
        "R package openintro, babies",
        "bwt: birth weight",
        "9da7f022da0ebdf38c7f2a91663be3f45e3c8b72a04646640d9f94c7e2e52802",
    ),
    "bdims": (
        "R package openintro, bdims",
        "wgt: body weight from body dimensions",
        "ee0dc5299c6d490a9d73ef19ff7c679108436e052e5f4fddf3104da1bbdb1267",
    ),
    "bwght": (
        "R package wooldridge, bwght",
        "bwght: birth weight (oz)",
        "7bcaffa7e0bf4ec080bd89553f86db7b2ec087082d0b2a49ead1e7719606f799",
    ),
    "card": (
        "R package wooldridge, card",
        "lwage: log wage",
        "757488bbd8703a6eed40358d1327fd79d57d88eb805c9d8ba600c0cc5bce676c",
    ),
    "caschool": (
        "R package Ecdat, Caschool",
        "testscr: district test score",
        "ce56703c6b3a57779442197dc1d654ed09985ec18da718eec012b0a2a903d9a1",
    ),
    "cigar": (
        "R package Ecdat, Cigar",
        "sales: cigarette sales per capita",
        "40898a65020d1e3c23a5eb460064691c701175147261d34a3a98d9327e504e1b",
    ),
    "computers": (
        "R package Ecdat, Computers",
        "log price: log price of a PC",
        "41f1baba148dabc140268840b2a7c4d484742f696085c88a53138f3c1d619930",
    ),
    "diamonds": (
        "R package ggplot2, diamonds",
        "log price: log diamond price",
        "d02d57fe20af3b02a8c0bc27fc1a89250140ae4d717c106569f91c05805adec8",
    ),
    "evals": (
        "R package openintro, evals",
        "score: teaching evaluation score",
        "ed63d203d20c8a7799cd0a9f5b7e34072e2a6a8d4042c103a7ae2f7a56088b82",
    ),
    "galton": (
        "R package HistData, Galton",
        "child: child height from mid-parent height",
        "a519809280a582b910e39b75d5d74838ecf5b2fed17287db7618e4b0f890fc30",
    ),
    "k401k": (
        "R package wooldridge, k401k",
        "prate: 401k participation rate",
        "638011d389cab9b61ec7d2ef6dffc9a2213d83f6ddae0de90b331ad7801f8c4a",
    ),
    "meap93": (
        "R package wooldridge, meap93",
        "math10: share passing a maths test",
        "9c3887e0e0d63b95bab81102ef1beafa04375dce3c41beddda2dbcebf539b381",
    ),
    "mpg": (
        "R package ggplot2, mpg",
        "hwy: highway miles per gallon",
        "4c4a11e4c612dd46f0ba0728258f9d789b72088c0cd1fe9194637a71b8922f25",
    ),
    "ncbirths": (
        "R package openintro, ncbirths",
        "weight: birth weight (lb)",
        "c768db0658382441c8d77286eb224b524e47d147b5bb4aa75d554a3ce6ea5ba3",
    ),
    "saratoga": (
        "R package mosaicData, SaratogaHouses",
        "log price: log house price",
        "b134a541d2c0880a03c6f93ca311bbe094d30584a5872cab60ce04e05b6faffe",
    ),
    "sleep75": (
        "R package wooldridge, sleep75",
        "sleep: minutes of sleep a week",
        "18312d2cdc9ba700001181266773ec4cbcc585ef85e02849bf5aaf99dd0c4ae9",
    ),
    "smoke": (
        "R package wooldridge, smoke",
        "cigs: cigarettes a day",
        "16677c239cca89170c678d3ba36fb167b2a348ddd60d134ecfd3a3e70409b536",
    ),
    "wages1": (
        "R package Ecdat, Wages1",
        "log wage: log hourly wage",
        "db2780beb49a3c4732e57befe590ee0441e8ceea70e31ab07f373de0e66f3f26",
    ),
}


def regression_path(name, data_home=None) -> Path:
    """Where :func:`fetch_regression` looks for table ``name``'s file.

    ``<data_home>/regression/<name>.csv.gz``, with ``data_home`` the data root
    (see :func:`~skmixup.datasets.get_data_home`).
    """
    _spec(name)
    return get_data_home(data_home) / "regression" / (name + ".csv.gz")


def _spec(name):
    if not isinstance(name, str):
        raise TypeError(
            f"name must be a str, one of {sorted(REGRESSION_DATASETS)}; got {type(name).__name__}."
        )
    if name not in REGRESSION_DATASETS:
        raise ValueError(
            f"Unknown regression dataset {name!r}; choose one of {sorted(REGRESSION_DATASETS)}."
        )
    return REGRESSION_DATASETS[name]


def _parse(path):
    """Features (numbers as float64, text as categories) and the float64 target of one file."""
    with open_bytes(path) as f:
        frame = pd.read_csv(f, dtype=str, keep_default_na=False)
    if frame.columns[-1] != "target":
        raise ValueError(
            f"{path}: the last column must be 'target'; got {frame.columns[-1]!r}. The file is "
            "not a table of the regression suite."
        )
    frame = frame.apply(lambda column: column.str.strip())
    missing = frame == ""
    y = pd.to_numeric(frame["target"].where(~missing["target"]), errors="coerce")
    if y.isna().any():
        raise ValueError(
            f"{path}: {int(y.isna().sum())} values of 'target' are missing or not numbers."
        )
    X = frame.iloc[:, :-1].copy()
    for column in X.columns:
        present = X[column].where(~missing[column])  # empty fields are missing values
        numbers = pd.to_numeric(present, errors="coerce")
        if numbers.notna().sum() == present.notna().sum():
            X[column] = numbers.astype(np.float64)
        else:  # a text column: categorical, its categories sorted, missing fields NaN
            X[column] = pd.Categorical(present)
    return X, y.astype(np.float64).rename("target")


def fetch_regression(name, *, data_home=None, return_X_y=False, as_frame=False):
    """Load one table of the regression suite (20 real tables from R packages).

    The suite is the one on which :class:`~skmixup.MixupRegressor`'s defaults
    are chosen and checked; see :data:`REGRESSION_DATASETS` for each table's
    source and target. The file's sha256 is checked before it is parsed.

    Parameters
    ----------
    name : str
        A key of :data:`REGRESSION_DATASETS`, e.g. ``"diamonds"`` or ``"galton"``.
    data_home : str or path-like, default=None
        The data root holding ``regression/``. ``None`` means the
        ``SKMIXUP_DATA`` environment variable, else ``~/skmixup_data``.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return a DataFrame (text columns as ``category``, missing values NaN)
        and a Series. When false, ``data`` is a float64 array with text
        columns one-hot encoded (a missing text value: all its columns 0) and
        missing numbers NaN.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``data``, ``target`` (float64), ``frame``, ``feature_names``,
        ``target_names`` (``["target"]``), ``categorical_features``,
        ``DESCR`` and ``source`` (the file read).
    (data, target) : tuple
        When ``return_X_y=True``.

    Raises
    ------
    ValueError
        When ``name`` is unknown (the message lists the valid names), or the
        file's sha256 differs from the recorded one (the message names the
        file and both hashes).
    TypeError
        When ``name`` is not a string.
    FileNotFoundError
        When the file is not there; the message says where to put it.

    Examples
    --------
    >>> from skmixup.datasets import fetch_regression
    >>> X, y = fetch_regression("galton", return_X_y=True)  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (928, 1)
    """
    source, target, expected = _spec(name)
    path = regression_path(name, data_home)
    check_local_file(
        path,
        expected,
        call=f"fetch_regression({name!r})",
        data_home=data_home,
        reason="The files are the project's shared/data/regression/*.csv.gz (see its "
        "MANIFEST.md); fetch_regression downloads nothing.",
    )
    X, y = _parse(path)
    descr = (
        f"{name} ({source}): {X.shape[0]} samples, {X.shape[1]} features "
        f"({len(categorical_columns(X))} text); target {target}. See the package's own "
        "documentation for the data's sources and license."
    )
    bunch = to_bunch(X, y, descr=descr, source=str(path), return_X_y=return_X_y, as_frame=as_frame)
    if not return_X_y:
        bunch.target_names = np.array(["target"])
    return bunch
