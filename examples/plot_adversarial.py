"""
=========================================
Adversarial examples: ERM against mixup
=========================================

The mixup paper (Zhang et al., 2018, Table 3) reports that networks trained
with mixup are more robust to adversarial examples made with the fast
gradient sign method (FGSM) and its iterative version (I-FGSM).

This example trains the same small CNN twice on scikit-learn's 8x8 digits,
once with plain empirical risk minimisation (``alpha=0``) and once with
mixup, and attacks both with ``experiments._attacks.fgsm`` and
``experiments._attacks.iterative_fgsm`` over a range of budgets ``eps``.
It then shows the stored results of the larger Fashion-MNIST experiment
(``python -m experiments adversarial``).
"""

# %%
# Running this example
# --------------------
# It uses the repository's ``experiments`` package, which is not installed
# with skmixup: run it from a clone of the repository, with skmixup
# installed (``pip install -e .``), as ``python examples/plot_adversarial.py``.
# The lines below put the clone's root on ``sys.path`` so that
# ``import experiments`` finds it.
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1] if "__file__" in globals() else Path.cwd().parent
if not (REPO_ROOT / "experiments").is_dir():
    raise SystemExit(
        "This example needs the experiments package of a clone of the skmixup repository "
        "(it is not installed with the package): in the clone, run "
        "python examples/plot_adversarial.py"
    )
sys.path.insert(0, str(REPO_ROOT))

# %%
# Two classifiers, one with mixup
# -------------------------------
# Pixel values are scaled to [0, 1], so ``eps`` is a fraction of the pixel
# range. The network is :class:`skmixup.modules.SmallCNN`.
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skmixup import MixupClassifier
from skmixup.modules import SmallCNN

torch.set_num_threads(1)
X, y = load_digits(return_X_y=True)
X = (X / 16).reshape(-1, 1, 8, 8).astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

models = {}
for name, alpha in [("ERM", 0.0), ("mixup (alpha=1)", 1.0)]:
    clf = MixupClassifier(
        alpha=alpha,
        module=SmallCNN,
        module_params={"width": 8},
        max_epochs=20,
        early_stopping=False,
        random_state=0,
    ).fit(X_train, y_train)
    models[name] = clf
    print(f"{name}: clean test error {100 * (1 - clf.score(X_test, y_test)):.1f}%")

# %%
# Attacking them
# --------------
# White-box attacks: the examples are crafted on the attacked network itself
# (``clf.net_.module_``, a plain :class:`torch.nn.Module`). The digits' labels
# 0..9 are also the networks' class indices.
import matplotlib.pyplot as plt

from experiments._attacks import fgsm, iterative_fgsm
from experiments.adversarial import attack_error

X_t, y_t = torch.from_numpy(X_test), torch.from_numpy(y_test)
epsilons = [0.0, 0.02, 0.05, 0.1, 0.15, 0.2]
fig, axes = plt.subplots(1, 2, figsize=(8, 3.2), sharey=True)
for ax, (attack_name, attack) in zip(axes, [("FGSM", fgsm), ("I-FGSM, 10 steps", iterative_fgsm)]):
    for name, clf in models.items():
        errors = [attack_error(clf.net_.module_, attack, X_t, y_t, eps) for eps in epsilons]
        print(f"{attack_name:<17} {name:<16}", " ".join(f"{100 * e:5.1f}" for e in errors))
        ax.plot(epsilons, [100 * e for e in errors], marker="o", label=name)
    ax.set_title(f"white-box {attack_name}")
    ax.set_xlabel("eps (fraction of the pixel range)")
axes[0].set_ylabel("top-1 test error (%)")
axes[0].legend()
fig.tight_layout()

# %%
# The Fashion-MNIST experiment
# ----------------------------
# ``python -m experiments adversarial --out docs/results/images`` trains ERM and
# mixup (alpha=1) CNNs on 5,000 Fashion-MNIST images and a third, separately
# seeded ERM network that crafts the black-box examples. Its stored results:
from pathlib import Path

import pandas as pd

from experiments.adversarial import format_table, plot_errors

candidates = [Path("../docs/results/images"), Path("docs/results/images"), Path("results/images")]
if "__file__" in globals():
    candidates.insert(0, Path(__file__).resolve().parent.parent / "docs" / "results" / "images")
stored = next(
    (p / "adversarial_results.csv" for p in candidates if (p / "adversarial_results.csv").exists()),
    None,
)
if stored is not None:
    results = pd.read_csv(stored)
    print(format_table(results).to_string())
    plot_errors(results)
else:
    print(
        "stored results not found; run: python -m experiments adversarial --out docs/results/images"
    )
plt.show()
