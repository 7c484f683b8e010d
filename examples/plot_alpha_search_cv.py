"""
=============================================
Fast alpha search with MixupClassifierCV
=============================================

:class:`~skmixup.MixupClassifierCV` is to a grid search over ``alpha`` what
:class:`~sklearn.linear_model.RidgeCV` is to a grid search over Ridge's
penalty: the same result, computed faster. For the built-in MLP it trains the
network of every (alpha, fold) pair at once, through one skorch net whose
module holds their stacked weights; each network is prepared as its own fit
would prepare it and keeps its own data order, partners, lambdas and optimizer
state. Here it runs beside the equivalent
:class:`~sklearn.model_selection.GridSearchCV` on the same folds, both over the
same :class:`~skmixup.MixupClassifier`. On a table this small a training step
is mostly fixed overhead, which stacking removes; with the default settings
on tables of thousands of rows a CPU step is mostly arithmetic, and the two
searches take about the same time (the speed page has the measurements).
"""

# %%
# Data: the breast cancer table (569 samples, 30 features), standardized.
import time

from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler

from skmixup import MixupClassifier, MixupClassifierCV

X, y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X)
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
alphas = [0.0, 0.1, 0.2, 0.4, 1.0, 2.0]
# The defaults, with 20 epochs instead of 100 to keep this page quick.
clf = MixupClassifier(max_epochs=20, device="cpu", random_state=0)

# %%
# Both searches: 6 alphas x 5 folds = 30 networks, then a refit with the best.
start = time.perf_counter()
search_cv = MixupClassifierCV(clf, alphas=alphas, cv=folds).fit(X, y)
time_cv = time.perf_counter() - start

start = time.perf_counter()
grid = GridSearchCV(clf, {"alpha": alphas}, cv=folds).fit(X, y)
time_grid = time.perf_counter() - start

print(f"MixupClassifierCV: {time_cv:.1f} s, alpha_ = {search_cv.alpha_}")
print(f"GridSearchCV:      {time_grid:.1f} s, alpha = {grid.best_params_['alpha']}")
print(f"speed-up: {time_grid / time_cv:.1f}x")

# %%
# The same table of results
# -------------------------
# ``cv_results_`` has GridSearchCV's format. The scores agree up to the
# rounding of batched and unbatched matrix products (a test point within
# rounding of a decision boundary can change side).
import pandas as pd

columns = ["param_alpha", "mean_test_score", "std_test_score", "rank_test_score"]
print(pd.DataFrame(search_cv.cv_results_)[columns])
print(pd.DataFrame(grid.cv_results_)[columns])

# %%
# Mean cross-validated accuracy against alpha, with one standard deviation over
# the folds.
import matplotlib.pyplot as plt
import numpy as np

fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
positions = np.arange(len(alphas))
for offset, (name, results) in zip(
    (-0.08, 0.08),
    (("MixupClassifierCV", search_cv.cv_results_), ("GridSearchCV", grid.cv_results_)),
):
    ax.errorbar(
        positions + offset,
        results["mean_test_score"],
        yerr=results["std_test_score"],
        fmt="o",
        capsize=3,
        label=name,
    )
ax.set_xticks(positions, [str(a) for a in alphas])
ax.set_xlabel("alpha")
ax.set_ylabel("cross-validated accuracy")
ax.legend()
plt.show()
