"""What the meta-estimators share, without torch: restoring on error, input checks, members.

:class:`~skmixup.MixupEstimator` works with any scikit-learn estimator and
needs no torch: it imports from here (and :mod:`skmixup._rng`,
:mod:`skmixup._weights`), never from the torch layers. The estimators that fit
copies of a :class:`~skmixup.MixupClassifier` (:class:`~skmixup.MixupClassifierCV`,
:class:`~skmixup.MixupEnsembleClassifier`) use the rest.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import validate_data

__all__ = ["X_CHECKS", "Predictions", "copy_of", "mean_proba", "restore_on_error"]

# How every estimator checks X: dense float32 tables or image tensors, finite, non-empty.
X_CHECKS = dict(
    accept_sparse=False,
    dtype=np.float32,
    ensure_all_finite=True,
    allow_nd=True,
    ensure_min_samples=1,
)


@contextmanager
def restore_on_error(estimator):
    """Leave the estimator as it was if fit fails: nothing half-written."""
    before = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(before)
        raise


def copy_of(estimator, needs):
    """A clone of ``estimator`` (``None``: ``MixupClassifier()``), which must take ``needs``.

    The base of the estimators that fit copies of a classifier (MixupClassifierCV
    varies its ``alpha``, MixupEnsembleClassifier its ``random_state``).
    """
    if estimator is None:
        from ._classifier import MixupClassifier  # torch, only for the default

        base = MixupClassifier()
    else:
        base = clone(estimator)
    if needs not in base.get_params():
        article = "an" if needs[0] in "aeiou" else "a"
        raise TypeError(
            f"estimator must have {article} {needs} parameter (a MixupClassifier); got "
            f"{type(base).__name__}."
        )
    return base


def mean_proba(estimators, classes, X):
    """The mean of the estimators' probabilities, in the columns of ``classes``.

    A class missing from an estimator's training rows has probability 0 in it.
    """
    proba = np.zeros((len(X), len(classes)))
    for est in estimators:
        proba[:, np.searchsorted(classes, est.classes_)] += est.predict_proba(X)
    return proba / len(estimators)


class Predictions:
    """``predict`` and ``predict_log_proba`` from ``predict_proba``, and the input check,
    for the estimators that predict through fitted members (MixupClassifierCV,
    MixupEnsembleClassifier)."""

    def _validate(self, X, y=None, *, reset):
        if reset:
            return validate_data(self, X, y, **X_CHECKS)
        return validate_data(self, X, reset=False, **X_CHECKS)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image tensors
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Class labels: the most probable class of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image tensors
            Samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)  # first: it checks that the estimator is fitted
        return self.classes_[np.argmax(proba, axis=1)]
