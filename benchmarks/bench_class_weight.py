"""class_weight="balanced" against None for MixupClassifier, on the 9 imbalanced KEEL datasets.

Beside ``LogisticRegression(class_weight="balanced")`` and
``HistGradientBoostingClassifier(class_weight="balanced")``. Each dataset is
split 3 times (stratified 3-fold cross-validation, seeded); features are
standardised on the training part (for the networks and the logistic
regression). Scores: balanced accuracy (of ``predict``) and ROC AUC (of the
minority class's predicted probability). One torch thread; about 5 minutes on
one core.

    python benchmarks/bench_class_weight.py --out docs/results/class_weight

Writes ``records.csv`` (one row per fit), ``summary.csv`` (means over the
splits) and ``table.rst`` (the table the docs include), and prints the table.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmixup import MixupClassifier
from skmixup.datasets import KEEL_DATASETS, fetch_keel

REPO = Path(__file__).resolve().parents[1]
DATASETS = [name for name, (group, _) in KEEL_DATASETS.items() if group == "imbalanced"]
# The network's settings, fixed here so that the table does not move with the defaults.
MIXUP = dict(
    alpha=0.2,
    hidden_layer_sizes=(128, 128),
    max_epochs=200,
    batch_size=32,
    early_stopping=True,
    validation_fraction=0.1,
    n_iter_no_change=10,
    device="cpu",
)


def models(seed):
    """name -> unfitted model."""
    return {
        "mixup": make_pipeline(StandardScaler(), MixupClassifier(**MIXUP, random_state=seed)),
        "mixup balanced": make_pipeline(
            StandardScaler(), MixupClassifier(**MIXUP, class_weight="balanced", random_state=seed)
        ),
        "logreg balanced": make_pipeline(
            StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=2000)
        ),
        "hgb balanced": HistGradientBoostingClassifier(class_weight="balanced", random_state=seed),
    }


def data_home():
    shared = os.environ.get("SKMIXUP_SHARED_DATA")
    return Path(shared) if shared else REPO.parent / "shared" / "data"


def run(n_splits=3, seed=0):
    records = []
    for name in DATASETS:
        X, y = fetch_keel(name, data_home=data_home(), return_X_y=True)
        labels, counts = np.unique(y, return_counts=True)
        minority = labels[np.argmin(counts)]
        start = time.perf_counter()
        splits = StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(X, y)
        for k, (train, test) in enumerate(splits):
            for model_name, model in models(seed + k).items():
                t0 = time.perf_counter()
                fitted = clone(model).fit(X[train], y[train])
                fit_time = time.perf_counter() - t0
                column = list(fitted.classes_).index(minority)
                proba = fitted.predict_proba(X[test])[:, column]
                records.append(
                    dict(
                        dataset=name,
                        n_samples=len(y),
                        minority_share=counts.min() / len(y),
                        split=k,
                        model=model_name,
                        balanced_accuracy=balanced_accuracy_score(y[test], fitted.predict(X[test])),
                        roc_auc=roc_auc_score(y[test] == minority, proba),
                        fit_time=fit_time,
                    )
                )
        print(
            f"{name:18s} n={len(y):5d} minority={counts.min() / len(y):6.1%} "
            f"{time.perf_counter() - start:6.1f} s",
            flush=True,
        )
    return pd.DataFrame.from_records(records)


def summarise(records):
    summary = (
        records.groupby(["dataset", "model"], sort=False)[
            ["balanced_accuracy", "roc_auc", "fit_time"]
        ]
        .mean()
        .reset_index()
    )
    return summary


def table(summary, records):
    """An RST list-table: balanced accuracy and ROC AUC per dataset and model, mean last."""
    order = list(models(0))
    bacc = summary.pivot(index="dataset", columns="model", values="balanced_accuracy")[order]
    auc = summary.pivot(index="dataset", columns="model", values="roc_auc")[order]
    bacc, auc = bacc.loc[DATASETS], auc.loc[DATASETS]
    share = records.groupby("dataset")["minority_share"].first()
    header = (
        ["dataset", "minority"]
        + [f"{m}: bal. acc." for m in order]
        + [f"{m}: ROC AUC" for m in order]
    )
    rows = [
        [d, f"{share[d]:.1%}"]
        + [f"{bacc.loc[d, m]:.3f}" for m in order]
        + [f"{auc.loc[d, m]:.3f}" for m in order]
        for d in DATASETS
    ]
    rows.append(
        ["**mean**", "--"]
        + [f"**{bacc[m].mean():.3f}**" for m in order]
        + [f"**{auc[m].mean():.3f}**" for m in order]
    )
    wins = (bacc["mixup balanced"] > bacc["mixup"]).sum()
    auc_wins = (auc["mixup balanced"] > auc["mixup"]).sum()
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header] + rows:
        lines.append("   * - " + row[0])
        lines += [f"     - {cell}" for cell in row[1:]]
    fit_time = records.groupby("model")["fit_time"].sum()
    lines += [
        "",
        f"``class_weight='balanced'`` beats ``None`` on {wins} of {len(DATASETS)} "
        f"datasets in balanced accuracy and on {auc_wins} of {len(DATASETS)} in ROC AUC "
        f"(means over {records['split'].nunique()} splits). Total fit time: "
        + ", ".join(f"{m} {fit_time[m]:.0f} s" for m in order)
        + ".",
    ]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "results" / "class_weight")
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument(
        "--table-only",
        action="store_true",
        help="rewrite the table from the records.csv in --out, fitting nothing",
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    start = time.perf_counter()
    if args.table_only:
        records = pd.read_csv(args.out / "records.csv")
        (args.out / "table.rst").write_text(table(summarise(records), records))
        return
    records = run(args.splits)
    summary = summarise(records)
    args.out.mkdir(parents=True, exist_ok=True)
    records.to_csv(args.out / "records.csv", index=False)
    summary.to_csv(args.out / "summary.csv", index=False)
    text = table(summary, records)
    (args.out / "table.rst").write_text(text)
    print(text)
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
