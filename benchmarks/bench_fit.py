"""Fit time of MixupClassifier against plain skorch and a hand-written torch mixup loop.

Same data (HTRU2, 17,898 x 8, 2 classes; synthetic data of that shape when the
file is absent), same 2x128 ReLU MLP, Adam lr 1e-3, batch 16, same epochs, same
number of torch threads. Each method runs in its own subprocess (so peak memory
is its own), the methods interleaved over several rounds; the script prints the
median time of each and its ratio to the hand-written loop.

    python benchmarks/bench_fit.py [--epochs 3] [--rounds 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HTRU2 = Path(__file__).resolve().parents[2] / "shared" / "data" / "uci" / "htru2" / "HTRU_2.csv.gz"
METHODS = ["hand_loop", "hand_loop_fused_adam", "MixupClassifier", "skorch_NeuralNetClassifier"]


def load_data():
    import numpy as np

    path = Path(os.environ.get("HTRU2_PATH", HTRU2))
    if path.exists():
        import pandas as pd

        data = pd.read_csv(path, header=None).to_numpy()
        X, y = data[:, :8], data[:, 8].astype(np.int64)
        source = "HTRU2"
    else:
        rng = np.random.default_rng(0)
        X = rng.normal(size=(17898, 8))
        y = (X[:, 0] + 0.5 * rng.normal(size=17898) > 1.2).astype(np.int64)
        source = "synthetic (HTRU2 file not found)"
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    return X, y, source


def mlp():
    from torch import nn

    return nn.Sequential(
        nn.Linear(8, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2)
    )


def hand_loop(X, y, epochs, fused):
    """The loop a user writes by hand: one lambda and one permutation per batch (the paper)."""
    import numpy as np
    import torch
    import torch.nn.functional as F

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    model = mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=fused or None)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    n = len(X)
    for _ in range(epochs):
        order = torch.randperm(n)
        for start in range(0, n, 16):
            idx = order[start : start + 16]
            xb, yb = X[idx], y[idx]
            lam = float(rng.beta(0.4, 0.4))
            perm = torch.randperm(len(xb))
            out = model(lam * xb + (1 - lam) * xb[perm])
            loss = lam * F.cross_entropy(out, yb) + (1 - lam) * F.cross_entropy(out, yb[perm])
            opt.zero_grad()
            loss.backward()
            opt.step()


def run_one(method, epochs):
    X, y, _ = load_data()
    if method == "MixupClassifier":
        from skmixup import MixupClassifier

        clf = MixupClassifier(
            alpha=0.4,
            hidden_layer_sizes=(128, 128),
            max_epochs=epochs,
            batch_size=16,
            lr=1e-3,
            early_stopping=False,
            device="cpu",
            random_state=0,
        )
        start = time.perf_counter()
        clf.fit(X, y)
    elif method == "skorch_NeuralNetClassifier":
        import torch
        from skorch import NeuralNetClassifier

        torch.manual_seed(0)
        net = NeuralNetClassifier(
            mlp,
            criterion=torch.nn.CrossEntropyLoss,
            optimizer=torch.optim.Adam,
            lr=1e-3,
            max_epochs=epochs,
            batch_size=16,
            train_split=None,
            iterator_train__shuffle=True,
            device="cpu",
            verbose=0,
        )
        start = time.perf_counter()
        net.fit(X, y)
    else:
        start = time.perf_counter()
        hand_loop(X, y, epochs, fused=method.endswith("fused_adam"))
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"method": method, "seconds": seconds, "peak_rss_mib": peak_mib}))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        import torch

        torch.set_num_threads(args.threads)
        run_one(args.one, args.epochs)
        return
    _, _, source = load_data()
    print(
        f"data: {source}; 2x128 ReLU MLP, batch 16, {args.epochs} epochs, "
        f"{args.threads} torch threads, {args.rounds} interleaved rounds"
    )
    times = {m: [] for m in METHODS}
    peaks = {m: 0.0 for m in METHODS}
    for _ in range(args.rounds):
        for method in METHODS:
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--one",
                    method,
                    "--epochs",
                    str(args.epochs),
                    "--threads",
                    str(args.threads),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            record = json.loads(out.stdout.strip().splitlines()[-1])
            times[method].append(record["seconds"])
            peaks[method] = max(peaks[method], record["peak_rss_mib"])
    base = statistics.median(times["hand_loop"])
    print(f"{'method':<28} {'median s':>9} {'s/epoch':>8} {'x hand loop':>12} {'peak RSS MiB':>13}")
    for method in METHODS:
        med = statistics.median(times[method])
        print(
            f"{method:<28} {med:9.2f} {med / args.epochs:8.3f} {med / base:12.2f} "
            f"{peaks[method]:13.0f}"
        )


if __name__ == "__main__":
    main()
