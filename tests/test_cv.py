"""MixupClassifierCV: agreement with GridSearchCV, cv_results_ format, fallback, errors."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skmixup import MixupClassifier, MixupClassifierCV
from skmixup.modules import MLP

FAST = dict(max_epochs=4, batch_size=16, device="cpu", random_state=0)
# MixupClassifierCV keeps its own recipe (a constant lr of 1e-3, a 2x128 MLP, no early
# stopping); the MixupClassifier it is compared with is given the same settings.
GRID = dict(FAST, early_stopping=False, lr=1e-3, lr_schedule="constant",
            hidden_layer_sizes=(128, 128))


@pytest.fixture(scope="module")
def folds(iris):
    return list(StratifiedKFold(3, shuffle=True, random_state=0).split(*iris))


def test_agrees_with_grid_search(iris, folds):
    X, y = iris
    alphas = [0.0, 0.4, 4.0]
    search = MixupClassifierCV(alphas, cv=folds, **FAST).fit(X, y)
    grid = GridSearchCV(MixupClassifier(**GRID), {"alpha": alphas}, cv=folds).fit(X, y)
    assert search.batched_
    # Each ensemble member follows its single fit's trajectory (same init, data order,
    # partners, lambdas and Adam) up to float rounding (weights within ~1e-6 after a few
    # epochs, tests/test_ensemble.py): a prediction can only differ for a test point that
    # sits within rounding of the decision boundary. Allow one such point per fold.
    tolerance = 1 / min(len(test) for _, test in folds)
    for k in range(len(folds)):
        np.testing.assert_allclose(search.cv_results_[f"split{k}_test_score"],
                                   grid.cv_results_[f"split{k}_test_score"], atol=tolerance)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               grid.cv_results_["mean_test_score"], atol=tolerance)
    assert search.alpha_ == grid.best_params_["alpha"]
    assert search.best_score_ == pytest.approx(grid.best_score_, abs=tolerance)
    # The refit is the same model GridSearchCV would refit.
    np.testing.assert_allclose(search.predict_proba(X), grid.predict_proba(X), atol=1e-5)


def test_cv_results_in_grid_search_format(iris):
    X, y = iris
    search = MixupClassifierCV([0.1, 0.2, 0.4], cv=2, **FAST).fit(X, y)
    frame = pd.DataFrame(search.cv_results_)
    expected = {"params", "param_alpha", "split0_test_score", "split1_test_score",
                "mean_test_score", "std_test_score", "rank_test_score", "mean_fit_time",
                "std_fit_time", "mean_score_time", "std_score_time"}
    assert set(frame.columns) == expected
    assert len(frame) == 3
    assert list(frame["param_alpha"]) == [0.1, 0.2, 0.4]
    assert frame["params"][1] == {"alpha": 0.2}
    assert frame["rank_test_score"].min() == 1
    assert search.alpha_ == frame["param_alpha"][frame["rank_test_score"].idxmin()]
    assert search.best_params_ == {"alpha": search.alpha_}
    assert isinstance(search.best_estimator_, MixupClassifier)
    assert search.best_estimator_.alpha == search.alpha_
    assert search.n_splits_ == 2
    assert (frame["mean_fit_time"] > 0).all()


def test_scoring_is_used(iris):
    X, y = iris
    search = MixupClassifierCV([0.0, 0.4], cv=2, scoring="neg_log_loss", **FAST).fit(X, y)
    assert (search.cv_results_["mean_test_score"] < 0).all()


def test_refit_false_has_no_predict(iris):
    X, y = iris
    search = MixupClassifierCV([0.0, 0.4], cv=2, refit=False, **FAST).fit(X, y)
    assert search.alpha_ in (0.0, 0.4)
    assert not hasattr(search, "best_estimator_")
    with pytest.raises(AttributeError, match="refit=False"):
        search.predict(X)


class Tiny(torch.nn.Module):
    def __init__(self, n_features, n_classes):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_classes)

    def forward(self, x):
        return self.linear(x)


@pytest.mark.parametrize("params", [
    dict(module=Tiny),  # custom module
    dict(optimizer="sgd"),  # optimizer the batched path does not implement
    dict(early_stopping=True, validation_fraction=0.2),
    dict(partners="same_class"),  # a variant the batched path does not implement
    dict(label_smoothing=0.1),
])
def test_falls_back_to_one_fit_per_candidate(iris, folds, params):
    X, y = iris
    alphas = [0.0, 0.4]
    search = MixupClassifierCV(alphas, cv=folds, n_jobs=1, **FAST, **params).fit(X, y)
    grid = GridSearchCV(MixupClassifier(**{**GRID, **params}), {"alpha": alphas},
                        cv=folds).fit(X, y)
    assert not search.batched_
    # The fallback is GridSearchCV itself: identical scores.
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"],
                                  grid.cv_results_["mean_test_score"])
    assert search.alpha_ == grid.best_params_["alpha"]


def test_uneven_folds_and_adamw(iris):
    # 150 rows in 4 folds: training sets of 112 and 113 rows; AdamW with betas passed.
    X, y = iris
    params = dict(FAST, optimizer="adamw", weight_decay=0.01, batch_size=8,
                  optimizer_params={"betas": (0.8, 0.99)})
    folds = list(StratifiedKFold(4, shuffle=True, random_state=1).split(X, y))
    search = MixupClassifierCV([0.2, 1.0], cv=folds, **params).fit(X, y)
    grid = GridSearchCV(MixupClassifier(**{**GRID, **params}), {"alpha": [0.2, 1.0]},
                        cv=folds).fit(X, y)
    assert search.batched_
    tolerance = 1 / min(len(test) for _, test in folds)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               grid.cv_results_["mean_test_score"], atol=tolerance)


def test_built_in_mlp_members_are_mlps(iris):
    X, y = iris
    search = MixupClassifierCV([0.4], cv=2, **FAST).fit(X, y)
    assert isinstance(search.best_estimator_.net_.module_, MLP)


@pytest.mark.parametrize("alphas", [[], [-0.1, 0.2], [[0.1, 0.2]], [np.nan]])
def test_rejects_bad_alphas(iris, alphas):
    X, y = iris
    with pytest.raises(ValueError, match="alphas must be"):
        MixupClassifierCV(alphas, cv=2, **FAST).fit(X, y)


def test_rejects_one_class(iris):
    X, _ = iris
    with pytest.raises(ValueError, match="at least 2 classes"):
        MixupClassifierCV([0.1], cv=2, **FAST).fit(X, np.zeros(len(X)))


def test_n_jobs_splits_the_ensemble_with_the_same_results(iris, folds):
    X, y = iris
    one = MixupClassifierCV([0.0, 0.4, 1.0], cv=folds, refit=False, **FAST).fit(X, y)
    two = MixupClassifierCV([0.0, 0.4, 1.0], cv=folds, refit=False, n_jobs=2, **FAST).fit(X, y)
    assert two.batched_
    # Members are independent: splitting them over processes changes nothing but rounding.
    tolerance = 1 / min(len(test) for _, test in folds)
    np.testing.assert_allclose(two.cv_results_["mean_test_score"],
                               one.cv_results_["mean_test_score"], atol=tolerance)
