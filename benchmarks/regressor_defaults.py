"""Which MixupRegressor defaults win on the regression suite? The evidence behind the defaults.

Every candidate setting is a model spec of ``experiments.regression_suite``
(``"mixup:alpha=1.0,partners='label_kernel'"``); its ERM twin is the same spec
with ``alpha=0`` (``"erm:..."``, the partner options dropped: without mixing they
do nothing). Candidates that share a network recipe share one twin. All run on
the same splits as the peers (``mlp``, ``hgb``, ``ridge``), and their fits are
appended to one ``records.csv`` (resumable; new candidates are added). For each
candidate this prints and writes to ``candidates.csv``: its mean normalised RMSE
and mean rank among {candidate, twin, peers}, its twin's and ``MLPRegressor()``'s
mean nRMSE, its wins/losses against both by table, and its total fit time over
``MLPRegressor()``'s.

The held-out protocol: ``--part selection`` (the default) runs the candidates on
``experiments.regression_suite.SELECTION`` only; a default is chosen there, then
run once with ``--part confirmation`` (``CONFIRMATION``: every third table in name
order, fixed in code before any candidate ran).

    python benchmarks/regressor_defaults.py --out benchmarks/results/regressor_defaults/selection \
        --candidates r1 r2 r3 r4 r5 --part selection

A study, not a test: a candidate costs 1 to 10 minutes on one core.
"""

from __future__ import annotations

import sys
from pathlib import Path as _Path

# experiments/ is not installed: it runs from the repository's root, put on sys.path here.
sys.path.insert(0, str(_Path(__file__).resolve().parents[1]))

import argparse
from pathlib import Path

import pandas as pd
import torch

from experiments.regression_suite import (
    CONFIRMATION,
    DATASETS,
    SELECTION,
    RegressionSuiteConfig,
    report,
    run,
    summary,
)
from experiments.tabular import _parse_spec, _split_top_level

PEERS = ("mlp", "hgb", "ridge")
# Every spec is written out in full, so that it means the same whatever the defaults are.
# The first round's recipe (the defaults before this study).
OLD = (
    "hidden_layer_sizes=(128, 128),lr=0.001,batch_size=32,lr_schedule='constant',"
    "early_stopping=False,max_epochs=100"
)
# The classifier's recipe: one wider layer, lr 3e-3 decayed to 0 along a cosine, about
# 8 steps an epoch (batch_size="auto"), every row used for training.
RECIPE = (
    "hidden_layer_sizes=(256,),lr=0.003,batch_size='auto',lr_schedule='cosine',"
    "early_stopping=False,max_epochs=100"
)
SHORT = RECIPE.replace("max_epochs=100", "max_epochs=50")  # half the epochs: half the cost
CANDIDATES = {
    "old": f"mixup:{OLD},alpha=0.4",
    "r1": f"mixup:{RECIPE},alpha=0.1",
    "r2": f"mixup:{RECIPE},alpha=0.4",
    "r3": f"mixup:{RECIPE},alpha=1.0",
    "r4": f"mixup:{RECIPE},alpha=1.0,partners='label_kernel'",  # C-Mixup, bandwidth 0.5
    "r5": f"mixup:{SHORT},alpha=0.4",
    # Added after the first selection pass (r1-r3, r5; selection tables only): only the
    # 50-epoch recipe fits in MLPRegressor()'s time, and there the weaker mixing is tried.
    # r4 was not run: its partners cost O(n^2) an epoch (one fit on diamonds' 10,000
    # training rows took 166 s, MLPRegressor() 2.5 s), beyond the cost target by itself.
    "r6": f"mixup:{SHORT},alpha=0.1",
    "r7": f"mixup:{SHORT},alpha=0.2",
}
#: Parameters that only matter when mixing; the twin leaves them out.
_MIXING_ONLY = ("alpha", "partners", "kernel_bandwidth", "n_neighbors", "lambda_mode")


