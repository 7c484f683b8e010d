"""The tabular benchmark suite: MixupClassifier against the models a tabular user would try.

43 datasets: the 28 UCI datasets of the KEEL suite and its 9 imbalanced ones
(:func:`skmixup.datasets.fetch_keel`) and the paper's six (:func:`skmixup.datasets.fetch_uci`).
Defaults are chosen on :data:`SELECTION` and confirmed on :data:`CONFIRMATION` (every
third dataset in name order), a split fixed before any candidate ran. One preprocessing for every
model: median imputation and standardisation of numbers, one-hot text columns. Each
dataset gets ``n_splits`` stratified 75/25 splits; training sets larger than
``max_train_rows`` are subsampled (stratified), and the run says so.

Models are named by a spec: ``"mixup"`` (``MixupClassifier()`` as shipped), ``"erm"`` (its
``alpha=0`` twin, all else equal), ``"mixup-cv"`` (``MixupClassifierCV()``),
``"mixup-seeds"`` (``MixupEnsembleClassifier()``: 5 seeds of ``MixupClassifier()``),
``"mlp"`` (``MLPClassifier()``), ``"hgb"`` (``HistGradientBoostingClassifier()``),
``"logreg"`` (``LogisticRegression(max_iter=2000)``), and the optional peers
``"realmlp"`` and ``"tabm"`` (pytabkit's ``RealMLP_TD_Classifier`` and
``TabM_D_Classifier``), ``"catboost"`` and ``"lgbm"`` (LightGBM) with their defaults,
each skipped with a note when its package is absent. A spec may
override parameters: ``"mixup:alpha=0.4,batch_size=64"`` (values are Python literals);
this is how candidate defaults are compared (``benchmarks/tabular_defaults.py``).

``label_noise=P`` flips a share P of each training set's labels to another class
(uniformly, seeded by the split), the test labels staying clean: the robustness to
wrong labels that the paper measured on CIFAR-10.

Each fit is one task; its record (error, log loss, fit seconds, epochs, chosen alpha) is
appended to ``records.csv`` in the output folder as soon as it ends, and a rerun
with the same folder skips the fits already there (resumable).

Use :func:`run` and :func:`report` from Python, or ``python -m experiments tabular``.
"""

from __future__ import annotations

import ast
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from joblib import Parallel, delayed
from scipy.stats import wilcoxon
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from tqdm.auto import tqdm

from skmixup import MixupClassifier, MixupClassifierCV, MixupEnsembleClassifier
from skmixup.datasets import fetch_keel, fetch_uci

from ._arguments import tabular_arguments
from ._resume import extend_or_resume, run_settings
from .uci import _preprocessor, make_splits

__all__ = [
    "CONFIRMATION",
    "DATASETS",
    "SELECTION",
    "TabularConfig",
    "make_model",
    "report",
    "run",
    "write_report",
]

KEEL = (
    "australian",
    "banana",
    "breast",
    "bupa",
    "chess",
    "contraceptive",
    "crx",
    "hayes-roth",
    "heart",
    "housevotes",
    "led7digit",
    "letter",
    "mammographic",
    "marketing",
    "monk-2",
    "mushroom",
    "optdigits",
    "penbased",
    "phoneme",
    "ring",
    "saheart",
    "splice",
    "tae",
    "tic-tac-toe",
    "titanic",
    "twonorm",
    "wine",
    "wisconsin",
)
PAPER = ("abalone", "arcene", "arrhythmia", "htru2", "iris", "phishing")
IMBALANCED = (
    "abalone19",
    "ecoli1",
    "glass1",
    "haberman",
    "new-thyroid1",
    "page-blocks0",
    "winequality-red-4",
    "yeast1",
    "yeast4",
)
#: The 43 datasets of the suite.
DATASETS = KEEL + PAPER + IMBALANCED
#: The held-out protocol for choosing defaults, fixed before any candidate ran: every third
#: dataset in name order (the 3rd, 6th, ...) is for confirmation only; defaults are chosen
#: on the others. The rule looks at names, never at results.
CONFIRMATION = tuple(sorted(DATASETS)[2::3])
SELECTION = tuple(name for name in sorted(DATASETS) if name not in CONFIRMATION)
#: The models of a full run, reference first.
MODELS = ("mixup", "erm", "mlp", "hgb", "logreg")


