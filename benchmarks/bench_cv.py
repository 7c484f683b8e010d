"""MixupClassifierCV() against GridSearchCV(MixupClassifier()) and against one fit.

Default settings everywhere (``MixupClassifier()``: 100 epochs, cosine lr, batch
"auto", no early stopping), 5 alphas x 5 stratified folds, refit included on
both sides. For each dataset and ``n_jobs`` it prints the wall time of
``MixupClassifierCV(n_jobs=k)`` and of ``GridSearchCV(..., n_jobs=k)``, their
ratio, the alphas each chose, the largest gap between their mean split scores,
and each run's peak memory (the resident set of the process and of its
workers); then the time of one default ``MixupClassifier`` fit on all the data
and the ratio of the whole search to it. Every measurement runs in a fresh
process with one torch thread per process (``OMP_NUM_THREADS=1``).

Run from the repository root (the data root holds ``uci/`` and ``keel/``)::

    python benchmarks/bench_cv.py --data-home ../shared/data
    python benchmarks/bench_cv.py --data-home ../shared/data --datasets phoneme --n-jobs 1
    python benchmarks/bench_cv.py --data-home ../shared/data --recipe paper
    python benchmarks/bench_cv.py --data-home ../shared/data --device cuda --n-jobs 1
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

ALPHAS = [0.0, 0.1, 0.2, 0.4, 1.0]
# --recipe paper: the paper's UCI settings (Adam, lr 1e-3, batch 16, a 128x128 MLP) with 2
# epochs instead of 10: small steps, where a fit's time is mostly per-step overhead.
RECIPES = {
    "default": {},
    "paper": dict(
        batch_size=16, hidden_layer_sizes=(128, 128), lr=1e-3, lr_schedule="constant", max_epochs=2
    ),
}
UCI = ["abalone", "phishing", "htru2"]
KEEL = ["contraceptive", "phoneme", "optdigits"]


def load(name, data_home):
    """Standardised float32 features (text columns one-hot) and labels."""
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    from skmixup.datasets import fetch_keel, fetch_uci

    if name in UCI:
        X, y = fetch_uci(
            name, data_home=data_home, as_frame=True, return_X_y=True, download_if_missing=False
        )
    else:
        X, y = fetch_keel(name, data_home=data_home, as_frame=True, return_X_y=True)
    X = pd.get_dummies(X, dtype=float).to_numpy(dtype=np.float64)
    return StandardScaler().fit_transform(X).astype(np.float32), np.asarray(y)


def measure(kind, name, n_jobs, data_home, recipe="default", device="cpu"):
    """One measurement, in this process: seconds, chosen alpha and split scores."""
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from skmixup import MixupClassifier, MixupClassifierCV

    X, y = load(name, data_home)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
    base = MixupClassifier(random_state=0, device=device, **RECIPES[recipe])
    start = time.perf_counter()
    if kind == "one":
        base.fit(X, y)
        result = {}
    else:
        if kind == "cv":
            search = MixupClassifierCV(base, alphas=ALPHAS, cv=folds, n_jobs=n_jobs).fit(X, y)
            alpha = search.alpha_
        else:
            search = GridSearchCV(base, {"alpha": ALPHAS}, cv=folds, n_jobs=n_jobs).fit(X, y)
            alpha = search.best_params_["alpha"]
        result = {"alpha": alpha, "scores": search.cv_results_["mean_test_score"].tolist()}
    seconds = time.perf_counter() - start
    peak = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    ) / 1024
    return {"seconds": seconds, "peak_mib": peak, "shape": list(X.shape), **result}


def run(kind, name, n_jobs, data_home, recipe, device):
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--one",
            kind,
            name,
            str(n_jobs),
            "--data-home",
            data_home,
            "--recipe",
            recipe,
            "--device",
            device,
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(f"{kind} {name} n_jobs={n_jobs} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=os.environ.get("SKMIXUP_DATA", "../shared/data"))
    parser.add_argument("--datasets", nargs="+", default=UCI + KEEL)
    parser.add_argument("--n-jobs", nargs="+", type=int, default=[1, 2])
    parser.add_argument(
        "--recipe",
        choices=sorted(RECIPES),
        default="default",
        help="default: MixupClassifier(); paper: batch 16, 128x128, 2 epochs",
    )
    parser.add_argument("--device", default="cpu", help="cpu or cuda (then use --n-jobs 1)")
    parser.add_argument(
        "--one", nargs=3, metavar=("KIND", "NAME", "N_JOBS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:
        kind, name, n_jobs = args.one
        print(
            json.dumps(measure(kind, name, int(n_jobs), args.data_home, args.recipe, args.device))
        )
        return
    print(
        f"{len(ALPHAS)} alphas x 5 folds, MixupClassifier({RECIPES[args.recipe]}), refit included; "
        f"{os.cpu_count()} cores, one torch thread per process, device {args.device}"
    )
    header = (
        f"{'dataset':14s} {'rows x cols':>12s} {'jobs':>4s} {'CV s':>7s} {'grid s':>7s} "
        f"{'grid/CV':>7s} {'alpha CV':>8s} {'grid':>5s} {'|gap|':>6s} {'CV MiB':>7s} "
        f"{'grid MiB':>8s} {'one fit s':>9s} {'CV/fit':>6s}"
    )
    print(header)
    for name in args.datasets:
        one = run("one", name, 1, args.data_home, args.recipe, args.device)
        for n_jobs in args.n_jobs:
            cv = run("cv", name, n_jobs, args.data_home, args.recipe, args.device)
            grid = run("grid", name, n_jobs, args.data_home, args.recipe, args.device)
            gap = np.max(np.abs(np.subtract(cv["scores"], grid["scores"])))
            shape = "x".join(map(str, cv["shape"]))
            print(
                f"{name:14s} {shape:>12s} {n_jobs:4d} {cv['seconds']:7.1f} "
                f"{grid['seconds']:7.1f} {grid['seconds'] / cv['seconds']:6.1f}x "
                f"{cv['alpha']:8.1f} {grid['alpha']:5.1f} {gap:6.4f} {cv['peak_mib']:7.0f} "
                f"{grid['peak_mib']:8.0f} {one['seconds']:9.1f} "
                f"{cv['seconds'] / one['seconds']:5.1f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