def twin(spec):
    """The ERM twin of a ``mixup:`` spec: the same network and training, ``alpha=0``."""
    base, _, rest = spec.partition(":")
    if spec == "mixup":  # MixupRegressor() as shipped
        return "erm"
    if base != "mixup":
        raise ValueError(f"Only mixup specs have an ERM twin; got {spec!r}.")
    kept = [item for item in _split_top_level(rest) if item.partition("=")[0] not in _MIXING_ONLY]
    return "erm:" + ",".join(kept)


def compare(records, candidates, datasets):
    """One row per candidate: its nRMSE, rank, wins and cost against its twin and the peers."""
    rows = []
    for key, spec in candidates.items():
        models = [spec, twin(spec), *PEERS]
        per_table, table = summary(records, models, datasets)
        if per_table.empty:
            continue
        cand, erm, mlp = per_table[spec], per_table[twin(spec)], per_table["mlp"]
        rows.append(
            {
                "candidate": key,
                "tables": len(per_table),
                "nrmse": round(table.loc[spec, "mean_nrmse"], 4),
                "twin nrmse": round(table.loc[twin(spec), "mean_nrmse"], 4),
                "mlp nrmse": round(table.loc["mlp", "mean_nrmse"], 4),
                "hgb nrmse": round(table.loc["hgb", "mean_nrmse"], 4),
                "rank": round(table.loc[spec, "mean_rank"], 2),
                "vs twin W/L": f"{int((cand < erm).sum())}/{int((cand > erm).sum())}",
                "vs mlp W/L": f"{int((cand < mlp).sum())}/{int((cand > mlp).sum())}",
                "fit s": round(table.loc[spec, "fit_s"], 1),
                "fit / mlp": round(table.loc[spec, "fit_s"] / table.loc["mlp", "fit_s"], 2),
            }
        )
    return pd.DataFrame(rows)


def short_names(candidates):
    """Spec -> a short column name: the candidate's key, its twin ``erm-<epochs>``."""
    names = {}
    for key, spec in candidates.items():
        names[spec] = key
        epochs = _parse_spec(twin(spec))[1].get("max_epochs")
        names.setdefault(twin(spec), f"erm-{epochs}" if epochs else "erm")
    return names


def per_table(records, candidates, datasets):
    """Mean nRMSE by table (rows) and model (short names), with the means and fit seconds."""
    names = short_names(candidates)
    models = list(dict.fromkeys([*names, *PEERS]))
    return report(records.replace({"model": names}), [names.get(m, m) for m in models], datasets)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="folder of records.csv and the tables")
    parser.add_argument(
        "--candidates", nargs="+", default=list(CANDIDATES), choices=list(CANDIDATES)
    )
    parser.add_argument("--part", choices=["selection", "confirmation", "all"], default="selection")
    parser.add_argument(
        "--default",
        action="store_true",
        help="also run MixupRegressor() as shipped, and its twin erm (the confirmation run)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-home")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    datasets = {"selection": SELECTION, "confirmation": CONFIRMATION, "all": DATASETS}[args.part]
    candidates = {key: CANDIDATES[key] for key in args.candidates}
    models = []
    if args.default:
        models += ["mixup", "erm"]
        candidates = {"default": "mixup", **candidates}
    for spec in candidates.values():
        if spec != "mixup":
            models += [spec, twin(spec)]
    models = list(dict.fromkeys(models + list(PEERS)))
    config = RegressionSuiteConfig(
        datasets=datasets,
        models=tuple(models),
        data_home=args.data_home,
        n_jobs=args.n_jobs,
        random_state=args.seed,
    )
    out = Path(args.out)
    records = run(config, out / "records.csv", fresh=args.fresh)
    table = compare(records, candidates, datasets)
    table.to_csv(out / "candidates.csv", index=False)
    text = per_table(records, candidates, datasets) + "\n\n" + table.to_string(index=False)
    (out / "report.txt").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
