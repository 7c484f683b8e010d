"""Mixup against wrong labels on the tabular suite: the table of the results page.

Reads the records of ``python -m experiments tabular --label-noise P`` runs kept in one
folder (one run per P; the records keep the levels apart) and prints, per noise level and
model: the mean test error and log loss over the datasets that every model finished, and
against the ERM twin (``erm``) the datasets where the model is better / worse with the
two-sided Wilcoxon signed-rank p-value, for the error and for the log loss.

    for P in 0.0 0.2 0.4; do
        python -m experiments tabular --out docs/results/tabular_noise --label-noise $P \\
            --models mixup erm mlp mixup:alpha=1.0 mixup:alpha=8.0
    done
    python benchmarks/tabular_noise.py docs/results/tabular_noise

A study, not a test: writes ``noise.txt`` and ``noise.csv`` beside the records.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon


def _paired(table, model, reference, tie):
    diff = (table[model] - table[reference]).dropna()
    nonzero = diff[diff.abs() > 1e-12]
    p = wilcoxon(nonzero).pvalue if len(nonzero) > 1 else np.nan
    return int((diff < -tie).sum()), int((diff > tie).sum()), p


def noise_table(records, reference="erm"):
    """One row per (noise level, model): means, and paired tests against ``reference``."""
    rows = []
    for level, part in records.groupby("label_noise"):
        complete = part.groupby("dataset")["model"].nunique() == part["model"].nunique()
        part = part[part["dataset"].isin(complete[complete].index)]
        error = part.pivot_table(index="dataset", columns="model", values="error")
        loss = part.pivot_table(index="dataset", columns="model", values="log_loss")
        for model in error.columns:
            row = dict(
                noise=level,
                model=model,
                datasets=len(error),
                error=error[model].mean(),
                log_loss=loss[model].mean(),
            )
            if model != reference:
                row["err_better"], row["err_worse"], row["err_p"] = _paired(
                    error, model, reference, 0.05
                )
                row["loss_better"], row["loss_worse"], row["loss_p"] = _paired(
                    loss, model, reference, 1e-4
                )
            rows.append(row)
    return pd.DataFrame(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", help="the folder of records.csv")
    args = parser.parse_args()
    folder = Path(args.folder)
    records = pd.read_csv(folder / "records.csv")
    table = noise_table(records)
    table.round(4).to_csv(folder / "noise.csv", index=False)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        text = table.round(3).to_string(index=False, na_rep="")
    (folder / "noise.txt").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
