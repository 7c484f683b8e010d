"""The mixup paper's UCI experiment (Zhang et al., 2018, Table 4), and a tuned variant.

Two protocols, on the same random splits:

``paper``
    As the paper: raw features (only imputed, and abalone's nominal ``Sex``
    one-hot encoded, since a network needs numbers), a 2x128 ReLU MLP, Adam
    with lr 1e-3, batch 16, 10 epochs. ERM (alpha=0), mixup at fixed alphas,
    and mixup with alpha chosen by inner cross-validation.
``tuned``
    What a scikit-learn user should do: median imputation, standardised
    features, one-hot categories, and :class:`~skmixup.MixupClassifier` with
    its defaults; ERM (its alpha=0 twin), mixup, mixup with alpha chosen by
    inner cross-validation, and the baselines a tabular user would try
    instead: ``MLPClassifier()``, ``LogisticRegression`` and
    ``HistGradientBoostingClassifier``.

Splits: ``n_splits`` random train/test splits with ``test_size`` of the rows
held out, stratified on the class (classes with a single example are pooled
into one stratum, so abalone's rare ages do not prevent stratification).
Every model of a split sees the same rows and the same ``random_state``, so
ERM and mixup are compared pair by pair (Wilcoxon signed-rank test).

Use :func:`run` from Python, or ``python -m experiments uci`` from a
shell (from the repository's root); ``--help`` lists the options.
The command keeps the finished (dataset, split) tasks in its output folder as it
goes and resumes from them when run again with the same settings; its progress
bar's ETA comes from the measured cost of the finished tasks.
"""

from __future__ import annotations

import json
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from joblib import Parallel, delayed
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, StratifiedShuffleSplit
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skmixup import MixupClassifier
from skmixup.datasets import fetch_uci

from ._progress import TaskProgress
from ._report import (
    PAPER_TABLE_4,
    _missing_files,
    format_table,
    paired_tests,
    plot_summary,
    summarize,
    write_results,
)
from ._resume import check_resume, run_settings, save_settings

__all__ = [
    "DATASETS",
    "PAPER_TABLE_4",
    "UCIConfig",
    "format_table",
    "load_dataset",
    "make_splits",
    "plot_summary",
    "run",
    "write_results",
]

DATASETS = ("abalone", "arcene", "arrhythmia", "htru2", "iris", "phishing")


@dataclass
class UCIConfig:
    """Settings of :func:`run`.

    Parameters
    ----------
    datasets : tuple of str
        Names from :data:`DATASETS` (any key of ``skmixup.datasets.UCI_DATASETS``).
    data_home : str or None
        Folder of the UCI files (see :func:`skmixup.datasets.fetch_uci`);
        ``None`` uses ``SKMIXUP_DATA``. Iris falls back to scikit-learn's copy.
    download : bool
        Download missing datasets (needs network access and, except for
        HTRU2, the ``openml`` package). When false, missing ones are skipped.
    protocols : tuple of {"paper", "tuned"}
        Which protocols to run.
    n_splits : int
        Random train/test splits per dataset.
    test_size : float
        Fraction of the rows held out for testing in each split.
    max_train_rows : int or None
        Subsample the training rows of each split to at most this many (for
        quick runs); ``None`` uses them all.
    paper_alphas : tuple of float
        Fixed mixup alphas of the paper protocol.
    alpha_grid : tuple of float
        Alphas searched by the inner cross-validation (0 is ERM).
    inner_cv : int or "auto"
        Inner cross-validation for alpha: ``k`` stratified folds, or
        ``"auto"``: 3 folds below 2000 training rows, else one stratified
        holdout of a third of them (the cost of 3 folds is not worth it there).
    paper_epochs, paper_batch_size, paper_lr : int, int, float
        The paper's training schedule.
    tuned_params : dict
        Parameters set on the tuned protocol's MixupClassifier (besides
        ``alpha`` and ``random_state``); empty means the package defaults.
    baselines : bool
        Run the scikit-learn baselines (tuned protocol).
    n_jobs : int
        Processes; each (dataset, split) is one task, run with 1 torch thread.
    device : str
        Passed to MixupClassifier (``"auto"``: CUDA when available).
    random_state : int
        Seeds the splits and the models. The default, 1, gives other splits
        than the seed 0 on which ``benchmarks/uci_defaults.py`` chose
        MixupClassifier's defaults, so the table does not grade them on the
        data they were picked on.
    progress : bool
        Show a progress bar.
    """

    datasets: tuple = DATASETS
    data_home: str | None = None
    download: bool = False
    protocols: tuple = ("paper", "tuned")
    n_splits: int = 10
    test_size: float = 0.2
    max_train_rows: int | None = None
    paper_alphas: tuple = (0.2, 1.0)
    alpha_grid: tuple = (0.0, 0.2, 0.4, 1.0)
    inner_cv: int | str = "auto"
    paper_epochs: int = 10
    paper_batch_size: int = 16
    paper_lr: float = 1e-3
    tuned_params: dict = field(default_factory=dict)
    baselines: bool = True
    n_jobs: int = 2
    device: str = "auto"
    random_state: int = 1
    progress: bool = True

    @classmethod
    def quick(cls, **changes):
        """A setting for CI and a first look: 3 splits, at most 300 training rows,
        2 inner folds, 2 alphas, 20 epochs in the tuned protocol."""
        base = cls(
            n_splits=3,
            max_train_rows=300,
            paper_alphas=(1.0,),
            alpha_grid=(0.0, 0.4),
            inner_cv=2,
            tuned_params={"max_epochs": 20},
        )
        return replace(base, **changes)


