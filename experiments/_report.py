"""Summaries, paired tests, the printed table, files and figure of the UCI experiment."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
import torch
from scipy.stats import wilcoxon

from skmixup.datasets import UCI_DATASETS, get_data_home

PROTOCOL_TITLES = {
    "paper": "paper protocol: raw features, 2x128 MLP, Adam lr 1e-3, batch 16, 10 epochs",
    "tuned": "tuned protocol: imputed + standardised features, MixupClassifier defaults, baselines",
}

#: Test error (%) of ERM and mixup in the paper's Table 4, as recalled from the paper
#: (not checked against the PDF; see docs/results_uci.rst).
PAPER_TABLE_4 = {
    "abalone": (74.0, 73.6),
    "arcene": (57.6, 48.0),
    "arrhythmia": (56.6, 46.3),
    "htru2": (2.0, 2.0),
    "iris": (21.3, 17.3),
    "phishing": (16.3, 15.2),
}


def summarize(records):
    """Mean and std of the test error (%) per protocol, dataset and model."""
    columns = [
        "protocol",
        "dataset",
        "model",
        "mean",
        "std",
        "n_splits",
        "fit_s",
        "alpha_median",
        "epochs_mean",
        "paper_erm",
        "paper_mixup",
    ]
    if records is None or len(records) == 0:
        return pd.DataFrame(columns=columns)
    grouped = records.groupby(["protocol", "dataset", "model"], sort=False)
    summary = grouped.agg(
        mean=("error", "mean"),
        std=("error", "std"),
        n_splits=("split", "nunique"),
        fit_s=("fit_s", "mean"),
        alpha_median=("alpha", "median"),
        epochs_mean=("n_epochs", "mean"),
    ).reset_index()
    paper = PAPER_TABLE_4
    summary["paper_erm"] = summary["dataset"].map(lambda d: paper.get(d, (np.nan,))[0])
    summary["paper_mixup"] = summary["dataset"].map(lambda d: paper.get(d, (np.nan, np.nan))[1])
    return summary[columns]


def _comparisons(models, protocol):
    pairs = [("ERM", m) for m in models if m.startswith("mixup")]
    if protocol == "tuned" and "MLPClassifier" in models:
        pairs += [("MLPClassifier", m) for m in models if m.startswith("mixup a=")]
    return pairs


def paired_tests(records):
    """Paired differences ``reference - model`` of the test error, split by split.

    Positive means ``model`` (a mixup variant) has the lower error. The
    p-value is scipy's two-sided Wilcoxon signed-rank test on the paired
    differences (exact for 10 splits without ties); 1.0 when all differences
    are zero.
    """
    columns = [
        "protocol",
        "dataset",
        "reference",
        "model",
        "diff_mean",
        "diff_std",
        "wins",
        "ties",
        "losses",
        "p_wilcoxon",
    ]
    rows = []
    if records is None or len(records) == 0:
        return pd.DataFrame(columns=columns)
    for (protocol, dataset), part in records.groupby(["protocol", "dataset"], sort=False):
        table = part.pivot(index="split", columns="model", values="error")
        for reference, model in _comparisons(list(table.columns), protocol):
            diff = (table[reference] - table[model]).dropna().to_numpy()
            if np.allclose(diff, 0):
                p = 1.0
            else:
                p = float(wilcoxon(diff, zero_method="zsplit").pvalue)
            rows.append(
                dict(
                    protocol=protocol,
                    dataset=dataset,
                    reference=reference,
                    model=model,
                    diff_mean=float(diff.mean()),
                    diff_std=float(diff.std(ddof=1)) if len(diff) > 1 else np.nan,
                    wins=int((diff > 0).sum()),
                    ties=int((diff == 0).sum()),
                    losses=int((diff < 0).sum()),
                    p_wilcoxon=p,
                )
            )
    return pd.DataFrame(rows, columns=columns)


BASELINES = ("MLPClassifier", "LogisticRegression", "HistGradientBoosting")


def _model_order(models):
    order = [m for m in models if m == "ERM"]
    order += sorted(m for m in models if m.startswith("mixup a="))
    order += [m for m in models if m == "mixup CV-a"]
    order += [m for m in BASELINES if m in models]
    return order + [m for m in models if m not in order]


#: Short column names of the 120-column tables.
SHORT_NAMES = {
    "MLPClassifier": "MLP",
    "LogisticRegression": "LogReg",
    "HistGradientBoosting": "HistGB",
}


def _chosen_alphas(records, protocol, dataset):
    """How often inner cross-validation chose each alpha, e.g. ``0.2 x6, 1 x4``."""
    part = records[
        (records["protocol"] == protocol)
        & (records["dataset"] == dataset)
        & (records["model"] == "mixup CV-a")
    ]
    counts = part["alpha"].dropna().value_counts().sort_index()
    return ", ".join(f"{alpha:g} x{count}" for alpha, count in counts.items())


def split_counts(records, expected, by="dataset", split="split"):
    """Splits run per ``by`` value, for those that do not have ``expected`` splits.

    Parameters
    ----------
    records : DataFrame
        One row per fit, with the columns ``by`` and ``split``.
    expected : int
        The number of splits the table's header announces.
    by : str or list of str, default="dataset"
        What is averaged over the splits (a dataset; or dataset and model).
    split : str, default="split"
        The column numbering the splits.

    Returns
    -------
    counts : dict
        ``by`` value -> number of distinct splits, only where it is not ``expected``
        (empty when every dataset has them all). For a list ``by``, the fewest
        splits of any group with the same first key.
    """
    if records is None or len(records) == 0:
        return {}
    keys = [by] if isinstance(by, str) else list(by)
    counts = records.groupby(keys, sort=False)[split].nunique()
    if len(keys) > 1:
        counts = counts.groupby(level=0, sort=False).min()
    return {name: int(n) for name, n in counts.items() if int(n) != int(expected)}


def split_note(counts, expected):
    """One line saying which datasets have other than ``expected`` splits, or ``""``."""
    if not counts:
        return ""
    listed = ", ".join(f"{name} {n}" for name, n in counts.items())
    return (
        f"NOT every dataset has {expected} splits; those rows are marked with their own "
        f"count (splits per dataset: {listed})"
    )


def protocol_table(results, protocol, wide=True):
    """One protocol's table as text cells: datasets as rows, models as columns.

    ``wide``: the test errors, the paired differences with ERM and the alphas
    chosen by cross-validation in one table; otherwise the errors only (see
    :func:`paired_table` for the rest), with short model names.
    """
    summary = results["summary"]
    part = summary[summary["protocol"] == protocol]
    if part.empty:
        return None
    models = _model_order(list(dict.fromkeys(part["model"])))
    datasets = list(dict.fromkeys(part["dataset"]))
    paper = PAPER_TABLE_4
    sep = " ± " if wide else "±"
    rows = {}
    for dataset in datasets:
        cells = {
            "paper ERM": f"{paper[dataset][0]:.1f}" if dataset in paper else "",
            "paper mixup": f"{paper[dataset][1]:.1f}" if dataset in paper else "",
        }
        for model in models:
            hit = part[(part["dataset"] == dataset) & (part["model"] == model)]
            cells[model] = (
                "" if hit.empty else f"{hit['mean'].iloc[0]:.2f}{sep}{hit['std'].iloc[0]:.2f}"
            )
        rows[dataset] = cells
    means = {"paper ERM": "", "paper mixup": ""}
    if all(d in paper for d in datasets):
        means = {
            "paper ERM": f"{np.mean([paper[d][0] for d in datasets]):.1f}",
            "paper mixup": f"{np.mean([paper[d][1] for d in datasets]):.1f}",
        }
    short = _split_labels(results, protocol)
    for model in models:
        values = part[part["model"] == model].set_index("dataset")["mean"]
        # No mean over datasets when one of them has fewer splits than the header says.
        complete = len(values) == len(datasets) and not short
        means[model] = f"{values.mean():.2f}" if complete else ""
    rows["mean"] = means
    table = pd.DataFrame.from_dict(rows, orient="index").fillna("")
    extra = paired_table(results, protocol) if wide else None
    if extra is not None:
        table = table.join(extra, how="left").fillna("")
    table = table.rename(index=short)
    return table if wide else table.rename(columns=SHORT_NAMES)


def _split_labels(results, protocol):
    """Row labels of the datasets with other than the announced number of splits."""
    expected = results["config"]["n_splits"]
    records = results["records"]
    if records is None or len(records) == 0:
        return {}
    part = records[records["protocol"] == protocol]
    counts = split_counts(part, expected, by=["dataset", "model"])
    return {name: f"{name} ({n} of {expected} splits)" for name, n in counts.items()}


def paired_table(results, protocol):
    """ERM - model (p-value) per dataset and mixup variant, and the alphas CV-a chose."""
    paired = results["paired"]
    sub = paired[(paired["protocol"] == protocol) & (paired["reference"] == "ERM")]
    if sub.empty:
        return None
    rows = {}
    order = _model_order(list(dict.fromkeys(sub["model"])))
    sub = sub.assign(rank=sub["model"].map(order.index)).sort_values("rank", kind="stable")
    for _, row in sub.iterrows():
        rows.setdefault(row["dataset"], {})[f"ERM - {row['model']} (p)"] = (
            f"{row['diff_mean']:+.2f} ({row['p_wilcoxon']:.2g})"
        )
    records = results["records"]
    if "mixup CV-a" in set(records["model"]):
        for dataset in rows:
            rows[dataset]["alphas chosen by CV-a"] = _chosen_alphas(records, protocol, dataset)
    return pd.DataFrame.from_dict(rows, orient="index").fillna("")


def format_table(results, wide=False):
    """The text the command prints: the tables of each protocol, then the skipped datasets.

    ``wide=False`` prints two tables per protocol that fit 120 columns (test
    errors; paired differences with ERM and the chosen alphas); ``wide=True``
    one table per protocol with all of it.
    """
    lines = []
    expected = results["config"]["n_splits"]
    for protocol in results["config"]["protocols"]:
        table = protocol_table(results, protocol, wide=wide)
        if table is None:
            continue
        header = f"test error %, mean ± std over {expected} splits; paper: the paper's Table 4"
        lines += [f"== {PROTOCOL_TITLES[protocol]}", header]
        records = results["records"]
        if records is not None and len(records):
            counts = split_counts(
                records[records["protocol"] == protocol], expected, by=["dataset", "model"]
            )
            if counts:
                lines.append(split_note(counts, expected))
        if wide:
            lines.append(
                "ERM - model > 0: the model is better; p: Wilcoxon signed-rank, paired "
                "by split; alphas chosen by CV-a: alpha and number of splits"
            )
        else:
            names = {k: v for k, v in SHORT_NAMES.items() if v in table.columns}
            if names:
                lines.append("  " + ", ".join(f"{v}: {k}" for k, v in names.items()))
        lines += [table.to_string(), ""]
        paired = None if wide else paired_table(results, protocol)
        if paired is not None:
            lines += [
                "ERM - model, mean over splits (> 0: the model is better) and p "
                "(Wilcoxon signed-rank, paired by split);",
                "alphas chosen by CV-a: the alpha inner cross-validation chose, "
                "with its number of splits",
                paired.to_string(),
                "",
            ]
    if results["skipped"]:
        lines.append("skipped (files not found):")
        lines += [f"  {line}" for line in _missing_files(results)]
        lines.append("  point --data-home (or SKMIXUP_DATA) at the data root that holds uci/,")
        lines.append("  e.g. --data-home ../shared/data, or add --download (network access)")
    if results.get("resumed"):
        lines.append(
            f"{results['resumed']} (dataset, split) tasks came from an earlier, "
            "interrupted run; the time below is this run's"
        )
    lines.append(f"done in {results['elapsed_s']:.0f} s")
    return "\n".join(lines)


def _missing_files(results):
    """One line per skipped dataset: the files it needs and the folder they go in."""
    home = get_data_home(results["config"].get("data_home")) / "uci"
    lines = []
    for name in results["skipped"]:
        files = [f.name for f in UCI_DATASETS[name].files] if name in UCI_DATASETS else []
        lines.append(f"{name}: {', '.join(repr(f) for f in files)} not in {home / name}")
    return lines


def _environment():
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "scikit-learn": sklearn.__version__,
        "cpus": os.cpu_count(),
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "machine": platform.machine(),
    }


def write_results(results, out, figure=True):
    """Write records.csv, summary.csv, paired.csv, results.json, table.txt, uci.png to ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results["records"].to_csv(out / "records.csv", index=False, float_format="%.6g")
    results["summary"].to_csv(out / "summary.csv", index=False, float_format="%.6g")
    results["paired"].to_csv(out / "paired.csv", index=False, float_format="%.6g")
    payload = {
        "config": results["config"],
        "elapsed_s": results["elapsed_s"],
        "environment": _environment(),
        "paper_table_4": {k: {"erm": v[0], "mixup": v[1]} for k, v in PAPER_TABLE_4.items()},
        "summary": json.loads(results["summary"].to_json(orient="records")),
        "paired": json.loads(results["paired"].to_json(orient="records")),
        "skipped": results["skipped"],
        "sources": results["sources"],
    }
    (out / "results.json").write_text(json.dumps(payload, indent=1, default=str))
    (out / "table.txt").write_text(format_table(results) + "\n")
    if figure and len(results["summary"]):
        try:
            plot_summary(results["summary"], out / "uci.png")
        except ImportError:  # matplotlib is optional (skmixup[plot])
            print("matplotlib is not installed: no figure (pip install matplotlib)")
    return out


