"""MixupClassifierCV: agreement with GridSearchCV, cv_results_ format, fallback, errors."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skmixup import MixupClassifier, MixupClassifierCV
from skmixup.modules import MLP

FAST = dict(max_epochs=4, batch_size=16, device="cpu", random_state=0)


def searched(alphas, params=FAST, **kwargs):
    """MixupClassifierCV over MixupClassifier(**params)."""
    return MixupClassifierCV(MixupClassifier(**params), alphas=alphas, **kwargs)


def _tables():
    from sklearn.datasets import load_breast_cancer, load_iris, load_wine
    from sklearn.preprocessing import StandardScaler

    for load in (load_iris, load_wine, load_breast_cancer):
        X, y = load(return_X_y=True)
        yield load.__name__[5:], StandardScaler().fit_transform(X).astype(np.float32), y


def _assert_same_search(search, grid, folds):
    # Each model of the search follows its own fit's trajectory (same init, data order,
    # partners, lambdas, Adam and lr) up to float rounding (tests/test_stacking.py): a
    # prediction can only differ for a test point within rounding of the decision
    # boundary. Allow one such point per fold.
    tolerance = 1 / min(len(test) for _, test in folds)
    for k in range(len(folds)):
        np.testing.assert_allclose(
            search.cv_results_[f"split{k}_test_score"],
            grid.cv_results_[f"split{k}_test_score"],
            atol=tolerance,
        )
    assert search.alpha_ == grid.best_params_["alpha"]
    assert search.best_score_ == pytest.approx(grid.best_score_, abs=tolerance)


@pytest.fixture(scope="module")
def folds(iris):
    return list(StratifiedKFold(3, shuffle=True, random_state=0).split(*iris))


def test_agrees_with_grid_search(iris, folds):
    X, y = iris
    alphas = [0.0, 0.4, 4.0]
    search = searched(alphas, cv=folds).fit(X, y)
    grid = GridSearchCV(MixupClassifier(**FAST), {"alpha": alphas}, cv=folds).fit(X, y)
    assert search.batched_
    _assert_same_search(search, grid, folds)
    # The refit (trained alongside the splits) is the model GridSearchCV refits.
    np.testing.assert_allclose(search.predict_proba(X), grid.predict_proba(X), atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("name, X, y", list(_tables()))
def test_default_search_is_the_grid_search(name, X, y):
    # The defaults of both (MixupClassifier(): 100 epochs, cosine lr, no early stopping),
    # the default alphas, on three tables.
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    base = MixupClassifier(random_state=0, device="cpu")
    search = MixupClassifierCV(base, cv=folds).fit(X, y)
    grid = GridSearchCV(base, {"alpha": list(search.alphas)}, cv=folds).fit(X, y)
    assert search.batched_
    _assert_same_search(search, grid, folds)
    np.testing.assert_allclose(search.predict_proba(X), grid.predict_proba(X), atol=1e-4)


def test_refits_trained_alongside_the_splits_are_the_refit(iris, folds, monkeypatch):
    # On a GPU every alpha's refit trains in the same stack as the splits; the path runs here
    # on the CPU by asking for it. The kept refit is the one GridSearchCV would refit.
    X, y = iris
    monkeypatch.setattr(MixupClassifierCV, "_refits_alongside", staticmethod(lambda cuda: True))
    search = searched([0.0, 0.4, 4.0], cv=folds).fit(X, y)
    grid = GridSearchCV(MixupClassifier(**FAST), {"alpha": [0.0, 0.4, 4.0]}, cv=folds).fit(X, y)
    _assert_same_search(search, grid, folds)
    assert search.best_estimator_.alpha == search.alpha_
    np.testing.assert_allclose(search.predict_proba(X), grid.predict_proba(X), atol=1e-5)


def test_default_estimator_is_mixup_classifier_defaults():
    search = MixupClassifierCV()
    assert search._base_estimator().get_params() == MixupClassifier().get_params()


def test_fold_models_predict_without_refit(iris, folds):
    X, y = iris
    search = searched([0.0, 0.4], cv=folds, refit="folds").fit(X, y)
    grid = GridSearchCV(
        MixupClassifier(**FAST), {"alpha": [0.0, 0.4]}, cv=folds, return_train_score=False
    ).fit(X, y)
    assert not hasattr(search, "best_estimator_")
    assert len(search.estimators_) == len(folds)
    assert all(est.alpha == search.alpha_ for est in search.estimators_)
    expected = np.mean([est.predict_proba(X) for est in search.estimators_], axis=0)
    np.testing.assert_allclose(search.predict_proba(X), expected)
    assert search.predict(X).shape == y.shape
    assert search.alpha_ == grid.best_params_["alpha"]


def test_fold_models_with_a_missing_class(iris):
    # Class 2 has only 2 samples: a split without it gives a two-class model, whose
    # probability for class 2 counts as 0 in the mean.
    X, y = iris
    keep = np.r_[np.flatnonzero(y < 2), np.flatnonzero(y == 2)[:2]]
    X, y = X[keep], y[keep]
    folds = [(np.flatnonzero(y < 2), np.arange(len(y))), (np.arange(len(y)), np.arange(len(y)))]
    search = searched([0.4], cv=folds, refit="folds").fit(X, y)
    assert [list(est.classes_) for est in search.estimators_] == [[0, 1], [0, 1, 2]]
    proba = search.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_allclose(proba[:, 2], search.estimators_[1].predict_proba(X)[:, 2] / 2)


def test_cv_results_in_grid_search_format(iris):
    X, y = iris
    search = searched([0.1, 0.2, 0.4], cv=2).fit(X, y)
    frame = pd.DataFrame(search.cv_results_)
    expected = {
        "params",
        "param_alpha",
        "split0_test_score",
        "split1_test_score",
        "mean_test_score",
        "std_test_score",
        "rank_test_score",
        "mean_fit_time",
        "std_fit_time",
        "mean_score_time",
        "std_score_time",
    }
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
    search = searched([0.0, 0.4], cv=2, scoring="neg_log_loss").fit(X, y)
    assert (search.cv_results_["mean_test_score"] < 0).all()


def test_refit_false_has_no_predict(iris):
    X, y = iris
    search = searched([0.0, 0.4], cv=2, refit=False).fit(X, y)
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


@pytest.mark.parametrize(
    "params",
    [
        dict(module=Tiny),  # custom module
        dict(optimizer="sgd"),  # optimizer the batched path does not implement
        dict(partners="same_class"),  # a variant the batched path does not implement
        dict(mix_layer=1),  # manifold mixup
    ],
)
def test_falls_back_to_one_fit_per_candidate(iris, folds, params):
    X, y = iris
    alphas = [0.0, 0.4]
    search = searched(alphas, {**FAST, **params}, cv=folds, n_jobs=1).fit(X, y)
    grid = GridSearchCV(MixupClassifier(**FAST, **params), {"alpha": alphas}, cv=folds).fit(X, y)
    assert not search.batched_
    # The fallback is GridSearchCV itself: identical scores.
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"], grid.cv_results_["mean_test_score"]
    )
    assert search.alpha_ == grid.best_params_["alpha"]


def test_early_stopping_search_is_the_grid_search(iris, folds):
    # Each model holds out its own rows and stops on its own (tests/test_stacking.py).
    X, y = iris
    params = dict(
        FAST,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=2,
        max_epochs=30,
        lr=0.03,
    )
    search = searched([0.0, 0.4, 2.0], params, cv=folds).fit(X, y)
    grid = GridSearchCV(MixupClassifier(**params), {"alpha": [0.0, 0.4, 2.0]}, cv=folds).fit(X, y)
    assert search.batched_
    _assert_same_search(search, grid, folds)


def test_uneven_folds_and_adamw(iris):
    # 150 rows in 4 folds: training sets of 112 and 113 rows; AdamW with betas passed.
    X, y = iris
    params = dict(
        FAST,
        optimizer="adamw",
        weight_decay=0.01,
        batch_size=8,
        optimizer_params={"betas": (0.8, 0.99)},
    )
    folds = list(StratifiedKFold(4, shuffle=True, random_state=1).split(X, y))
    search = searched([0.2, 1.0], params, cv=folds).fit(X, y)
    grid = GridSearchCV(MixupClassifier(**params), {"alpha": [0.2, 1.0]}, cv=folds).fit(X, y)
    assert search.batched_
    tolerance = 1 / min(len(test) for _, test in folds)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], grid.cv_results_["mean_test_score"], atol=tolerance
    )


def test_built_in_mlp_members_are_mlps(iris):
    X, y = iris
    search = searched([0.4], cv=2).fit(X, y)
    assert isinstance(search.best_estimator_.net_.module_, MLP)


@pytest.mark.parametrize("alphas", [[], [-0.1, 0.2], [[0.1, 0.2]], [np.nan]])
def test_rejects_bad_alphas(iris, alphas):
    X, y = iris
    with pytest.raises(ValueError, match="alphas must be"):
        searched(alphas, cv=2).fit(X, y)


def test_rejects_one_class(iris):
    X, _ = iris
    with pytest.raises(ValueError, match="at least 2 classes"):
        searched([0.1], cv=2).fit(X, np.zeros(len(X)))


def test_rejects_an_estimator_without_alpha(iris):
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(TypeError, match="alpha parameter"):
        MixupClassifierCV(LogisticRegression(), alphas=[0.1], cv=2).fit(*iris)


def _processes_used(monkeypatch):
    """Record the n_jobs of every joblib.Parallel that skmixup._cv starts."""
    import skmixup._cv

    used = []

    class Recording(skmixup._cv.Parallel):
        def __init__(self, n_jobs=None, **kwargs):
            used.append(n_jobs)
            super().__init__(n_jobs=n_jobs, **kwargs)

    monkeypatch.setattr(skmixup._cv, "Parallel", Recording)
    return used


def test_n_jobs_splits_the_ensemble_with_the_same_results(iris, folds, monkeypatch):
    X, y = iris
    one = searched([0.0, 0.4, 1.0], cv=folds, refit=False).fit(X, y)
    used = _processes_used(monkeypatch)
    monkeypatch.setattr("skmixup._cv._ROWS_PER_PROCESS", 1)  # any work is worth a process
    two = searched([0.0, 0.4, 1.0], cv=folds, refit=False, n_jobs=2).fit(X, y)
    assert two.batched_ and used == [2]
    # Members are independent: splitting them over processes changes nothing but rounding.
    tolerance = 1 / min(len(test) for _, test in folds)
    np.testing.assert_allclose(
        two.cv_results_["mean_test_score"], one.cv_results_["mean_test_score"], atol=tolerance
    )


def test_a_short_search_stays_in_one_process(iris, folds, monkeypatch):
    # 9 models x ~100 rows x 4 epochs: far less work than starting a process costs.
    used = _processes_used(monkeypatch)
    searched([0.0, 0.4, 1.0], cv=folds, refit=False, n_jobs=2).fit(*iris)
    assert used == [1]


def test_fold_models_of_the_fallback_are_the_searched_ones(iris, folds):
    X, y = iris
    params = dict(FAST, optimizer="sgd", lr=0.05)
    search = searched([0.0, 0.4], params, cv=folds, refit="folds").fit(X, y)
    assert not search.batched_
    i = search.best_index_
    for k, est in enumerate(search.estimators_):
        test = folds[k][1]
        assert est.score(X[test], y[test]) == search.cv_results_[f"split{k}_test_score"][i]


def test_random_state_seeds_an_unseeded_estimator_and_leaves_a_seed_alone(iris, folds):
    X, y = iris
    unseeded = {**FAST, "random_state": None}
    a = searched([0.0, 0.4], unseeded, cv=folds, random_state=3).fit(X, y)
    b = searched([0.0, 0.4], unseeded, cv=folds, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.best_estimator_.random_state == 3
    assert a.estimator.random_state is None  # the given estimator is not changed
    # Every candidate starts from that seed: the search is GridSearchCV over the seeded base.
    grid = GridSearchCV(MixupClassifier(**{**FAST, "random_state": 3}), {"alpha": [0.0, 0.4]})
    grid.set_params(cv=folds).fit(X, y)
    _assert_same_search(a, grid, folds)
    # An estimator's own seed is left alone.
    own = searched([0.0, 0.4], cv=folds, random_state=3).fit(X, y)
    assert own.best_estimator_.random_state == FAST["random_state"]
    rng = np.random.RandomState(0)
    drawn = searched([0.0], unseeded, cv=folds, random_state=rng).fit(X, y)
    assert isinstance(drawn.best_estimator_.random_state, int)


def test_a_diverging_search_raises_as_grid_search_does():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    huge = (X * 3e37).astype(np.float32)  # the loss overflows in the first epoch
    search = searched([0.0, 0.4], cv=2)
    assert search.set_params().fit(X.astype(np.float32), y).batched_
    with pytest.raises(ValueError, match="All the 4 fits failed") as stacked:
        search.fit(huge, y)
    with pytest.raises(ValueError, match="All the 4 fits failed") as grid:
        GridSearchCV(MixupClassifier(**FAST), {"alpha": [0.0, 0.4]}, cv=2).fit(huge, y)
    for error in (stacked, grid):
        assert "The training loss became inf at epoch 1" in str(error.value)
    assert search.batched_  # restored: the fit that raised left the search as it was


def test_a_split_that_diverges_scores_nan_as_in_grid_search():
    from sklearn.datasets import load_iris
    from sklearn.exceptions import FitFailedWarning

    X, y = load_iris(return_X_y=True)
    X = X.astype(np.float32)
    X[::2] *= np.float32(3e37)  # split 0 trains on these rows only: its loss overflows
    folds = [
        (np.arange(0, 150, 2), np.arange(1, 150, 2)),
        (np.arange(1, 150, 2), np.arange(0, 150, 2)),
    ]
    with pytest.warns(FitFailedWarning, match="2 fits failed out of a total of 4"):
        search = searched([0.0, 0.4], cv=folds, refit=False).fit(X, y)
    with pytest.warns(FitFailedWarning, match="2 fits failed out of a total of 4"):
        grid = GridSearchCV(
            MixupClassifier(**FAST), {"alpha": [0.0, 0.4]}, cv=folds, refit=False
        ).fit(X, y)
    assert search.batched_
    for key in ("split0_test_score", "split1_test_score", "rank_test_score"):
        np.testing.assert_allclose(search.cv_results_[key], grid.cv_results_[key], atol=0.05)
    assert np.isnan(search.cv_results_["split0_test_score"]).all()


def test_stacked_search_shows_one_progress_bar(iris, folds, capsys, monkeypatch):
    from skmixup import _net

    monkeypatch.setattr(_net, "PROGRESS_DELAY", 0.0)
    X, y = iris
    search = searched([0.0, 0.4], {**FAST, "verbose": 1}, cv=folds, refit=False).fit(X, y)
    assert search.batched_
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("epochs:") >= 1 and "members=6" in err and "train_loss=" in err
    # verbose=2: each member prints its own epoch table, as its own fit does.
    searched([0.0], {**FAST, "verbose": 2}, cv=folds, refit=False).fit(X, y)
    out, err = capsys.readouterr()
    rows = [line for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert len(rows) == len(folds) * FAST["max_epochs"] and "epochs:" not in err


def test_whether_to_stack_is_asked_of_the_splits_steps():
    # 1,500 rows take batches of 256 (batch_size="auto"), above the CPU's 128 rows a
    # stacked step; the 1,200 training rows of a 5-fold split take 128: the search stacks.
    from skmixup._stacking import stack_refusal

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(1500, 6)).astype(np.float32), rng.integers(0, 2, 1500)
    base = MixupClassifier(max_epochs=1, device="cpu", random_state=0)
    assert "256 rows" in stack_refusal(base, X, y, n_members=10)
    search = MixupClassifierCV(base, alphas=(0.0, 0.4), cv=5, refit=False).fit(X, y)
    assert search.batched_
