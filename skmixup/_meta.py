"""MixupEstimator: mixup for any scikit-learn classifier or regressor, through its training data."""

from __future__ import annotations

import math
import numbers

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, has_fit_parameter, validate_data

from ._compat import HasMethods, Interval, _fit_context
from ._metaestimators import restore_on_error
from ._rng import seed_from
from ._weights import check_sample_weight, drop_zero_weight


def _estimator_has(attr):
    """The fitted estimator, or else the unfitted one, has ``attr``."""

    def check(self):
        estimator = getattr(self, "estimator_", self.estimator)
        return hasattr(estimator, attr)

    return check


def _all_numbers(y):
    return all(
        isinstance(v, numbers.Number) and not isinstance(v, bool)
        for v in np.asarray(y, dtype=object).ravel()
    )


def _sample_weight_param(estimator):
    """The fit parameter that carries sample weights to ``estimator``, or None."""
    if isinstance(estimator, Pipeline):
        name, last = estimator.steps[-1]
        inner = _sample_weight_param(last) if last not in (None, "passthrough") else None
        return None if inner is None else f"{name}__{inner}"
    return "sample_weight" if has_fit_parameter(estimator, "sample_weight") else None


class MixupEstimator(MetaEstimatorMixin, BaseEstimator):
    """Fit any scikit-learn classifier or regressor on mixup data.

    The wrapped estimator is fitted on ``n_mixed`` mixed examples
    ``x = lam * x_i + (1 - lam) * x_j`` with ``lam ~ Beta(alpha, alpha)``
    drawn per example, each example of the data used in turn as ``x_i`` and
    ``x_j`` drawn at random (Zhang et al., 2018).

    **Classifiers.** A mixed example's soft label ``lam * y_i + (1 - lam) * y_j``
    is given as two rows: ``(x, y_i)`` with sample weight ``lam`` and
    ``(x, y_j)`` with weight ``1 - lam``. Cross-entropy is linear in the
    target, so for any classifier that minimises the log-loss with sample
    weights (:class:`~sklearn.linear_model.LogisticRegression`,
    :class:`~sklearn.linear_model.SGDClassifier` with ``loss="log_loss"``,
    :class:`~sklearn.ensemble.HistGradientBoostingClassifier`) this is
    exactly training on the soft labels, i.e. mixup. For other losses
    (hinge, Gini impurity) it is the natural weighted analogue, not the
    paper's objective. The classifier must accept ``sample_weight`` in
    ``fit`` (directly, or as the last step of a
    :class:`~sklearn.pipeline.Pipeline`).

    **Regressors** are fitted on interpolated targets
    ``lam * y_i + (1 - lam) * y_j`` (one or several outputs); no sample
    weights are needed.

    **Sample weights** given to :meth:`fit` mix as the labels do: the mixed
    example of ``i`` and ``j`` weighs ``lam * w_i + (1 - lam) * w_j`` (for a
    classifier, split over its two rows in the proportions ``lam`` and
    ``1 - lam``). Examples of weight 0 are removed first, as if not given.
    A regressor must then accept ``sample_weight`` in its ``fit``.

    Parameters
    ----------
    estimator : estimator object
        A classifier or regressor, cloned at each fit.
    alpha : float, default=0.4
        Concentration of the Beta(alpha, alpha) distribution of the mixing
        coefficients: the mixup strength; ``alpha=0`` fits the estimator on
        the data unmixed (reordered), i.e. plain ERM. Not a parameter of the
        wrapped estimator: an ``alpha`` of its own (the L2 penalty of
        :class:`~sklearn.linear_model.Ridge` or
        :class:`~sklearn.neural_network.MLPClassifier`) is set on it, as
        ``estimator__alpha``.
    n_mixed : int or float, default=1.0
        Number of mixed examples: an int is a count, a float a multiple of
        the number of training samples. Classifiers get twice as many
        weighted rows.
    keep_original : bool, default=False
        Also fit on the original, unmixed examples (weight 1).
    random_state : int, RandomState instance or None, default=None
        Seeds the pairs and mixing coefficients (not the wrapped estimator:
        set its own ``random_state`` for a reproducible fit).

    Attributes
    ----------
    estimator_ : estimator object
        The wrapped estimator, fitted on the mixed data.
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers only).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a DataFrame with string column names.
    n_fit_rows_ : int
        Number of rows the wrapped estimator was fitted on.

    See Also
    --------
    MixupClassifier : A neural network trained on mixed minibatches.
    MixupRegressor : The same for regression.

    References
    ----------
    .. [1] Zhang, H., Cisse, M., Dauphin, Y. N., Lopez-Paz, D. (2018).
       mixup: Beyond Empirical Risk Minimization. ICLR. :arxiv:`1710.09412`

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skmixup import MixupEstimator
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MixupEstimator(LogisticRegression(max_iter=1000), alpha=0.4, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    >>> clf.n_fit_rows_  # 150 mixed examples, two weighted rows each
    300
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "n_mixed": [
            Interval(numbers.Integral, 1, None, closed="left"),
            Interval(numbers.Real, 0, None, closed="neither"),
        ],
        "keep_original": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self, estimator, *, alpha=0.4, n_mixed=1.0, keep_original=False, random_state=None
    ):
        self.estimator = estimator
        self.alpha = alpha
        self.n_mixed = n_mixed
        self.keep_original = keep_original
        self.random_state = random_state

    def _kind(self):
        kind = get_tags(self.estimator).estimator_type
        if kind not in ("classifier", "regressor"):
            raise TypeError(
                f"MixupEstimator wraps a classifier or a regressor; "
                f"{type(self.estimator).__name__} "
                f"is a {kind or 'neither'}."
            )
        return kind

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.target_tags.required = True
        tags.target_tags.multi_output = inner.target_tags.multi_output
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        return tags

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit the wrapped estimator on mixed examples of (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, numeric.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (classifiers) or real targets (regressors).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the examples; a mixed example carries
            ``lam * w_i + (1 - lam) * w_j``. Examples of weight 0 are removed
            before mixing. Needs an estimator whose ``fit`` accepts
            ``sample_weight``.

        Returns
        -------
        self : MixupEstimator
            The fitted meta-estimator.
        """
        # A failed or interrupted fit leaves the estimator as it was before the call.
        with restore_on_error(self):
            return self._fit(X, y, sample_weight)

    def _fit(self, X, y, sample_weight=None):
        kind = self._kind()
        weight_param = _sample_weight_param(self.estimator)
        if kind == "classifier" and weight_param is None:
            raise TypeError(
                f"MixupEstimator needs a classifier whose fit accepts sample_weight: a mixed "
                f"example's soft label is given as two rows weighted lam and 1 - lam. "
                f"{type(self.estimator).__name__}.fit does not accept it. Use e.g. "
                "LogisticRegression, SGDClassifier(loss='log_loss') or "
                "HistGradientBoostingClassifier, or skmixup.MixupClassifier."
            )
        regressor = kind == "regressor"
        if regressor and y is not None:
            kind_y = np.asarray(y).dtype.kind
            if kind_y in "USa" or (kind_y == "O" and not _all_numbers(y)):
                raise ValueError(
                    f"{type(self.estimator).__name__} is a regressor: y must be numeric; got "
                    f"values of dtype {np.asarray(y).dtype}. Convert y to numbers, or wrap a "
                    "classifier for class labels."
                )
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=False,
            dtype=np.float64,
            multi_output=regressor,
            y_numeric=regressor,
        )
        if not regressor:
            check_classification_targets(y)
        if sample_weight is not None and weight_param is None:
            raise TypeError(
                f"sample_weight was given, but {type(self.estimator).__name__}.fit does not "
                "accept sample_weight, so the mixed examples' weights cannot reach it. Use an "
                "estimator that accepts sample_weight, or drop the weights."
            )
        X, y, sample_weight = drop_zero_weight(X, y, check_sample_weight(sample_weight, X))
        X_fit, y_fit, weight = self._mix(X, y, regressor, sample_weight)
        params = {} if weight is None else {weight_param: weight}
        self.estimator_ = clone(self.estimator).fit(X_fit, y_fit, **params)
        self.n_fit_rows_ = len(X_fit)
        return self

    def _mix(self, X, y, regressor, sample_weight=None):
        """The rows to fit on: ``(X_fit, y_fit, sample_weight or None)``."""
        n = len(X)
        seed = seed_from(self.random_state)
        rng = np.random.default_rng(seed)
        m = (
            self.n_mixed
            if isinstance(self.n_mixed, numbers.Integral)
            else max(1, round(self.n_mixed * n))
        )
        # Every example is an anchor equally often; partners are drawn at random.
        i = np.concatenate([rng.permutation(n) for _ in range(math.ceil(m / n))])[:m]
        j = rng.integers(0, n, size=m)
        lam = rng.beta(self.alpha, self.alpha, size=m) if self.alpha > 0 else np.ones(m)
        X_mixed = lam[:, None] * X[i] + (1 - lam[:, None]) * X[j]
        w = np.ones(n) if sample_weight is None else sample_weight
        w_mixed = np.ones(m) if sample_weight is None else lam * w[i] + (1 - lam) * w[j]
        if regressor:
            lam_y = lam.reshape(-1, *([1] * (y.ndim - 1)))
            y_mixed = lam_y * y[i] + (1 - lam_y) * y[j]
            weight = None if sample_weight is None else w_mixed
            if self.keep_original:
                weight = None if weight is None else np.concatenate([weight, w])
                return np.vstack([X_mixed, X]), np.concatenate([y_mixed, y]), weight
            return X_mixed, y_mixed, weight
        X_fit = np.vstack([X_mixed, X_mixed])
        y_fit = np.concatenate([y[i], y[j]])
        weight = np.concatenate([lam * w_mixed, (1 - lam) * w_mixed])
        if self.keep_original:
            X_fit, y_fit = np.vstack([X_fit, X]), np.concatenate([y_fit, y])
            weight = np.concatenate([weight, w])
        keep = weight > 0  # lam = 1 exactly (alpha=0): the partner's row carries nothing
        return X_fit[keep], y_fit[keep], weight[keep]

    @property
    def classes_(self):
        """Class labels of the fitted classifier."""
        return self.estimator_.classes_

    def _check_X(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, accept_sparse=False, dtype=np.float64)

    def predict(self, X):
        """Predictions of the wrapped estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted labels or values.
        """
        X = self._check_X(X)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the wrapped classifier, columns in ``classes_`` order.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        X = self._check_X(X)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities of the wrapped classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        X = self._check_X(X)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the wrapped classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_classes)
            As the wrapped classifier returns it.
        """
        X = self._check_X(X)
        return self.estimator_.decision_function(X)

    def score(self, X, y, sample_weight=None):
        """The wrapped estimator's score: accuracy for classifiers, R^2 for regressors.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True labels or values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            The wrapped estimator's ``score`` on ``X`` and ``y``.
        """
        X = self._check_X(X)
        return self.estimator_.score(X, y, sample_weight=sample_weight)
