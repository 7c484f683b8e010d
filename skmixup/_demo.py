"""The one-minute demo: mixup against memorizing wrong labels, on a small table.

scikit-learn's digits (1,797 rows, 64 pixel features, 10 classes) are split
70/30; ``noise`` of the training labels are replaced by wrong ones drawn at
random (the test labels stay clean). The same 2x128 MLP is trained four
ways: ERM and mixup for a fixed number of epochs, then both again with early
stopping on a held-out tenth of the (noisy) training rows. Printed: the test
error on clean labels, and the share of the wrong training labels that the
network reproduces (memorization, as in the paper's Table 2).

What it shows, measured over 3 seeds (see ``docs/user_guide.rst``): trained
for a fixed 60 epochs, ERM fits most wrong labels and its test error climbs;
mixup fits about half as many and has a much lower test error. Early
stopping guards against memorization at least as well here, and mixup adds
nothing on top of it: mixup's benefit in this demo is against long training
on noisy labels, not a free gain.

Run ``python -m skmixup demo`` (``--help`` for the options), or :func:`run`.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from ._classifier import MixupClassifier

__all__ = ["run"]

EPOCHS = 60
BATCH_SIZE = 64


def _noisy_split(X, y, noise, seed):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=seed, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    X_train = scaler.transform(X_train).astype(np.float32)
    X_test = scaler.transform(X_test).astype(np.float32)
    rng = np.random.default_rng(seed)
    wrong = rng.random(len(y_train)) < noise
    n_classes = len(np.unique(y))
    y_noisy = y_train.copy()
    # A shift of 1..n_classes-1 gives a wrong label drawn uniformly from the others.
    y_noisy[wrong] = (y_train[wrong] + rng.integers(1, n_classes, wrong.sum())) % n_classes
    return X_train, X_test, y_noisy, y_test, wrong


def run(alpha=1.0, noise=0.4, seeds=3, *, verbose=True):
    """Fit the four models on ``seeds`` noisy splits; return a DataFrame, one row per fit.

    Parameters
    ----------
    alpha : float, default=1.0
        Mixup's alpha (ERM is alpha=0).
    noise : float in [0, 1), default=0.4
        Share of training labels replaced by wrong ones.
    seeds : int, default=3
        Random splits (each with its own wrong labels and network seed).
    verbose : bool, default=True
        Print a line per fit.

    Returns
    -------
    results : pandas.DataFrame
        ``seed``, ``model``, ``test_error`` (%, clean test labels),
        ``memorized`` (% of the wrong training labels predicted as given),
        ``epochs`` and ``fit_s``.
    """

    if not 0.0 <= noise < 1.0:
        raise ValueError(f"noise must be in [0, 1); got {noise}.")
    if seeds < 1:
        raise ValueError(f"seeds must be at least 1; got {seeds}.")
    X, y = load_digits(return_X_y=True)
    models = {
        f"ERM, {EPOCHS} epochs": dict(alpha=0.0, early_stopping=False),
        f"mixup alpha={alpha:g}, {EPOCHS} epochs": dict(alpha=alpha, early_stopping=False),
        "ERM, early stopping": dict(alpha=0.0, early_stopping=True),
        f"mixup alpha={alpha:g}, early stopping": dict(alpha=alpha, early_stopping=True),
    }
    rows = []
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny network: one thread is fastest and shares the machine
    try:
        for seed in range(seeds):
            X_train, X_test, y_noisy, y_test, wrong = _noisy_split(X, y, noise, seed)
            for i, (name, params) in enumerate(models.items()):
                start = time.perf_counter()
                # A constant learning rate: the demo compares training lengths (a fixed
                # number of epochs against early stopping), which a decaying schedule blurs.
                clf = MixupClassifier(
                    hidden_layer_sizes=(128, 128),
                    max_epochs=EPOCHS,
                    batch_size=BATCH_SIZE,
                    lr=1e-3,
                    lr_schedule="constant",
                    random_state=seed,
                    **params,
                )
                clf.fit(X_train, y_noisy)
                row = dict(
                    seed=seed,
                    model=name,
                    test_error=100 * (1 - clf.score(X_test, y_test)),
                    memorized=(
                        100 * float(np.mean(clf.predict(X_train[wrong]) == y_noisy[wrong]))
                        if wrong.any()
                        else np.nan
                    ),
                    epochs=clf.n_iter_,
                    fit_s=time.perf_counter() - start,
                )
                rows.append(row)
                if verbose:
                    print(
                        f"  seed {seed + 1}/{seeds}, fit {i + 1}/{len(models)}: {name:<36} "
                        f"test error {row['test_error']:5.1f} %, {row['epochs']:3d} epochs, "
                        f"{row['fit_s']:.1f} s",
                        flush=True,
                    )
    finally:
        torch.set_num_threads(threads)
    return pd.DataFrame(rows)


def summary(results):
    """Mean test error and memorization per model, in the order they were run."""
    order = list(dict.fromkeys(results["model"]))
    table = results.groupby("model", sort=False)[["test_error", "memorized", "epochs"]].mean()
    return table.loc[order].round(1)


def main(args):
    """Print what the demo does, run it, print the summary (``python -m skmixup demo``).

    ``args`` has ``alpha``, ``noise`` and ``seeds``; returns :func:`run`'s results.
    """
    print(
        f"digits (scikit-learn, 1797 rows x 64 features, 10 classes), 70/30 splits;\n"
        f"{100 * args.noise:.0f}% of the training labels replaced by wrong ones, test labels "
        f"clean.\nThe same 2x128 MLP (batch {BATCH_SIZE}), {args.seeds} seeds, 4 fits each:",
        flush=True,
    )
    results = run(args.alpha, args.noise, args.seeds)
    table = summary(results).rename(
        columns={
            "test_error": "test error %",
            "memorized": "wrong labels fitted %",
            "epochs": "epochs run",
        }
    )
    print(f"\nmean over {args.seeds} seeds:")
    print(table.to_string())
    print(
        "\nWhat this shows: trained for a fixed number of epochs, the network without mixup\n"
        "fits most of the wrong labels and its test error climbs; mixup fits far fewer.\n"
        "Early stopping on held-out (noisy) rows guards against that as well or better,\n"
        "and on these runs mixup did not improve on it. Mixup's benefit in this demo is\n"
        "robustness to long training on noisy labels, not a free gain."
    )
    return results