# -------------------------------------------------------------------------- data
def load_dataset(name, data_home=None, download=False):
    """Features (DataFrame), labels (ndarray) and source of one dataset.

    Reads the UCI files through :func:`skmixup.datasets.fetch_uci`; iris falls
    back to :func:`sklearn.datasets.load_iris` (the same values) when its file
    is missing. Raises ``FileNotFoundError`` for other missing datasets.
    """
    try:
        bunch = fetch_uci(name, data_home=data_home, download_if_missing=download, as_frame=True)
        return bunch.data, np.asarray(bunch.target), bunch.source
    except FileNotFoundError:
        if name != "iris":
            raise

    iris = load_iris(as_frame=True)
    X = iris.data.set_axis(["sepal_length", "sepal_width", "petal_length", "petal_width"], axis=1)
    return X, iris.target_names[iris.target.to_numpy()], "sklearn.datasets.load_iris"


def _strata(y):
    """Class labels for stratification, classes of one example pooled into one stratum."""
    y = np.asarray(y)
    labels, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    rare = counts[codes] < 2
    strata = codes.copy()
    strata[rare] = -1
    if 0 < rare.sum() < 2:  # a pool of one is no better: give it to the largest class
        strata[rare] = np.argmax(counts)
    return strata


def make_splits(y, n_splits, test_size, random_state, max_train_rows=None):
    """``n_splits`` stratified (train, test) index pairs; see the module docstring."""
    splitter = StratifiedShuffleSplit(
        n_splits=n_splits, test_size=test_size, random_state=random_state
    )
    strata = _strata(y)
    splits = []
    for i, (train, test) in enumerate(splitter.split(np.zeros(len(y)), strata)):
        if max_train_rows is not None and len(train) > max_train_rows:
            sub = StratifiedShuffleSplit(
                n_splits=1, train_size=max_train_rows, random_state=random_state + 1000 + i
            )
            keep, _ = next(sub.split(np.zeros(len(train)), _strata(np.asarray(y)[train])))
            train = train[np.sort(keep)]
        splits.append((train, test))
    return splits


def _inner_cv(y_train, config, seed):
    """The inner cross-validation for alpha, as a list of (train, validation) index pairs."""
    k = config.inner_cv
    if k == "auto":
        k = 3 if len(y_train) < 2000 else 1
    strata = _strata(y_train)
    if k == 1:
        splitter = StratifiedShuffleSplit(n_splits=1, test_size=1 / 3, random_state=seed)
    else:
        splitter = StratifiedKFold(n_splits=int(k), shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y_train)), strata))


