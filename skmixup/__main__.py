"""Command line: ``python -m skmixup``.

Jobs:

* ``uci``: the mixup paper's UCI experiment (Table 4), ERM vs mixup vs
  scikit-learn baselines, printing the table (``--quick`` for a first look);
* ``tabular``: the 34-dataset tabular benchmark suite, MixupClassifier against
  its ERM twin and the scikit-learn models a tabular user would try;
* ``memorization``, ``adversarial``: the paper's Table 2 and Table 3
  analogues on Fashion-MNIST; ``cifar10``: its PreAct ResNet-18 recipe (GPU);
* ``demo``: MixupClassifier against the same network without mixup on a
  dataset that ships with scikit-learn, printing both test errors.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def demo(args):
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skmixup import MixupClassifier

    X, y = load_breast_cancer(return_X_y=True)
    print(f"breast_cancer: {X.shape[0]} samples, {X.shape[1]} features, {args.seeds} random 80/20 splits")
    errors = {"ERM (alpha=0)": [], f"mixup (alpha={args.alpha})": []}
    start = time.perf_counter()
    for seed in range(args.seeds):
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=seed, stratify=y)
        for (name, errs), alpha in zip(errors.items(), [0.0, args.alpha]):
            clf = make_pipeline(StandardScaler(), MixupClassifier(alpha=alpha, random_state=seed))
            errs.append(1 - clf.fit(X_tr, y_tr).score(X_te, y_te))
    for name, errs in errors.items():
        mean = 100 * sum(errs) / len(errs)
        print(f"  {name:<20} test error {mean:5.2f} %")
    print(f"done in {time.perf_counter() - start:.1f} s")


def uci(args):
    from .experiments.uci import DATASETS, UCIConfig, format_table, run, write_results

    changes = dict(data_home=args.data_home, download=args.download, n_jobs=args.n_jobs,
                   progress=not args.no_progress)
    for name in ("datasets", "protocols"):
        if getattr(args, name):
            changes[name] = tuple(getattr(args, name))
    if args.splits is not None:
        changes["n_splits"] = args.splits
    if args.device is not None:
        changes["device"] = args.device
    config = UCIConfig.quick(**changes) if args.quick else UCIConfig(**changes)
    unknown = sorted(set(config.datasets) - set(DATASETS))
    if unknown:
        raise SystemExit(f"unknown datasets {unknown}; choose from {list(DATASETS)}")
    partial = None
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        partial = Path(args.out) / "records.partial.csv"
    results = run(config, partial_path=partial)
    print(format_table(results))
    if args.out:
        print(f"results written to {write_results(results, args.out)}")
        partial.unlink(missing_ok=True)


def tabular(args):
    from .experiments import tabular as study

    study.main(args)


def memorization(args):
    from .experiments import memorization

    memorization.main(args=args)


def adversarial(args):
    from .experiments import adversarial

    adversarial.main(args=args)


def cifar10(args):
    from .experiments import cifar10

    cifar10.main(args=args)


def _add_image_commands(sub):
    from .experiments import adversarial as adv
    from .experiments import cifar10 as c10
    from .experiments import memorization as mem

    p = sub.add_parser("memorization", help="corrupt labels on Fashion-MNIST (the paper's Table 2)")
    mem.add_arguments(p)
    p.set_defaults(func=memorization)
    p = sub.add_parser("adversarial", help="FGSM / I-FGSM on Fashion-MNIST (the paper's Table 3)")
    adv.add_arguments(p)
    p.set_defaults(func=adversarial)
    p = sub.add_parser("cifar10", help="the paper's CIFAR-10 PreAct ResNet-18 recipe (GPU)")
    c10.add_arguments(p)
    p.set_defaults(func=cifar10)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m skmixup", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("uci", help="the paper's UCI experiment (Table 4): ERM vs mixup vs baselines")
    p.add_argument("--quick", action="store_true",
                   help="3 splits, at most 300 training rows: about a minute")
    p.add_argument("--datasets", nargs="+", metavar="NAME",
                   help="abalone arcene arrhythmia htru2 iris phishing (default: all)")
    p.add_argument("--protocols", nargs="+", choices=["paper", "tuned"])
    p.add_argument("--splits", type=int, help="random train/test splits per dataset (default 10)")
    p.add_argument("--data-home", help="folder of the UCI files (default: $SKMIXUP_DATA); "
                   "iris falls back to scikit-learn's copy, other missing datasets are skipped")
    p.add_argument("--download", action="store_true",
                   help="download missing datasets (OpenML / UCI; needs network access)")
    p.add_argument("--out", help="write CSV, JSON and a figure to this folder")
    p.add_argument("--n-jobs", type=int, default=2, help="processes (default 2)")
    p.add_argument("--device", help='"cpu", "cuda" (default: CUDA when available)')
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=uci)
    from .experiments import tabular as study

    p = sub.add_parser("tabular", help="the 34-dataset tabular suite: MixupClassifier vs "
                       "MLPClassifier, gradient boosting, logistic regression")
    study.add_arguments(p)
    p.set_defaults(func=tabular)
    _add_image_commands(sub)
    p = sub.add_parser("demo", help="mixup vs ERM on a dataset shipped with scikit-learn")
    p.add_argument("--alpha", type=float, default=0.4)
    p.add_argument("--seeds", type=int, default=5)
    p.set_defaults(func=demo)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
