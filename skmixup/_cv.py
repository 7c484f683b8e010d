"""MixupClassifierCV: cross-validated choice of alpha, all candidates trained at once."""

from __future__ import annotations

import copy
import numbers
import time
import warnings

import numpy as np
import torch
from joblib import Parallel, delayed, effective_n_jobs
from scipy.stats import rankdata
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.metrics import check_scoring, get_scorer, get_scorer_names
from sklearn.model_selection import GridSearchCV, check_cv
from sklearn.utils import check_random_state
from ._compat import Interval, StrOptions, _fit_context
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import _restore_on_error, resolve_device
from ._rng import seed_from
from ._classifier import MixupClassifier
from ._weights import check_sample_weight, class_sample_weight, combine
from .ensemble import fit_mixup_ensemble

# MixupClassifier's parameters that MixupClassifierCV passes through unchanged.
_PASSED = [
    "lambda_mode", "partners", "n_neighbors", "mix_targets", "class_weight", "label_smoothing",
    "mix_layer",
    "module", "module_params", "hidden_layer_sizes", "dropout", "max_epochs", "batch_size", "lr",
    "optimizer", "optimizer_params", "weight_decay", "early_stopping", "validation_fraction",
    "n_iter_no_change", "device", "random_state", "verbose", "method", "augment", "callbacks",
    "precision", "compile",
]
# Those the batched ensemble implements (within limits checked in _batchable); any other
# parameter at a value other than its default sends the search to one fit per candidate.
_BATCHED = {
    "lambda_mode", "module", "module_params", "hidden_layer_sizes", "dropout", "max_epochs",
    "batch_size", "lr", "optimizer", "optimizer_params", "weight_decay", "early_stopping",
    "validation_fraction", "n_iter_no_change", "device", "random_state", "verbose",
    "n_neighbors",  # used only with partners="knn" or "same_class_knn"
    "class_weight",
}
# optimizer_params the batched Adam understands ("fused"/"foreach" only pick a kernel).
_BATCHED_OPTIMIZER_PARAMS = {"betas", "eps", "fused", "foreach"}


class _Member(ClassifierMixin, BaseEstimator):
    """One trained ensemble member, just enough of a classifier for a scorer."""

    def __init__(self, module, classes):
        self.module = module
        self.classes = classes
        self.classes_ = classes

    def _logits(self, X):
        self.module.eval()
        device = next(self.module.parameters()).device
        with torch.inference_mode():
            out = [self.module(torch.as_tensor(X[i:i + 8192], device=device)).cpu()
                   for i in range(0, len(X), 8192)]
        return torch.cat(out).double()

    def predict_proba(self, X):
        return torch.softmax(self._logits(X), dim=1).numpy()

    def predict_log_proba(self, X):
        return torch.log_softmax(self._logits(X), dim=1).numpy()

    def predict(self, X):
        return self.classes_[np.argmax(self._logits(X).numpy(), axis=1)]


