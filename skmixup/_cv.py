"""MixupClassifierCV: cross-validated choice of alpha, all candidates trained at once."""

from __future__ import annotations

import numbers
import time
import traceback
import warnings
from collections import Counter

import numpy as np
import torch
from joblib import Parallel, delayed, effective_n_jobs
from scipy.stats import rankdata
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import FitFailedWarning
from sklearn.metrics import check_scoring, get_scorer, get_scorer_names
from sklearn.model_selection import GridSearchCV, check_cv
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ._base import resolve_device
from ._compat import HasMethods, Interval, StrOptions, _fit_context
from ._metaestimators import Predictions, copy_of, mean_proba, restore_on_error
from ._rng import seed_from
from ._stacking import NotStackable, fit_members, stack_refusal
from ._weights import check_sample_weight

# Training rows x epochs that make a worker process worth starting for the batched search
# (measured with benchmarks/bench_cv.py: docs/measurements.rst).
_ROWS_PER_PROCESS = 5_000_000


class MixupClassifierCV(Predictions, ClassifierMixin, BaseEstimator):
    """Mixup classifier with built-in cross-validation of ``alpha``.

    Scores every ``alpha`` in ``alphas`` on every cross-validation split of a
    :class:`MixupClassifier` (``estimator``), keeps the best (highest mean
    score) as ``alpha_`` and refits with it on all the data. It is to
    ``GridSearchCV(estimator, {"alpha": alphas})`` what
    :class:`~sklearn.linear_model.RidgeCV` is to a grid search over Ridge: the
    same result, computed faster.

    Where the stacking engine implements the configuration (the built-in MLP
    on a table, Adam or AdamW, random partners, with or without early
    stopping, RegMixup's ``clean_weight`` and ``mix_fraction``; see
    :func:`skmixup._stacking.stack_refusal`, which reads it from each
    member's net rather than from a list) and stacking pays on the device (on
    a CPU only for small steps of enough members: at most 128 rows per step,
    measured in ``docs/measurements.rst``), every (alpha, split) network is trained at
    once by one net (:func:`skmixup._stacking.fit_members`): each prepared
    exactly as its own fit would prepare it (rows, seed, batch size, initial
    weights, callbacks, its own random streams and Adam state), stacked, and
    trained by the same skorch loop as a single fit, each running its own
    callbacks. With ``dropout=0`` each model ends where its own fit would,
    up to floating-point rounding, so the scores and the chosen ``alpha_``
    are those of the grid search, except where rounding decides between
    alphas whose scores are nearly tied (more likely on unscaled features and
    long trainings); a model whose training diverges is scored nan, with
    GridSearchCV's warning (its error when all do). Any other configuration
    runs one fit per candidate through
    :class:`~sklearn.model_selection.GridSearchCV`, with ``n_jobs``: the
    search is never slower than that grid search by design.

    Parameters
    ----------
    estimator : MixupClassifier, default=None
        The classifier whose ``alpha`` is searched, with every other setting
        of the search; ``None`` is ``MixupClassifier()``. It is cloned, never
        fitted itself.
    alphas : array-like of float, default=(0.0, 0.1, 0.2, 0.4, 1.0)
        Candidate values of ``alpha`` (``0`` is plain ERM). Non-negative.
    cv : int, cross-validation generator or iterable, default=None
        As in :class:`~sklearn.model_selection.GridSearchCV`: ``None`` is
        5-fold stratified cross-validation.
    scoring : str, callable or None, default=None
        Score used to choose ``alpha``; ``None`` is accuracy.
    n_jobs : int, default=None
        Number of processes. The batched search splits its networks over at
        most that many (on a CPU; on a GPU it stays in this process), each
        process training its share as one smaller stack, and only over as many
        as have enough work to pay for starting them (about 5 million training
        rows x epochs each; a short search stays in this process); the
        fallback runs that many fits at once. ``None`` is 1 unless in a
        :func:`joblib.parallel_backend` context; ``-1`` uses every core.
    refit : bool or "folds", default=True
        What predicts after the search. ``True``: a model with ``alpha_``
        fitted on all the data (``best_estimator_``; on a GPU the batched
        search trains the refit of every candidate alongside the splits and
        keeps the chosen one). ``"folds"``: the models of the cross-validation splits at
        ``alpha_`` (``estimators_``), averaging their probabilities; no refit.
        ``False``: nothing (``predict`` is then unavailable).
    random_state : int, RandomState instance or None, default=None
        Given to ``estimator`` when it has no ``random_state`` of its own
        (``None`` there): every candidate, split and the refit then start from
        the same seed, as ``GridSearchCV`` over a seeded estimator does. An
        estimator's own seed is left alone. A ``RandomState`` instance gives
        one seed drawn from it per fit of the search.

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
        ``mean_score_time``, ``std_score_time``. For the batched search the
        fit time of each model is the whole training time divided by the
        number of models.
    best_estimator_ : MixupClassifier
        Fitted on all the data with ``alpha_``; only when ``refit=True``.
    estimators_ : list of MixupClassifier
        The split models at ``alpha_``; only when ``refit="folds"``.
    refit_time_ : float
        Seconds spent refitting (0 when the batched search trained the
        refit alongside the splits); only when ``refit=True``.
    batched_ : bool
        Whether the candidates were trained together (one stacked net).
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
    >>> from skmixup import MixupClassifier, MixupClassifierCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = MixupClassifierCV(MixupClassifier(max_epochs=20), alphas=[0.0, 0.4], cv=3,
    ...                            random_state=0)
    >>> search.fit(X, y).alpha_ in (0.0, 0.4)
    True
    >>> sorted(search.cv_results_)[:3]
    ['mean_fit_time', 'mean_score_time', 'mean_test_score']
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba", "get_params"]), None],
        "alphas": ["array-like"],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "n_jobs": [Interval(numbers.Integral, None, None, closed="neither"), None],
        "refit": ["boolean", StrOptions({"folds"})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        alphas=(0.0, 0.1, 0.2, 0.4, 1.0),
        cv=None,
        scoring=None,
        n_jobs=None,
        refit=True,
        random_state=None,
    ):
        self.estimator = estimator
        self.alphas = alphas
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.random_state = random_state

    def _base_estimator(self):
        """The estimator searched: a clone, seeded by ``random_state`` when it has no seed."""
        base = copy_of(self.estimator, "alpha")
        params = base.get_params()
        if "random_state" in params and params["random_state"] is None:
            seed = self.random_state
            if seed is not None and not isinstance(seed, numbers.Integral):
                seed = seed_from(seed)  # one int: clones of a RandomState would all differ
            base.set_params(random_state=seed)
        return base

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
        with restore_on_error(self):
            return self._fit(X, y, groups, sample_weight)

    def _fit(self, X, y, groups, sample_weight=None):
        X, y = self._validate(X, y, reset=True)
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(
                f"MixupClassifierCV needs samples of at least 2 classes; got 1 class "
                f"({classes[0]!r}). Check y."
            )
        alphas = np.asarray(self.alphas, dtype=np.float64)
        if (
            alphas.ndim != 1
            or alphas.size == 0
            or not np.all(np.isfinite(alphas))
            or np.any(alphas < 0)
        ):
            raise ValueError(
                f"alphas must be a non-empty 1-D list of finite non-negative numbers; got "
                f"{self.alphas!r}."
            )
        sample_weight = check_sample_weight(sample_weight, X)
        self.classes_ = classes
        base = self._base_estimator()
        base._check_fit_params()  # before any training: sizes, callbacks, device
        cv = check_cv(self.cv, y, classifier=True)
        splits = list(cv.split(X, y, groups))
        self.n_splits_ = len(splits)
        self.scorer_ = check_scoring(base, scoring=self.scoring)

        # Asked of a split's training rows: the steps of the stack are the splits' steps
        # (batch_size="auto" grows with the rows), not those of a fit on all of X.
        train = splits[0][0]
        weight = None if sample_weight is None else sample_weight[train]
        n_members = len(alphas) * len(splits)
        refusal = stack_refusal(base, X[train], y[train], weight, n_members=n_members)
        self.batched_ = refusal is None
        if self.batched_:
            try:
                results, models, refits = self._search_batched(
                    X, y, alphas, splits, base, sample_weight
                )
            except NotStackable:  # a split the stack cannot take (e.g. its classes)
                self.batched_ = False
        if not self.batched_:
            results, models, refits = self._search_each(X, y, alphas, splits, base, sample_weight)
        self.cv_results_ = results
        self.best_index_ = int(np.argmin(results["rank_test_score"]))
        self.alpha_ = float(alphas[self.best_index_])
        self.best_score_ = float(results["mean_test_score"][self.best_index_])
        self.best_params_ = {"alpha": self.alpha_}
        if self.refit == "folds":
            self.estimators_ = (
                _fitted(models[self.best_index_])
                if models is not None
                else self._split_models(X, y, splits, base, sample_weight)
            )
        elif self.refit:
            start = time.perf_counter()
            self.best_estimator_ = (
                _fitted([refits[self.best_index_]])[0]
                if refits is not None
                else clone(base)
                .set_params(alpha=self.alpha_)
                .fit(X, y, sample_weight=sample_weight)
            )
            self.refit_time_ = time.perf_counter() - start
        return self

    def _search_each(self, X, y, alphas, splits, base, sample_weight):
        """One fit per (alpha, split), through GridSearchCV."""
        grid = {"alpha": [float(a) for a in alphas]}
        if sample_weight is None:
            search = GridSearchCV(
                base, grid, cv=splits, scoring=self.scoring, n_jobs=self.n_jobs, refit=False
            )
            return search.fit(X, y).cv_results_, None, None
        # Weights to every fit and to every score, whatever the global routing setting.
        with config_context(enable_metadata_routing=True):
            base = clone(base).set_fit_request(sample_weight=True)
            scorer = get_scorer("accuracy" if self.scoring is None else self.scoring)
            if hasattr(scorer, "set_score_request"):
                scorer = scorer.set_score_request(sample_weight=True)
            search = GridSearchCV(
                base, grid, cv=splits, scoring=scorer, n_jobs=self.n_jobs, refit=False
            )
            return search.fit(X, y, sample_weight=sample_weight).cv_results_, None, None

    def _split_models(self, X, y, splits, base, sample_weight):
        """The split models at ``alpha_``, fitted again (GridSearchCV does not keep them)."""

        def fit(train):
            weight = None if sample_weight is None else sample_weight[train]
            return (
                clone(base)
                .set_params(alpha=self.alpha_)
                .fit(X[train], y[train], sample_weight=weight)
            )

        return Parallel(n_jobs=self.n_jobs)(delayed(fit)(train) for train, _ in splits)

    def _search_batched(self, X, y, alphas, splits, base, sample_weight):
        """Every (alpha, split) model, and every alpha's refit, trained together."""

        def rows(index):
            return X[index], y[index], None if sample_weight is None else sample_weight[index]

        jobs = [(a, train) for a in alphas for train, _ in splits]
        # On a GPU a step costs about the same for a few more models: every alpha's refit
        # trains alongside the splits. On a CPU a step costs in proportion to the models:
        # only the chosen alpha is refitted, afterwards.
        cuda = torch.device(resolve_device(base.device)).type == "cuda"
        alongside = self._refits_alongside(cuda) and self.refit is True
        if alongside:
            jobs += [(a, np.arange(len(y))) for a in alphas]
        estimators = [clone(base).set_params(alpha=float(a)) for a, _ in jobs]
        data = [rows(train) for _, train in jobs]
        # n_jobs > 1 on a CPU: the models split over up to that many processes, each training
        # its share as one smaller stack (joblib gives each its share of the cores), but only
        # as many as have work enough to pay for starting a process (importing torch there).
        n_jobs = 1 if cuda else effective_n_jobs(self.n_jobs)
        work = sum(len(train) for _, train in jobs) * base.max_epochs
        n_procs = max(1, min(n_jobs, len(jobs), int(work // _ROWS_PER_PROCESS)))
        chunks = np.array_split(np.arange(len(jobs)), n_procs)
        start = time.perf_counter()
        fitted = Parallel(n_jobs=len(chunks))(
            delayed(fit_members)(
                [estimators[j] for j in chunk], [data[j] for j in chunk], errors="keep"
            )
            for chunk in chunks
        )
        fitted = [est for part in fitted for est in part]
        fit_time = (time.perf_counter() - start) / len(jobs)

        n_alphas, n_splits = len(alphas), len(splits)
        scores = np.empty((n_alphas, n_splits))
        score_times = np.empty((n_alphas, n_splits))
        failures = []
        for m in range(n_alphas * n_splits):
            i, k = divmod(m, n_splits)
            test = splits[k][1]
            start = time.perf_counter()
            est = fitted[m]
            if isinstance(est, Exception):  # GridSearchCV's error_score=nan
                failures.append("".join(traceback.format_exception(est)))
                scores[i, k] = np.nan
            else:
                score_params = (
                    {} if sample_weight is None else {"sample_weight": sample_weight[test]}
                )
                scores[i, k] = self.scorer_(est, X[test], y[test], **score_params)
            score_times[i, k] = time.perf_counter() - start
        _warn_or_raise_about_failures(failures, n_alphas * n_splits)
        results = _results_table(
            alphas, scores, np.full((n_alphas, n_splits), fit_time), score_times
        )
        models = [fitted[i * n_splits : (i + 1) * n_splits] for i in range(n_alphas)]
        refits = fitted[n_alphas * n_splits :] if alongside else None
        return results, models, refits

    @staticmethod
    def _refits_alongside(cuda):
        """Whether every alpha's refit trains with the splits (on a GPU; see the comment above)."""
        return cuda

    def _check_predictor(self):
        check_is_fitted(self)
        if not (hasattr(self, "best_estimator_") or hasattr(self, "estimators_")):
            raise AttributeError(
                "This MixupClassifierCV was fitted with refit=False, so it has no model to "
                "predict with. Fit it with refit=True or refit='folds', or fit a "
                "MixupClassifier(alpha=search.alpha_)."
            )

    def predict_proba(self, X):
        """Class probabilities; columns follow ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image tensors
            Samples, as for :meth:`MixupClassifier.predict_proba`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            From ``best_estimator_``, or (``refit="folds"``) the mean of the
            split models' probabilities; a class missing from a split's
            training rows has probability 0 in that split's model.
        """
        self._check_predictor()
        X = self._validate(X, reset=False)
        if hasattr(self, "best_estimator_"):
            return self.best_estimator_.predict_proba(X)
        return mean_proba(self.estimators_, self.classes_, X)


def _fitted(models):
    """``models``, or the error of the first that failed (its own fit would have raised it)."""
    for model in models:
        if isinstance(model, Exception):
            raise model
    return models


def _warn_or_raise_about_failures(failures, n_fits):
    """What GridSearchCV does with fits that failed: warn, or raise when all failed."""
    if not failures:
        return
    summary = "\n".join(
        f"{'-' * 80}\n{n} fits failed with the following error:\n{error}"
        for error, n in Counter(failures).items()
    )
    if len(failures) == n_fits:
        raise ValueError(
            f"\nAll the {n_fits} fits failed.\nIt is very likely that your model is "
            "misconfigured.\nYou can try to debug the error by setting error_score='raise'."
            f"\n\nBelow are more details about the failures:\n{summary}"
        )
    warnings.warn(
        f"\n{len(failures)} fits failed out of a total of {n_fits}.\nThe score on these "
        "train-test partitions for these parameters will be set to nan.\nIf these failures "
        "are not expected, you can try to debug them by setting error_score='raise'.\n\n"
        f"Below are more details about the failures:\n{summary}",
        FitFailedWarning,
        stacklevel=3,
    )


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
