"""MixupEnsembleClassifier: a deep ensemble of seeds, its networks trained at once."""

from __future__ import annotations

import numbers

from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ._compat import HasMethods, Interval, _fit_context
from ._metaestimators import Predictions, copy_of, mean_proba, restore_on_error
from ._rng import numpy_rng, seed_from
from ._stacking import fit_members, stack_refusal
from ._weights import check_sample_weight


class MixupEnsembleClassifier(Predictions, ClassifierMixin, BaseEstimator):
    """A deep ensemble: copies of a MixupClassifier that differ only in their seed.

    Fits ``n_estimators`` clones of ``estimator`` on all of ``(X, y)``, each
    with its own ``random_state`` (so its own initial weights, batches,
    partners and lambdas), and predicts with the mean of their
    probabilities. Where the stacking engine implements the configuration
    (:func:`skmixup._stacking.stack_refusal`: the built-in MLP on a table,
    Adam or AdamW, random partners; RegMixup's ``clean_weight`` and
    ``mix_fraction`` included) and it pays on the device, the networks are
    trained at once by one stacked net (:func:`skmixup._stacking.fit_members`),
    each ending where its own fit would up to floating-point rounding and
    running its own callbacks; others are fitted one after another.

    Whether it beats one fit, and at what cost, is measured on the tabular
    suite: the user guide has the tables, ``docs/measurements.rst`` the
    pointers.

    Parameters
    ----------
    estimator : MixupClassifier, default=None
        The classifier to copy; ``None`` is ``MixupClassifier()``. It is
        cloned, never fitted itself. Its ``random_state``, when set, seeds the
        members' seeds (else ``random_state`` below does).
    n_estimators : int, default=5
        Number of members.
    random_state : int, RandomState instance or None, default=None
        Seeds the members' seeds when ``estimator`` has no ``random_state`` of
        its own (``None`` there); an estimator's own seed is left alone and
        seeds them instead, as before. ``None`` on both: fresh seeds from the
        operating system.

    Attributes
    ----------
    estimators_ : list of MixupClassifier
        The fitted members.
    batched_ : bool
        Whether the members were trained together (one stacked net).
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    MixupClassifier : One member.
    MixupClassifierCV : Chooses ``alpha``; ``refit="folds"`` averages the
        models of its cross-validation splits instead.
    sklearn.ensemble.BaggingClassifier : With ``bootstrap=False``, the same
        ensemble fitted one member after another.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skmixup import MixupClassifier, MixupEnsembleClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> ensemble = MixupEnsembleClassifier(MixupClassifier(max_epochs=20),
    ...                                    n_estimators=3, random_state=0).fit(X, y)
    >>> len(ensemble.estimators_), ensemble.predict_proba(X[:2]).shape
    (3, (2, 3))
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba", "get_params"]), None],
        "n_estimators": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator=None, *, n_estimators=5, random_state=None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit every member on all of (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image tensors
            Training data, as for :meth:`MixupClassifier.fit`.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples, given to every member.

        Returns
        -------
        self : MixupEnsembleClassifier
            The fitted ensemble.
        """
        # A failed or interrupted fit leaves the estimator as it was before the call.
        with restore_on_error(self):
            return self._fit(X, y, sample_weight)

    def _fit(self, X, y, sample_weight):
        X, y = self._validate(X, y, reset=True)
        check_classification_targets(y)
        sample_weight = check_sample_weight(sample_weight, X)
        base = copy_of(self.estimator, "random_state")
        own = base.get_params()["random_state"]
        rng = numpy_rng(self.random_state if own is None else own)
        members = [
            clone(base).set_params(random_state=seed_from(rng)) for _ in range(self.n_estimators)
        ]
        # A stack of one is slower than its plain fit.
        self.batched_ = (
            len(members) > 1
            and stack_refusal(base, X, y, sample_weight, n_members=len(members)) is None
        )
        if self.batched_:
            fit_members(members, [(X, y, sample_weight)] * len(members))
        else:
            for member in members:
                member.fit(X, y, sample_weight=sample_weight)
        self.estimators_ = members
        self.classes_ = members[0].classes_
        return self

    def predict_proba(self, X):
        """The mean of the members' class probabilities; columns follow ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image tensors
            Samples, as for :meth:`MixupClassifier.predict_proba`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        return mean_proba(self.estimators_, self.classes_, X)