# ------------------------------------------------------------------------ models
def _preprocessor(X, scale):
    categorical = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    numeric = [c for c in X.columns if c not in categorical]
    steps = [SimpleImputer(strategy="median")]
    if scale:
        steps.append(StandardScaler())
    return ColumnTransformer(
        [
            ("numeric", make_pipeline(*steps), numeric),
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                categorical,
            ),
        ],
        sparse_threshold=0.0,
    )


def _mixup(config, seed, **params):
    return MixupClassifier(random_state=seed, device=config.device, **params)


def _grid(estimator, config, cv):
    return GridSearchCV(estimator, {"alpha": list(config.alpha_grid)}, cv=cv, n_jobs=None)


def paper_models(config, seed, cv):
    """The paper protocol's models (without preprocessing), by name."""
    net = dict(
        hidden_layer_sizes=(128, 128),
        max_epochs=config.paper_epochs,
        batch_size=config.paper_batch_size,
        lr=config.paper_lr,
        weight_decay=0.0,
        early_stopping=False,
        optimizer="adam",
        lr_schedule="constant",
    )
    models = {"ERM": _mixup(config, seed, alpha=0.0, **net)}
    for alpha in config.paper_alphas:
        models[f"mixup a={alpha:g}"] = _mixup(config, seed, alpha=alpha, **net)
    models["mixup CV-a"] = _grid(_mixup(config, seed, **net), config, cv)
    return models


def tuned_models(config, seed, cv):
    """The tuned protocol's models (without preprocessing), by name."""
    default = _mixup(config, seed, **config.tuned_params)
    models = {
        "ERM": _mixup(config, seed, **{**config.tuned_params, "alpha": 0.0}),
        # The default's alpha is "auto" (alpha 2 for half the epochs, then ERM).
        f"mixup a={default.alpha if isinstance(default.alpha, str) else f'{default.alpha:g}'}": (
            default
        ),
        "mixup CV-a": _grid(_mixup(config, seed, **config.tuned_params), config, cv),
    }
    if config.baselines:
        models["MLPClassifier"] = MLPClassifier(random_state=seed)
        models["LogisticRegression"] = LogisticRegression(max_iter=2000)
        models["HistGradientBoosting"] = HistGradientBoostingClassifier(random_state=seed)
    return models


