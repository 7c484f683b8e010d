"""scikit-learn's whole estimator check suite, with no expected failures."""

import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmixup import MixupClassifier, MixupClassifierCV, MixupEstimator, MixupRegressor


def _estimators():
    # Small epochs keep the suite fast; every check runs, none is expected to fail.
    return [
        MixupClassifier(max_epochs=30, random_state=0),
        MixupRegressor(max_epochs=30, random_state=0),
        MixupEstimator(LogisticRegression(), random_state=0),
        MixupEstimator(Ridge(), random_state=0),
        MixupClassifierCV(alphas=(0.0, 0.4), cv=2, max_epochs=30, random_state=0),
    ]


@parametrize_with_checks(_estimators())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def _default_estimators():
    # Default parameters (only random_state fixed): the settings users get. Slow (about
    # 1-2 minutes each for the networks, several for the CV search on 2 cores).
    return [
        MixupClassifier(random_state=0),
        MixupRegressor(random_state=0),
        MixupClassifierCV(random_state=0),
        MixupEstimator(LogisticRegression()),
        MixupEstimator(Ridge()),
    ]


@pytest.mark.slow
@parametrize_with_checks(_default_estimators())
def test_sklearn_compatible_with_default_parameters(estimator, check):
    check(estimator)
