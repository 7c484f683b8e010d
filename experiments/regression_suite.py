"""The regression suite: MixupRegressor against the regressors a tabular user would try.

20 real regression tables from R packages (:func:`skmixup.datasets.fetch_regression`).
Defaults are chosen on :data:`SELECTION` and confirmed on :data:`CONFIRMATION` (every
third table in name order), a split fixed in code before any candidate ran. Each table
gets ``n_splits`` shuffled 75/25 splits; training sets larger than ``max_train_rows`` are
subsampled (seeded; only diamonds, at the default), and the run says so. One preprocessing
for every model: median imputation and standardisation of numbers, one-hot text columns;
and one target transform: every model is fitted on the target standardised on its training
rows (:class:`~sklearn.compose.TransformedTargetRegressor`), its predictions mapped back.
The score is the normalised RMSE, RMSE / standard deviation of the test target (1 is the
test mean's score, lower is better), recorded with the fit seconds.

Models are named by a spec: ``"mixup"`` (``MixupRegressor()`` as shipped), ``"erm"`` (its
``alpha=0`` twin, all else equal), ``"mlp"`` (``MLPRegressor()``), ``"hgb"``
(``HistGradientBoostingRegressor()``) and ``"ridge"`` (``RidgeCV()``). A spec may override
parameters, as in the tabular job: ``"mixup:alpha=1.0,partners='label_kernel'"`` (values
are Python literals), and ``"erm:<same overrides>"`` is that candidate's ERM twin. This is
how candidate defaults are compared (``benchmarks/regressor_defaults.py``).

Each fit's record is appended to ``records.csv`` in the output folder as soon as it ends;
a rerun with the same folder skips the fits already there, and may add models or tables
(the settings check of the tabular job: options, data root, skmixup version, and the
parameters of every model and the source of every table already recorded must be as
they were).

    python -m experiments regression-suite --out regression-suite-results
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from joblib import Parallel, delayed
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import ShuffleSplit
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmixup import MixupRegressor
from skmixup.datasets import REGRESSION_DATASETS, fetch_regression

from ._report import rst_table
from ._resume import extend_or_resume, run_settings
from .tabular import _parse_spec
from .uci import _preprocessor

__all__ = [
    "CONFIRMATION",
    "DATASETS",
    "MODELS",
    "SELECTION",
    "RegressionSuiteConfig",
    "make_model",
    "report",
    "run",
]

#: The 20 tables of the suite, in name order.
DATASETS = tuple(sorted(REGRESSION_DATASETS))
#: The held-out protocol for choosing defaults, fixed before any candidate ran: every third
#: table in name order (the 3rd, 6th, ...) is for confirmation only; defaults are chosen on
#: the others. The rule looks at names, never at results.
CONFIRMATION = tuple(sorted(DATASETS)[2::3])
SELECTION = tuple(name for name in sorted(DATASETS) if name not in CONFIRMATION)
#: The models of a full run, reference first.
MODELS = ("mixup", "erm", "mlp", "hgb", "ridge")
FIELDS = (
    "dataset",
    "model",
    "split",
    "seed",
    "n_train",
    "nrmse",
    "rmse",
    "r2",
    "seconds",
    "epochs",
)


@dataclass
class RegressionSuiteConfig:
    """Settings of :func:`run`.

    Parameters
    ----------
    datasets : tuple of str
        Names from :data:`DATASETS`.
    models : tuple of str
        Model specs (see the module docstring).
    data_home : str or None
        The data root holding ``regression/`` (``SKMIXUP_DATA`` when None).
    n_splits : int
        Shuffled 75/25 splits per table.
    max_train_rows : int or None
        Training sets larger than this are subsampled (seeded).
    n_jobs : int
        Worker processes, each with one torch thread.
    random_state : int
        Seeds the splits and the models.
    progress : bool
        Print a line per fit.
    """

    datasets: tuple = DATASETS
    models: tuple = MODELS
    data_home: str | None = None
    n_splits: int = 3
    max_train_rows: int | None = 10000
    n_jobs: int = 1
    random_state: int = 0
    progress: bool = True

    def __post_init__(self):
        unknown = sorted(set(self.datasets) - set(DATASETS))
        if unknown:
            raise ValueError(
                f"Unknown regression tables {unknown}; choose from {sorted(DATASETS)}."
            )
        if not self.models:
            raise ValueError("models is empty: name at least one model spec, e.g. 'mixup'.")
        if int(self.n_splits) < 1:
            raise ValueError(f"n_splits must be at least 1; got {self.n_splits}.")
        if self.max_train_rows is not None and int(self.max_train_rows) < 10:
            raise ValueError(
                f"max_train_rows must be at least 10, or None for every row; got "
                f"{self.max_train_rows}."
            )
        for spec in self.models:
            make_model(spec, 0)  # an unknown model or parameter fails before any fit


def make_model(spec, seed):
    """A fresh, unfitted regressor for a model spec (see the module docstring).

    Raises ``ValueError`` for an unknown model or a malformed override, and
    scikit-learn's ``TypeError`` for a parameter the model does not have.
    """
    base, params = _parse_spec(spec)
    if base in ("mixup", "erm"):
        if base == "erm":
            params["alpha"] = 0.0
        return MixupRegressor(random_state=seed, device="cpu", **params)
    if base == "mlp":
        return MLPRegressor(random_state=seed, **params)
    if base == "hgb":
        return HistGradientBoostingRegressor(random_state=seed, **params)
    if base == "ridge":
        return RidgeCV(**params)
    raise ValueError(
        f"Unknown model {spec!r}: use mixup, erm, mlp, hgb or ridge, optionally with "
        "overrides as in 'mixup:alpha=0.4'."
    )


def _pipeline(spec, seed, X):
    """The spec's model behind the shared preprocessing, on a standardised target."""
    return TransformedTargetRegressor(
        regressor=make_pipeline(_preprocessor(X, scale=True), make_model(spec, seed)),
        transformer=StandardScaler(),
    )


