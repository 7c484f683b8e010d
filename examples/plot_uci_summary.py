"""
=====================================================
The paper's UCI table: ERM vs mixup vs baselines
=====================================================

The mixup paper (Zhang et al., 2018, Table 4) trains a small network on six
UCI datasets with and without mixup. ``python -m experiments uci`` runs that
study (10 random splits per dataset, two protocols, scikit-learn baselines);
it takes too long for a documentation build, so this example reads the
results it stored in ``docs/results/uci/`` and summarises them.

See :ref:`results_uci` for the protocol and a reading of the numbers.
"""

# %%
# Running this example
# --------------------
# It uses the repository's ``experiments`` package, which is not installed
# with skmixup: run it from a clone of the repository, with skmixup
# installed (``pip install -e .``), as ``python examples/plot_uci_summary.py``.
# The lines below put the clone's root on ``sys.path`` so that
# ``import experiments`` finds it.
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1] if "__file__" in globals() else Path.cwd().parent
if not (REPO_ROOT / "experiments").is_dir():
    raise SystemExit(
        "This example needs the experiments package of a clone of the skmixup repository "
        "(it is not installed with the package): in the clone, run "
        "python examples/plot_uci_summary.py"
    )
sys.path.insert(0, str(REPO_ROOT))

# %%
# The stored results
# ------------------
# ``summary.csv`` holds one row per protocol, dataset and model: the mean and
# standard deviation of the test error (%) over the splits, beside the
# paper's numbers. ``paired.csv`` holds the split-by-split differences
# ``ERM - mixup`` and their Wilcoxon signed-rank p-values.
import pandas as pd

RESULTS = REPO_ROOT / "docs" / "results" / "uci"
summary = pd.read_csv(RESULTS / "summary.csv")
paired = pd.read_csv(RESULTS / "paired.csv")
print(
    summary.query("protocol == 'tuned'")[["dataset", "model", "mean", "std"]]
    .round(2)
    .to_string(index=False)
)

# %%
# Mean test error over the six datasets
# -------------------------------------
# The paper protocol (raw features, 10 epochs) and the good-practice protocol
# (standardised features, MixupClassifier's defaults),
# with the paper's own means for reference.
means = summary.pivot_table(index="model", columns="protocol", values="mean", aggfunc="mean")
paper = summary.drop_duplicates("dataset")[["paper_erm", "paper_mixup"]].mean()
print(means.round(2))
print(f"paper's Table 4: ERM {paper['paper_erm']:.1f}, mixup {paper['paper_mixup']:.1f}")

# %%
# Where mixup helps
# -----------------
# Each bar is the mean over splits of ``ERM - mixup`` (positive: mixup has the
# lower error) for MixupClassifier, with one standard deviation; a star marks
# a Wilcoxon p-value below 0.05. The left panel is the paper protocol (alpha =
# 0.2, 10 epochs), the right one the good-practice protocol with the default
# MixupClassifier().
import matplotlib.pyplot as plt
import numpy as np

fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
for ax, protocol in zip(axes, ["paper", "tuned"]):
    versus_erm = paired.query("protocol == @protocol and reference == 'ERM'")
    # The paper protocol's alpha 0.2; the tuned protocol's one default MixupClassifier.
    names = [m for m in versus_erm["model"].unique() if m.startswith("mixup a=")]
    model = "mixup a=0.2" if protocol == "paper" else names[0]
    rows = versus_erm[versus_erm["model"] == model]
    y = np.arange(len(rows))
    colors = ["tab:blue" if d > 0 else "tab:red" for d in rows["diff_mean"]]
    ax.barh(y, rows["diff_mean"], xerr=rows["diff_std"], color=colors, capsize=3)
    for yi, (d, p) in enumerate(zip(rows["diff_mean"], rows["p_wilcoxon"])):
        if p < 0.05:
            ax.text(d, yi + 0.25, "*", ha="center", fontsize=14)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, rows["dataset"])
    ax.set_title(f"{protocol} protocol")
    ax.set_xlabel("ERM - mixup test error (points)")
fig.tight_layout()

# %%
# Every model on every dataset
# ----------------------------
# The figure the command writes, drawn again from ``summary.csv``: each panel
# is one dataset, with the paper's ERM (dotted) and mixup (dashed) errors.
from experiments.uci import plot_summary

plot_summary(summary)
plt.show()
