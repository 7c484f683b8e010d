"""scikit-learn's whole estimator check suite, no expected failures, on every public estimator."""

import inspect

import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.utils.estimator_checks import parametrize_with_checks
from torch import nn

import skmixup
from skmixup import (
    MixupClassifier,
    MixupClassifierCV,
    MixupEnsembleClassifier,
    MixupEstimator,
    MixupRegressor,
)


class Float64MLP(nn.Module):
    """A one-hidden-layer MLP computing in float64 (inputs arrive as float32)."""

    def __init__(self, n_features, n_outputs):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(n_features, 32), nn.ReLU(), nn.Linear(32, n_outputs)
        ).double()

    def forward(self, x):
        return self.layers(x.double())


def public_estimators():
    """Every estimator class that ``skmixup`` exports, found from ``skmixup.__all__``.

    ``MixupNet`` is left out: it is a skorch ``NeuralNet`` (float tensors in, float
    targets), exported for skorch users, not a scikit-learn estimator; skorch's own nets
    do not take scikit-learn's checks either.
    """
    from skorch import NeuralNet

    found = (getattr(skmixup, name) for name in skmixup.__all__ if not name.startswith("__"))
    return [
        obj
        for obj in found
        if inspect.isclass(obj)
        and issubclass(obj, BaseEstimator)
        and not issubclass(obj, NeuralNet)
    ]


# How to build the checked instances of an estimator that needs more than its defaults
# (MixupEstimator wraps an estimator; the fast CV searches two alphas with 2 folds). An
# estimator not listed is checked as ``cls()``: a new one is checked without being added
# here. The meta-estimators' inner classifiers are unseeded: their ``random_state`` seeds them.
_FAST_PARAMS = {
    MixupEstimator: [dict(estimator=LogisticRegression()), dict(estimator=Ridge())],
    MixupClassifierCV: [dict(estimator=MixupClassifier(max_epochs=30), alphas=(0.0, 0.4), cv=2)],
    MixupEnsembleClassifier: [dict(estimator=MixupClassifier(max_epochs=30), n_estimators=2)],
}
# Default parameters: only what an estimator cannot do without (MixupEstimator's estimator).
_DEFAULT_PARAMS = {MixupEstimator: [dict(estimator=LogisticRegression()), dict(estimator=Ridge())]}


def _instances(params_by_class, **overrides):
    """One instance per parameter set of every public estimator, ``random_state=0``."""
    for cls in public_estimators():
        for params in params_by_class.get(cls, [{}]):
            estimator = cls(**params)
            names = estimator.get_params(deep=False)
            overrides = {"random_state": 0, **overrides}
            estimator.set_params(**{k: v for k, v in overrides.items() if k in names})
            yield estimator


def _estimators():
    # Small epochs keep the suite fast; every check runs, none is expected to fail.
    return list(_instances(_FAST_PARAMS, max_epochs=30))


def test_every_public_estimator_is_checked():
    checked = {type(estimator) for estimator in _estimators()}
    assert checked == set(public_estimators())
    assert {MixupClassifier, MixupClassifierCV, MixupEstimator, MixupRegressor} <= checked


# check_sample_weight_equivalence_on_dense_data fits once on rows repeated w times and once
# on the rows with integer weights w, and asks for the same predictions to rtol=1e-7. That
# holds exactly only where training is a deterministic function of the weighted data: no
# mixing (alpha=0, as mixed pairs are drawn among rows, not among weighted copies) and one
# minibatch per epoch (batch_size above the number of rows). Float32 arithmetic, summing
# the same loss in another order, moves the predictions by about 2e-7 after 30 Adam steps,
# so the networks compute in float64 for this check. scikit-learn runs it the same way on
# its own stochastic estimators (MLPClassifier with solver="lbfgs"). The weighting with
# mixup is tested in tests/test_weights.py: zero weights as deletion (bit for bit, with
# mixing), the weight each mixed example carries, the weighted validation loss.
_EXACT_WEIGHTS = dict(alpha=0, batch_size=256, module=Float64MLP)


def _inner(**params):
    """Per-check parameters of a meta-estimator: its inner classifier with ``params`` set."""
    return lambda est: dict(
        estimator=clone(est.estimator or MixupClassifier()).set_params(**params)
    )


# The only check run with parameters of its own, as scikit-learn runs it for MLPClassifier.
_CHECK_PARAMS = {
    "check_sample_weight_equivalence_on_dense_data": {
        MixupClassifier: _EXACT_WEIGHTS,
        MixupRegressor: _EXACT_WEIGHTS,
        MixupClassifierCV: lambda est: {**_inner(**_EXACT_WEIGHTS)(est), "alphas": (0.0,)},
        MixupEnsembleClassifier: _inner(**_EXACT_WEIGHTS),
        MixupEstimator: dict(alpha=0),
    }
}


def _with_check_params(estimator, check):
    params = _CHECK_PARAMS.get(check.func.__name__, {}).get(type(estimator))
    if callable(params):
        params = params(estimator)
    return estimator if params is None else clone(estimator).set_params(**params)


@parametrize_with_checks(_estimators())
def test_sklearn_compatible_estimator(estimator, check):
    check(_with_check_params(estimator, check))


def _default_estimators():
    # Default parameters (only random_state fixed, on the meta-estimators too, whose seed
    # reaches their default inner MixupClassifier): the settings users get. Slow (about 1-2
    # minutes each for the networks, several for the CV search on 2 cores).
    return list(_instances(_DEFAULT_PARAMS))


@pytest.mark.slow
@parametrize_with_checks(_default_estimators())
def test_sklearn_compatible_with_default_parameters(estimator, check):
    check(_with_check_params(estimator, check))
