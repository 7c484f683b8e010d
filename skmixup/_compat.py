"""The private scikit-learn names skmixup uses, imported in this one module.

scikit-learn keeps these out of its public API, so a release may move or
change them without a deprecation cycle. Every other module imports them from
here, so that a change is handled in one place, and ``pyproject.toml`` bounds
the supported releases (scikit-learn ``>=1.7,<1.10``); ``tox -e oldest``
runs the tests against the oldest one.

* ``_fit_context``: the decorator of ``fit`` that validates the parameters
  against ``_parameter_constraints`` (and skips nested validation), as
  scikit-learn's own estimators do;
* ``Interval``, ``StrOptions``, ``HasMethods``: the constraint objects of
  ``_parameter_constraints``;
* ``_check_sample_weight``: scikit-learn's check of ``sample_weight``, whose
  ``allow_all_zero_weights`` argument is new in scikit-learn 1.9 (older
  releases accept all-zero weights without it).

The private skorch methods that :mod:`skmixup._net` overrides or calls
(``NeuralNet._step_optimizer``, ``_set_training``, ``_optimizers``) stay in
that module, beside the code that depends on them.
"""

import inspect

from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight as _sklearn_check_sample_weight

__all__ = ["HasMethods", "Interval", "StrOptions", "_check_sample_weight", "_fit_context"]

_HAS_ALLOW_ALL_ZERO = (
    "allow_all_zero_weights" in inspect.signature(_sklearn_check_sample_weight).parameters
)


def _check_sample_weight(sample_weight, X, **kwargs):
    """scikit-learn's ``_check_sample_weight``, on every supported release.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,), float or None
        The weights to check.
    X : array-like
        The samples they weigh.
    **kwargs
        Keyword arguments of scikit-learn's function; ``allow_all_zero_weights``
        is dropped before scikit-learn 1.9, whose check never refuses all-zero
        weights.

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,)
    """
    if not _HAS_ALLOW_ALL_ZERO:
        kwargs.pop("allow_all_zero_weights", None)
    return _sklearn_check_sample_weight(sample_weight, X, **kwargs)
