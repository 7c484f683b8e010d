"""Which MixupClassifier defaults win on the tabular suite? The evidence behind the defaults.

Every candidate setting is a model spec of ``experiments.tabular``
(``"mixup:batch_size='auto',lr_schedule='cosine'"``); its ERM twin is the same
spec with ``alpha=0``. All candidates run on the same splits as the peers
(``mlp``, ``hgb``, ``logreg``), and their fits are appended to one
``records.csv`` (resumable). For each candidate this prints and writes to
``candidates.csv``: its mean error, mean log loss and mean rank among
{candidate, twin, peers}, the same for its ERM twin, wins/losses against
``MLPClassifier()`` and against its twin, the tables where it is more than one
point worse than its twin, and its total fit time over ``MLPClassifier()``'s.

The held-out protocol: ``--part selection`` (the default) runs the candidates on
``experiments.tabular.SELECTION`` only; a default is chosen there, then run once
with ``--part confirmation`` (``CONFIRMATION``: every third dataset in name
order, fixed in code before any candidate ran) and with ``--part all --seed 1``.

    python benchmarks/tabular_defaults.py --out benchmarks/results/defaults_round3 \
        --candidates g0 g1 --part selection

A study, not a test: each candidate costs a few minutes on 2 cores.
"""

from __future__ import annotations

import sys
from pathlib import Path as _Path

# experiments/ is not installed: it runs from the repository's root, put on sys.path here.
sys.path.insert(0, str(_Path(__file__).resolve().parents[1]))

import argparse
from pathlib import Path

import pandas as pd

from experiments.tabular import (
    CONFIRMATION,
    DATASETS,
    SELECTION,
    TabularConfig,
    _split_top_level,
    dataset_traits,
    paired_by_group,
    report,
    run,
)

