"""Fit time of the default MixupClassifier MLP vs number of rows and vs number of features.

Synthetic data (``make_classification``, 2 classes), the estimator's defaults
((128, 128) MLP, batch 32, Adam) and few epochs (``--epochs``, default 1: a
million rows is about 31,000 steps per epoch on a CPU). Prints the time of one
fit, the time per epoch and the cost per sample per epoch (microseconds).
The per-epoch time is a fit's wall time divided by its epochs, start-up
included (small data shows it as a higher cost per sample).

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_scaling.py --device cpu --max-rows 1000000
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch
from sklearn.datasets import make_classification

from skmixup import MixupClassifier


def fit_time(n_rows, n_features, epochs, device):
    X, y = make_classification(
        n_samples=n_rows,
        n_features=n_features,
        n_informative=min(n_features, 8),
        n_redundant=0,
        random_state=0,
    )
    X = X.astype(np.float32)
    start = time.perf_counter()
    MixupClassifier(max_epochs=epochs, device=device, random_state=0).fit(X, y)
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def report(label, n_rows, seconds, epochs):
    per_epoch = seconds / epochs
    print(
        f"{label:24s} fit {seconds:8.2f} s  {per_epoch:8.2f} s/epoch  "
        f"{per_epoch / n_rows * 1e6:7.2f} us/sample/epoch",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-rows", type=int, default=1_000_000)
    parser.add_argument("--feature-rows", type=int, default=10_000)
    args = parser.parse_args()
    print(
        f"torch {torch.__version__}, device {args.device}, {torch.get_num_threads()} threads, "
        f"{os.cpu_count()} cores; default MLP (128, 128), batch 32, {args.epochs} epoch(s)"
    )
    fit_time(1000, 8, 1, args.device)  # warm-up (imports, first kernels)
    print("-- rows (8 features)")
    for n_rows in (1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000):
        if n_rows <= args.max_rows:
            report(
                f"{n_rows:>9,d} rows",
                n_rows,
                fit_time(n_rows, 8, args.epochs, args.device),
                args.epochs,
            )
    print(f"-- features ({args.feature_rows:,d} rows)")
    for n_features in (8, 32, 128, 512, 2048):
        report(
            f"{n_features:>9d} features",
            args.feature_rows,
            fit_time(args.feature_rows, n_features, args.epochs, args.device),
            args.epochs,
        )


if __name__ == "__main__":
    main()