@dataclass
class TabularConfig:
    """Settings of :func:`run`.

    Parameters
    ----------
    datasets : tuple of str
        Names from :data:`DATASETS`.
    models : tuple of str
        Model specs (see the module docstring).
    data_home : str or None
        The data root holding ``keel/`` and ``uci/`` (``SKMIXUP_DATA`` when None).
    n_splits : int
        Stratified 75/25 splits per dataset.
    max_train_rows : int or None
        Training sets larger than this are subsampled, stratified.
    n_jobs : int
        Worker processes, each with one torch thread.
    random_state : int
        Seeds the splits and the models.
    label_noise : float
        Share of each training set's labels flipped to another class (test labels clean).
    progress : bool
        Show a progress bar.
    """

    datasets: tuple = DATASETS
    models: tuple = MODELS
    data_home: str | None = None
    n_splits: int = 3
    max_train_rows: int | None = 3000
    n_jobs: int = 2
    random_state: int = 0
    label_noise: float = 0.0
    progress: bool = True

    @classmethod
    def quick(cls, **changes):
        """Six small datasets, one split, at most 300 training rows."""
        base = dict(
            datasets=("australian", "iris", "monk-2", "tae", "wine", "wisconsin"),
            n_splits=1,
            max_train_rows=300,
        )
        return cls(**{**base, **changes})


def load_suite_dataset(name, data_home=None, return_source=False):
    """Features (DataFrame, text columns categorical) and labels (ndarray) of one dataset.

    With ``return_source``, also where the data came from (the loader's ``source``).
    """
    if name in PAPER:
        bunch = fetch_uci(name, data_home=data_home, download_if_missing=False, as_frame=True)
    elif name in KEEL or name in IMBALANCED:
        bunch = fetch_keel(name, data_home=data_home, as_frame=True)
    else:
        raise ValueError(f"Unknown suite dataset {name!r}; choose from {sorted(DATASETS)}.")
    data = bunch.data, np.asarray(bunch.target).astype(str)
    return (*data, str(bunch.get("source", ""))) if return_source else data


def _parse_spec(spec):
    """``"mixup:alpha=0.4,lr=0.01"`` -> ``("mixup", {"alpha": 0.4, "lr": 0.01})``."""
    base, _, rest = spec.partition(":")
    params = {}
    if rest:
        for item in _split_top_level(rest):
            key, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"Model spec {spec!r}: expected key=value, got {item!r}.")
            try:
                params[key.strip()] = ast.literal_eval(value.strip())
            except (ValueError, SyntaxError):
                params[key.strip()] = value.strip()  # a bare string such as adamw
    return base, params


