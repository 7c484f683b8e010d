"""The paper's ablation study (its Table 5) on UCI tables and on Fashion-MNIST, at CPU scale.

Each row of Table 5 is one setting of :class:`~skmixup.MixupClassifier`:
partner choice (random / same class / k nearest neighbours), mixing inputs and
labels or inputs only, label smoothing, and mixing a hidden layer instead of
the input (manifold mixup). Run::

    python -m experiments ablation uci      # 4 UCI datasets x 2-5 splits
    python -m experiments ablation fmnist --seed 0   # Fashion-MNIST subset, small CNN
    python -m experiments ablation fmnist --seed 1   # a second subset and seed
    python -m experiments ablation fmnist-long --seed 0  # 20 epochs instead of 6
    python -m experiments ablation table    # rst tables from the stored results

Data are read from ``--data-home`` (default ``$SKMIXUP_DATA``); results go to
``--out`` (default ``./ablation-results``; the results page was made with
``--out docs/results/ablation``): ``{uci,fmnist,fmnist_long}.csv``, one row per
fit, and their rst tables. A run resumes where a previous one stopped. One
torch thread per process.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.impute import SimpleImputer
from sklearn.model_selection import ShuffleSplit, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmixup import MixupClassifier
from skmixup.datasets import fetch_fashion_mnist, fetch_uci, get_data_home

from ._report import rst_table
from ._resume import run_settings, start_or_resume

VARIANTS = {
    "ERM": {"alpha": 0},
    "mixup: all classes, random pairs": {},
    "mixup: all classes, kNN pairs": {"partners": "knn"},
    "mixup: same class, random pairs": {"partners": "same_class"},
    "inputs only: same class, kNN (SMOTE-like)": {
        "partners": "same_class_knn",
        "mix_targets": False,
    },
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
    # Fixed epochs and a constant learning rate, as these runs were made (the defaults now
    # decay the learning rate along a cosine).
    return MixupClassifier(
        **{
            "alpha": ALPHA,
            "device": "cpu",
            "early_stopping": False,
            "lr_schedule": "constant",
            **extra,
            **params,
        }
    )


def run_uci(out, datasets=UCI_DATASETS, variants=None, *, data_home=None, fresh=False):
    """Fit every variant on ``N_SPLITS[name]`` random 80/20 splits of each dataset.

    Parameters
    ----------
    out : path-like
        CSV file of the records, one row per fit; the fits it already holds are skipped.
    datasets : tuple of str, default=UCI_DATASETS
        Names for :func:`skmixup.datasets.fetch_uci`.
    variants : dict, default=None
        Setting name to ``MixupClassifier`` parameters; ``None`` means :data:`VARIANTS`.
    data_home : path-like, default=None
        The data root (see :func:`skmixup.datasets.get_data_home`).
    fresh : bool, default=False
        Discard the records in ``out`` first. Otherwise records made with other
        settings (data, variants, skmixup version) raise
        :class:`~experiments._resume.ResumeError`.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    variants = variants or VARIANTS
    data = {}  # every dataset is read before the first fit
    for name in datasets:
        bunch = fetch_uci(name, data_home=data_home, download_if_missing=False)
        data[name] = bunch.data, bunch.target, bunch.source
    settings = run_settings(
        {"job": "ablation uci", "n_splits": {n: N_SPLITS[n] for n in datasets}},
        data_home=data_home,
        sources={name: source for name, (_, _, source) in data.items()},
        models={v: _classifier(p, **UCI_PARAMS) for v, p in variants.items()},
    )
    start_or_resume(out, settings, fresh=fresh)
    done = _done(out)
    for name, (X, y, _) in data.items():
        splits = ShuffleSplit(N_SPLITS[name], test_size=0.2, random_state=0).split(X)
        for split, (train, test) in enumerate(splits):
            for variant, params in variants.items():
                if (name, str(split), variant) in done:
                    continue
                clf = make_pipeline(
                    SimpleImputer(),
                    StandardScaler(),
                    _classifier(params, random_state=split, **UCI_PARAMS),
                )
                start = time.perf_counter()
                clf.fit(X[train], y[train])
                error = 100 * (1 - clf.score(X[test], y[test]))
                seconds = time.perf_counter() - start
                _append(
                    out,
                    dict(
                        dataset=name,
                        split=split,
                        variant=variant,
                        test_error=f"{error:.2f}",
                        seconds=f"{seconds:.1f}",
                    ),
                )
                print(f"{name} split {split} {variant}: {error:.2f}% ({seconds:.1f} s)", flush=True)


