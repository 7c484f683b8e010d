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
# The shading is the predicted probability of class 1 (white for 0, dark blue
# for 1), the black line the decision boundary p = 0.5. Training points of
# class 0 are green, those of class 1 orange, as in the paper's figure.
import matplotlib.pyplot as plt
import numpy as np

xx, yy = np.meshgrid(np.linspace(-2.0, 3.0, 250), np.linspace(-1.6, 2.1, 200))
grid = np.c_[xx.ravel(), yy.ravel()]

fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True, layout="constrained")
for ax, (name, model) in zip(axes, models.items()):
    proba = model.predict_proba(grid)[:, 1].reshape(xx.shape)
    shading = ax.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="Blues")
    ax.contour(xx, yy, proba, levels=[0.5], colors="k", linewidths=1.5)
    for label, color in [(0, "tab:green"), (1, "tab:orange")]:
        ax.scatter(
            *X[y == label].T,
            color=color,
            edgecolors="k",
            linewidths=0.5,
            s=22,
            label=f"class {label}",
        )
    ax.set_title(name)
    ax.set_xlabel("$x_1$")
axes[0].set_ylabel("$x_2$")
axes[0].legend(loc="lower left")
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
    print(
        f"{name:16}  area with p > 0.99: {confident:6.1%}   "
        f"accuracy on new samples: {model.score(X_new, y_new):.3f}"
    )

# %%
# Between two examples
# --------------------
# mixup trains the network to predict ``lam * y_i + (1 - lam) * y_j`` at
# ``lam * x_i + (1 - lam) * x_j``. Along a straight segment that joins a point of
# class 0 to a point of class 1, the target of that training is a straight line
# from 0 to 1. Below, p(y=1|x) along 40 such segments for each network, and the
# mean distance to that line over 500 segments.
rng = np.random.default_rng(0)
i = rng.choice(np.flatnonzero(y == 0), size=500)
j = rng.choice(np.flatnonzero(y == 1), size=500)
lam = np.linspace(0, 1, 51)
segments = (1 - lam)[None, :, None] * X[i, None, :] + lam[None, :, None] * X[j, None, :]

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True, layout="constrained")
for ax, (name, model) in zip(axes, models.items()):
    proba = model.predict_proba(segments.reshape(-1, 2))[:, 1].reshape(len(i), len(lam))
    ax.plot(lam, proba[:40].T, color="tab:blue", alpha=0.35, linewidth=1)
    ax.plot(lam, lam, "k--", linewidth=2, label="mixup's target")
    distance = np.abs(proba - lam).mean()
    ax.set_title(f"{name}: mean |p - lam| = {distance:.3f}")
    ax.set_xlabel("lam: position from a class-0 point to a class-1 point")
    print(f"{name:16}  mean distance to the straight line: {distance:.3f}")
axes[0].set_ylabel("p(y=1|x)")
axes[0].legend(loc="upper left")
plt.show()

# %%
# The ERM network jumps from 0 to 1 somewhere along most segments; the mixup
# network rises more gradually and stays closer to the straight line. That
# in-between behaviour is what the paper credits for mixup's better calibration
# and robustness (see :ref:`sphx_glr_auto_examples_plot_calibration.py`).
#
# It is not free here: with ``alpha=1`` this small network is less accurate on
# new samples than without mixup. A large ``alpha`` makes a low-capacity network
# underfit; that is why the authors advise 0.2 to 0.4 for small networks
# (:ref:`sphx_glr_auto_examples_plot_tune_alpha.py` shows how to choose).
