"""
==========================================
Tuning alpha with GridSearchCV
==========================================

``alpha`` sets how strongly mixup mixes: the mixing coefficient is drawn from
Beta(alpha, alpha), so a small ``alpha`` keeps most mixed examples close to one
of the two originals, ``alpha=1`` mixes uniformly and a large ``alpha`` mixes
almost half and half. ``alpha=0`` is training without mixup. The best value
depends on the data and the network, so treat it as a hyper-parameter and pick
it by cross-validation like any other.

:class:`~skmixup.MixupClassifier` is a scikit-learn estimator: put it in a
pipeline and hand the pipeline to :class:`~sklearn.model_selection.GridSearchCV`.
"""

# %%
# What alpha does to the mixing coefficient
# -----------------------------------------
# Histograms of 20,000 draws of ``lam`` from :func:`skmixup.mixup.sample_lambda`,
# the function the training loop calls.
import matplotlib.pyplot as plt
import torch

from skmixup.mixup import sample_lambda

alphas = [0.1, 0.4, 1.0, 4.0]
fig, axes = plt.subplots(1, len(alphas), figsize=(11, 2.6), layout="constrained")
for ax, alpha in zip(axes, alphas):
    lam = sample_lambda(alpha, 20_000, generator=torch.Generator().manual_seed(0))
    ax.hist(lam.numpy(), bins=40, range=(0, 1), density=True, color="tab:blue")
    ax.set_title(f"alpha = {alpha}")
    ax.set_xlabel("lam")
axes[0].set_ylabel("density")
plt.show()

# %%
# Data and pipeline
# -----------------
# The breast cancer data that ships with scikit-learn: 569 samples, 30 features,
# two classes. Features are standardized inside the pipeline, so each
# cross-validation split is scaled with its own training part only.
from sklearn.datasets import load_breast_cancer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmixup import MixupClassifier

X, y = load_breast_cancer(return_X_y=True)
pipeline = make_pipeline(StandardScaler(), MixupClassifier(max_epochs=20, random_state=0))

# %%
# Grid search over alpha
# ----------------------
# Parameters of a pipeline step are named ``<step>__<parameter>``. Two scores
# are recorded: accuracy, and the log loss, which also rewards probabilities
# that are neither over- nor under-confident. The refit uses the log loss.
from sklearn.model_selection import GridSearchCV, StratifiedKFold

param_grid = {"mixupclassifier__alpha": [0.0, 0.2, 0.4, 1.0, 2.0]}
search = GridSearchCV(
    pipeline,
    param_grid,
    scoring={"accuracy": "accuracy", "log_loss": "neg_log_loss"},
    refit="log_loss",
    cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=0),
    return_train_score=True,
)
search.fit(X, y)
print("best alpha:", search.best_params_["mixupclassifier__alpha"])
print(f"its cross-validated log loss: {-search.best_score_:.4f}")

import pandas as pd

table = pd.DataFrame(
    {
        "alpha": search.cv_results_["param_mixupclassifier__alpha"],
        "log loss": -search.cv_results_["mean_test_log_loss"],
        "log loss std": search.cv_results_["std_test_log_loss"],
        "accuracy": search.cv_results_["mean_test_accuracy"],
        "accuracy std": search.cv_results_["std_test_accuracy"],
    }
)
print(table.round(4).to_string(index=False))

# %%
# The validation curve
# --------------------
# ``cv_results_`` holds, for every alpha, the mean and standard deviation of each
# score over the five folds, on the held-out part and on the training part. The
# curve of the training score is the fit on *unmixed* training samples.
import numpy as np

results = search.cv_results_
alpha_values = np.array(param_grid["mixupclassifier__alpha"])
x = np.arange(len(alpha_values))

fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
for ax, (key, label, sign) in zip(
    axes, [("log_loss", "log loss", -1), ("accuracy", "accuracy", 1)]
):
    for part, style in [("train", "--"), ("test", "-")]:
        mean = sign * results[f"mean_{part}_{key}"]
        std = results[f"std_{part}_{key}"]
        name = "training folds" if part == "train" else "held-out folds"
        ax.plot(x, mean, style, marker="o", label=name)
        ax.fill_between(x, mean - std, mean + std, alpha=0.2)
    ax.set_xticks(x, [str(a) for a in alpha_values])
    ax.set_xlabel("alpha")
    ax.set_ylabel(label)
    ax.legend()
axes[0].set_title("log loss (lower is better)")
axes[1].set_title("accuracy")
plt.show()

# %%
# Read the bands, not only the means. On the training folds the picture is
# clear: without mixup the network fits its training data almost perfectly, and
# each step up in alpha makes it fit less tightly. On the held-out folds the
# differences between alphas are smaller than the spread from fold to fold: on a
# data set this small, an accuracy difference is a sample or two per fold. The
# largest spread is ERM's log loss: a few confident mistakes in one fold cost a
# lot of log loss, which is the overconfidence mixup is meant to temper. A grid
# search picks the best mean; whether that difference is real needs more folds
# or repeats (:class:`~sklearn.model_selection.RepeatedStratifiedKFold`).
#
# The grid above trains 25 networks one after another. To spread such a search
# over several processes or machines, pass ``n_jobs`` or use a Dask cluster as
# joblib's backend.

# sphinx_gallery_thumbnail_number = 2
