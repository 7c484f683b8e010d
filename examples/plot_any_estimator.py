"""
==============================================
Mixup for any scikit-learn estimator
==============================================

:class:`~skmixup.MixupEstimator` fits any scikit-learn classifier or
regressor on mixed examples. For a classifier, a mixed example
``x = lam * x_i + (1 - lam) * x_j`` has the soft label
``lam * y_i + (1 - lam) * y_j``. Most scikit-learn classifiers only take hard
labels, but cross-entropy is linear in the target, so the soft label is the
same as two rows ``(x, y_i)`` and ``(x, y_j)`` with sample weights ``lam``
and ``1 - lam``. For every classifier fitted by minimising the log-loss with
``sample_weight`` (logistic regression, ``SGDClassifier(loss="log_loss")``,
gradient boosting) this is exactly mixup. Regressors get interpolated
targets.
"""

# %%
# Gradient boosting on two noisy half-moons, with and without mixup.
import numpy as np
from sklearn.datasets import make_moons
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split

from skmixup import MixupEstimator

X, y = make_moons(600, noise=0.3, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0)
hgb = HistGradientBoostingClassifier(max_iter=200, early_stopping=False, random_state=0)
models = {
    "HistGradientBoosting": hgb,
    "MixupEstimator(HistGradientBoosting, alpha=0.4)": MixupEstimator(
        hgb, alpha=0.4, n_mixed=4.0, random_state=0
    ),
}
for model in models.values():
    model.fit(X_train, y_train)

# %%
# Boosted trees fit axis-aligned boxes and, without a limit, become very
# confident in small boxes around single noisy points. Trained on mixed
# points with soft labels, the same model learns graded probabilities
# between the classes. ``n_mixed=4.0`` draws four mixed examples per
# training example (eight weighted rows).
import matplotlib.pyplot as plt
from sklearn.metrics import log_loss

xx, yy = np.meshgrid(np.linspace(-2, 3, 150), np.linspace(-1.5, 2, 110))
grid = np.c_[xx.ravel(), yy.ravel()]
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, (name, model) in zip(axes, models.items()):
    proba = model.predict_proba(grid)[:, 1].reshape(xx.shape)
    ax.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.8)
    ax.scatter(
        X_train[:, 0], X_train[:, 1], c=y_train, cmap="RdBu_r", s=8, edgecolors="k", linewidths=0.3
    )
    loss = log_loss(y_test, model.predict_proba(X_test))
    ax.set_title(
        f"{name}\ntest accuracy {model.score(X_test, y_test):.3f}, log-loss {loss:.3f}", fontsize=9
    )
fig.tight_layout()
plt.show()

# %%
# The weighted rows really are mixup: for logistic regression the fitted
# coefficients satisfy the optimality condition of the soft-label
# cross-entropy of the mixed examples (here without any penalty).
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

meta = MixupEstimator(
    LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000), alpha=1.0, random_state=0
).fit(X_train, y_train)
X_fit, y_fit, weight = meta._mix(X_train, y_train, regressor=False)
m = len(X_train)
soft_label = weight[:m] * y_fit[:m] + (1 - weight[:m]) * y_fit[m:]
p = expit(X_fit[:m] @ meta.estimator_.coef_[0] + meta.estimator_.intercept_[0])
print("gradient of the soft-label loss at the fit:", np.abs(X_fit[:m].T @ (p - soft_label)).max())

# %%
# Any estimator whose ``fit`` takes ``sample_weight`` works, pipelines
# included (the weights go to the last step). One without it is refused with
# an explanation:
from sklearn.neighbors import KNeighborsClassifier

try:
    MixupEstimator(KNeighborsClassifier()).fit(X_train, y_train)
except TypeError as exc:
    print(exc)