def _split_top_level(text):
    """Split on commas outside brackets: ``"a=(1, 2),b=3"`` -> ``["a=(1, 2)", "b=3"]``."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return parts + [current]


def make_model(spec, seed):
    """A fresh, unfitted estimator for a model spec (see the module docstring)."""
    base, params = _parse_spec(spec)
    if base in ("mixup", "erm"):
        if base == "erm":
            params["alpha"] = 0.0
        return MixupClassifier(random_state=seed, device="cpu", **params)
    if base == "mixup-cv":
        return MixupClassifierCV(MixupClassifier(random_state=seed, device="cpu", **params))
    if base == "mixup-seeds":
        return MixupEnsembleClassifier(MixupClassifier(random_state=seed, device="cpu", **params))
    if base == "mlp":
        return MLPClassifier(random_state=seed, **params)
    if base == "hgb":
        return HistGradientBoostingClassifier(random_state=seed, **params)
    if base == "logreg":
        return LogisticRegression(**{"max_iter": 2000, **params})
    if base == "realmlp":
        from pytabkit import RealMLP_TD_Classifier

        return RealMLP_TD_Classifier(random_state=seed, n_threads=1, device="cpu", **params)
    if base == "tabm":
        from pytabkit import TabM_D_Classifier

        return TabM_D_Classifier(random_state=seed, n_threads=1, device="cpu", **params)
    if base == "catboost":
        from catboost import CatBoostClassifier

        return CatBoostClassifier(
            **{"random_seed": seed, "thread_count": 1, "verbose": 0, **params},
            allow_writing_files=False,
        )
    if base == "lgbm":
        from lightgbm import LGBMClassifier

        return LGBMClassifier(**{"random_state": seed, "n_jobs": 1, "verbose": -1, **params})
    raise ValueError(
        f"Unknown model {spec!r}: use mixup, erm, mixup-cv, mixup-seeds, mlp, hgb, logreg, "
        "or the optional peers realmlp, tabm (pytabkit), catboost, lgbm (lightgbm), "
        "optionally with overrides as in 'mixup:alpha=0.4'."
    )


def flip_labels(y, share, seed):
    """``y`` with a share of its labels moved to another class, uniformly (seeded)."""
    y = np.array(y, copy=True)
    classes = np.unique(y)
    if share <= 0 or len(classes) < 2:
        return y
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(y), size=int(round(share * len(y))), replace=False)
    codes = np.searchsorted(classes, y[rows])
    shift = rng.integers(1, len(classes), size=len(rows))  # never the row's own class
    y[rows] = classes[(codes + shift) % len(classes)]
    return y


def test_log_loss(model, X, y):
    """Mean negative log probability of the true class (clipped at 1e-15), any classes."""
    proba = model.predict_proba(X)
    classes = list(model.classes_)
    column = np.array([classes.index(label) if label in classes else -1 for label in y])
    p = np.where(column >= 0, proba[np.arange(len(y)), np.maximum(column, 0)], 0.0)
    return float(-np.mean(np.log(np.clip(p, 1e-15, 1.0))))


def _fit_one(name, X, y, split, train, test, spec, seed, label_noise=0.0):
    torch.set_num_threads(1)
    pipe = make_pipeline(_preprocessor(X, scale=True), make_model(spec, seed))
    y_train = flip_labels(y[train], label_noise, seed + 7919)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class")
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        pipe.fit(X.iloc[train], y_train)
    fit_s = time.perf_counter() - start
    # ravel: CatBoost predicts a column of labels, shape (n, 1).
    error = 100 * float(np.mean(np.ravel(pipe.predict(X.iloc[test])) != y[test]))
    model = pipe[-1]
    n_epochs = getattr(model, "n_iter_", np.nan)
    return dict(
        dataset=name,
        model=spec,
        split=split,
        label_noise=float(label_noise),
        error=error,
        log_loss=test_log_loss(pipe, X.iloc[test], y[test]),
        fit_s=fit_s,
        n_train=len(train),
        n_test=len(test),
        n_epochs=float(np.max(n_epochs)) if np.size(n_epochs) else np.nan,
        alpha=float(_trained_alpha(model))
        if spec.split(":")[0] in ("mixup", "erm", "mixup-cv", "mixup-seeds")
        else np.nan,
    )


#: The optional peers: spec -> the package that provides it.
OPTIONAL = {"realmlp": "pytabkit", "tabm": "pytabkit", "catboost": "catboost", "lgbm": "lightgbm"}


def _trained_alpha(model):
    """The alpha a model trained with: a search's chosen ``alpha_``, else that of the
    MixupClassifier (or of the ensemble's one), ``"auto"`` resolved."""
    if hasattr(model, "alpha_"):
        return model.alpha_  # may be 0 (ERM): not to be confused with "not searched"
    model = getattr(model, "estimator", model)
    return model._alpha() if hasattr(model, "_alpha") else getattr(model, "alpha", np.nan)


def _available(spec):
    package = OPTIONAL.get(spec.split(":")[0])
    if package is None:
        return True
    try:
        __import__(package)
    except ImportError:
        return False
    return True


def run(config=None, out=None, fresh=False, required=()):
    """Run the suite; return the records (DataFrame, one row per fit) and notes.

    Parameters
    ----------
    config : TabularConfig, default=None
        ``None`` means the full run, ``TabularConfig()``.
    out : path-like, default=None
        Folder of ``records.csv``. Fits already recorded there are skipped and
        each new fit is appended as it ends. The settings of the records are kept
        beside them (``records.settings.json``); a run whose options, data root,
        skmixup version, or parameters of a model or source of a dataset already
        there differ is refused with :class:`~experiments._resume.ResumeError`
        naming the difference. New models and datasets are added.
    fresh : bool, default=False
        Discard the records in ``out`` and start again.
    required : sequence of str, default=()
        Datasets that must be found: when one is missing, ``FileNotFoundError``
        is raised before any fit (the command line passes its ``--datasets``).
        The other missing datasets are skipped, said before the first fit.

    Returns
    -------
    records : DataFrame
        dataset, model, split, error (%), fit_s, n_train, n_test, n_epochs, alpha.
    notes : list of str
        What was skipped or subsampled, and why.
    """
    config = config or TabularConfig()
    notes, data = [], {}
    models = [m for m in config.models if _available(m)]
    for missing in sorted(set(config.models) - set(models)):
        package = OPTIONAL[missing.split(":")[0]]
        notes.append(f"{missing}: skipped, {package} is not installed (pip install {package}).")
    sources = {}
    for name in config.datasets:
        try:
            X, y, sources[name] = load_suite_dataset(name, config.data_home, return_source=True)
        except FileNotFoundError as exc:
            notes.append(f"{name}: skipped, {exc}")
            continue
        splits = make_splits(y, config.n_splits, 0.25, config.random_state, config.max_train_rows)
        if config.max_train_rows and round(0.75 * len(y)) > config.max_train_rows:
            notes.append(
                f"{name}: training rows subsampled from {round(0.75 * len(y))} to "
                f"{len(splits[0][0])} (stratified); test rows {len(splits[0][1])}."
            )
        data[name] = (X, y, splits)
    skipped = [name for name in config.datasets if name not in data]
    if any(name in skipped for name in required):
        raise FileNotFoundError(
            "the datasets named were not found (nothing was fitted):\n"
            + "\n".join(n for n in notes if n.split(":")[0] in required)
        )
    if skipped and config.progress:
        print(f"skipping (files not found): {', '.join(skipped)}", flush=True)
    path = None if out is None else Path(out) / "records.csv"
    if path is not None:
        settings = run_settings(
            {
                "job": "tabular",
                "max_train_rows": config.max_train_rows,
                "seed": config.random_state,
            },
            data_home=config.data_home,
            sources=sources,
            models={spec: make_model(spec, 0) for spec in models},
        )
        extend_or_resume(path, settings, fresh=fresh)
    done = pd.read_csv(path) if path is not None and path.is_file() else pd.DataFrame()
    if len(done):
        if "label_noise" not in done:
            done["label_noise"] = 0.0
        done = done[np.isclose(done["label_noise"], config.label_noise)]
    seen = set(
        zip(done.get("dataset", []), done.get("model", []), done.get("split", []), strict=True)
    )
    tasks = [
        (name, split, spec)
        for name, (_, _, splits) in data.items()
        for split in range(len(splits))
        for spec in models
        if (name, spec, split) not in seen
    ]
    # Largest first (the last tasks to end are short); the models of one split side by side,
    # so that the fit times compared ran under the same load.
    tasks.sort(key=lambda t: -len(data[t[0]][2][t[1]][0]) * data[t[0]][0].shape[1] ** 0.5)
    jobs = (
        delayed(_fit_one)(
            name,
            data[name][0],
            data[name][1],
            split,
            *data[name][2][split],
            spec,
            config.random_state * 1000 + split,
            config.label_noise,
        )
        for name, split, spec in tasks
    )
    records = [done] if len(done) else []
    parallel = Parallel(n_jobs=config.n_jobs, return_as="generator_unordered")
    for record in tqdm(
        parallel(jobs),
        total=len(tasks),
        desc="tabular fits",
        disable=not config.progress,
        ascii=True,
    ):
        row = pd.DataFrame([record])
        records.append(row)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            row.to_csv(path, mode="a", header=not path.is_file(), index=False)
    records = pd.concat(records, ignore_index=True) if records else pd.DataFrame()
    return records, notes


def report(records, reference="mixup"):
    """Per-dataset and overall comparison of the models in ``records``.

    Returns
    -------
    per_dataset : DataFrame
        Mean test error (%) per dataset (rows) and model (columns).
    overall : DataFrame
        Per model: mean error, mean rank (1 = best, ties averaged), total fit
        seconds and its ratio to ``mlp``'s, mean test log loss (when recorded), and
        against ``reference``: the
        datasets where the reference has a lower / equal (within 0.05 points)
        / higher mean error, with the two-sided Wilcoxon signed-rank p-value
        over datasets.
    """
    complete = records.groupby("dataset")["model"].nunique() == records["model"].nunique()
    records = records[records["dataset"].isin(complete[complete].index)]
    per_dataset = records.pivot_table(
        index="dataset", columns="model", values="error", aggfunc="mean"
    )
    ranks = per_dataset.rank(axis=1, method="average")
    fit_s = records.groupby("model")["fit_s"].sum()
    overall = pd.DataFrame(
        {"mean_error": per_dataset.mean(), "mean_rank": ranks.mean(), "fit_s": fit_s}
    )
    if "log_loss" in records and records["log_loss"].notna().all():
        per_dataset_loss = records.pivot_table(
            index="dataset", columns="model", values="log_loss", aggfunc="mean"
        )
        overall["mean_log_loss"] = per_dataset_loss.mean()
    if "mlp" in fit_s:
        overall["fit_vs_mlp"] = fit_s / fit_s["mlp"]
    if reference in per_dataset:
        ref = per_dataset[reference]
        for model in per_dataset.columns:
            diff = per_dataset[model] - ref  # positive: the reference is better
            overall.loc[model, "ref_wins"] = int((diff > 0.05).sum())
            overall.loc[model, "ties"] = int((diff.abs() <= 0.05).sum())
            overall.loc[model, "ref_losses"] = int((diff < -0.05).sum())
            nonzero = diff[diff.abs() > 1e-12]
            overall.loc[model, "wilcoxon_p"] = (
                wilcoxon(nonzero).pvalue if len(nonzero) > 1 else np.nan
            )
    return per_dataset, overall.sort_values("mean_rank")


def dataset_traits(names, data_home=None):
    """Rows, encoded features and classes of each dataset (a DataFrame indexed by name)."""
    rows = {}
    for name in names:
        X, y = load_suite_dataset(name, data_home)
        width = _preprocessor(X, scale=True).fit_transform(X).shape[1]
        rows[name] = dict(rows=len(y), features=width, classes=len(np.unique(y)))
    return pd.DataFrame.from_dict(rows, orient="index")


#: How the suite is cut for "where does mixing pay": (trait, bins, labels).
GROUPS = (
    ("rows", (0, 600, 2500, np.inf), ("< 600 rows", "600-2,500 rows", "> 2,500 rows")),
    ("features", (0, 10, 30, np.inf), ("<= 10 features", "11-30 features", "> 30 features")),
    ("classes", (0, 2, 5, np.inf), ("2 classes", "3-5 classes", "> 5 classes")),
)


def paired_by_group(records, model, baseline, traits, metric="error"):
    """``model`` against ``baseline`` on each group of datasets of :data:`GROUPS`.

    Per group: the number of datasets, the mean difference of ``metric``
    (model minus baseline; negative: the model is better), the datasets where
    the model is better / worse, and the two-sided Wilcoxon signed-rank p-value.
    """
    table = records.pivot_table(index="dataset", columns="model", values=metric, aggfunc="mean")
    diff = (table[model] - table[baseline]).dropna()
    tie = 0.05 if metric == "error" else 1e-4
    out = []
    for trait, bins, labels in (("all", (-np.inf, np.inf), ("all datasets",)), *GROUPS):
        values = traits.loc[diff.index, "rows"] if trait == "all" else traits.loc[diff.index, trait]
        groups = pd.cut(values, bins=bins, labels=labels)
        for label in labels:
            d = diff[groups == label]
            nonzero = d[d.abs() > 1e-12]
            out.append(
                dict(
                    group=label,
                    datasets=len(d),
                    mean_diff=d.mean() if len(d) else np.nan,
                    better=int((d < -tie).sum()),
                    worse=int((d > tie).sum()),
                    p=wilcoxon(nonzero).pvalue if len(nonzero) > 1 else np.nan,
                )
            )
    return pd.DataFrame(out)


def format_report(per_dataset, overall, notes=(), reference="mixup"):
    """The per-dataset table and the overall table as text (at most ~120 columns)."""
    lines = ["Test error (%), mean over splits, per dataset (best in [brackets]):"]
    names = list(overall.index)
    width = max(8, *(len(n) for n in names))
    lines.append(f"{'dataset':<14}" + "".join(f"{n[:width]:>{width + 1}}" for n in names))
    for dataset, row in per_dataset[names].iterrows():
        best = row.min()
        cells = "".join(
            f"{('[' + format(v, '.2f') + ']') if v == best else format(v, '.2f'):>{width + 1}}"
            for v in row
        )
        lines.append(f"{dataset:<14}" + cells)
    lines.append("")
    lines.append(
        f"Overall, {len(per_dataset)} datasets ({reference} against each model: "
        "datasets where it has the lower/equal/higher error, Wilcoxon p):"
    )
    lines.append(
        f"{'model':<{width}} {'mean err':>9} {'log loss':>9} {'mean rank':>10} {'fit s':>9} "
        f"{'x mlp':>7} {'W/T/L':>10} {'p':>8}"
    )
    for model, row in overall.iterrows():
        wtl = (
            ""
            if model == reference or "ref_wins" not in row
            else f"{row.ref_wins:.0f}/{row.ties:.0f}/{row.ref_losses:.0f}"
        )
        p = "" if model == reference or pd.isna(row.get("wilcoxon_p")) else f"{row.wilcoxon_p:.3g}"
        ratio = f"{row.fit_vs_mlp:.2f}" if "fit_vs_mlp" in row else ""
        loss = f"{row.mean_log_loss:.3f}" if "mean_log_loss" in row else ""
        lines.append(
            f"{model[:width]:<{width}} {row.mean_error:>9.2f} {loss:>9} {row.mean_rank:>10.2f} "
            f"{row.fit_s:>9.1f} {ratio:>7} {wtl:>10} {p:>8}"
        )
    if notes:
        lines += ["", "Notes:"] + [f"  {note}" for note in notes]
    return "\n".join(lines)


def plot_report(per_dataset, overall, path, reference="mixup", peer="mlp"):
    """Mean rank per model, and per-dataset error of ``reference`` against ``peer``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    order = overall.sort_values("mean_rank")
    colors = ["tab:red" if m == reference else "tab:gray" for m in order.index]
    left.barh(order.index[::-1], order["mean_rank"][::-1], color=colors[::-1])
    left.set_xlabel(f"mean rank over {len(per_dataset)} datasets (1 = best)")
    left.set_title("Mean rank (lower is better)")
    if peer in per_dataset and reference in per_dataset:
        x, y = per_dataset[peer], per_dataset[reference]
        right.scatter(x, y, s=18, color="tab:red")
        top = max(x.max(), y.max()) * 1.05
        right.plot([0, top], [0, top], color="black", lw=0.8)
        right.set_xscale("symlog", linthresh=1)
        right.set_yscale("symlog", linthresh=1)
        right.set_xlabel(f"{peer} test error (%)")
        right.set_ylabel(f"{reference} test error (%)")
        right.set_title(f"Per dataset: below the line, {reference} is better")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(records, out, notes=(), reference="mixup", data_home=None):
    """Write ``per_dataset.csv``, ``overall.csv``, ``report.txt`` and ``ranks.png`` to ``out``,
    and ``where.txt`` (:func:`where_it_pays` against ``erm``) when the ERM twin ran."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    per_dataset, overall = report(records, reference)
    per_dataset.round(3).to_csv(out / "per_dataset.csv")
    overall.round(4).to_csv(out / "overall.csv")
    text = format_report(per_dataset, overall, notes, reference)
    (out / "report.txt").write_text(text + "\n")
    plot_report(per_dataset, overall, out / "ranks.png", reference)
    if "erm" in per_dataset and reference != "erm" and "log_loss" in records:
        (out / "where.txt").write_text(where_it_pays(records, reference, "erm", data_home))
    return text


def where_it_pays(records, model, baseline, data_home=None):
    """:func:`paired_by_group` of ``model`` against ``baseline``, error and log loss, as text."""
    traits = dataset_traits(sorted(set(records["dataset"])), data_home)
    parts = []
    for metric in ("error", "log_loss"):
        table = paired_by_group(records, model, baseline, traits, metric)
        parts.append(
            f"{model} minus {baseline}, test {metric.replace('_', ' ')} (negative: {model} "
            "is better); datasets better / worse; Wilcoxon p:\n"
            + table.round(3).to_string(index=False, na_rep="")
        )
    return "\n\n".join(parts) + "\n"


def add_arguments(parser):
    """The command-line options of ``python -m experiments tabular``."""
    tabular_arguments(parser)


def main(args):
    """Run the suite from parsed command-line ``args`` and print the report."""
    changes = dict(
        data_home=args.data_home,
        n_jobs=args.n_jobs,
        progress=not args.no_progress,
        random_state=args.seed,
        label_noise=args.label_noise,
    )
    if not 0 <= args.label_noise < 1:
        raise SystemExit(f"--label-noise must be in [0, 1); got {args.label_noise}")
    for option, name in (
        ("datasets", "datasets"),
        ("models", "models"),
        ("splits", "n_splits"),
        ("max_train_rows", "max_train_rows"),
    ):
        value = getattr(args, option)
        if value is not None:
            changes[name] = tuple(value) if isinstance(value, list) else value
    unknown = sorted(set(changes.get("datasets", ())) - set(DATASETS))
    if unknown:
        raise SystemExit(f"unknown datasets {unknown}; choose from {list(DATASETS)}")
    config = TabularConfig.quick(**changes) if args.quick else TabularConfig(**changes)
    start = time.perf_counter()
    records, notes = run(config, out=args.out, fresh=args.fresh, required=args.datasets or ())
    if len(records) == 0:
        raise SystemExit("No dataset could be read: " + " ".join(notes))
    records = records[
        np.isclose(records["label_noise"], config.label_noise)
        & records["model"].isin(config.models)
        & records["dataset"].isin(config.datasets)
        & (records["split"] < config.n_splits)
    ]
    print(write_report(records, args.out, notes, args.reference, args.data_home))
    print(f"\nrecords and report in {args.out}; {time.perf_counter() - start:.0f} s")