PEERS = ("mlp", "hgb", "logreg")
# Every spec is written out in full, so that it means the same whatever the defaults are.
OLD = (
    "mixup:alpha=0.2,hidden_layer_sizes=(128, 128),lr=0.001,batch_size=32,"
    "lr_schedule='constant',early_stopping='auto',max_epochs=200"
)
# Screening: the network and lr of the old defaults, no rows held out, a cosine decay of the lr,
# batch_size="auto" (n/8 rounded to a power of 2 within [32, 512]: about 8 steps an epoch).
THEN = "alpha=0.2,hidden_layer_sizes=(128, 128),lr=0.001,early_stopping=False"
FIXED = "batch_size='auto',lr_schedule='cosine'"
# The full-suite stage: the recipe chosen from the screening (e3).
RECIPE = (
    "hidden_layer_sizes=(256,),lr=0.003,batch_size='auto',lr_schedule='cosine',"
    "early_stopping=False,max_epochs=100"
)
CANDIDATES = {
    "old": OLD,  # the defaults before the suite existed: ES on 10% held out, batch 32
    "d1": f"mixup:{THEN},{FIXED},max_epochs=200",
    "d2": f"mixup:{THEN},{FIXED},max_epochs=200,alpha=0.4",
    "d3": f"mixup:{THEN},{FIXED},max_epochs=200,lr=0.003",
    "d4": f"mixup:{THEN},{FIXED},max_epochs=100",
    "d5": f"mixup:{THEN},{FIXED},max_epochs=200,lambda_mode='example'",
    "e1": f"mixup:{THEN},{FIXED},max_epochs=100,alpha=0.4,lr=0.003",
    "e2": f"mixup:{THEN},{FIXED},max_epochs=100,alpha=1.0,lr=0.003",
    "e3": f"mixup:{THEN},{FIXED},max_epochs=100,alpha=0.4,lr=0.003,hidden_layer_sizes=(256,)",
    "f1": f"mixup:{RECIPE},alpha=0.4",
    "f2": f"mixup:{RECIPE},alpha=0.4,lambda_mode='example'",
    "f3": f"mixup:{RECIPE},alpha=0.2,lambda_mode='example'",
    "f4": f"mixup:{RECIPE},alpha=0.2",  # the defaults of the last round
    # Round 3, on the 43-table suite with the selection/confirmation split. Each keeps the
    # recipe and changes only how mixing enters training; all share one ERM twin.
    "g0": f"mixup:{RECIPE},alpha=0.2",  # = f4
    "g1": f"mixup:{RECIPE},alpha=10.0,clean_weight=0.5",  # RegMixup as published
    "g2": f"mixup:{RECIPE},alpha=1.0,clean_weight=0.5",
    "g3": f"mixup:{RECIPE},alpha=0.3,clean_weight=0.5",
    "g4": f"mixup:{RECIPE},alpha=10.0,clean_weight=0.75",
    "g5": f"mixup:{RECIPE},alpha=0.4,mix_fraction=0.5",  # mixup, then ERM (Liu et al.)
    "g6": f"mixup:{RECIPE},alpha=1.0,mix_fraction=0.75",
    "g7": f"mixup:{RECIPE},alpha=0.0,label_smoothing=0.1",  # control: any regularizer
    # Round 3, second pass on the selection part, after the g-series (selection_g.log): g5
    # (mixup, then ERM) had the lowest error but a higher log loss than MLPClassifier();
    # label smoothing (g7) had the best rank. So: the switch to ERM at other points, and
    # with label smoothing kept through the ERM epochs.
    "h1": f"mixup:{RECIPE},alpha=0.4,mix_fraction=0.5,label_smoothing=0.05",
    "h2": f"mixup:{RECIPE},alpha=0.4,mix_fraction=0.75",
    "h3": f"mixup:{RECIPE},alpha=1.0,mix_fraction=0.5",
    "h4": f"mixup:{RECIPE},alpha=0.4,mix_fraction=0.5,label_smoothing=0.1",
    "h5": f"mixup:{RECIPE},alpha=1.0,mix_fraction=0.75,label_smoothing=0.05",
    "h6": f"mixup:{RECIPE},alpha=0.2,mix_fraction=0.75,label_smoothing=0.05",
    # Last pass (selection_ghi.log). The rule, written before it ran: a default must beat its
    # twin in mean error and in mean log loss on the selection part, with at most 2 tables
    # more than 1 point worse than the twin; among those, the best mean rank wins. After the
    # h-series that was h3 (alpha 1 for half the epochs); i1 and i2 try to lower its log loss.
    "i1": f"mixup:{RECIPE},alpha=1.0,mix_fraction=0.5,label_smoothing=0.05",
    "i2": f"mixup:{RECIPE},alpha=2.0,mix_fraction=0.5",
}
PARTS = {"selection": SELECTION, "confirmation": CONFIRMATION, "all": DATASETS}


#: The regularizers under study: the ERM twin is the spec without them (and alpha=0).
STUDIED = ("alpha=", "clean_weight=", "mix_fraction=", "lambda_mode=", "label_smoothing=")


def twin(spec):
    """The same spec with alpha=0 (ERM) and none of the regularizers under study."""
    base, _, rest = spec.partition(":")
    items = [i for i in _split_top_level(rest) if i and not i.startswith(STUDIED)] if rest else []
    return "erm:" + ",".join(items) if items else "erm"


def summarise(records, name, spec):
    """One row of the candidates table: ``spec`` against its ERM twin and the peers."""
    models = [spec, twin(spec), *PEERS]
    sub = records[records["model"].isin(models)]
    if sub["model"].nunique() < len(models):
        return None  # the twin or a peer has not run
    per_dataset, overall = report(sub, reference=spec)
    losses = sub.pivot_table(index="dataset", columns="model", values="log_loss")
    cost = per_dataset[spec] - per_dataset[twin(spec)]
    return dict(
        candidate=name,
        spec=spec,
        datasets=len(per_dataset),
        err=overall.loc[spec, "mean_error"],
        loss=overall.loc[spec, "mean_log_loss"],
        rank=overall.loc[spec, "mean_rank"],
        twin_err=overall.loc[twin(spec), "mean_error"],
        twin_loss=overall.loc[twin(spec), "mean_log_loss"],
        twin_rank=overall.loc[twin(spec), "mean_rank"],
        mlp_err=overall.loc["mlp", "mean_error"],
        mlp_loss=overall.loc["mlp", "mean_log_loss"],
        mlp_rank=overall.loc["mlp", "mean_rank"],
        W_twin=overall.loc[twin(spec), "ref_wins"],
        L_twin=overall.loc[twin(spec), "ref_losses"],
        p_twin=overall.loc[twin(spec), "wilcoxon_p"],
        worse_1pt=int((cost > 1).sum()),
        loss_W_twin=int((losses[spec] < losses[twin(spec)]).sum()),
        W_mlp=overall.loc["mlp", "ref_wins"],
        L_mlp=overall.loc["mlp", "ref_losses"],
        x_mlp=overall.loc[spec, "fit_vs_mlp"],
    )


