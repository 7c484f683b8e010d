"""Which MixupClassifier defaults win on the UCI datasets? Evidence for the defaults.

For each candidate setting, on the good-practice protocol of
``experiments.uci`` (median imputation, standardised features, one-hot
categories) and the same stratified splits: the test error of MixupClassifier
with that setting, of its alpha=0 twin (ERM), and of ``MLPClassifier()``
measured in the same run. Prints, per candidate, the mean error over the
datasets and its ratio to MLPClassifier's.

    PYTHONPATH=$PWD python benchmarks/uci_defaults.py --splits 5 --n-jobs 2 --out /tmp/defaults

It is a study, not a test: with 16 cores and 5 splits it takes about 10 minutes.
"""

from __future__ import annotations

import sys
from pathlib import Path as _Path

# experiments/ is not installed: it runs from the repository's root, put on sys.path here.
sys.path.insert(0, str(_Path(__file__).resolve().parents[1]))

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

BASE = dict(hidden_layer_sizes=(128, 128), lr=1e-3)
CANDIDATES = {
    "a0.4 ep100 bs32 (old)": dict(alpha=0.4, max_epochs=100, batch_size=32),
    "a0.2 ep100 bs32": dict(alpha=0.2, max_epochs=100, batch_size=32),
    "a1.0 ep100 bs32": dict(alpha=1.0, max_epochs=100, batch_size=32),
    "a0.4 ep50 bs32": dict(alpha=0.4, max_epochs=50, batch_size=32),
    "a0.4 ep200 bs32": dict(alpha=0.4, max_epochs=200, batch_size=32),
    "a0.4 ep100 bs64": dict(alpha=0.4, max_epochs=100, batch_size=64),
    "a0.4 ep200 bs128": dict(alpha=0.4, max_epochs=200, batch_size=128),
    "a0.4 ep100 bs32 wd1e-4": dict(alpha=0.4, max_epochs=100, batch_size=32, weight_decay=1e-4),
    "a0.4 ES bs32": dict(alpha=0.4, max_epochs=200, batch_size=32, early_stopping=True),
    "a0.2 ES bs32": dict(alpha=0.2, max_epochs=200, batch_size=32, early_stopping=True),
    "a1.0 ES bs64": dict(alpha=1.0, max_epochs=200, batch_size=64, early_stopping=True),
    "a0.4 ep100 bs32 drop0.1": dict(alpha=0.4, max_epochs=100, batch_size=32, dropout=0.1),
    "a0.4 ES bs64": dict(alpha=0.4, max_epochs=200, batch_size=64, early_stopping=True),
    "a0.4 ES p20 bs32": dict(
        alpha=0.4, max_epochs=200, batch_size=32, early_stopping=True, n_iter_no_change=20
    ),
    "a1.0 ES p20 bs32": dict(
        alpha=1.0, max_epochs=200, batch_size=32, early_stopping=True, n_iter_no_change=20
    ),
}


def _fit_one(name, X, y, split, train, test, params):
    import torch
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline

    from experiments.uci import _preprocessor
    from skmixup import MixupClassifier

    torch.set_num_threads(1)
    model = (
        MLPClassifier(random_state=split)
        if params is None
        else MixupClassifier(random_state=split, device="cpu", **BASE, **params)
    )
    pipe = make_pipeline(_preprocessor(X, scale=True), model)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        pipe.fit(X.iloc[train], y[train])
    error = 100 * float(np.mean(pipe.predict(X.iloc[test]) != y[test]))
    return dict(
        dataset=name,
        split=split,
        params=json.dumps(params, sort_keys=True),
        error=error,
        fit_s=time.perf_counter() - start,
        epochs=getattr(pipe[-1], "n_iter_", np.nan),
    )


def main(argv=None):
    from joblib import Parallel, delayed

    from experiments.uci import DATASETS, load_dataset, make_splits

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--data-home")
    parser.add_argument("--n-jobs", type=int, default=os.cpu_count())
    parser.add_argument("--deadline", type=float, default=520, help="stop launching after s")
    parser.add_argument("--candidates", nargs="+", help="names of CANDIDATES (default: all)")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--previous", help="records CSV of an earlier run: its fits are reused")
    parser.add_argument("--out", default="uci_defaults_out")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    candidates = {k: CANDIDATES[k] for k in (args.candidates or CANDIDATES)}
    settings = {None}  # MLPClassifier()
    for params in candidates.values():
        settings.add(json.dumps(params, sort_keys=True))
        settings.add(json.dumps({**params, "alpha": 0.0}, sort_keys=True))
    data = {}
    for name in args.datasets:
        X, y, _ = load_dataset(name, args.data_home)
        data[name] = (X, y, make_splits(y, args.splits, 0.2, 0))
    cost = {"htru2": 30, "phishing": 20, "abalone": 6, "arrhythmia": 2, "arcene": 2, "iris": 1}
    tasks = [
        (name, split, train, test, None if s is None else json.loads(s))
        for s in settings
        for name, (X, y, splits) in data.items()
        for split, (train, test) in enumerate(splits)
    ]
    tasks.sort(
        key=lambda t: -cost[t[0]] * (1 if t[4] is None else t[4]["max_epochs"] / t[4]["batch_size"])
    )
    rows = []
    if args.previous:
        previous = pd.read_csv(args.previous)
        previous["params"] = previous["params"].fillna("null")
        rows = previous.to_dict("records")
        done = set(zip(previous["dataset"], previous["split"], previous["params"]))
        tasks = [t for t in tasks if (t[0], t[1], json.dumps(t[4], sort_keys=True)) not in done]
    start = time.perf_counter()

    def jobs():
        for name, split, train, test, params in tasks:
            if time.perf_counter() - start > args.deadline:
                return
            yield delayed(_fit_one)(name, data[name][0], data[name][1], split, train, test, params)

    for row in Parallel(n_jobs=args.n_jobs, return_as="generator_unordered")(jobs()):
        rows.append(row)
        if len(rows) % 20 == 0:
            pd.DataFrame(rows).to_csv(out / "defaults_records.csv", index=False)
    records = pd.DataFrame(rows)
    records.to_csv(out / "defaults_records.csv", index=False)
    print(f"{len(records)} of {len(tasks)} fits in {time.perf_counter() - start:.0f} s")
    print(report(records, candidates))


def report(records, candidates):
    """Mean error per dataset and over datasets: each candidate, its ERM twin, MLPClassifier()."""
    records = records.copy()
    records["params"] = records["params"].fillna("null")
    per = records.groupby(["params", "dataset"])["error"].mean().unstack()
    mlp = per.loc["null"]
    lines = [
        f"{'candidate':<26} {'model':<6} "
        + " ".join(f"{d[:8]:>8}" for d in per.columns)
        + f" {'mean':>6} {'/MLP':>5}"
    ]
    lines.append(
        f"{'MLPClassifier()':<26} {'':<6} "
        + " ".join(f"{v:8.2f}" for v in mlp)
        + f" {mlp.mean():6.2f} {1:5.2f}"
    )
    for label, params in candidates.items():
        for model, p in (("mixup", params), ("ERM", {**params, "alpha": 0.0})):
            key = json.dumps(p, sort_keys=True)
            if key not in per.index:
                continue
            row = per.loc[key]
            lines.append(
                f"{label:<26} {model:<6} "
                + " ".join(f"{v:8.2f}" for v in row)
                + f" {row.mean():6.2f} {row.mean() / mlp.mean():5.2f}"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
