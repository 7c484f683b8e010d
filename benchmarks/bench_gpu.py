"""Fit throughput of MixupClassifier: CPU vs GPU, float32 vs bf16, with and without torch.compile.

Htru2 (17,898 x 8, the built-in MLP) and Fashion-MNIST (60,000 28x28 images, the
built-in SmallCNN). Each configuration is timed as the difference between a fit
of ``1 + epochs`` epochs and a second fit of 1 epoch, so the figure is the
steady-state cost of an epoch, without start-up or compilation (the first
1-epoch fit's time is printed too: it holds the compilation). The CPU runs use a subset of
Fashion-MNIST (``--cpu-rows``); every figure is also given per sample.

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_gpu.py --data DIR

where DIR holds ``HTRU_2.csv.gz`` and the four Fashion-MNIST ``.gz`` files
(default: ../shared/data's copies).
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

from skmixup import MixupClassifier

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def find(data, *names):
    for name in names:
        for path in (
            Path(data) / name,
            SHARED / "uci" / "htru2" / name,
            SHARED / "images" / "fashion-mnist" / name,
        ):
            if path.exists():
                return path
    raise FileNotFoundError(f"none of {names} under {data} or {SHARED}")


def load_htru2(data):
    with gzip.open(find(data, "HTRU_2.csv.gz")) as f:
        d = pd.read_csv(f, header=None).to_numpy()
    X = d[:, :8]
    return ((X - X.mean(0)) / X.std(0)).astype(np.float32), d[:, 8].astype(int)


def load_fashion(data):
    with gzip.open(find(data, "train-images-idx3-ubyte.gz")) as f:
        X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(find(data, "train-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    return (X / np.float32(255)).astype(np.float32), y.astype(int)


def timed_fit(X, y, epochs, **params):
    def fit(n):
        start = time.perf_counter()
        clf = MixupClassifier(max_epochs=n, random_state=0, **params).fit(X, y)
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        return time.perf_counter() - start, clf

    first, _ = fit(1)  # pays the compilation, if any
    base, _ = fit(1)  # compiled code is cached by now
    total, clf = fit(1 + epochs)
    return first, (total - base) / epochs, clf


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=".")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--cpu-rows", type=int, default=6000)
    parser.add_argument("--datasets", nargs="+", default=["htru2", "fashion-mnist"])
    parser.add_argument("--no-cpu", action="store_true")
    args = parser.parse_args()
    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else "no GPU"
    print(
        f"torch {torch.__version__}; {gpu}; CPU: {torch.get_num_threads()} threads "
        f"of {os.cpu_count()} cores; {args.epochs} timed epochs per configuration"
    )
    configs = [
        ("cpu", None, False),
        ("cuda", None, False),
        ("cuda", "bf16", False),
        ("cuda", None, True),
        ("cuda", "bf16", True),
    ]
    if args.no_cpu:
        configs = configs[1:]
    if not torch.cuda.is_available():
        configs = configs[:1]
    data = {
        name: load_htru2(args.data) if name == "htru2" else load_fashion(args.data)
        for name in args.datasets
    }
    # Compiled configurations last: each pays a compilation.
    for compiled in (False, True):
        for name, (X, y) in data.items():
            for batch_size in [16, 256] if name == "htru2" else [128]:
                for device, precision, compile_ in configs:
                    if compile_ != compiled:
                        continue
                    Xs, ys = X, y
                    if device == "cpu" and len(X) > args.cpu_rows and X.ndim == 4:
                        Xs, ys = X[: args.cpu_rows], y[: args.cpu_rows]
                    first, per_epoch, clf = timed_fit(
                        Xs,
                        ys,
                        args.epochs,
                        device=device,
                        precision=precision,
                        compile=compile_,
                        batch_size=batch_size,
                    )
                    us = per_epoch / len(Xs) * 1e6
                    label = (
                        f"{device}{'' if precision is None else ' ' + precision}"
                        f"{' compile' if compile_ else ''}"
                    )
                    print(
                        f"{name:13s} batch {batch_size:4d} {label:18s} rows {len(Xs):6d}: "
                        f"{per_epoch:7.2f} s/epoch, {us:7.2f} us/sample; 1-epoch fit "
                        f"{first:6.1f} s; train acc {clf.score(Xs[:5000], ys[:5000]):.3f}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
