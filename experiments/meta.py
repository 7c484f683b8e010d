"""MixupEstimator on the UCI datasets: scikit-learn classifiers with and without mixup.

Each classifier is fitted as ``SimpleImputer -> MixupEstimator(StandardScaler
-> classifier)`` (mixup happens on imputed, raw features; the scaler is fitted
on the mixed rows) and as the same pipeline without ``MixupEstimator``, on 3
to 5 random 80/20 splits. Run::

    python -m experiments meta --out meta-results

Data are read from ``--data-home`` (default ``$SKMIXUP_DATA``); results go to
``uci.csv`` (resumable) and ``uci_table.rst`` in ``--out`` (the results page
was made with ``--out docs/results/meta``). The log-loss is over the test rows
whose class occurs in the training split.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import log_loss
from sklearn.model_selection import ShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmixup import MixupEstimator
from skmixup.datasets import fetch_uci

from ._report import rst_table
from ._resume import run_settings, start_or_resume

DATASETS = ("abalone", "arrhythmia", "htru2", "iris", "phishing")
SETTINGS = {"without mixup": None, "mixup alpha=0.4": 0.4, "mixup alpha=1.0": 1.0}
# Random 80/20 splits per dataset; gradient boosting on arrhythmia (13 classes,
# 279 features) and on the larger tables is the costly part.
N_SPLITS = {"abalone": 5, "arrhythmia": 3, "htru2": 3, "iris": 5, "phishing": 3}
FIELDS = ["dataset", "estimator", "setting", "split", "test_error", "log_loss", "seconds"]


def _estimators():
    return {
        "LogisticRegression": LogisticRegression(max_iter=2000),
        "SGDClassifier(log_loss)": SGDClassifier(loss="log_loss", random_state=0),
        # early_stopping off: "auto" would switch it on for the doubled mixup rows only
        "HistGradientBoosting": HistGradientBoostingClassifier(
            early_stopping=False, random_state=0
        ),
    }


def _model(estimator, alpha, seed):
    inner = make_pipeline(StandardScaler(), estimator)
    if alpha is not None:
        inner = MixupEstimator(inner, alpha=alpha, random_state=seed)
    return make_pipeline(SimpleImputer(), inner)


def run(out, *, data_home=None, fresh=False):
    """Fit every estimator with and without mixup on each dataset's splits, appending to ``out``.

    Parameters
    ----------
    out : path-like
        CSV file of the records; the fits it already holds are skipped.
    data_home : path-like, default=None
        The data root (see :func:`skmixup.datasets.get_data_home`).
    fresh : bool, default=False
        Discard the records in ``out`` first. Otherwise records made with other
        settings (data, models, skmixup version) raise
        :class:`~experiments._resume.ResumeError`.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = {}  # every dataset is read before the first fit
    for name in DATASETS:
        bunch = fetch_uci(name, data_home=data_home, download_if_missing=False)
        data[name] = bunch.data, bunch.target, bunch.source
    models = {
        f"{est_name}, {setting}": _model(clone(estimator), alpha, 0)
        for est_name, estimator in _estimators().items()
        for setting, alpha in SETTINGS.items()
    }
    settings = run_settings(
        {"job": "meta", "n_splits": N_SPLITS},
        data_home=data_home,
        sources={name: source for name, (_, _, source) in data.items()},
        models=models,
    )
    start_or_resume(out, settings, fresh=fresh)
    done = set()
    if out.exists():
        with open(out) as f:
            done = {
                (r["dataset"], r["estimator"], r["setting"], r["split"]) for r in csv.DictReader(f)
            }
    new = not out.exists()
    with open(out, "a", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        if new:
            writer.writeheader()
        for name, (X, y, _) in data.items():
            for split, (train, test) in enumerate(
                ShuffleSplit(N_SPLITS[name], test_size=0.2, random_state=0).split(X)
            ):
                for est_name, estimator in _estimators().items():
                    for setting, alpha in SETTINGS.items():
                        if (name, est_name, setting, str(split)) in done:
                            continue
                        model = _model(clone(estimator), alpha, split)
                        start = time.perf_counter()
                        model.fit(X[train], y[train])
                        seconds = time.perf_counter() - start
                        error = 100 * (1 - model.score(X[test], y[test]))
                        proba = model.predict_proba(X[test])
                        # log-loss over the test rows whose class the training split has
                        # (abalone has classes with a single example)
                        seen = np.isin(y[test], model.classes_)
                        loss = log_loss(y[test][seen], proba[seen], labels=model.classes_)
                        writer.writerow(
                            dict(
                                dataset=name,
                                estimator=est_name,
                                setting=setting,
                                split=split,
                                test_error=f"{error:.2f}",
                                log_loss=f"{loss:.4f}",
                                seconds=f"{seconds:.2f}",
                            )
                        )
                        f.flush()
                        print(
                            f"{name} {split} {est_name} {setting}: {error:.2f}% "
                            f"log-loss {loss:.3f}",
                            flush=True,
                        )


def table(path):
    """rst grid table: rows estimator x setting, columns datasets, mean error % (mean log-loss)."""
    df = pd.read_csv(path)
    stats = df.groupby(["estimator", "setting", "dataset"])[["test_error", "log_loss"]].mean()
    datasets = list(dict.fromkeys(df["dataset"]))
    rows = []
    for est in dict.fromkeys(df["estimator"]):
        for setting in SETTINGS:
            cells = [est, setting]
            for name in datasets:
                s = stats.loc[(est, setting, name)]
                cells.append(f"{s['test_error']:.1f} ({s['log_loss']:.3f})")
            rows.append(cells)
    return rst_table(["estimator", "setting"] + datasets, rows)


def main(args):
    """Run the study into ``args.out`` (resuming) and write and print its table."""
    out = Path(args.out)
    run(out / "uci.csv", data_home=args.data_home, fresh=getattr(args, "fresh", False))
    text = table(out / "uci.csv")
    (out / "uci_table.rst").write_text(text)
    print(text)
