"""
===========================================
Imbalanced classes: class_weight="balanced"
===========================================

When one class is rare, a classifier that minimises the average loss can
nearly ignore it: predicting the majority class everywhere is already 95%
accurate. ``class_weight="balanced"`` weighs every class the same in the
loss, as in scikit-learn's estimators. With mixup, a mixed example carries
the mixture of its two examples' weights, ``lam * w_i + (1 - lam) * w_j``:
the class weights averaged over its soft label (see the user guide).

This example trains the same mixup network with and without class weights
on a two-dimensional problem with a 5% minority class, draws both decision
boundaries, and compares balanced accuracy and ROC AUC with a balanced
logistic regression.
"""

# %%
# Data: 5% of the samples in the minority class
# ---------------------------------------------
import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

X, y = make_classification(
    n_samples=2000,
    n_features=2,
    n_informative=2,
    n_redundant=0,
    n_clusters_per_class=1,
    weights=[0.95],
    class_sep=0.8,
    random_state=3,
)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)
print(f"minority share: {y.mean():.1%}")

# %%
# The same network, with and without class weights
# ------------------------------------------------
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmixup import MixupClassifier

params = dict(alpha=0.2, max_epochs=60, batch_size=64, early_stopping=False, random_state=0)
models = {
    "mixup, class_weight=None": make_pipeline(StandardScaler(), MixupClassifier(**params)),
    "mixup, class_weight='balanced'": make_pipeline(
        StandardScaler(), MixupClassifier(class_weight="balanced", **params)
    ),
    "logistic regression, 'balanced'": make_pipeline(
        StandardScaler(), LogisticRegression(class_weight="balanced")
    ),
}
for name, model in models.items():
    model.fit(X_train, y_train)
    bacc = balanced_accuracy_score(y_test, model.predict(X_test))
    auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
    print(f"{name:32s} balanced accuracy {bacc:.3f}   ROC AUC {auc:.3f}")

# %%
# Without weights the network misses more of the minority class: its
# boundary hugs the rare class. With balanced weights the boundary moves
# into the majority class, trading a few majority errors for many more
# minority examples found. The ranking of the samples (ROC AUC) changes
# much less than the threshold: class weights mostly move the decision
# threshold.
import matplotlib.pyplot as plt

xx, yy = np.meshgrid(
    np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, 200),
    np.linspace(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5, 200),
)
grid = np.c_[xx.ravel(), yy.ravel()]
fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), sharex=True, sharey=True)
for ax, (name, model) in zip(axes, models.items()):
    proba = model.predict_proba(grid)[:, 1].reshape(xx.shape)
    ax.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
    ax.contour(xx, yy, proba, levels=[0.5], colors="k", linewidths=1.5)
    ax.scatter(*X_test[y_test == 0].T, s=4, c="tab:blue", label="majority")
    ax.scatter(*X_test[y_test == 1].T, s=10, c="tab:red", label="minority")
    ax.set_title(name, fontsize=10)
axes[0].legend(loc="lower left")
fig.suptitle("Predicted probability of the minority class; black line: 0.5")
fig.tight_layout()
plt.show()
