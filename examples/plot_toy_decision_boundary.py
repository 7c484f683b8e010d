"""
==================================================
mixup on a 2-D toy problem (the paper's Figure 1b)
==================================================

Figure 1b of the mixup paper (Zhang et al., 2018, :arxiv:`1710.09412`) shows
the probability of class 1 that a network learns on a two-class problem in the
plane, trained without mixup (empirical risk minimization, ERM) and with mixup
(``alpha=1``). Without mixup the network is certain almost everywhere and
switches abruptly at its decision boundary; with mixup the probability changes
gradually in the space between the classes.

This example re-runs that comparison on two interleaved half-moons. The two
networks are the same in every respect (architecture, initial weights, order of
the minibatches) except ``alpha``.
"""

# %%
# Data: two noisy half-moons
# --------------------------
from sklearn.datasets import make_moons

X, y = make_moons(n_samples=200, noise=0.2, random_state=0)

# %%
# Two networks that differ only in ``alpha``
# ------------------------------------------
# ``alpha=0`` turns mixup off: plain ERM. ``alpha=1`` draws the mixing
# coefficient uniformly in [0, 1], as in the paper's figure. The default network
# is an MLP with two hidden layers of 128 ReLU units.
from skmixup import MixupClassifier

models = {
    "ERM (alpha=0)": MixupClassifier(alpha=0.0, max_epochs=300, random_state=0),
    "mixup (alpha=1)": MixupClassifier(alpha=1.0, max_epochs=300, random_state=0),
}
for model in models.values():
    model.fit(X, y)

# %%
# p(y=1|x) over the plane
# -----------------------
# The shading is the predicted probability of class 1, the black line the
# decision boundary p = 0.5.
import matplotlib.pyplot as plt
import numpy as np

xx, yy = np.meshgrid(np.linspace(-2.0, 3.0, 250), np.linspace(-1.6, 2.1, 200))
grid = np.c_[xx.ravel(), yy.ravel()]

fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True, layout="constrained")
for ax, (name, model) in zip(axes, models.items()):
    proba = model.predict_proba(grid)[:, 1].reshape(xx.shape)
    shading = ax.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="PuOr_r")
    ax.contour(xx, yy, proba, levels=[0.5], colors="k", linewidths=1.5)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="PuOr_r", edgecolors="k", s=18)
    ax.set_title(name)
    ax.set_xlabel("$x_1$")
axes[0].set_ylabel("$x_2$")
fig.colorbar(shading, ax=axes, label="p(y=1|x)")
plt.show()

# %%
# How confident is each network, and is it still right?
# ------------------------------------------------------
# The share of the plotted area where a network gives more than 99% to one class
# measures how abruptly it switches; the accuracy on fresh samples from the same
# distribution shows what, if anything, the smoother model pays for it.
X_new, y_new = make_moons(n_samples=2000, noise=0.2, random_state=1)
for name, model in models.items():
    confident = (model.predict_proba(grid).max(axis=1) > 0.99).mean()
    print(f"{name:16}  area with p > 0.99: {confident:6.1%}   "
          f"accuracy on new samples: {model.score(X_new, y_new):.3f}")

# %%
# Between two examples
# --------------------
# mixup trains the network to predict ``lam * y_i + (1 - lam) * y_j`` at
# ``lam * x_i + (1 - lam) * x_j``. Along straight segments that join a point of
# class 0 to a point of class 1, the ideal under that training is a straight
# line from 0 to 1. Here is p(y=1|x) along 300 such segments, averaged, with the
# band between the 10% and 90% quantiles.
rng = np.random.default_rng(0)
i = rng.choice(np.flatnonzero(y == 0), size=300)
j = rng.choice(np.flatnonzero(y == 1), size=300)
lam = np.linspace(0, 1, 51)
segments = (1 - lam)[None, :, None] * X[i, None, :] + lam[None, :, None] * X[j, None, :]

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for name, model in models.items():
    proba = model.predict_proba(segments.reshape(-1, 2))[:, 1].reshape(len(i), len(lam))
    line, = ax.plot(lam, proba.mean(axis=0), label=name)
    low, high = np.quantile(proba, [0.1, 0.9], axis=0)
    ax.fill_between(lam, low, high, color=line.get_color(), alpha=0.2)
ax.plot(lam, lam, "k--", label="mixup's target")
ax.set_xlabel("position on the segment from a class-0 point to a class-1 point")
ax.set_ylabel("p(y=1|x)")
ax.legend()
plt.show()

# %%
# The ERM network jumps from 0 to 1 somewhere along most segments; the mixup
# network's average follows the straight line more closely. That in-between
# behaviour is what the paper credits for mixup's better calibration and
# robustness (see :ref:`sphx_glr_auto_examples_plot_calibration.py`).
