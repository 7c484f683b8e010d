"""MixupRegressor against ERM and scikit-learn's MLPRegressor on real regression data.

Datasets: diabetes (442 rows, shipped with scikit-learn) and abalone's ring
count (4177 rows, the shared UCI file, as a regression target). 5 random 80/20
splits; features standardised; every network is a 128 x 128 ReLU MLP trained
with Adam (lr 1e-3, batch 32) and early stopping (10% held out, patience 10,
at most 100 epochs). Run::

    python -m experiments regression --out regression-results

Data are read from ``--data-home`` (default ``$SKMIXUP_DATA``); results go to
``results.csv`` (resumable) and ``table.rst`` in ``--out`` (the results page
was made with ``--out docs/results/regression``).
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.model_selection import ShuffleSplit
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmixup import MixupRegressor
from skmixup.datasets import fetch_uci

from ._report import rst_table
from ._resume import run_settings, start_or_resume

FIELDS = ["dataset", "model", "split", "r2", "rmse", "seconds"]
N_SPLITS = 5
NET = {
    "hidden_layer_sizes": (128, 128),
    "batch_size": 32,
    "lr": 1e-3,
    "max_epochs": 100,
    "early_stopping": True,
    "validation_fraction": 0.1,
    "n_iter_no_change": 10,
    "device": "cpu",
}


def _datasets(data_home):
    """Name -> (X, y, source) of each dataset."""
    abalone = fetch_uci("abalone", data_home=data_home, download_if_missing=False)
    return {
        "diabetes": (*load_diabetes(return_X_y=True), "sklearn.datasets.load_diabetes"),
        "abalone (rings)": (abalone.data, abalone.target.astype(np.float64), abalone.source),
    }


def _models(seed):
    mlp = MLPRegressor(
        hidden_layer_sizes=(128, 128),
        batch_size=32,
        learning_rate_init=1e-3,
        max_iter=100,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=seed,
    )
    return {
        "RidgeCV (linear reference)": RidgeCV(),
        "MLPRegressor": mlp,
        "MLPRegressor, standardised targets": TransformedTargetRegressor(
            mlp, transformer=StandardScaler()
        ),
        "MixupRegressor alpha=0 (ERM)": MixupRegressor(alpha=0, random_state=seed, **NET),
        "MixupRegressor alpha=0.4 (mixup)": MixupRegressor(alpha=0.4, random_state=seed, **NET),
        "MixupRegressor alpha=0.4, C-Mixup partners": MixupRegressor(
            alpha=0.4, partners="label_kernel", kernel_bandwidth=0.5, random_state=seed, **NET
        ),
    }


def run(out, *, data_home=None, fresh=False):
    """Fit every model on each dataset's splits, appending to ``out``.

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
    datasets = _datasets(data_home)  # missing files fail before any fit
    out.parent.mkdir(parents=True, exist_ok=True)
    settings = run_settings(
        {"job": "regression", "n_splits": N_SPLITS},
        data_home=data_home,
        sources={name: source for name, (_, _, source) in datasets.items()},
        models=_models(0),
    )
    start_or_resume(out, settings, fresh=fresh)
    done = set()
    if out.exists():
        with open(out) as f:
            done = {(r["dataset"], r["model"], r["split"]) for r in csv.DictReader(f)}
    new = not out.exists()
    with open(out, "a", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        if new:
            writer.writeheader()
        for name, (X, y, _) in datasets.items():
            for split, (train, test) in enumerate(
                ShuffleSplit(N_SPLITS, test_size=0.2, random_state=0).split(X)
            ):
                for model_name, model in _models(split).items():
                    if (name, model_name, str(split)) in done:
                        continue
                    pipe = make_pipeline(StandardScaler(), model)
                    start = time.perf_counter()
                    pipe.fit(X[train], y[train])
                    seconds = time.perf_counter() - start
                    pred = pipe.predict(X[test])
                    r2 = r2_score(y[test], pred)
                    rmse = float(np.sqrt(mean_squared_error(y[test], pred)))
                    writer.writerow(
                        dict(
                            dataset=name,
                            model=model_name,
                            split=split,
                            r2=f"{r2:.4f}",
                            rmse=f"{rmse:.4f}",
                            seconds=f"{seconds:.2f}",
                        )
                    )
                    f.flush()
                    print(
                        f"{name} {split} {model_name}: R2 {r2:.3f} RMSE {rmse:.3f} "
                        f"({seconds:.1f} s)",
                        flush=True,
                    )


def table(path):
    """rst grid table: rows models, columns datasets, mean (std) test R^2 and mean RMSE."""
    df = pd.read_csv(path)
    stats = df.groupby(["model", "dataset"]).agg(
        r2=("r2", "mean"), r2_std=("r2", "std"), rmse=("rmse", "mean")
    )
    datasets = list(dict.fromkeys(df["dataset"]))
    rows = []
    for model in dict.fromkeys(df["model"]):
        cells = [model]
        for name in datasets:
            s = stats.loc[(model, name)]
            cells.append(f"{s['r2']:.3f} ({s['r2_std']:.3f}); RMSE {s['rmse']:.2f}")
        rows.append(cells)
    return rst_table(["model"] + [f"{d}: R2 (std); RMSE" for d in datasets], rows)


def main(args):
    """Run the study into ``args.out`` (resuming) and write and print its table."""
    torch.set_num_threads(1)
    out = Path(args.out)
    run(out / "results.csv", data_home=args.data_home, fresh=getattr(args, "fresh", False))
    text = table(out / "results.csv")
    (out / "table.rst").write_text(text)
    print(text)
