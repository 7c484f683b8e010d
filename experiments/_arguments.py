"""Command-line options of each job of ``python -m experiments``, in plain argparse."""

from __future__ import annotations

import argparse

DATA_HOME_HELP = (
    "the data root holding uci/, keel/ and images/ (default: $SKMIXUP_DATA, else ~/skmixup_data)"
)


def parse_job(job, description, add_arguments, argv=None):
    """The options of one job run through its own ``main`` (``python -m experiments <job>``)."""
    parser = argparse.ArgumentParser(
        prog=f"python -m experiments {job}",
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    return parser.parse_args(argv)


def given(**options):
    """The options set on the command line (those not None): changes to a job's config."""
    return {name: value for name, value in options.items() if value is not None}


def _fresh_argument(parser, what="the records in --out"):
    parser.add_argument(
        "--fresh",
        action="store_true",
        help=f"discard {what} and start again (a run with other settings, data or "
        "skmixup version refuses to add to them)",
    )


def _data_home_argument(parser, extra=""):
    parser.add_argument("--data-home", metavar="DIR", help=DATA_HOME_HELP + extra)


def uci_arguments(parser):
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a first look: 3 splits, at most 300 training rows per split, 2 alphas, 2 inner folds",
    )
    parser.add_argument(
        "--datasets",
        nargs="+",
        metavar="NAME",
        help="any of abalone arcene arrhythmia htru2 iris phishing (default: all)",
    )
    parser.add_argument(
        "--protocols",
        nargs="+",
        choices=["paper", "tuned"],
        metavar="NAME",
        help="paper (the paper's raw features and schedule) and/or tuned "
        "(standardised features, MixupClassifier's defaults, scikit-learn "
        "baselines) (default: both)",
    )
    parser.add_argument(
        "--splits",
        type=int,
        metavar="N",
        help="random train/test splits per dataset (default 10; 3 with --quick)",
    )
    _data_home_argument(
        parser,
        "; iris falls back to scikit-learn's copy, other missing "
        "datasets are skipped with a note saying which files go where",
    )
    parser.add_argument(
        "--download",
        action="store_true",
        help="download missing datasets (OpenML / UCI; needs network access)",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="folder for the results (CSV, JSON, table, figure) and for the "
        "partial results while running (default: skmixup-uci, or "
        "skmixup-uci-quick with --quick, in the current folder)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start again instead of resuming from the partial results in --out",
    )
    parser.add_argument(
        "--wide",
        action="store_true",
        help="one wide table per protocol (about 215 columns) instead of tables "
        "that fit 120 columns",
    )
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=2,
        metavar="N",
        help="worker processes, each with one torch thread (default 2)",
    )
    parser.add_argument("--device", help='"cpu" or "cuda" (default: CUDA when available)')
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _fashion_mnist_arguments(parser):
    _data_home_argument(parser, "; Fashion-MNIST's four IDX .gz files go in images/fashion-mnist/")
    parser.add_argument(
        "--download",
        action="store_true",
        help="download Fashion-MNIST from OpenML when its files are missing (needs network access)",
    )
    parser.add_argument("--device", help="cpu, cuda or auto (default: auto, CUDA when available)")
    parser.add_argument("--out", metavar="DIR", help="write CSV tables and a figure to this folder")


def memorization_arguments(parser):
    parser.add_argument("--quick", action="store_true", help="smoke run: 1,000 images, 4 epochs")
    parser.add_argument("--full", action="store_true", help="all 60,000 images, 100 epochs (GPU)")
    parser.add_argument("--epochs", type=int, metavar="N", help="override max_epochs")
    parser.add_argument(
        "--n-train", type=int, metavar="N", help="override the number of training images"
    )
    parser.add_argument("--seeds", type=int, metavar="N", help="override the number of seeds")
    parser.add_argument(
        "--n-jobs", type=int, metavar="N", help="parallel runs (default 2; 1 with --full)"
    )
    _fashion_mnist_arguments(parser)


def adversarial_arguments(parser):
    parser.add_argument("--quick", action="store_true", help="smoke run: 1,000 images, 3 epochs")
    parser.add_argument("--full", action="store_true", help="all of Fashion-MNIST, 50 epochs (GPU)")
    parser.add_argument("--alpha", type=float, help="mixup alpha (default 1)")
    parser.add_argument("--epochs", type=int, metavar="N", help="override max_epochs")
    parser.add_argument(
        "--n-train", type=int, metavar="N", help="override the number of training images"
    )
    _fashion_mnist_arguments(parser)


def cifar10_arguments(parser):
    parser.add_argument(
        "--path",
        required=True,
        metavar="DIR",
        help="the cifar-10-batches-py folder extracted from cifar-10-python.tar.gz",
    )
    parser.add_argument(
        "--alpha", type=float, default=1.0, help="mixup alpha; 0 for ERM (default 1)"
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=200,
        metavar="N",
        help="epochs; the learning-rate drops scale with it (default 200)",
    )
    parser.add_argument(
        "--method",
        choices=["mixup", "cutmix"],
        default="mixup",
        help="mixup or cutmix (default mixup)",
    )
    parser.add_argument(
        "--device", default="auto", help="cpu, cuda or auto (default: auto, CUDA when available)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random_state of the fit (default 0)")