def fmnist_data(n_train=FMNIST["n_train"], n_test=FMNIST["n_test"], seed=0, *, data_home=None):
    """A stratified random subset of Fashion-MNIST, 2 x 2 average-pooled to 14 x 14, in [0, 1]."""

    def prepare(X):
        return (X.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)) / 255.0).astype(np.float32)[:, None]

    def load(subset):
        return fetch_fashion_mnist(
            data_home, subset=subset, download_if_missing=False, return_X_y=True
        )

    X, y = load("train")
    X_test, y_test = load("test")
    idx, _ = train_test_split(np.arange(len(y)), train_size=n_train, stratify=y, random_state=seed)
    idx_test, _ = train_test_split(
        np.arange(len(y_test)), train_size=n_test, stratify=y_test, random_state=seed
    )
    return prepare(X[idx]), y[idx], prepare(X_test[idx_test]), y_test[idx_test]


def run_fmnist(
    out, variants=None, seed=0, max_epochs=FMNIST["max_epochs"], *, data_home=None, fresh=False
):
    """Fit every variant once on the Fashion-MNIST subset with the built-in CNN.

    Parameters are those of :func:`run_uci`, with ``seed`` the seed of the
    subset and of the fits and ``max_epochs`` the epochs of every fit. Runs
    with other seeds add to the same records (the seed is a column of them);
    every other setting must be the same.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    variants = variants or VARIANTS
    X, y, X_test, y_test = fmnist_data(seed=seed, data_home=data_home)
    params = {"max_epochs": max_epochs, "batch_size": FMNIST["batch_size"]}
    settings = run_settings(
        {"job": "ablation fmnist", "subset": FMNIST, "max_epochs": max_epochs},
        data_home=data_home,
        sources={"fashion-mnist": str(get_data_home(data_home) / "images" / "fashion-mnist")},
        models={v: _classifier(p, **params) for v, p in variants.items()},
    )
    start_or_resume(out, settings, fresh=fresh)
    done = _done(out)
    for variant, variant_params in variants.items():
        if ("fashion-mnist", str(seed), variant) in done:
            continue
        clf = _classifier(variant_params, random_state=seed, **params)
        start = time.perf_counter()
        clf.fit(X, y)
        error = 100 * (1 - clf.score(X_test, y_test))
        seconds = time.perf_counter() - start
        _append(
            out,
            dict(
                dataset="fashion-mnist",
                split=seed,
                variant=variant,
                test_error=f"{error:.2f}",
                seconds=f"{seconds:.1f}",
            ),
        )
        print(f"fashion-mnist {variant}: {error:.2f}% ({seconds:.1f} s)", flush=True)


def table(path, *, with_std=True):
    """An rst grid table: one row per variant, one column per dataset, mean (std) test error %.

    The last column is the change of the error against ERM, in percentage
    points, averaged over the datasets (negative: better than ERM).
    """
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
    return (
        rst_table(header, rows)
        + f"\n{len(df)} fits, {seconds / 60:.1f} minutes of training in all.\n"
    )


def main(args):
    """Run the part of the study that ``args.what`` names, then write the tables of ``args.out``."""
    torch.set_num_threads(1)
    out = Path(args.out)
    fresh = getattr(args, "fresh", False)
    if args.what == "uci":
        run_uci(out / "uci.csv", data_home=args.data_home, fresh=fresh)
    elif args.what == "fmnist":
        run_fmnist(out / "fmnist.csv", seed=args.seed, data_home=args.data_home, fresh=fresh)
    elif args.what == "fmnist-long":  # the same with longer training
        run_fmnist(
            out / "fmnist_long.csv",
            seed=args.seed,
            max_epochs=FMNIST_LONG_EPOCHS,
            data_home=args.data_home,
            fresh=fresh,
        )
    for name in ("uci", "fmnist", "fmnist_long"):
        path = out / f"{name}.csv"
        if path.exists():
            text = table(path)
            (out / f"{name}_table.rst").write_text(text)
            print(text)
