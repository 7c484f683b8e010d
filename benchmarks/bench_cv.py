"""MixupClassifierCV (one batched ensemble) vs GridSearchCV over MixupClassifier.

Both search the same alphas on the same folds, with the same ``n_jobs`` (for
MixupClassifierCV: its networks split over that many processes) and the same
estimator settings (the paper's UCI protocol: Adam, lr 1e-3, minibatch 16, a
(128, 128) MLP; fewer epochs than its 10 by default, to keep the sequential
search short on a 2-core machine: the ratio is per epoch and does not depend
on it). Prints wall
times, the ratios and the mean test scores of both, which agree up to
floating-point rounding.

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_cv.py --datasets htru2 phishing --epochs 2
"""

from __future__ import annotations

import argparse
import gzip
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler

from skmixup import MixupClassifier, MixupClassifierCV

DATA = Path(os.environ.get("SKMIXUP_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def load(name):
    """A small reader of the shared UCI copies (skmixup.datasets.fetch_uci when present)."""
    try:
        from skmixup.datasets import fetch_uci

        X, y = fetch_uci(name, data_home=DATA, return_X_y=True)
        return np.asarray(X, dtype=np.float64), np.asarray(y)
    except (ImportError, TypeError):
        pass
    root = DATA / "uci" / name
    if name == "htru2":
        with gzip.open(root / "HTRU_2.csv.gz") as f:
            d = pd.read_csv(f, header=None).to_numpy()
        return d[:, :8], d[:, 8].astype(int)
    if name == "phishing":
        from scipy.io import arff

        d = pd.DataFrame(arff.loadarff(root / "Training Dataset.arff")[0])
        d = d.apply(lambda c: c.str.decode("ascii").astype(int))
        return d.drop(columns="Result").to_numpy(float), d["Result"].to_numpy()
    if name == "abalone":
        d = pd.read_csv(root / "abalone.data", header=None)
        X = pd.get_dummies(d.iloc[:, :8], columns=[0], dtype=float).to_numpy()
        return X, d.iloc[:, 8].to_numpy()
    if name == "iris":
        d = pd.read_csv(root / "bezdekIris.data", header=None).dropna()
        return d.iloc[:, :4].to_numpy(float), d.iloc[:, 4].to_numpy()
    raise ValueError(f"unknown dataset {name!r}; use htru2, phishing, abalone or iris")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["htru2", "phishing", "abalone", "iris"])
    parser.add_argument("--alphas", nargs="+", type=float, default=[0.0, 0.1, 0.2, 0.4, 1.0])
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--n-jobs", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    params = dict(max_epochs=args.epochs, batch_size=args.batch_size, lr=1e-3,
                  device=args.device, random_state=0)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} cores; "
        f"{len(args.alphas)} alphas x {args.cv} folds, {args.epochs} epochs, "
        f"batch {args.batch_size}, "
        f"device {args.device}"
    )
    for name in args.datasets:
        X, y = load(name)
        X = StandardScaler().fit_transform(X).astype(np.float32)
        folds = list(StratifiedKFold(args.cv, shuffle=True, random_state=0).split(X, y))
        line = f"{name:9s} {X.shape[0]:6d}x{X.shape[1]:<4d}"
        for n_jobs in args.n_jobs:
            start = time.perf_counter()
            cv = MixupClassifierCV(args.alphas, cv=folds, refit=False, n_jobs=n_jobs,
                                   **params).fit(X, y)
            t_cv = time.perf_counter() - start
            start = time.perf_counter()
            grid = GridSearchCV(MixupClassifier(**params), {"alpha": args.alphas}, cv=folds,
                                n_jobs=n_jobs, refit=False).fit(X, y)
            t_grid = time.perf_counter() - start
            gap = np.abs(grid.cv_results_["mean_test_score"] - cv.cv_results_["mean_test_score"])
            line += (f" | n_jobs={n_jobs}: MixupClassifierCV {t_cv:6.1f}s GridSearchCV "
                     f"{t_grid:6.1f}s ratio {t_grid / t_cv:5.1f}x, max|score gap| "
                     f"{gap.max():.4f}, same alpha: {grid.best_params_['alpha'] == cv.alpha_}")
        print(line, flush=True)


if __name__ == "__main__":
    main()
