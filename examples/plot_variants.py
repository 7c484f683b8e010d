"""
==========================================
The paper's ablation variants of mixup
==========================================

The mixup paper (Zhang et al., 2018, Table 5) asks which parts of mixup
matter: how partners are chosen (any example, one of the same class, one of
the nearest neighbours), whether labels are mixed or only inputs, and how it
compares with label smoothing or with mixing hidden layers instead of inputs
(later called manifold mixup). Each is a parameter of
:class:`~skmixup.MixupClassifier`; this example shows what each does to the
predicted probabilities on a two-class toy problem.

The measured ablation on UCI tables and Fashion-MNIST is in the
"Ablation" results page.
"""

# %%
# Two interleaved half-moons with label noise, 200 points.
import numpy as np
import torch
from sklearn.datasets import make_moons

torch.set_num_threads(1)
X, y = make_moons(200, noise=0.25, random_state=0)
X = X.astype(np.float32)

# %%
# One classifier per variant. ``alpha=1`` makes the effects easy to see.
from skmixup import MixupClassifier

variants = {
    "ERM (alpha=0)": {"alpha": 0},
    "mixup, random partners": {},
    "same-class partners": {"partners": "same_class"},
    "kNN partners (k=10)": {"partners": "knn", "n_neighbors": 10},
    "inputs only": {"mix_targets": False},
    "label smoothing 0.1": {"alpha": 0, "label_smoothing": 0.1},
    "hidden layer 1 (manifold)": {"mix_layer": 1},
    "random layer (manifold)": {"mix_layer": "random"},
}
common = dict(alpha=1.0, hidden_layer_sizes=(64, 64), max_epochs=100, random_state=0)
models = {
    name: MixupClassifier(**{**common, **params}).fit(X, y) for name, params in variants.items()
}

# %%
# The probability of the lower moon on a grid. Mixing labels of random
# partners widens the band where the model is unsure; mixing a hidden layer
# does the same, less. Same-class partners never mix labels and keep ERM's
# sharp boundary; partners among the 10 nearest neighbours are mostly of the
# same class here, so they change little. Inputs-only mixing and label
# smoothing lower the confidence without moving the boundary much.
import matplotlib.pyplot as plt

xx, yy = np.meshgrid(np.linspace(-1.8, 2.8, 120), np.linspace(-1.3, 1.8, 90))
grid = np.c_[xx.ravel(), yy.ravel()].astype(np.float32)
fig, axes = plt.subplots(2, 4, figsize=(13, 6), sharex=True, sharey=True)
for ax, (name, model) in zip(axes.ravel(), models.items()):
    proba = model.predict_proba(grid)[:, 1].reshape(xx.shape)
    ax.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.8)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", s=8, edgecolors="k", linewidths=0.3)
    ax.set_title(f"{name}\ntrain acc {model.score(X, y):.2f}", fontsize=9)
fig.tight_layout()
plt.show()

# %%
# How confident is each model on its training data? The mean probability of
# the predicted class is 1 for a model that memorises; mixed labels pull it
# down the most.
for name, model in models.items():
    print(f"{name:28s} mean max-probability {model.predict_proba(X).max(axis=1).mean():.3f}")