def load_tables(names, data_home=None):
    """Name -> (features DataFrame, float64 target, source) for each table; reads all first."""
    tables = {}
    for name in names:
        bunch = fetch_regression(name, data_home=data_home, as_frame=True)
        tables[name] = (bunch.data, bunch.target.to_numpy(), bunch.source)
    return tables


def make_splits(y, n_splits, random_state, max_train_rows):
    """``n_splits`` shuffled 75/25 (train, test) index pairs, train subsampled to the cap."""
    splits = []
    for i, (train, test) in enumerate(
        ShuffleSplit(n_splits, test_size=0.25, random_state=random_state).split(y)
    ):
        if max_train_rows is not None and len(train) > max_train_rows:
            rng = np.random.default_rng([random_state, i])
            train = np.sort(rng.choice(train, size=int(max_train_rows), replace=False))
        splits.append((train, test))
    return splits


def _epochs(model):
    inner = model.regressor_[-1]
    return float(getattr(inner, "n_iter_", np.nan))


def _fit_one(name, X, y, split, train, test, spec, seed):
    """One fit's record."""
    torch.set_num_threads(1)
    model = _pipeline(spec, seed, X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X.iloc[train], y[train])
        seconds = time.perf_counter() - start
    pred = model.predict(X.iloc[test])
    truth = y[test]
    rmse = float(np.sqrt(np.mean((pred - truth) ** 2)))
    scale = float(np.std(truth))
    r2 = 1.0 - rmse**2 / scale**2 if scale > 0 else float("nan")
    return dict(
        dataset=name,
        model=spec,
        split=split,
        seed=seed,
        n_train=len(train),
        nrmse=rmse / scale if scale > 0 else float("nan"),
        rmse=rmse,
        r2=r2,
        seconds=seconds,
        epochs=_epochs(model),
    )


def run(config, path=None, fresh=False):
    """Fit every model on every table's splits; return the records as a DataFrame.

    Parameters
    ----------
    config : RegressionSuiteConfig
        What to run.
    path : path-like, default=None
        ``records.csv`` to resume from and append to (see the module docstring).
    fresh : bool, default=False
        Discard the records at ``path`` first.

    Returns
    -------
    records : pandas.DataFrame
        One row per (table, model, split) of ``config``, those already in ``path`` included.
    """
    tables = load_tables(config.datasets, config.data_home)  # missing files fail first
    models = tuple(dict.fromkeys(config.models))
    splits = {
        name: make_splits(y, config.n_splits, config.random_state, config.max_train_rows)
        for name, (_, y, _) in tables.items()
    }
    for name, (X, _, _) in tables.items():
        train, test = splits[name][0]
        if len(train) < len(X) - len(test):
            print(f"{name}: training sets subsampled to {len(train)} rows", flush=True)
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        settings = run_settings(
            {
                "job": "regression-suite",
                "n_splits": config.n_splits,
                "max_train_rows": config.max_train_rows,
                "random_state": config.random_state,
                "test_size": 0.25,
            },
            data_home=config.data_home,
            sources={name: source for name, (_, _, source) in tables.items()},
            models={spec: make_model(spec, 0) for spec in models},
        )
        extend_or_resume(path, settings, fresh=fresh)
    done = pd.read_csv(path) if path is not None and path.is_file() else pd.DataFrame()
    seen = set(
        zip(done.get("dataset", []), done.get("model", []), done.get("split", []), strict=True)
    )
    tasks = [
        (name, split, spec)
        for name in tables
        for split in range(config.n_splits)
        for spec in models
        if (name, spec, split) not in seen
    ]
    jobs = (
        delayed(_fit_one)(
            name,
            tables[name][0],
            tables[name][1],
            split,
            *splits[name][split],
            spec,
            config.random_state * 1000 + split,
        )
        for name, split, spec in tasks
    )
    new = []
    parallel = Parallel(n_jobs=config.n_jobs, return_as="generator")
    for record in parallel(jobs):
        new.append(record)
        if path is not None:
            pd.DataFrame([record], columns=FIELDS).to_csv(
                path, mode="a", header=not path.is_file() or path.stat().st_size == 0, index=False
            )
        if config.progress:
            print(
                f"{record['dataset']} {record['split']} {record['model']}: nRMSE "
                f"{record['nrmse']:.4f} ({record['seconds']:.1f} s)",
                flush=True,
            )
    records = pd.concat([done, pd.DataFrame(new, columns=FIELDS)], ignore_index=True)
    keep = records["dataset"].isin(config.datasets) & records["model"].isin(models)
    keep &= records["split"].astype(int) < config.n_splits
    return records[keep].reset_index(drop=True)


