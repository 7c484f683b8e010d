"""Which MixupClassifier defaults win on the tabular suite? The evidence behind the defaults.

Every candidate setting is a model spec of ``experiments.tabular``
(``"mixup:batch_size='auto',lr_schedule='cosine'"``); its ERM twin is the same
spec with ``alpha=0``. All candidates run on the same splits as the peers
(``mlp``, ``hgb``, ``logreg``), and their fits are appended to one
``records.csv`` (resumable). For each candidate this prints and writes to
``candidates.csv``: its mean error and mean rank among {candidate, peers}, the
mean error of its ERM twin, wins/losses against ``MLPClassifier()`` and against
its twin, and its total fit time over ``MLPClassifier()``'s.

    python benchmarks/tabular_defaults.py --out benchmarks/results/tabular_defaults \
        --splits 1 --max-train-rows 1500 --candidates c1 c2

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

from experiments.tabular import DATASETS, TabularConfig, _split_top_level, report, run

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
    "f4": f"mixup:{RECIPE},alpha=0.2",  # the defaults since
}


def twin(spec):
    """The same spec with alpha=0 (ERM)."""
    base, _, rest = spec.partition(":")
    items = [i for i in _split_top_level(rest) if i and not i.startswith("alpha=")] if rest else []
    return "erm:" + ",".join(items) if items else "erm"


def summarise(records, name, spec):
    models = [spec, *PEERS]
    sub = records[records["model"].isin(models)]
    per_dataset, overall = report(sub, reference=spec)
    twin_errors = records[records["model"] == twin(spec)]
    row = dict(
        candidate=name,
        spec=spec,
        datasets=len(per_dataset),
        mean_error=overall.loc[spec, "mean_error"],
        mean_rank=overall.loc[spec, "mean_rank"],
        mlp_mean_error=overall.loc["mlp", "mean_error"],
        mlp_mean_rank=overall.loc["mlp", "mean_rank"],
        hgb_mean_rank=overall.loc["hgb", "mean_rank"],
        wins_vs_mlp=overall.loc["mlp", "ref_wins"],
        losses_vs_mlp=overall.loc["mlp", "ref_losses"],
        fit_vs_mlp=overall.loc[spec, "fit_vs_mlp"],
    )
    if len(twin_errors):
        both = records[records["model"].isin([spec, twin(spec)])]
        _, pair = report(both, reference=spec)
        row.update(
            twin_mean_error=pair.loc[twin(spec), "mean_error"],
            wins_vs_twin=pair.loc[twin(spec), "ref_wins"],
            losses_vs_twin=pair.loc[twin(spec), "ref_losses"],
        )
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="benchmarks/results/tabular_defaults")
    parser.add_argument("--candidates", nargs="+", default=list(CANDIDATES))
    parser.add_argument("--twins", nargs="*", default=[], help="candidates whose ERM twin runs too")
    parser.add_argument("--splits", type=int, default=1)
    parser.add_argument("--max-train-rows", type=int, default=1500)
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    specs = [CANDIDATES[c] for c in args.candidates]
    specs += [twin(CANDIDATES[c]) for c in args.twins]
    config = TabularConfig(
        datasets=DATASETS,
        models=(*PEERS, *specs),
        n_splits=args.splits,
        max_train_rows=args.max_train_rows,
        data_home=args.data_home,
        n_jobs=args.n_jobs,
    )
    records, _ = run(config, out=args.out)
    records = records[records["split"] < args.splits]
    rows = [
        summarise(records, name, CANDIDATES[name])
        for name in CANDIDATES
        if CANDIDATES[name] in set(records["model"])
    ]
    table = pd.DataFrame(rows).sort_values("mean_rank")
    table.round(3).to_csv(Path(args.out) / "candidates.csv", index=False)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.drop(columns="spec").round(2).to_string(index=False))


if __name__ == "__main__":
    main()
