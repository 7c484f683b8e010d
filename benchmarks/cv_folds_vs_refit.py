"""After an alpha search: refit on all rows, or average the fold models? And a seed ensemble.

On the tabular suite (``experiments/tabular.py``: its datasets, stratified 75/25
splits and preprocessing), for each (dataset, split) this runs one
``MixupClassifierCV(MixupClassifier(random_state=seed), refit="folds")`` (the
default alphas and 5 folds) and scores three ways to predict after it:

``cv-refit``
    ``MixupClassifierCV``'s default: ``MixupClassifier(alpha=alpha_)`` refit on
    all training rows (the same fit ``refit=True`` makes, timed on its own).
``cv-folds``
    ``refit="folds"``: the mean probabilities of the 5 fold models at ``alpha_``.
``seeds5``
    No search: 5 default ``MixupClassifier()`` fits that differ only in their
    seed, trained at once (one stacked network, ``skmixup._stacking.fit_members``),
    predicting with their mean probabilities (a deep ensemble).

beside ``mixup`` (one default fit) and ``mlp`` (``MLPClassifier()``). One
torch thread. Prints mean error, mean rank, wins/ties/losses and fit time
against ``mixup``, and writes the records to ``--out``.

    python benchmarks/cv_folds_vs_refit.py --data-home ../shared/data \\
        --max-train-rows 1000 --out cv_folds_vs_refit.csv
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _score(model, X, y):
    return 100 * float(np.mean(model.predict(X) != y))


def _task(name, X, y, split, train, test, seed):
    import torch
    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from experiments.tabular import _preprocessor
    from skmixup import MixupClassifier, MixupClassifierCV
    from skmixup._metaestimators import mean_proba
    from skmixup._stacking import fit_members

    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", message="The least populated class")
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    pre = _preprocessor(X, scale=True).fit(X.iloc[train])
    X_train, X_test = pre.transform(X.iloc[train]), pre.transform(X.iloc[test])
    y_train, y_test = y[train], y[test]
    base = MixupClassifier(random_state=seed, device="cpu")
    clone(base).set_params(max_epochs=1).fit(X_train, y_train)  # first-use costs out of timings
    rows = []

    def record(model_name, seconds, error, alpha=np.nan):
        rows.append(
            dict(
                dataset=name,
                split=split,
                model=model_name,
                error=error,
                fit_s=seconds,
                n_train=len(train),
                alpha=alpha,
            )
        )

    start = time.perf_counter()
    single = clone(base).fit(X_train, y_train)
    record("mixup", time.perf_counter() - start, _score(single, X_test, y_test), base.alpha)

    start = time.perf_counter()
    mlp = MLPClassifier(random_state=seed).fit(X_train, y_train)
    record("mlp", time.perf_counter() - start, _score(mlp, X_test, y_test))

    start = time.perf_counter()
    search = MixupClassifierCV(clone(base), refit="folds").fit(X_train, y_train)
    search_s = time.perf_counter() - start
    record("cv-folds", search_s, _score(search, X_test, y_test), search.alpha_)

    start = time.perf_counter()
    refit = clone(base).set_params(alpha=search.alpha_).fit(X_train, y_train)
    refit_s = time.perf_counter() - start
    record("cv-refit", search_s + refit_s, _score(refit, X_test, y_test), search.alpha_)

    start = time.perf_counter()
    members = [clone(base).set_params(random_state=seed * 10 + m) for m in range(5)]
    fit_members(members, [(X_train, y_train, None)] * 5)
    seeds_s = time.perf_counter() - start
    classes = members[0].classes_
    proba = mean_proba(members, classes, X_test)
    error = 100 * float(np.mean(classes[proba.argmax(axis=1)] != y_test))
    record("seeds5", seeds_s, error, base.alpha)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--max-train-rows", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--out", default="cv_folds_vs_refit.csv")
    args = parser.parse_args()

    from joblib import Parallel, delayed

    from experiments.tabular import DATASETS, load_suite_dataset, make_splits

    out = Path(args.out)
    done = pd.read_csv(out) if out.is_file() else pd.DataFrame(columns=["dataset", "split"])
    seen = set(zip(done["dataset"], done["split"], strict=True))
    tasks = []
    for name in args.datasets or DATASETS:
        X, y = load_suite_dataset(name, args.data_home)
        splits = make_splits(y, args.splits, 0.25, args.seed, args.max_train_rows)
        for split, (train, test) in enumerate(splits):
            if (name, split) not in seen:
                tasks.append((len(train) * X.shape[1] ** 0.5, name, X, y, split, train, test))
    tasks.sort(key=lambda t: -t[0])  # largest first
    start = time.perf_counter()
    jobs = (
        delayed(_task)(name, X, y, split, train, test, args.seed * 1000 + split)
        for _, name, X, y, split, train, test in tasks
    )
    for rows in Parallel(n_jobs=args.n_jobs, return_as="generator_unordered")(jobs):
        frame = pd.DataFrame(rows)
        frame.to_csv(out, mode="a", header=not out.is_file(), index=False)
    print(f"{len(tasks)} tasks in {time.perf_counter() - start:.0f} s")
    report(pd.read_csv(out))


def report(records):
    errors = records.pivot_table(index="dataset", columns="model", values="error")
    ranks = errors.rank(axis=1).mean()
    times = records.pivot_table(index="dataset", columns="model", values="fit_s", aggfunc="sum")
    print(f"{len(errors)} datasets; test error %, mean over splits")
    print(f"{'model':<10} {'mean err':>9} {'mean rank':>10} {'W/T/L vs mixup':>15} {'x mixup':>8}")
    for model in ["mixup", "cv-refit", "cv-folds", "seeds5", "mlp"]:
        diff = errors[model] - errors["mixup"]
        wtl = f"{(diff < 0).sum()}/{(diff == 0).sum()}/{(diff > 0).sum()}"
        ratio = times[model].sum() / times["mixup"].sum()
        print(
            f"{model:<10} {errors[model].mean():>9.2f} {ranks[model]:>10.2f} {wtl:>15} "
            f"{ratio:>8.2f}"
        )
    diff = errors["cv-folds"] - errors["cv-refit"]
    print(
        f"cv-folds against cv-refit: lower/equal/higher error on "
        f"{(diff < 0).sum()}/{(diff == 0).sum()}/{(diff > 0).sum()} datasets"
    )


if __name__ == "__main__":
    main()
