"""MixupEstimator: mixup for any scikit-learn estimator through weighted rows."""

import numpy as np
import pytest
from scipy.special import expit
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris, make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge, SGDClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skmixup import MixupEstimator


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(300, n_features=5, n_informative=3, random_state=0)
    return X, y


def test_weighted_rows_are_exact_mixup_for_log_loss(binary):
    """The fit is the optimum of the soft-label (mixup) cross-entropy."""
    X, y = binary
    C = 10.0
    meta = MixupEstimator(
        LogisticRegression(C=C, tol=1e-10, max_iter=10_000), alpha=1.0, random_state=0
    ).fit(X, y)
    X_fit, y_fit, w = meta._mix(X, y, regressor=False)
    m = len(X)
    X_mixed = X_fit[:m]
    assert np.allclose(X_fit[m : 2 * m][w[m : 2 * m] > 0], X_mixed[w[m : 2 * m] > 0])
    # soft label of class 1 of each mixed example: lam * y_i + (1 - lam) * y_j
    q = w[:m] * y_fit[:m] + (1 - w[:m]) * y_fit[m:]
    coef, intercept = meta.estimator_.coef_[0], meta.estimator_.intercept_[0]
    residual = expit(X_mixed @ coef + intercept) - q
    # stationarity of 0.5 |coef|^2 + C * sum soft cross-entropy
    assert np.allclose(C * X_mixed.T @ residual + coef, 0, atol=1e-5)
    assert abs(residual.sum()) < 1e-5
    assert ((0 < q) & (q < 1)).mean() > 0.4  # the labels really are soft


def test_alpha_zero_is_the_plain_estimator(binary):
    X, y = binary
    base = LogisticRegression(tol=1e-10, max_iter=10_000)
    meta = MixupEstimator(base, alpha=0, random_state=0).fit(X, y)
    assert meta.n_fit_rows_ == len(X)  # the zero-weight partner rows are dropped
    plain = base.fit(X, y)
    assert np.allclose(meta.estimator_.coef_, plain.coef_, atol=1e-5)
    assert np.array_equal(meta.predict(X), plain.predict(X))


def test_mixup_regularises_logistic_regression(binary):
    X, y = binary
    plain = LogisticRegression(C=1e4, max_iter=10_000).fit(X, y)
    meta = MixupEstimator(
        LogisticRegression(C=1e4, max_iter=10_000), alpha=1.0, random_state=0
    ).fit(X, y)
    # soft targets pull the weights towards smaller norms and probabilities towards 0.5
    assert np.linalg.norm(meta.estimator_.coef_) < np.linalg.norm(plain.coef_)
    assert meta.predict_proba(X).max(1).mean() < plain.predict_proba(X).max(1).mean()
    assert meta.score(X, y) > plain.score(X, y) - 0.02  # 0.71 for the plain fit: a hard problem


def test_regressor_gets_interpolated_targets():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    Y = np.stack([X @ [1.0, -2.0, 0.5] + 3, X @ [0.0, 1.0, 1.0]], axis=1)
    meta = MixupEstimator(LinearRegression(), alpha=1.0, random_state=0).fit(X, Y)
    X_fit, Y_fit, w = meta._mix(X, Y, regressor=True)
    assert w is None and len(X_fit) == 100
    # mixing a linear relation keeps it exact: the targets were mixed with the inputs
    assert np.allclose(Y_fit, meta.estimator_.predict(X_fit))
    assert np.allclose(meta.estimator_.coef_[0], [1.0, -2.0, 0.5])
    assert not np.allclose(X_fit, X)
    assert meta.predict(X).shape == (100, 2)


def test_rows_and_counts(binary):
    X, y = binary
    meta = MixupEstimator(LogisticRegression(), n_mixed=2.0, random_state=0).fit(X, y)
    assert meta.n_fit_rows_ == 2 * 600
    meta = MixupEstimator(LogisticRegression(), n_mixed=50, keep_original=True, random_state=0).fit(
        X, y
    )
    assert meta.n_fit_rows_ == 2 * 50 + 300
    X_fit, y_fit, w = meta._mix(X, y, regressor=False)
    assert np.allclose(w.sum(), 50 + 300)  # each mixed example weighs 1 in all
    again = MixupEstimator(LogisticRegression(), n_mixed=50, keep_original=True, random_state=0)
    assert np.array_equal(again.fit(X, y).predict_proba(X), meta.predict_proba(X))


def test_every_example_is_an_anchor(binary):
    X, y = binary
    meta = MixupEstimator(LogisticRegression(), alpha=1e-3, random_state=0)
    X_fit, _, w = meta._mix(X, y, regressor=False)
    # with a tiny alpha each mixed example is nearly one of the originals: all of them appear
    nearest = np.abs(X_fit[:300, None] - X[None]).sum(-1).argmin(1)
    lam = w[:300]
    anchors = np.where(lam > 0.5, nearest, -1)
    assert len(set(anchors[anchors >= 0])) > 100


@pytest.mark.parametrize(
    "estimator",
    [
        make_pipeline(StandardScaler(), SGDClassifier(loss="log_loss", random_state=0)),
        HistGradientBoostingClassifier(max_iter=30, random_state=0),
        make_pipeline(StandardScaler(), LogisticRegression()),  # weights routed to the last step
    ],
)
def test_other_classifiers(estimator):
    X, y = load_iris(return_X_y=True)
    meta = MixupEstimator(estimator, random_state=0).fit(X, y)
    assert meta.score(X, y) > 0.85
    assert list(meta.classes_) == [0, 1, 2]


def test_errors(binary):
    X, y = binary
    with pytest.raises(TypeError, match="KNeighborsClassifier.fit does not accept it"):
        MixupEstimator(KNeighborsClassifier()).fit(X, y)
    with pytest.raises(TypeError, match="wraps a classifier or a regressor"):
        MixupEstimator(KMeans(n_clusters=2, n_init=1)).fit(X, y)
    with pytest.raises(InvalidParameterError):
        MixupEstimator(StandardScaler()).fit(X, y)
    with pytest.raises(InvalidParameterError):
        MixupEstimator(LogisticRegression(), n_mixed=0).fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        MixupEstimator(LogisticRegression()).fit(X, y + 0.5)
    assert not hasattr(MixupEstimator(Ridge()), "predict_proba")


def test_importable_without_torch():
    # MixupEstimator wraps any scikit-learn estimator: its module and the helpers it shares
    # with the other meta-estimators load neither torch nor skorch.
    import subprocess
    import sys

    code = (
        "import sys, skmixup._meta, skmixup._metaestimators; "
        "assert not {'torch', 'skorch'} & set(sys.modules), sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