def plot_summary(summary, path=None):
    """Test error per dataset: the paper protocol's ERM and mixup, the tuned
    protocol's models and baselines, with std error bars, and the paper's numbers."""
    import matplotlib

    if path is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    datasets = list(dict.fromkeys(summary["dataset"]))
    # Two panels a row: with three, the labels shrink below readable on a page's width.
    n_cols = min(2, len(datasets))
    n_rows = int(np.ceil(len(datasets) / n_cols))
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(5.6 * n_cols, 3.6 * n_rows), squeeze=False)
    for ax, dataset in zip(axes.flat, datasets, strict=False):
        part = summary[summary["dataset"] == dataset]
        labels, means, stds, colors = [], [], [], []
        for protocol, color in (("paper", "tab:orange"), ("tuned", "tab:blue")):
            sub = part[part["protocol"] == protocol]
            for model in _model_order(list(sub["model"])):
                row = sub[sub["model"] == model].iloc[0]
                baseline = not (model == "ERM" or model.startswith("mixup"))
                labels.append(model if baseline else f"{protocol}: {model}")
                means.append(row["mean"])
                stds.append(0 if np.isnan(row["std"]) else row["std"])
                colors.append(
                    "tab:gray" if baseline else (color if model.startswith("mixup") else "white")
                )
        y = np.arange(len(labels))[::-1]
        ax.barh(y, means, xerr=stds, color=colors, edgecolor="black", linewidth=0.6, capsize=2)
        paper = part["paper_erm"].iloc[0], part["paper_mixup"].iloc[0]
        if not np.isnan(paper[0]):
            ax.axvline(paper[0], color="black", linestyle=":", linewidth=1, label="paper ERM")
            ax.axvline(paper[1], color="tab:red", linestyle="--", linewidth=1, label="paper mixup")
        ax.set_yticks(y, labels, fontsize=9)
        ax.set_title(dataset)
        ax.set_xlabel("test error (%)")
        ax.set_xlim(left=0)
    for ax in list(axes.flat)[len(datasets) :]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, fontsize=9, loc="upper right")
    fig.suptitle(
        "UCI: ERM (white) vs mixup (paper protocol orange, tuned protocol blue)\n"
        "vs baselines (gray); mean ± std over splits",
        fontsize=11,
    )
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return fig


def rst_table(header, rows):
    """An rst grid table of string cells: ``header`` a list, ``rows`` a list of lists."""
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def fmt(row):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    out = [line, fmt(header), line.replace("-", "=")]
    for r in rows:
        out += [fmt(r), line]
    return "\n".join(out) + "\n"
