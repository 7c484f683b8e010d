"""The paper's ablation study (its Table 5) on UCI tables and on Fashion-MNIST, at CPU scale.

Each row of Table 5 is one setting of :class:`~skmixup.MixupClassifier`:
partner choice (random / same class / k nearest neighbours), mixing inputs and
labels or inputs only, label smoothing, and mixing a hidden layer instead of
the input (manifold mixup). Run::

    python -m skmixup.experiments.ablation uci      # 4 UCI datasets x 3-5 splits
    python -m skmixup.experiments.ablation fmnist --seed 0   # Fashion-MNIST subset, small CNN
    python -m skmixup.experiments.ablation fmnist --seed 1   # a second subset and seed
    python -m skmixup.experiments.ablation fmnist-long --seed 0  # 20 epochs instead of 6
    python -m skmixup.experiments.ablation table    # rst tables from the stored results

Results go to ``docs/results/ablation/{uci,fmnist}.csv``, one row per fit; a
run resumes where a previous one stopped. One torch thread per process.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np

VARIANTS = {
    "ERM": {"alpha": 0},
    "mixup: all classes, random pairs": {},
    "mixup: all classes, kNN pairs": {"partners": "knn"},
    "mixup: same class, random pairs": {"partners": "same_class"},
    "inputs only: same class, kNN (SMOTE-like)": {"partners": "same_class_knn", "mix_targets": False},
    "inputs only: all classes, kNN": {"partners": "knn", "mix_targets": False},
    "inputs only: same class, random": {"partners": "same_class", "mix_targets": False},
    "inputs only: all classes, random": {"mix_targets": False},
    "label smoothing eps=0.1 (no mixing)": {"alpha": 0, "label_smoothing": 0.1},
    "inputs only + label smoothing eps=0.1": {"mix_targets": False, "label_smoothing": 0.1},
    "manifold mixup: hidden layer 1": {"mix_layer": 1},
    "manifold mixup: hidden layer 2": {"mix_layer": 2},
    "manifold mixup: random layer": {"mix_layer": "random"},
}

UCI_DATASETS = ("abalone", "arrhythmia", "iris", "phishing")
# The paper's UCI protocol: 2 x 128 ReLU MLP, Adam lr 1e-3, batch 16, 10 epochs.
UCI_PARAMS = {"hidden_layer_sizes": (128, 128), "batch_size": 16, "max_epochs": 10, "lr": 1e-3}
ALPHA = 0.4
# Random 80/20 splits per dataset; phishing (11,055 rows) is the costly one.
N_SPLITS = {"abalone": 5, "arrhythmia": 5, "iris": 5, "phishing": 2}
# Fashion-MNIST at CPU scale: 5000 training images of 14 x 14 pixels, 2000 test images.
FMNIST = {"n_train": 5000, "n_test": 2000, "max_epochs": 6, "batch_size": 64}
FMNIST_LONG_EPOCHS = 20

RESULTS = Path(__file__).resolve().parents[2] / "docs" / "results" / "ablation"
FIELDS = ["dataset", "split", "variant", "test_error", "seconds"]


def _done(path):
    if not path.exists():
        return set()
    with open(path) as f:
        return {(r["dataset"], r["split"], r["variant"]) for r in csv.DictReader(f)}


def _append(path, row):
    new = not path.exists()
    with open(path, "a", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        if new:
            writer.writeheader()
        writer.writerow(row)


def _classifier(params, **extra):
    from skmixup import MixupClassifier

    # Fixed epochs and a constant learning rate, as these runs were made (the defaults now
    # decay the learning rate along a cosine).
    return MixupClassifier(**{"alpha": ALPHA, "device": "cpu", "early_stopping": False,
                              "lr_schedule": "constant",
                              **extra, **params})


def run_uci(out=RESULTS / "uci.csv", datasets=UCI_DATASETS, variants=None):
    """Fit every variant on ``N_SPLITS[name]`` random 80/20 splits of each dataset."""
    from sklearn.impute import SimpleImputer
    from sklearn.model_selection import ShuffleSplit
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ._local_data import load_uci

    out.parent.mkdir(parents=True, exist_ok=True)
    done = _done(out)
    for name in datasets:
        X, y = load_uci(name)
        splits = ShuffleSplit(N_SPLITS[name], test_size=0.2, random_state=0).split(X)
        for split, (train, test) in enumerate(splits):
            for variant, params in (variants or VARIANTS).items():
                if (name, str(split), variant) in done:
                    continue
                clf = make_pipeline(SimpleImputer(), StandardScaler(),
                                    _classifier(params, random_state=split, **UCI_PARAMS))
                start = time.perf_counter()
                clf.fit(X[train], y[train])
                error = 100 * (1 - clf.score(X[test], y[test]))
                seconds = time.perf_counter() - start
                _append(out, dict(dataset=name, split=split, variant=variant,
                                  test_error=f"{error:.2f}", seconds=f"{seconds:.1f}"))
                print(f"{name} split {split} {variant}: {error:.2f}% ({seconds:.1f} s)", flush=True)


def fmnist_data(n_train=FMNIST["n_train"], n_test=FMNIST["n_test"], seed=0):
    """A stratified random subset of Fashion-MNIST, 2 x 2 average-pooled to 14 x 14, in [0, 1]."""
    from sklearn.model_selection import train_test_split

    from ._local_data import load_fashion_mnist

    def prepare(X):
        return (X.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)) / 255.0).astype(np.float32)[:, None]

    X, y = load_fashion_mnist(train=True)
    X_test, y_test = load_fashion_mnist(train=False)
    idx, _ = train_test_split(np.arange(len(y)), train_size=n_train, stratify=y, random_state=seed)
    idx_test, _ = train_test_split(np.arange(len(y_test)), train_size=n_test, stratify=y_test,
                                   random_state=seed)
    return prepare(X[idx]), y[idx], prepare(X_test[idx_test]), y_test[idx_test]


def run_fmnist(out=RESULTS / "fmnist.csv", variants=None, seed=0, max_epochs=FMNIST["max_epochs"]):
    """Fit every variant once on the Fashion-MNIST subset with the built-in CNN."""
    out.parent.mkdir(parents=True, exist_ok=True)
    done = _done(out)
    X, y, X_test, y_test = fmnist_data(seed=seed)
    params = {"max_epochs": max_epochs, "batch_size": FMNIST["batch_size"]}
    for variant, variant_params in (variants or VARIANTS).items():
        if ("fashion-mnist", str(seed), variant) in done:
            continue
        clf = _classifier(variant_params, random_state=seed, **params)
        start = time.perf_counter()
        clf.fit(X, y)
        error = 100 * (1 - clf.score(X_test, y_test))
        seconds = time.perf_counter() - start
        _append(out, dict(dataset="fashion-mnist", split=seed, variant=variant,
                          test_error=f"{error:.2f}", seconds=f"{seconds:.1f}"))
        print(f"fashion-mnist {variant}: {error:.2f}% ({seconds:.1f} s)", flush=True)


def table(path, *, with_std=True):
    """An rst grid table: one row per variant, one column per dataset, mean (std) test error %.

    The last column is the change of the error against ERM, in percentage
    points, averaged over the datasets (negative: better than ERM).
    """
    import pandas as pd

    df = pd.read_csv(path)
    stats = df.groupby(["variant", "dataset"])["test_error"].agg(["mean", "std", "count"])
    datasets = list(dict.fromkeys(df["dataset"]))
    header = ["setting"] + datasets + ["vs ERM"]
    means = df.groupby(["variant", "dataset"])["test_error"].mean().unstack()
    # Change of the error against ERM, in points, averaged over the datasets.
    change = (means - means.loc["ERM"]).mean(axis=1) if "ERM" in means.index else None
    rows = []
    for variant in VARIANTS:
        if variant not in stats.index.get_level_values(0):
            continue
        cells = [variant]
        for name in datasets:
            if (variant, name) not in stats.index:
                cells.append("")
                continue
            s = stats.loc[(variant, name)]
            std = f" ({s['std']:.1f})" if with_std and s["count"] > 1 else ""
            cells.append(f"{s['mean']:.1f}{std}")
        cells.append("" if change is None or variant == "ERM" else f"{change[variant]:+.1f}")
        rows.append(cells)
    seconds = df["seconds"].sum()
    return _rst_table(header, rows) + f"\n{len(df)} fits, {seconds / 60:.1f} minutes of training in all.\n"


def _rst_table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    fmt = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    out = [line, fmt(header), line.replace("-", "=")]
    for r in rows:
        out += [fmt(r), line]
    return "\n".join(out) + "\n"


def main(argv=None):
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["uci", "fmnist", "fmnist-long", "table"])
    parser.add_argument("--seed", type=int, default=0,
                        help="Fashion-MNIST: seed of the subset and of the fits")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.what == "uci":
        run_uci()
    elif args.what == "fmnist":
        run_fmnist(seed=args.seed)
    elif args.what == "fmnist-long":  # the same with longer training
        run_fmnist(RESULTS / "fmnist_long.csv", seed=args.seed, max_epochs=FMNIST_LONG_EPOCHS)
    for name in ("uci", "fmnist", "fmnist_long"):
        path = RESULTS / f"{name}.csv"
        if path.exists():
            text = table(path)
            (RESULTS / f"{name}_table.rst").write_text(text)
            print(text)


if __name__ == "__main__":
    main()