# --------------------------------------------------------------------------- run
def _run_task(name, X, y, split, train, test, config):
    """Fit every model of every protocol on one split; one record per fit."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one per worker process; restored for an in-process (n_jobs=1) run
    try:
        return _fit_split(name, X, y, split, train, test, config)
    finally:
        torch.set_num_threads(threads)


def _fit_split(name, X, y, split, train, test, config):
    seed = config.random_state * 1000 + split
    X_train, X_test = X.iloc[train], X.iloc[test]
    y_train, y_test = y[train], y[test]
    with warnings.catch_warnings():
        # Rare classes (abalone, arrhythmia): StratifiedKFold warns here, on the worker's
        # stderr, which would break the progress bar's line.
        warnings.filterwarnings("ignore", message="The least populated class")
        cv = _inner_cv(y_train, config, seed)
    records = []
    for protocol in config.protocols:
        make = paper_models if protocol == "paper" else tuned_models
        for model_name, model in make(config, seed, cv).items():
            pipe = make_pipeline(_preprocessor(X, scale=protocol == "tuned"), model)
            start = time.perf_counter()
            with warnings.catch_warnings():
                # Rare classes (abalone, arrhythmia) in inner folds; lbfgs/adam iteration caps.
                warnings.filterwarnings("ignore", message="The least populated class")
                warnings.filterwarnings("ignore", category=ConvergenceWarning)
                pipe.fit(X_train, y_train)
            fit_s = time.perf_counter() - start
            error = float(np.mean(pipe.predict(X_test) != y_test))
            fitted = pipe[-1]
            record = dict(
                protocol=protocol,
                dataset=name,
                model=model_name,
                split=split,
                error=100 * error,
                fit_s=fit_s,
                n_train=len(train),
                n_test=len(test),
                alpha=np.nan,
                n_epochs=np.nan,
            )
            if hasattr(fitted, "best_params_"):
                record["alpha"] = fitted.best_params_["alpha"]
                fitted = fitted.best_estimator_
            if hasattr(fitted, "alpha") and hasattr(fitted, "net_"):
                record["alpha"] = fitted._alpha()  # "auto" resolved
            if hasattr(fitted, "n_iter_"):
                record["n_epochs"] = float(np.max(fitted.n_iter_))
            records.append(record)
    return records


def run(config=None, partial_path=None, resume=False, required=()):
    """Run the experiment; return its results.

    Parameters
    ----------
    config : UCIConfig, default=None
        ``None`` means ``UCIConfig()``, the full study.
    partial_path : path-like, default=None
        When given, the records so far are rewritten there (CSV) after each
        (dataset, split) task, so that an interrupted run leaves its fits; the
        settings they were run with go beside it (same name, ``.json``).
    resume : bool, default=False
        Keep the tasks already in ``partial_path`` and run only the others. The
        settings they were run with must be this run's (``n_jobs`` and
        ``progress`` aside): the same options, data root, datasets found (and
        where each came from), skmixup version and model parameters; any
        difference raises :class:`~experiments._resume.ResumeError` naming it.
        Without ``resume`` the records in ``partial_path`` are replaced.
    required : sequence of str, default=()
        Datasets that must be found: when one is missing, ``FileNotFoundError``
        is raised before any fit (the command line passes the ``--datasets``
        it was given). The other missing datasets are skipped with a note
        printed before the first fit.

    Returns
    -------
    results : dict
        ``records`` (DataFrame, one row per fit: protocol, dataset, model,
        split, error in %, fit seconds, chosen alpha, epochs run),
        ``summary`` (mean and std per protocol, dataset and model, beside the
        paper's numbers), ``paired`` (ERM - mixup per protocol, dataset and
        mixup variant, with the Wilcoxon signed-rank p-value), ``skipped``
        (dataset -> reason), ``sources``, ``config``, ``elapsed_s`` and
        ``resumed`` (number of tasks taken from ``partial_path``).

    Raises
    ------
    FileNotFoundError
        When a dataset of ``required`` is missing (before any fit).
    ResumeError
        When ``resume`` finds records of a run with other settings.
    """

    config = config or UCIConfig()
    unknown = set(config.protocols) - {"paper", "tuned"}
    if unknown:
        raise ValueError(f"Unknown protocols {sorted(unknown)}; use 'paper' and/or 'tuned'.")
    start = time.perf_counter()
    data, skipped, sources = {}, {}, {}
    for name in config.datasets:
        try:
            X, y, sources[name] = load_dataset(name, config.data_home, config.download)
        except FileNotFoundError as exc:
            skipped[name] = str(exc)
            continue
        data[name] = (
            X,
            y,
            make_splits(
                y, config.n_splits, config.test_size, config.random_state, config.max_train_rows
            ),
        )
    missing = [name for name in required if name in skipped]
    if missing:
        raise FileNotFoundError(
            "the datasets named were not found (nothing was fitted):\n"
            + "\n".join(skipped[name] for name in missing)
        )
    if skipped:
        print(_skip_note(skipped, config.data_home), flush=True)
    settings = run_settings(
        _settings(config), data_home=config.data_home, sources=sources, models=_models_of(config)
    )
    records = _resumed_records(partial_path, settings) if resume else []
    done = {(r["dataset"], r["split"]) for r in records}
    tasks = _ordered_tasks(data, done)
    if partial_path is not None:
        _write_partial(partial_path, records, settings)
    jobs = (
        delayed(_run_task)(name, data[name][0], data[name][1], split, train, test, config)
        for name, split, train, test in tasks
    )
    progress = TaskProgress(
        [(name, _cost_guess(len(train), data[name][0].shape[1])) for name, _, train, _ in tasks],
        n_workers=config.n_jobs,
        desc="UCI (dataset x split tasks)",
        disable=not config.progress,
    )
    parallel = Parallel(n_jobs=config.n_jobs, return_as="generator_unordered")
    with progress:
        for chunk in parallel(jobs):
            records.extend(chunk)
            progress.done(chunk[0]["dataset"] if chunk else None, sum(r["fit_s"] for r in chunk))
            if partial_path is not None:
                _write_partial(partial_path, records, settings)
    resumed = len(done)
    records = pd.DataFrame.from_records(records)
    if len(records):
        records = records.sort_values(["protocol", "dataset", "model", "split"], ignore_index=True)
    return {
        "records": records,
        "summary": summarize(records),
        "paired": paired_tests(records),
        "skipped": skipped,
        "sources": sources,
        "config": asdict(config),
        "elapsed_s": time.perf_counter() - start,
        "resumed": resumed,
    }


def _ordered_tasks(data, done=()):
    """(dataset, split, train, test) tasks not in ``done``, in the order they run.

    In rounds: split 0 of every dataset, then split 1, ..., largest first within
    a round. After the first round every dataset's cost per task has been
    measured, so the ETA (see ``TaskProgress``) holds from then on; the last
    round ends with short tasks, so the workers finish together.
    """
    return sorted(
        (
            (name, split, train, test)
            for name, (X, y, splits) in data.items()
            for split, (train, test) in enumerate(splits)
            if (name, split) not in done
        ),
        key=lambda t: (t[1], -_cost_guess(len(t[2]), data[t[0]][0].shape[1])),
    )


def _cost_guess(n_train, n_features):
    """Relative cost of one task before any is measured (rows x sqrt(features)).

    Rough: the baselines' cost also grows with the number of classes. It only
    orders a round and scales the ETA of datasets not yet measured.
    """
    return n_train * n_features**0.5


def _settings(config):
    """The options that decide the records (not how they are computed).

    The data root is not among them: :func:`run_settings` adds it resolved,
    with the datasets found there.
    """
    settings = asdict(config)
    for name in ("n_jobs", "progress", "data_home", "download"):
        settings.pop(name)
    return json.loads(json.dumps(settings, default=str))


def _models_of(config):
    """Every model of the run by "protocol: name", as split 0 builds them (for the settings)."""
    models = {}
    for protocol in config.protocols:
        make = paper_models if protocol == "paper" else tuned_models
        for name, model in make(config, config.random_state * 1000, cv=None).items():
            models[f"{protocol}: {name}"] = model
    return models


def _skip_note(skipped, data_home):
    """The note printed before the first fit: which datasets are skipped, and why."""
    lines = [f"skipping {len(skipped)} of the datasets, their files were not found:"]
    lines += [
        f"  {line}"
        for line in _missing_files({"config": {"data_home": data_home}, "skipped": skipped})
    ]
    return "\n".join(lines)


def _settings_file(path):
    return Path(path).with_suffix(".json")


def _write_partial(path, records, settings):
    path = Path(path)
    save_settings(path, settings, settings_file=_settings_file(path))
    columns = None if records else ["protocol", "dataset", "model", "split"]
    pd.DataFrame.from_records(records, columns=columns).to_csv(path, index=False)


def _resumed_records(path, settings):
    """Records of an earlier run with the same settings in ``path``; [] when there are none.

    Raises :class:`~experiments._resume.ResumeError` when the earlier run's
    settings differ from ``settings``.
    """
    if path is None:
        return []
    path = Path(path)
    if not check_resume(path, settings, settings_file=_settings_file(path)):
        return []
    try:
        records = pd.read_csv(path).to_dict("records")
    except pd.errors.EmptyDataError:
        records = []
    if records:
        n_tasks = len({(r["dataset"], r["split"]) for r in records})
        print(
            f"resuming: {n_tasks} (dataset, split) task{'s' * (n_tasks != 1)} already done "
            f"in {path}",
            flush=True,
        )
    return records