#: The columns of the narrow table on the results page, and their headers.
NARROW = {
    "candidate": "cand",
    "err": "err",
    "loss": "loss",
    "rank": "rank",
    "twin_err": "twin err",
    "twin_loss": "twin loss",
    "mlp_err": "mlp err",
    "mlp_loss": "mlp loss",
    "W_twin": "W/twin",
    "L_twin": "L/twin",
    "worse_1pt": ">1pt",
    "x_mlp": "x mlp",
}


def narrow(table):
    """The candidates table as text of at most ~90 columns (the results page's)."""
    out = table[list(NARROW)].rename(columns=NARROW)
    return out.to_string(index=False, float_format=lambda v: f"{v:.3f}".rstrip("0").rstrip("."))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="benchmarks/results/defaults_round3")
    parser.add_argument("--candidates", nargs="+", default=[c for c in CANDIDATES if c[0] in "ghi"])
    parser.add_argument("--part", choices=sorted(PARTS), default="selection")
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--max-train-rows", type=int, default=3000)
    parser.add_argument("--label-noise", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument(
        "--groups",
        action="store_true",
        help="also print each candidate against its twin and MLPClassifier by table size, "
        "dimension and classes (paired tests)",
    )
    args = parser.parse_args()
    specs = [CANDIDATES[c] if c in CANDIDATES else c for c in args.candidates]
    specs += sorted({twin(s) for s in specs} - set(specs))
    config = TabularConfig(
        datasets=PARTS[args.part],
        models=(*PEERS, *specs),
        n_splits=args.splits,
        max_train_rows=args.max_train_rows,
        data_home=args.data_home,
        n_jobs=args.n_jobs,
        random_state=args.seed,
        label_noise=args.label_noise,
    )
    records, notes = run(config, out=args.out)
    records = records[(records["split"] < args.splits) & records["dataset"].isin(PARTS[args.part])]
    names = {spec: name for name, spec in CANDIDATES.items()}
    rows = [summarise(records, names.get(spec, spec), spec) for spec in specs]
    table = pd.DataFrame([r for r in rows if r]).sort_values("rank")
    out = Path(args.out)
    table.round(4).to_csv(out / f"candidates_{args.part}.csv", index=False)
    (out / f"candidates_{args.part}.txt").write_text(narrow(table) + "\n")
    print(
        f"{args.part} part: {table['datasets'].max()} datasets, {args.splits} splits, seed "
        f"{args.seed}, label noise {args.label_noise}; rank among candidate, twin and {PEERS}"
    )
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.drop(columns="spec").round(3).to_string(index=False))
    for note in notes:
        print(note)
    if args.groups:
        traits = dataset_traits(sorted(set(records["dataset"])), args.data_home)
        for spec in specs:
            if spec.startswith("erm") and spec == twin(spec):
                continue
            for peer in (twin(spec), "mlp"):
                for metric in ("error", "log_loss"):
                    table = paired_by_group(records, spec, peer, traits, metric)
                    table.round(4).to_csv(
                        out / f"groups_{args.part}_{names.get(spec, 'x')}_{metric}_vs_"
                        f"{'twin' if peer != 'mlp' else 'mlp'}.csv",
                        index=False,
                    )
                    print(f"\n{names.get(spec, spec)} minus {names.get(peer, peer)}, {metric}:")
                    print(table.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