def summary(records, models=None, datasets=None):
    """Per model: mean nRMSE over tables, mean rank, total fit seconds (complete tables only).

    Only tables on which every model has every split count, so that means compare the
    same tables. Returns ``(per_table, summary)``: the mean nRMSE of each (table, model),
    and a DataFrame indexed by model with ``mean_nrmse``, ``mean_rank``, ``fit_s``.
    """
    models = list(models or dict.fromkeys(records["model"]))
    records = records[records["model"].isin(models)]
    if datasets is not None:
        records = records[records["dataset"].isin(datasets)]
    counts = records.groupby(["dataset", "model"]).size().unstack()
    n_splits = records["split"].nunique()
    complete = counts.index[(counts.reindex(columns=models) == n_splits).all(axis=1)]
    records = records[records["dataset"].isin(complete)]
    per_table = records.pivot_table(index="dataset", columns="model", values="nrmse")
    per_table = per_table.reindex(columns=models)
    ranks = per_table.rank(axis=1)
    seconds = records.groupby("model")["seconds"].sum().reindex(models)
    table = pd.DataFrame(
        {"mean_nrmse": per_table.mean(), "mean_rank": ranks.mean(), "fit_s": seconds}
    )
    return per_table, table


def report(records, models=None, datasets=None, reference=None):
    """The run's tables as text: mean nRMSE per table and model, then the summary.

    ``reference`` (default: the first model) is compared with every other model: tables
    where it is better / worse.
    """
    per_table, table = summary(records, models, datasets)
    models = list(per_table.columns)
    reference = reference or models[0]
    header = ["table"] + models
    rows = [[name] + [f"{per_table.loc[name, m]:.4f}" for m in models] for name in per_table.index]
    rows.append(["mean nRMSE"] + [f"{table.loc[m, 'mean_nrmse']:.4f}" for m in models])
    rows.append(["mean rank"] + [f"{table.loc[m, 'mean_rank']:.2f}" for m in models])
    rows.append(["fit s (total)"] + [f"{table.loc[m, 'fit_s']:.0f}" for m in models])
    if reference in per_table:
        wins = [
            ""
            if m == reference
            else f"{int((per_table[reference] < per_table[m]).sum())}/"
            f"{int((per_table[reference] > per_table[m]).sum())}"
            for m in models
        ]
        rows.append([f"{reference} better/worse"] + wins)
    lines = [
        f"{len(per_table)} tables, {records['split'].nunique()} splits; normalised RMSE "
        "(RMSE / std of the test target), mean over splits; lower is better",
        "",
        rst_table(header, rows),
    ]
    return "\n".join(lines)


def main(args):
    """Run the suite into ``args.out`` (resuming) and write and print its report."""
    torch.set_num_threads(1)
    part = {"all": DATASETS, "selection": SELECTION, "confirmation": CONFIRMATION}[args.part]
    config = RegressionSuiteConfig(
        datasets=tuple(args.datasets or part),
        models=tuple(args.models or MODELS),
        data_home=args.data_home,
        n_splits=args.splits,
        max_train_rows=args.max_train_rows or None,
        n_jobs=args.n_jobs,
        random_state=args.seed,
        progress=not args.no_progress,
    )
    out = Path(args.out)
    records = run(config, out / "records.csv", fresh=args.fresh)
    text = report(records, config.models, config.datasets)
    (out / "report.txt").write_text(text + "\n")
    print(text)