class MixupClassifierCV(ClassifierMixin, BaseEstimator):
    """Mixup classifier with built-in cross-validation of ``alpha``.

    Scores every ``alpha`` in ``alphas`` on every cross-validation split, keeps
    the best (highest mean score) as ``alpha_`` and refits a
    :class:`MixupClassifier` with it on all the data. It is to
    ``GridSearchCV(MixupClassifier(), {"alpha": alphas})`` what
    :class:`~sklearn.linear_model.RidgeCV` is to a grid search over Ridge:
    the same result, computed faster.

    For the built-in MLP with the paper's mixup (``module=None`` and 2-D
    ``X``, Adam or AdamW, random partners, no early stopping or other variant)
    every (alpha, split) network is trained at once as one batched ensemble
    (:func:`skmixup.ensemble.fit_mixup_ensemble`: stacked weights, batched
    matrix products). Each member keeps its own training
    rows, its own random streams (data order, partners, lambda draws) seeded as
    a single fit seeds them, and its own Adam state, so with ``dropout=0`` each
    member follows the trajectory of the corresponding single fit up to
    floating-point rounding. Any other configuration (custom modules, image
    tensors, SGD, early stopping, the partner, manifold, label-smoothing and
    CutMix variants, callbacks, mixed precision, compile) falls back to one
    fit per candidate through :class:`~sklearn.model_selection.GridSearchCV`,
    run with ``n_jobs``.

    Parameters
    ----------
    alphas : array-like of float, default=(0.0, 0.1, 0.2, 0.4, 1.0)
        Candidate values of ``alpha`` (``0`` is plain ERM). Non-negative.
    cv : int, cross-validation generator or iterable, default=None
        As in :class:`~sklearn.model_selection.GridSearchCV`: ``None`` is
        5-fold stratified cross-validation.
    scoring : str, callable or None, default=None
        Score used to choose ``alpha``; ``None`` is accuracy.
    n_jobs : int, default=None
        Number of processes. The batched ensemble splits its networks over
        them (on a CPU; on a GPU it stays in this process), each process
        training its share as one smaller ensemble; the fallback runs that
        many fits at once. ``None`` is 1 unless in a
        :func:`joblib.parallel_backend` context; ``-1`` uses every core.
    refit : bool, default=True
        Refit a :class:`MixupClassifier` with ``alpha_`` on the whole data, as
        ``best_estimator_``; needed for ``predict``.
    lambda_mode, module, module_params, hidden_layer_sizes, dropout, max_epochs, \
batch_size, lr, optimizer, optimizer_params, weight_decay, early_stopping, \
validation_fraction, n_iter_no_change, device, random_state, verbose, partners, \
n_neighbors, mix_targets, class_weight, label_smoothing, mix_layer, method, augment, callbacks, \
precision, compile
        As in :class:`MixupClassifier`, for every candidate and the refit.

    Attributes
    ----------
    alpha_ : float
        The chosen ``alpha``.
    best_score_ : float
        Mean cross-validated score of ``alpha_``.
    best_index_ : int
        Index of ``alpha_`` in ``cv_results_``.
    best_params_ : dict
        ``{"alpha": alpha_}``.
    cv_results_ : dict of ndarrays
        In :class:`~sklearn.model_selection.GridSearchCV`'s format (so
        ``pandas.DataFrame(cv_results_)`` works): ``params``, ``param_alpha``,
        ``split{k}_test_score``, ``mean_test_score``, ``std_test_score``,
        ``rank_test_score``, ``mean_fit_time``, ``std_fit_time``,
        ``mean_score_time``, ``std_score_time``. For the batched ensemble the
        fit time of each model is the ensemble's time divided by the number of
        models.
    best_estimator_ : MixupClassifier
        Refitted on all the data with ``alpha_``; only when ``refit=True``.
    refit_time_ : float
        Seconds spent refitting; only when ``refit=True``.
    batched_ : bool
        Whether the candidates were trained as one batched ensemble.
    n_splits_ : int
        Number of cross-validation splits.
    scorer_ : callable
        The scorer used.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    MixupClassifier : The estimator whose ``alpha`` is chosen.
    sklearn.model_selection.GridSearchCV : The general (slower) grid search.
    sklearn.linear_model.RidgeCV : The same idea for Ridge regression.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skmixup import MixupClassifierCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = MixupClassifierCV(alphas=[0.0, 0.4], cv=3, max_epochs=20, random_state=0)
    >>> search.fit(X, y).alpha_ in (0.0, 0.4)
    True
    >>> sorted(search.cv_results_)[:3]
    ['mean_fit_time', 'mean_score_time', 'mean_test_score']
    """

    _parameter_constraints: dict = {
        **{name: rule for name, rule in MixupClassifier._parameter_constraints.items()
           if name in _PASSED},
        "alphas": ["array-like"],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "n_jobs": [Interval(numbers.Integral, None, None, closed="neither"), None],
        "refit": ["boolean"],
    }

    def __init__(
        self,
        alphas=(0.0, 0.1, 0.2, 0.4, 1.0),
        *,
        cv=None,
        scoring=None,
        n_jobs=None,
        refit=True,
        lambda_mode="batch",
        module=None,
        module_params=None,
        hidden_layer_sizes=(128, 128),
        dropout=0.0,
        max_epochs=100,
        batch_size=32,
        lr=1e-3,
        optimizer="adam",
        optimizer_params=None,
        weight_decay=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        device="auto",
        random_state=None,
        verbose=0,
        partners="random",
        n_neighbors=200,
        mix_targets=True,
        class_weight=None,
        label_smoothing=0.0,
        mix_layer=None,
        method="mixup",
        augment=None,
        callbacks=None,
        precision=None,
        compile=False,
    ):
        self.alphas = alphas
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.lambda_mode = lambda_mode
        self.module = module
        self.module_params = module_params
        self.hidden_layer_sizes = hidden_layer_sizes
        self.dropout = dropout
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.partners = partners
        self.n_neighbors = n_neighbors
        self.mix_targets = mix_targets
        self.class_weight = class_weight
        self.label_smoothing = label_smoothing
        self.mix_layer = mix_layer
        self.method = method
        self.augment = augment
        self.callbacks = callbacks
        self.precision = precision
        self.compile = compile

    def _base_estimator(self):
        # The batched search trains at a constant learning rate: the refit does too.
        return MixupClassifier(lr_schedule="constant",
                               **{name: getattr(self, name) for name in _PASSED})

    def _validate(self, X, y=None, *, reset):
        kwargs = dict(accept_sparse=False, dtype=np.float32, ensure_all_finite=True,
                      allow_nd=True, ensure_min_samples=1)
        if reset:
            return validate_data(self, X, y, **kwargs)
        return validate_data(self, X, reset=False, **kwargs)

    def _batchable(self, X, base):
        params, defaults = base.get_params(), MixupClassifier().get_params()
        if any(params[name] is not defaults[name] and params[name] != defaults[name]
               for name in _PASSED if name not in _BATCHED):
            return False
        return (self.module is None and X.ndim == 2 and self.optimizer in ("adam", "adamw")
                and not self.early_stopping and not self.module_params
                and set(self.optimizer_params or {}) <= _BATCHED_OPTIMIZER_PARAMS)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, groups=None, sample_weight=None):
        """Cross-validate every alpha, then refit the best on all of (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image tensors
            Training data, as for :meth:`MixupClassifier.fit`.
        y : array-like of shape (n_samples,)
            Class labels.
        groups : array-like of shape (n_samples,), default=None
            Group labels for group-aware ``cv`` splitters.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples, as in :meth:`MixupClassifier.fit`: each
            candidate is trained on its training rows with their weights, and
            scored on its held-out rows with theirs (as
            :class:`~sklearn.linear_model.LogisticRegressionCV` does); the
            refit uses them all. The splits are drawn over every sample, so
            that given splits (``cv`` as an iterable) keep their meaning;
            samples of weight 0 then count in neither training nor score.

        Returns
        -------
        self : MixupClassifierCV
            The fitted search.
        """
        # A failed or interrupted search leaves the estimator as it was before the call.
        with _restore_on_error(self):
            return self._fit(X, y, groups, sample_weight)

    def _fit(self, X, y, groups, sample_weight=None):
        X, y = self._validate(X, y, reset=True)
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(
                f"MixupClassifierCV needs samples of at least 2 classes; got 1 class "
                f"({classes[0]!r}). Check y.")
        alphas = np.asarray(self.alphas, dtype=np.float64)
        if alphas.ndim != 1 or alphas.size == 0 or not np.all(np.isfinite(alphas)) \
                or np.any(alphas < 0):
            raise ValueError(
                f"alphas must be a non-empty 1-D list of finite non-negative numbers; got "
                f"{self.alphas!r}.")
        sample_weight = check_sample_weight(sample_weight, X)
        self.classes_ = classes
        base = self._base_estimator()
        base._check_fit_params()  # before any training: sizes, callbacks, device
        cv = check_cv(self.cv, y, classifier=True)
        splits = list(cv.split(X, y, groups))
        self.n_splits_ = len(splits)
        self.scorer_ = check_scoring(base, scoring=self.scoring)

        self.batched_ = self._batchable(X, base)
        if self.batched_:
            results = self._search_batched(X, y, alphas, splits, sample_weight)
        else:
            results = self._search_each(X, y, alphas, splits, base, sample_weight)
        self.cv_results_ = results
        self.best_index_ = int(np.argmin(results["rank_test_score"]))
        self.alpha_ = float(alphas[self.best_index_])
        self.best_score_ = float(results["mean_test_score"][self.best_index_])
        self.best_params_ = {"alpha": self.alpha_}
        if self.refit:
            start = time.perf_counter()
            self.best_estimator_ = clone(base).set_params(alpha=self.alpha_).fit(
                X, y, sample_weight=sample_weight)
            self.refit_time_ = time.perf_counter() - start
        return self

    def _search_each(self, X, y, alphas, splits, base, sample_weight):
        """One fit per (alpha, split), through GridSearchCV."""
        grid = {"alpha": [float(a) for a in alphas]}
        if sample_weight is None:
            search = GridSearchCV(base, grid, cv=splits, scoring=self.scoring,
                                  n_jobs=self.n_jobs, refit=False)
            return search.fit(X, y).cv_results_
        # Weights to every fit and to every score, whatever the global routing setting.
        with config_context(enable_metadata_routing=True):
            base = clone(base).set_fit_request(sample_weight=True)
            scorer = get_scorer("accuracy" if self.scoring is None else self.scoring)
            if hasattr(scorer, "set_score_request"):
                scorer = scorer.set_score_request(sample_weight=True)
            search = GridSearchCV(base, grid, cv=splits, scoring=scorer, n_jobs=self.n_jobs,
                                  refit=False)
            return search.fit(X, y, sample_weight=sample_weight).cv_results_

    def _member_weights(self, y, train, sample_weight):
        """A member's training rows (weight 0 removed) and their weights, or None."""
        if sample_weight is None and self.class_weight is None:
            return train, None
        if sample_weight is not None:
            train = train[sample_weight[train] > 0]
        classes, encoded = np.unique(y[train], return_inverse=True)
        weight = None if sample_weight is None else sample_weight[train]
        weight = combine(weight, class_sample_weight(self.class_weight, classes, encoded, weight))
        return train, torch.as_tensor(weight)

    def _search_batched(self, X, y, alphas, splits, sample_weight=None):
        encoded = np.searchsorted(self.classes_, y)
        targets = np.eye(len(self.classes_), dtype=np.float32)[encoded]
        if self.random_state is None:
            seeds = [seed_from(None) for _ in range(len(alphas) * len(splits))]
        else:  # GridSearchCV clones the estimator: every fit starts from the same state.
            rng = check_random_state(copy.deepcopy(self.random_state))
            seeds = [int(rng.randint(np.iinfo(np.int32).max))] * (len(alphas) * len(splits))
        members = [(a, *self._member_weights(y, np.asarray(train), sample_weight))
                   for a in alphas for train, _ in splits]
        weighted = any(member[2] is not None for member in members)
        params = dict(self.optimizer_params or {})
        device = resolve_device(self.device)

        kwargs = dict(
            hidden_layer_sizes=tuple(self.hidden_layer_sizes), dropout=self.dropout,
            max_epochs=self.max_epochs, batch_size=self.batch_size, lr=self.lr,
            betas=tuple(params.get("betas", (0.9, 0.999))), eps=params.get("eps", 1e-8),
            weight_decay=self.weight_decay, decoupled_weight_decay=self.optimizer == "adamw",
            lambda_mode=self.lambda_mode,
        )
        # n_jobs > 1 on a CPU: split the members over that many processes, each training
        # its share as one smaller ensemble (joblib gives each its share of the cores).
        n_jobs = 1 if torch.device(device).type == "cuda" else effective_n_jobs(self.n_jobs)
        chunks = np.array_split(np.arange(len(members)), max(1, min(n_jobs, len(members))))
        X_t, Y_t = torch.as_tensor(X, device=device), torch.as_tensor(targets, device=device)

        def task(chunk):
            return delayed(fit_mixup_ensemble)(
                X_t, Y_t, [torch.as_tensor(members[m][1]) for m in chunk],
                [members[m][0] for m in chunk], [seeds[m] for m in chunk],
                sample_weights=[members[m][2] for m in chunk] if weighted else None, **kwargs)

        start = time.perf_counter()
        models = Parallel(n_jobs=len(chunks))(task(chunk) for chunk in chunks)  # 1: in process
        where = [(model, j) for model, chunk in zip(models, chunks) for j in range(len(chunk))]
        fit_time = (time.perf_counter() - start) / len(members)

        n_alphas, n_splits = len(alphas), len(splits)
        scores = np.empty((n_alphas, n_splits))
        score_times = np.empty((n_alphas, n_splits))
        for m in range(len(members)):
            i, k = divmod(m, n_splits)
            test = splits[k][1]
            start = time.perf_counter()
            model, j = where[m]
            member = _Member(model.member(j), self.classes_)
            if all(torch.isfinite(p).all() for p in member.module.parameters()):
                score_params = {} if sample_weight is None \
                    else {"sample_weight": sample_weight[test]}
                scores[i, k] = self.scorer_(member, X[test], y[test], **score_params)
            else:
                warnings.warn(f"Training diverged for alpha={alphas[i]} on split {k}: its "
                              "score is nan. Try a smaller lr or standardize the features.",
                              UserWarning)
                scores[i, k] = np.nan
            score_times[i, k] = time.perf_counter() - start
        return _results_table(alphas, scores, np.full((n_alphas, n_splits), fit_time),
                              score_times)

    def _check_refit(self):
        check_is_fitted(self)
        if not hasattr(self, "best_estimator_"):
            raise AttributeError(
                "This MixupClassifierCV was fitted with refit=False, so it has no "
                "best_estimator_ to predict with. Fit it with refit=True, or fit a "
                "MixupClassifier(alpha=search.alpha_).")

    def predict(self, X):
        """Class labels predicted by ``best_estimator_``."""
        self._check_refit()
        return self.best_estimator_.predict(self._validate(X, reset=False))

    def predict_proba(self, X):
        """Class probabilities from ``best_estimator_``; columns follow ``classes_``."""
        self._check_refit()
        return self.best_estimator_.predict_proba(self._validate(X, reset=False))

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        self._check_refit()
        return self.best_estimator_.predict_log_proba(self._validate(X, reset=False))


def _results_table(alphas, scores, fit_times, score_times):
    """``cv_results_`` as GridSearchCV writes it, from (n_alphas, n_splits) arrays."""
    results = {
        "mean_fit_time": fit_times.mean(axis=1),
        "std_fit_time": fit_times.std(axis=1),
        "mean_score_time": score_times.mean(axis=1),
        "std_score_time": score_times.std(axis=1),
        "param_alpha": np.ma.MaskedArray(alphas.copy(), mask=np.zeros(len(alphas), bool)),
        "params": [{"alpha": float(a)} for a in alphas],
    }
    for k in range(scores.shape[1]):
        results[f"split{k}_test_score"] = scores[:, k]
    means = scores.mean(axis=1)
    results["mean_test_score"] = means
    results["std_test_score"] = scores.std(axis=1)
    if np.isnan(means).all():
        ranks = np.ones(len(means), dtype=np.int32)
    else:
        filled = np.nan_to_num(means, nan=np.nanmin(means) - 1)
        ranks = rankdata(-filled, method="min").astype(np.int32)
    results["rank_test_score"] = ranks
    return results
