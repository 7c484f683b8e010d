"""Command line of the studies: ``python -m experiments <job>``, from the repository's root.

Jobs:

* ``uci``: the mixup paper's UCI experiment (Table 4), ERM vs mixup vs
  scikit-learn baselines, printing the table (``--quick`` for a first look);
* ``tabular``: the 34-dataset tabular benchmark suite, MixupClassifier against
  its ERM twin and the scikit-learn models a tabular user would try;
* ``memorization``, ``adversarial``: the paper's Table 2 and Table 3
  analogues on Fashion-MNIST; ``cifar10``: its PreAct ResNet-18 recipe (GPU);
* ``gan``: its GAN finding on 2-D toy problems, with and without
  discriminator mixup (``--quick`` for a smoke run);
* ``ablation``, ``meta``, ``regression``: the ablation of the paper's
  Table 5, MixupEstimator on the UCI tables, MixupRegressor on regression data;
* ``regression-suite``: the 20-table regression suite, MixupRegressor against
  its ERM twin and the scikit-learn regressors a tabular user would try.

The demo is not here: it belongs to the installed library (``python -m skmixup demo``).

Only argparse runs before the options are parsed: ``--help`` and
``--version`` answer without importing torch; each job imports what it needs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from skmixup import __version__
from skmixup.datasets import fetch_fashion_mnist

from . import ablation as ablation_study
from . import adversarial as adversarial_study
from . import cifar10 as cifar10_study
from . import gan as gan_study
from . import memorization as memorization_study
from . import meta as meta_study
from . import regression as regression_study
from . import regression_suite as regression_suite_study
from . import tabular as tabular_study
from ._arguments import (
    ablation_arguments,
    adversarial_arguments,
    cifar10_arguments,
    gan_arguments,
    memorization_arguments,
    meta_arguments,
    regression_arguments,
    regression_suite_arguments,
    tabular_arguments,
    uci_arguments,
)
from ._resume import ResumeError
from .uci import DATASETS, UCIConfig, format_table, run, write_results

PROG = "python -m experiments"
DESCRIPTION = """\
The studies behind skmixup's results pages (the mixup paper's experiments and more).

`%(prog)s <job> --help` lists a job's options. Data files are read from
--data-home (default: $SKMIXUP_DATA, the folder holding uci/, keel/ and images/);
nothing is downloaded without --download; results go to --out only."""


# ------------------------------------------------------------------------ jobs
def uci(args):

    changes = dict(
        data_home=args.data_home,
        download=args.download,
        n_jobs=args.n_jobs,
        progress=not args.no_progress,
    )
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
    out = Path(args.out or ("skmixup-uci-quick" if args.quick else "skmixup-uci"))
    out.mkdir(parents=True, exist_ok=True)
    partial = out / "records.partial.csv"
    if args.fresh:
        partial.unlink(missing_ok=True)
        partial.with_suffix(".json").unlink(missing_ok=True)
    print(
        f"partial results go to {partial} after each task; if interrupted, run the same "
        "command again to resume (--fresh starts again)",
        flush=True,
    )
    try:
        results = run(config, partial_path=partial, resume=True, required=args.datasets or ())
    except ResumeError as exc:
        raise SystemExit(f"{PROG} uci: {exc}") from None
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: the finished tasks are kept in {partial}; run the same command "
            "again to resume",
            file=sys.stderr,
            flush=True,
        )
        raise SystemExit(130) from None  # the shell's code for Ctrl-C
    print(format_table(results, wide=args.wide))
    print(f"results written to {write_results(results, out)}")
    partial.unlink(missing_ok=True)
    partial.with_suffix(".json").unlink(missing_ok=True)


def _check_fashion_mnist(args):
    """Say which files are missing before any work, unless downloading was asked for."""
    if not args.download:
        fetch_fashion_mnist(args.data_home, download_if_missing=False, check_integrity=False)


def tabular(args):
    tabular_study.main(args)


def memorization(args):
    _check_fashion_mnist(args)
    memorization_study.main(args=args)


def adversarial(args):
    _check_fashion_mnist(args)
    adversarial_study.main(args=args)


def cifar10(args):
    cifar10_study.main(args=args)


def gan(args):
    gan_study.main(args=args)


def ablation(args):
    ablation_study.main(args)


def meta(args):
    meta_study.main(args)


def regression(args):
    regression_study.main(args)


def regression_suite(args):
    regression_suite_study.main(args)


# --------------------------------------------------------------------- parser
def build_parser(prog=None):
    """The argument parser of every job (plain argparse: nothing heavy is imported)."""
    parser = argparse.ArgumentParser(
        prog=prog or PROG,
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="<job>", title="jobs")

    def add(name, func, help, arguments):
        p = sub.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".")
        arguments(p)
        p.set_defaults(func=func)
        return p

    add(
        "uci", uci, "the paper's UCI experiment (Table 4): ERM vs mixup vs baselines", uci_arguments
    )
    add(
        "memorization",
        memorization,
        "corrupt labels on Fashion-MNIST (the paper's Table 2)",
        memorization_arguments,
    )
    add(
        "adversarial",
        adversarial,
        "FGSM / I-FGSM on Fashion-MNIST (the paper's Table 3)",
        adversarial_arguments,
    )
    add("cifar10", cifar10, "the paper's CIFAR-10 PreAct ResNet-18 recipe (GPU)", cifar10_arguments)
    add(
        "tabular",
        tabular,
        "the 34-dataset tabular suite: MixupClassifier vs MLPClassifier, "
        "gradient boosting, logistic regression",
        tabular_arguments,
    )
    add(
        "gan",
        gan,
        "GAN on a ring / grid of Gaussians, with and without discriminator mixup",
        gan_arguments,
    )
    add(
        "ablation",
        ablation,
        "the paper's ablation (Table 5) on UCI tables or Fashion-MNIST",
        ablation_arguments,
    )
    add(
        "meta",
        meta,
        "MixupEstimator around scikit-learn classifiers on the UCI tables",
        meta_arguments,
    )
    add(
        "regression",
        regression,
        "MixupRegressor against ERM and MLPRegressor",
        regression_arguments,
    )
    add(
        "regression-suite",
        regression_suite,
        "the 20-table regression suite: MixupRegressor vs its ERM twin, MLPRegressor, "
        "gradient boosting, RidgeCV",
        regression_suite_arguments,
    )
    return parser


def main(argv=None):
    """Parse ``argv`` (default: the command line), run the job, print its total time."""
    args = build_parser().parse_args(argv)
    start = time.perf_counter()
    try:
        args.func(args)
    except ResumeError as exc:
        raise SystemExit(f"{PROG} {args.command}: {exc}") from None
    except FileNotFoundError as exc:
        hint = (
            "\nOn the command line: --data-home DIR (or $SKMIXUP_DATA) names the data "
            "folder; --download fetches missing files."
            if hasattr(args, "download")
            else ""
        )
        raise SystemExit(f"{PROG} {args.command}: files not found: {exc}{hint}") from None
    except OSError as exc:  # a download that failed (URLError is an OSError)
        if not getattr(args, "download", False):
            raise
        raise SystemExit(
            f"{PROG} {args.command}: the download failed ({exc}); put the "
            "files in place by hand (see --help for where)"
        ) from None
    print(f"total time {time.perf_counter() - start:.1f} s", flush=True)


if __name__ == "__main__":
    main()
