"""The private scikit-learn names skmixup uses, imported in this one module.

scikit-learn keeps these out of its public API, so a release may move or
change them without a deprecation cycle. Every other module imports them from
here, so that a change is handled in one place, and ``pyproject.toml`` bounds
the supported releases (scikit-learn ``>=1.6``, the first with the public
:func:`sklearn.utils.validation.validate_data`, ``<1.10``); ``tox -e oldest``
runs the tests against the oldest one.

* ``_fit_context``: the decorator of ``fit`` that validates the parameters
  against ``_parameter_constraints`` (and skips nested validation), as
  scikit-learn's own estimators do;
* ``Interval``, ``StrOptions``, ``HasMethods``: the constraint objects of
  ``_parameter_constraints``;
* ``_check_sample_weight``: scikit-learn's check of ``sample_weight``.

The private skorch methods that :mod:`skmixup.net` overrides or calls
(``NeuralNet._step_optimizer``, ``_set_training``, ``_optimizers``) stay in
that module, beside the code that depends on them.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight

__all__ = ["HasMethods", "Interval", "StrOptions", "_check_sample_weight", "_fit_context"]
