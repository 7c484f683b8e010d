"""skmixup: mixup (Zhang et al., ICLR 2018) for scikit-learn.

``MixupClassifier().fit(X, y)`` trains a torch network (through skorch) on
convex combinations of pairs of examples and of their labels.

Public: the estimators (:class:`MixupClassifier`, :class:`MixupRegressor`,
:class:`MixupClassifierCV`, :class:`MixupEnsembleClassifier`,
:class:`MixupEstimator`), :func:`save` and
:func:`load`, the skorch net the estimators train (:class:`MixupNet`), the
mixup math (:mod:`skmixup.mixup`), the built-in networks (:mod:`skmixup.modules`)
and the dataset loaders (:mod:`skmixup.datasets`).
Modules whose name starts with an underscore are private.

Layers, imports flowing one way:

* :mod:`skmixup.mixup` -- the mixup math in pure torch (where lambda is drawn);
* :mod:`skmixup.modules` -- the built-in networks;
* :mod:`skmixup._net` -- the skorch net that applies mixup in its training step;
* the estimators, on top of them.

The estimators are imported on first use, so that ``import skmixup`` (and
``python -m skmixup --help``) does not load torch. The studies that reproduce
the paper are not part of the package: they live in the repository's
``experiments/`` folder.
"""

import importlib

__version__ = "0.1.0"

_LAZY = {
    "MixupClassifier": "._classifier",
    "MixupClassifierCV": "._cv",
    "MixupEnsembleClassifier": "._ensemble",
    "MixupEstimator": "._meta",
    "MixupNet": "._net",
    "MixupRegressor": "._regressor",
    "load": "._persist",
    "save": "._persist",
}

__all__ = [
    "MixupClassifier",
    "MixupClassifierCV",
    "MixupEnsembleClassifier",
    "MixupNet",
    "MixupEstimator",
    "MixupRegressor",
    "__version__",
    "load",
    "save",
]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'skmixup' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
