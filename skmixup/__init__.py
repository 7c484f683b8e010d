"""skmixup: mixup (Zhang et al., ICLR 2018) for scikit-learn.

``MixupClassifier(alpha=0.4).fit(X, y)`` trains a torch network (through
skorch) on convex combinations of pairs of examples and of their labels.

Layers, imports flowing one way:

* :mod:`skmixup.mixup` -- the mixup math in pure torch (where lambda is drawn);
* :mod:`skmixup.modules` -- the built-in networks;
* :mod:`skmixup.net` -- the skorch net that applies mixup in its training step;
* :class:`skmixup.MixupClassifier` -- the scikit-learn estimator.
"""

from ._classifier import MixupClassifier
from ._cv import MixupClassifierCV
from ._meta import MixupEstimator
from ._persist import load, save
from ._regressor import MixupRegressor

__version__ = "0.1.0"

__all__ = ["MixupClassifier", "MixupClassifierCV", "MixupEstimator", "MixupRegressor", "__version__",
           "load", "save"]
