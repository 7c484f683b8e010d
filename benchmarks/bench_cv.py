"""MixupClassifierCV() against GridSearchCV(MixupClassifier()), stacked steps against single ones.

Part 1, the search:
Default settings everywhere (``MixupClassifier()``: 100 epochs, cosine lr, batch
"auto", no early stopping), 5 alphas x 5 stratified folds, refit included on
both sides. For each dataset and ``n_jobs`` it prints the wall time of
``MixupClassifierCV(n_jobs=k)`` and of ``GridSearchCV(..., n_jobs=k)``, their
ratio, the alphas each chose, the largest gap between their mean split scores,
and each run's peak memory (the resident set of the process and of its
workers); then the time of one default ``MixupClassifier`` fit on all the data
and the ratio of the whole search to it, and whether the search stacked its
networks (``batched_``: where :func:`skmixup._stacking.stack_refusal` finds that
stacking pays on the device).

Part 2, the step, for the shapes of the tabular suite (rows per step from 32 to
512, 5 to 64 columns, the default hidden layer of 256, 5 and 25 members): the
time per member-step of ``fit_members`` (the members trained as one stack, the
whole fit included), of the same fits one after another (``MixupClassifier.fit``),
and of a bare torch loop of one such network (forward, mixing by ``torch.lerp``,
backward, fused Adam: the floor), with the multiply-adds of a member's step and
whether the rule stacks it.

Every measurement runs in a fresh process with one torch thread per process
(``OMP_NUM_THREADS=1``). ``--quick`` measures fewer datasets, shapes and epochs.

Run from the repository root (the data root holds ``uci/`` and ``keel/``)::

    python benchmarks/bench_cv.py --data-home ../shared/data
    python benchmarks/bench_cv.py --data-home ../shared/data --datasets phoneme --n-jobs 1
    python benchmarks/bench_cv.py --data-home ../shared/data --recipe paper
    python benchmarks/bench_cv.py --data-home ../shared/data --device cuda --n-jobs 1
    python benchmarks/bench_cv.py --quick --part steps
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
QUICK = ["contraceptive", "phoneme"]


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
        result["batched"] = bool(getattr(search, "batched_", False))
    seconds = time.perf_counter() - start
    peak = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    ) / 1024
    return {"seconds": seconds, "peak_mib": peak, "shape": list(X.shape), **result}


# Part 2: the shapes of the tabular suite's steps. batch_size="auto" gives 32 to 512 rows a
# step; its tables have 4 to about 100 columns and 2 to 10 classes.
STEP_SHAPES = {
    "full": dict(rows=[32, 64, 128, 256, 512], features=[8, 30, 64], members=[5, 25]),
    "quick": dict(rows=[32, 128, 512], features=[10, 64], members=[5, 25]),
}


def step_times(rows, n_features, n_members, epochs, n_classes=3):
    """Seconds per member-step: stacked, one fit after another, and a bare torch loop."""
    import numpy as np
    import torch
    from sklearn.base import clone

    from skmixup import MixupClassifier
    from skmixup._stacking import fit_members, stack_refusal

    rng = np.random.default_rng(0)
    X = rng.normal(size=(8 * rows, n_features)).astype(np.float32)  # 8 steps an epoch
    y = rng.integers(0, n_classes, len(X))
    base = MixupClassifier(alpha=0.4, batch_size=rows, max_epochs=epochs, device="cpu")
    members = [clone(base).set_params(random_state=m) for m in range(n_members)]
    steps = n_members * epochs * 8
    clone(base).set_params(max_epochs=1, random_state=0).fit(X, y)  # warm up
    start = time.perf_counter()
    for member in members:
        clone(member).fit(X, y)
    one_by_one = (time.perf_counter() - start) / steps
    start = time.perf_counter()
    fit_members([clone(m) for m in members], [(X, y, None)] * n_members)
    stacked = (time.perf_counter() - start) / steps

    # The floor: the same network and mixing as a hand-written loop, one network.
    Xt, Yt = torch.from_numpy(X), torch.eye(n_classes)[torch.from_numpy(y)]
    gen = torch.Generator().manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(n_features, 256), torch.nn.ReLU(), torch.nn.Linear(256, n_classes)
    )
    adam = torch.optim.Adam(net.parameters(), lr=3e-3, fused=True)
    beta = torch.distributions.Beta(0.4, 0.4)
    start = time.perf_counter()
    for _ in range(n_members * epochs):
        order = torch.randperm(len(Xt), generator=gen)
        lams = beta.sample((8,))
        for s in range(8):
            index = order[s * rows : (s + 1) * rows]
            xb, yb = Xt[index], Yt[index]
            partner = torch.randperm(rows, generator=gen)
            lam = lams[s]
            loss = torch.nn.functional.cross_entropy(
                net(torch.lerp(xb[partner], xb, lam)), torch.lerp(yb[partner], yb, lam)
            )
            adam.zero_grad(set_to_none=True)
            loss.backward()
            adam.step()
    floor = (time.perf_counter() - start) / steps
    weights = sum(p.numel() for p in net.parameters())
    return {
        "stacked": stacked,
        "one_by_one": one_by_one,
        "floor": floor,
        "macs": rows * weights,
        "rule_stacks": stack_refusal(base.set_params(random_state=0), X, y) is None,
    }


def run_steps(quick):
    shapes = STEP_SHAPES["quick" if quick else "full"]
    epochs = 3 if quick else 20
    print(
        f"\nPart 2: seconds per member-step (8 steps an epoch, {epochs} epochs, whole fits "
        "included), one torch thread; 3 classes, hidden layer 256"
    )
    print(
        f"{'rows':>5s} {'cols':>4s} {'members':>7s} {'MACs/step':>10s} {'stacked ms':>10s} "
        f"{'1-by-1 ms':>9s} {'floor ms':>8s} {'1-by-1/stacked':>14s} {'rule':>7s}"
    )
    for rows in shapes["rows"]:
        for n_features in shapes["features"]:
            for n_members in shapes["members"]:
                r = _subprocess(
                    ["--one-step", str(rows), str(n_features), str(n_members), str(epochs)]
                )
                verdict = "stack" if r["rule_stacks"] else "1-by-1"
                print(
                    f"{rows:5d} {n_features:4d} {n_members:7d} {r['macs']:10d} "
                    f"{1e3 * r['stacked']:10.3f} {1e3 * r['one_by_one']:9.3f} "
                    f"{1e3 * r['floor']:8.3f} {r['one_by_one'] / r['stacked']:13.2f}x "
                    f"{verdict:>7s}",
                    flush=True,
                )


def _subprocess(args):
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run([sys.executable, __file__, *args], env=env, capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"{args} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


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
    parser.add_argument("--part", choices=["all", "search", "steps"], default="all")
    parser.add_argument(
        "--quick", action="store_true", help="two small datasets, fewer shapes and epochs"
    )
    parser.add_argument(
        "--one", nargs=3, metavar=("KIND", "NAME", "N_JOBS"), help=argparse.SUPPRESS
    )
    parser.add_argument("--one-step", nargs=4, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_step:
        print(json.dumps(step_times(*args.one_step)))
        return
    if args.quick and args.datasets == UCI + KEEL:
        args.datasets = QUICK
    if args.one:
        kind, name, n_jobs = args.one
        print(
            json.dumps(measure(kind, name, int(n_jobs), args.data_home, args.recipe, args.device))
        )
        return
    if args.part != "steps":
        run_search(args)
    if args.part != "search":
        run_steps(args.quick)


def run_search(args):
    print(
        f"Part 1: {len(ALPHAS)} alphas x 5 folds, MixupClassifier({RECIPES[args.recipe]}), "
        "refit included; "
        f"{os.cpu_count()} cores, one torch thread per process, device {args.device}"
    )
    header = (
        f"{'dataset':14s} {'rows x cols':>12s} {'jobs':>4s} {'CV s':>7s} {'grid s':>7s} "
        f"{'grid/CV':>7s} {'alpha CV':>8s} {'grid':>5s} {'|gap|':>6s} {'CV MiB':>7s} "
        f"{'grid MiB':>8s} {'one fit s':>9s} {'CV/fit':>6s} {'stacked':>7s}"
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
                f"{cv['seconds'] / one['seconds']:5.1f}x {str(cv['batched']):>7s}",
                flush=True,
            )


if __name__ == "__main__":
    main()
