"""Memorization of corrupt labels (the mixup paper's Table 2), on Fashion-MNIST.

A fraction of the training labels (0, 20, 50, 80%) is replaced by wrong
labels drawn at random; a small CNN is trained with ERM, ERM + dropout and
mixup with alpha in {1, 8, 32}; the test error (clean test labels) is recorded
after every epoch. The paper's finding on CIFAR-10: ERM's last-epoch error
is far above its best-epoch error, since it ends up memorizing the wrong
labels; mixup with a large alpha keeps the two close.

Run ``python -m experiments memorization`` (CPU scale: a few minutes on 2 cores),
``--quick`` for a smoke run, ``--full`` for the whole dataset on a GPU; or
``python -m experiments memorization``.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from joblib import Parallel, delayed

from skmixup import MixupClassifier
from skmixup.modules import SmallCNN

from ._arguments import given, memorization_arguments, parse_job
from ._images_common import EpochTestError, fashion_mnist_subset, predict_labels

__all__ = [
    "EpochTestError",
    "MemorizationConfig",
    "corrupt_labels",
    "format_table",
    "plot_curves",
    "run",
]


def corrupt_labels(y, fraction, n_classes, rng):
    """Replace exactly ``round(fraction * len(y))`` labels by wrong ones drawn at random.

    The positions are drawn without replacement; each new label is uniform over
    the ``n_classes - 1`` classes other than the true one, so the returned
    labels are wrong at exactly those positions.

    Parameters
    ----------
    y : array-like of int of shape (n,)
        Labels in ``0 .. n_classes - 1``.
    fraction : float in [0, 1]
        Share of labels to corrupt.
    n_classes : int
        Number of classes (at least 2).
    rng : numpy.random.Generator or int
        Source of randomness (an int seeds a new Generator).

    Returns
    -------
    y_noisy : ndarray of shape (n,)
        The labels, corrupted at the chosen positions.
    corrupted : ndarray of bool of shape (n,)
        True where the label was replaced.
    """
    y = np.asarray(y)
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be in [0, 1]; got {fraction}.")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2 to draw a wrong label; got {n_classes}.")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"y must hold labels in 0..{n_classes - 1}; got values in {y.min()}..{y.max()}."
        )
    rng = np.random.default_rng(rng)
    n_corrupt = int(round(fraction * len(y)))
    positions = rng.choice(len(y), size=n_corrupt, replace=False)
    # A shift of 1..n_classes-1 modulo n_classes is uniform over the other classes.
    shift = rng.integers(1, n_classes, size=n_corrupt)
    y_noisy = y.copy()
    y_noisy[positions] = (y[positions] + shift) % n_classes
    corrupted = np.zeros(len(y), dtype=bool)
    corrupted[positions] = True
    return y_noisy, corrupted


@dataclasses.dataclass
class MemorizationConfig:
    """Settings of the memorization experiment; the defaults are the CPU scale.

    ``methods`` maps a name to ``(alpha, dropout)``.
    """

    corruptions: tuple = (0.0, 0.2, 0.5, 0.8)
    methods: dict = dataclasses.field(
        default_factory=lambda: {
            "ERM": (0.0, 0.0),
            "ERM + dropout 0.5": (0.0, 0.5),
            "mixup alpha=1": (1.0, 0.0),
            "mixup alpha=8": (8.0, 0.0),
            "mixup alpha=32": (32.0, 0.0),
        }
    )
    n_train: int | None = 2000
    n_test: int | None = 1000
    max_epochs: int = 30
    batch_size: int = 64
    lr: float = 1e-3
    width: int = 16
    n_seeds: int = 1
    n_jobs: int = 2
    device: str = "cpu"
    data_home: str | None = None
    random_state: int = 0

    @classmethod
    def quick(cls, **changes):
        """A smoke run: 1,000 images, 4 epochs, 0 and 50% corruption (well under a minute)."""
        settings = dict(corruptions=(0.0, 0.5), n_train=1000, n_test=500, max_epochs=4)
        return cls(**{**settings, **changes})

    @classmethod
    def full(cls, **changes):
        """All 60,000 training images, a wider CNN, 100 epochs: for a GPU."""
        settings = dict(
            n_train=None,
            n_test=None,
            max_epochs=100,
            batch_size=128,
            width=32,
            n_jobs=1,
            device="auto",
        )
        return cls(**{**settings, **changes})


def _run_one(config, corruption, method, seed, X_train, y_train, X_test, y_test):
    torch.set_num_threads(1)
    alpha, dropout = config.methods[method]
    y_noisy, corrupted = corrupt_labels(
        y_train, corruption, 10, np.random.default_rng([seed, int(100 * corruption)])
    )
    clf = MixupClassifier(
        alpha=alpha,
        module=SmallCNN,
        module_params={"width": config.width, "dropout": dropout},
        max_epochs=config.max_epochs,
        batch_size=config.batch_size,
        lr=config.lr,
        device=config.device,
        random_state=seed,
        early_stopping=False,
        lr_schedule="constant",
        callbacks=[("test_error", EpochTestError(X_test, y_test))],
    )
    start = time.perf_counter()
    clf.fit(X_train, y_noisy)
    seconds = time.perf_counter() - start
    curve = [float(e) for e in clf.net_.history[:, "test_error"]]
    X_all = torch.from_numpy(
        np.require(X_train, requirements=["C", "W"])
    )  # joblib may pass a read-only memmap
    pred = predict_labels(clf.net_.module_, X_all, device=clf.net_.device).numpy()
    pred = clf.classes_[pred]
    best = int(np.argmin(curve))
    row = dict(
        corruption=corruption,
        method=method,
        alpha=alpha,
        dropout=dropout,
        seed=seed,
        best_error=curve[best],
        best_epoch=best + 1,
        last_error=curve[-1],
        # Share of the corrupted training labels that the network reproduces: memorization.
        memorized=float(np.mean(pred[corrupted] == y_noisy[corrupted]))
        if corrupted.any()
        else np.nan,
        train_fit=float(np.mean(pred == y_noisy)),
        seconds=seconds,
    )
    return row, curve


def run(config=None, verbose=True):
    """Train every (corruption, method, seed) and return ``(results, curves)`` DataFrames.

    ``results`` has one row per run: best-epoch and last-epoch test error (as
    fractions), the best epoch, the share of corrupted training labels the
    network fits (``memorized``), and its fit of the noisy training labels;
    ``curves`` has the test error after every epoch.
    """

    config = config or MemorizationConfig()
    X_train, X_test, y_train, y_test = fashion_mnist_subset(
        config.n_train, config.n_test, random_state=config.random_state, data_home=config.data_home
    )
    jobs = [
        (c, m, config.random_state + s)
        for s in range(config.n_seeds)
        for c in config.corruptions
        for m in config.methods
    ]
    if verbose:
        print(
            f"memorization: {len(X_train)} train / {len(X_test)} test images, {len(jobs)} runs of "
            f"{config.max_epochs} epochs, {config.n_jobs} job(s)",
            flush=True,
        )
    start = time.perf_counter()
    out = Parallel(n_jobs=config.n_jobs, verbose=10 if verbose else 0)(
        delayed(_run_one)(config, c, m, s, X_train, y_train, X_test, y_test) for c, m, s in jobs
    )
    results = pd.DataFrame([row for row, _ in out])
    curves = pd.DataFrame(
        [
            dict(
                corruption=row["corruption"],
                method=row["method"],
                seed=row["seed"],
                epoch=e + 1,
                test_error=err,
            )
            for row, curve in out
            for e, err in enumerate(curve)
        ]
    )
    if verbose:
        print(f"done in {time.perf_counter() - start:.0f} s", flush=True)
    return results, curves


def format_table(results, methods=None):
    """Test error % as "best / last" per corruption (rows) and method (columns), mean over seeds."""
    mean = results.groupby(["corruption", "method"], sort=False)[
        ["best_error", "last_error"]
    ].mean()
    methods = methods or list(dict.fromkeys(results["method"]))
    table = pd.DataFrame(
        index=[f"{100 * c:.0f}%" for c in dict.fromkeys(results["corruption"])],
        columns=methods,
        dtype=object,
    )
    for (c, m), r in mean.iterrows():
        table.loc[f"{100 * c:.0f}%", m] = f"{100 * r.best_error:.1f} / {100 * r.last_error:.1f}"
    table.index.name = "corruption"
    return table


def plot_curves(curves, path=None):
    """Test error per epoch, one panel per corruption level; saved to ``path`` when given."""
    import matplotlib

    if path is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    levels = list(dict.fromkeys(curves["corruption"]))
    # At most two panels a row: four in a row shrink below readable on a page's width.
    n_cols = min(2, len(levels))
    n_rows = -(-len(levels) // n_cols)
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(5.0 * n_cols, 3.4 * n_rows), sharey=False, squeeze=False
    )
    for ax in list(axes.flat)[len(levels) :]:
        ax.axis("off")
    for ax, level in zip(axes.flat, levels, strict=False):
        sub = curves[curves["corruption"] == level]
        for method, g in sub.groupby("method", sort=False):
            mean = g.groupby("epoch")["test_error"].mean()
            ax.plot(mean.index, 100 * mean.values, label=method)
        ax.set_title(f"{100 * level:.0f}% labels corrupted")
        ax.set_xlabel("epoch")
    for row in axes:
        row[0].set_ylabel("test error (%)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 3))
    fig.tight_layout(rect=(0, 0.12 / n_rows, 1, 1))
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def write_results(results, curves, out):
    """Write ``results.csv``, ``curves.csv``, ``table.txt`` and ``curves.png`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results.to_csv(out / "memorization_results.csv", index=False)
    curves.to_csv(out / "memorization_curves.csv", index=False)
    (out / "memorization_table.txt").write_text(format_table(results).to_string() + "\n")
    plot_curves(curves, out / "memorization_curves.png")
    return out


def add_arguments(parser):
    """Add this job's command-line options to ``parser``."""
    memorization_arguments(parser)


def config_from_args(args):
    changes = given(
        max_epochs=args.epochs,
        n_train=args.n_train,
        n_seeds=args.seeds,
        n_jobs=args.n_jobs,
        device=args.device,
        data_home=args.data_home,
    )
    if args.quick:
        return MemorizationConfig.quick(**changes)
    if args.full:
        return MemorizationConfig.full(**changes)
    return MemorizationConfig(**changes)


def main(argv=None, args=None):
    """Command line entry point (also ``python -m experiments memorization``)."""
    if args is None:
        args = parse_job("memorization", __doc__, add_arguments, argv)
    results, curves = run(config_from_args(args))
    print("test error % (best epoch / last epoch), clean test labels:")
    print(format_table(results).to_string())
    print("share of corrupted training labels fitted at the last epoch (%):")
    print(
        (
            100
            * results.pivot_table(
                index="corruption", columns="method", values="memorized", sort=False
            )
        )
        .round(1)
        .to_string()
    )
    if args.out:
        print(f"results written to {write_results(results, curves, args.out)}")
    return results, curves
