"""
==========================================
Memorization of corrupt labels with mixup
==========================================

When part of the training labels are wrong, a network trained long enough
with plain empirical risk minimisation (ERM) learns the wrong labels by
heart, and its test error climbs back up after its best epoch. The mixup
paper (Zhang et al., 2018, Table 2) found that mixup with a large ``alpha``
resists this: its best-epoch and last-epoch test errors stay close.

This example corrupts half of the training labels of scikit-learn's 8x8
digits with :func:`experiments.memorization.corrupt_labels`, trains
the same small CNN with ERM and with mixup, and records the test error
(against the clean test labels) after every epoch. It then shows the stored
results of the larger Fashion-MNIST experiment
(``python -m experiments memorization``).
"""

# %%
# Running this example
# --------------------
# It uses the repository's ``experiments`` package, which is not installed
# with skmixup: run it from a clone of the repository, with skmixup
# installed (``pip install -e .``), as ``python examples/plot_memorization.py``.
# The lines below put the clone's root on ``sys.path`` so that
# ``import experiments`` finds it.
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1] if "__file__" in globals() else Path.cwd().parent
if not (REPO_ROOT / "experiments").is_dir():
    raise SystemExit(
        "This example needs the experiments package of a clone of the skmixup repository "
        "(it is not installed with the package): in the clone, run "
        "python examples/plot_memorization.py"
    )
sys.path.insert(0, str(REPO_ROOT))

# %%
# Corrupting labels
# -----------------
# Exactly half of the training labels are replaced by a different, randomly
# chosen class; the test labels stay clean.
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from experiments.memorization import corrupt_labels

torch.set_num_threads(1)
X, y = load_digits(return_X_y=True)
X = (X / 16).reshape(-1, 1, 8, 8).astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
y_noisy, corrupted = corrupt_labels(y_train, 0.5, 10, np.random.default_rng(0))
print(f"{corrupted.sum()} of {len(y_train)} training labels corrupted")

# %%
# Test error after every epoch
# ----------------------------
# :class:`~experiments.memorization.EpochTestError` is a small
# skorch callback passed through the ``callbacks`` parameter; it records the
# test error in the net's history after each epoch.
import matplotlib.pyplot as plt

from experiments.memorization import EpochTestError
from skmixup import MixupClassifier
from skmixup.modules import SmallCNN

fig, ax = plt.subplots(figsize=(5, 3.2))
for name, alpha in [("ERM", 0.0), ("mixup (alpha=8)", 8.0)]:
    # A fixed number of epochs: early stopping would hide what happens late in training.
    clf = MixupClassifier(
        alpha=alpha,
        module=SmallCNN,
        module_params={"width": 16},
        max_epochs=40,
        early_stopping=False,
        random_state=0,
        callbacks=[("test_error", EpochTestError(X_test, y_test))],
    )
    clf.fit(X_train, y_noisy)
    curve = 100 * np.array(clf.net_.history[:, "test_error"])
    fit = np.mean(clf.predict(X_train)[corrupted] == y_noisy[corrupted])
    print(
        f"{name:<16} best {curve.min():4.1f}% (epoch {curve.argmin() + 1}), "
        f"last {curve[-1]:4.1f}%, "
        f"fits {100 * fit:.0f}% of the corrupted training labels"
    )
    ax.plot(np.arange(1, len(curve) + 1), curve, label=name)
ax.set_xlabel("epoch")
ax.set_ylabel("test error (%)")
ax.set_title("digits, 50% of training labels corrupted")
ax.legend()
fig.tight_layout()

# %%
# The Fashion-MNIST experiment
# ----------------------------
# ``python -m experiments memorization --out docs/results/images`` runs 0, 20, 50
# and 80% corruption with ERM, ERM + dropout and mixup with alpha 1, 8 and 32
# on 2,000 Fashion-MNIST images for 30 epochs. Its stored results, test error
# in % as "best epoch / last epoch":
from pathlib import Path

import pandas as pd

from experiments.memorization import format_table, plot_curves

candidates = [Path("../docs/results/images"), Path("docs/results/images"), Path("results/images")]
if "__file__" in globals():
    candidates.insert(0, Path(__file__).resolve().parent.parent / "docs" / "results" / "images")
folder = next((p for p in candidates if (p / "memorization_results.csv").exists()), None)
if folder is not None:
    print(format_table(pd.read_csv(folder / "memorization_results.csv")).to_string())
    plot_curves(pd.read_csv(folder / "memorization_curves.csv"))
else:
    print(
        "stored results not found; run: "
        "python -m experiments memorization --out docs/results/images"
    )
plt.show()
