"""Command line: ``python -m skmixup``.

For now one job, ``demo``: MixupClassifier against the same network without
mixup on a dataset that ships with scikit-learn, printing both test errors.
"""

from __future__ import annotations

import argparse
import time


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
    _add_image_commands(sub)
    p = sub.add_parser("demo", help="mixup vs ERM on a dataset shipped with scikit-learn")
    p.add_argument("--alpha", type=float, default=0.4)
    p.add_argument("--seeds", type=int, default=5)
    p.set_defaults(func=demo)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