def tabular_arguments(parser):
    parser.add_argument(
        "--quick", action="store_true", help="6 small datasets, 1 split, at most 300 training rows"
    )
    parser.add_argument(
        "--datasets", nargs="+", metavar="NAME", help="names from the suite (default: all 43)"
    )
    parser.add_argument(
        "--models",
        nargs="+",
        metavar="SPEC",
        help="model specs: mixup erm mixup-cv mixup-seeds mlp hgb logreg, the optional "
        "realmlp tabm catboost lgbm, or with "
        "overrides as in mixup:alpha=0.4 (default: mixup erm mlp hgb logreg)",
    )
    parser.add_argument(
        "--splits", type=int, help="stratified 75/25 splits per dataset (default 3)"
    )
    parser.add_argument(
        "--max-train-rows",
        type=int,
        help="subsample larger training sets to this many rows (default 3000)",
    )
    _data_home_argument(parser)
    parser.add_argument(
        "--out",
        default="tabular-results",
        help="folder of records.csv (resumable) and the report (default: ./tabular-results)",
    )
    parser.add_argument("--n-jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--seed", type=int, default=0, help="seeds the splits and the models (default 0)"
    )
    _fresh_argument(parser, "records.csv in --out")
    parser.add_argument(
        "--label-noise",
        type=float,
        default=0.0,
        metavar="P",
        help="flip a share P of the training labels to another class, seeded; test labels "
        "stay clean (default 0)",
    )
    parser.add_argument("--reference", default="mixup", help="the model compared with the others")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def gan_arguments(parser):
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 2 seeds, 200 steps, narrower networks"
    )
    parser.add_argument("--seeds", type=int, help="override the number of seeds")
    parser.add_argument("--iterations", type=int, help="override the number of generator steps")
    parser.add_argument("--width", type=int, help="override the hidden layer width")
    parser.add_argument("--out", help="write CSV tables and figures to this folder")


def ablation_arguments(parser):
    parser.add_argument(
        "what",
        choices=["uci", "fmnist", "fmnist-long", "table"],
        help="uci: 4 UCI datasets x 2-5 splits; fmnist: a Fashion-MNIST subset "
        "and a small CNN; fmnist-long: the same for 20 epochs; table: only "
        "the rst tables from the results already in --out",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="Fashion-MNIST: seed of the subset and of the fits (default 0)",
    )
    _data_home_argument(parser)
    parser.add_argument(
        "--out",
        default="ablation-results",
        metavar="DIR",
        help="folder of the CSV records (resumable) and the rst tables "
        "(default: ./ablation-results)",
    )
    _fresh_argument(parser, "the records of the part run (uci.csv, fmnist.csv, ...)")


def meta_arguments(parser):
    _data_home_argument(parser)
    parser.add_argument(
        "--out",
        default="meta-results",
        metavar="DIR",
        help="folder of uci.csv (resumable) and uci_table.rst (default: ./meta-results)",
    )
    _fresh_argument(parser, "uci.csv")


def regression_arguments(parser):
    _data_home_argument(parser)
    parser.add_argument(
        "--out",
        default="regression-results",
        metavar="DIR",
        help="folder of results.csv (resumable) and table.rst (default: ./regression-results)",
    )
    _fresh_argument(parser, "results.csv")


def regression_suite_arguments(parser):
    parser.add_argument(
        "--part",
        choices=["all", "selection", "confirmation"],
        default="all",
        help="the tables to run: all 20, the selection part (defaults are chosen there) or the "
        "confirmation part (every third table in name order) (default: all)",
    )
    parser.add_argument(
        "--datasets", nargs="+", metavar="NAME", help="names from the suite (overrides --part)"
    )
    parser.add_argument(
        "--models",
        nargs="+",
        metavar="SPEC",
        help="model specs: mixup erm mlp hgb ridge, or with overrides as in "
        "mixup:alpha=0.4 (default: mixup erm mlp hgb ridge)",
    )
    parser.add_argument(
        "--splits", type=int, default=3, help="shuffled 75/25 splits per table (default 3)"
    )
    parser.add_argument(
        "--max-train-rows",
        type=int,
        default=10000,
        help="subsample larger training sets to this many rows; 0 for every row (default 10000)",
    )
    _data_home_argument(parser)
    parser.add_argument(
        "--out",
        default="regression-suite-results",
        metavar="DIR",
        help="folder of records.csv (resumable) and report.txt "
        "(default: ./regression-suite-results)",
    )
    parser.add_argument(
        "--n-jobs", type=int, default=1, help="worker processes, one torch thread each (default 1)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seeds the splits and the models (default 0)"
    )
    _fresh_argument(parser, "records.csv in --out")
    parser.add_argument("--no-progress", action="store_true", help="no line per fit")
