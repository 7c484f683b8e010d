"""Command line of the installed package: ``skmixup demo`` or ``python -m skmixup demo``.

The demo needs no data files and writes nothing: it trains the same network
with and without mixup on scikit-learn's digits with wrong training labels and
prints the test errors. ``--help`` and ``--version`` answer without importing
torch. The paper's studies are not installed: they run from a clone of the
repository as ``python -m experiments <job>``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from . import __version__

DESCRIPTION = """\
mixup (Zhang et al., ICLR 2018) for scikit-learn.

`%(prog)s demo` compares mixup with plain training on noisy labels, in under a
minute, with no data files. The paper's studies run from a clone of the
repository: `python -m experiments --help`."""


def program_name(argv0=None):
    """``skmixup`` when run through the console script, ``python -m skmixup`` otherwise.

    Parameters
    ----------
    argv0 : str, default=None
        The program's path as the shell gave it; ``None`` means ``sys.argv[0]``.

    Returns
    -------
    name : str
        The name to show in usage lines.
    """
    name = os.path.basename(argv0 if argv0 is not None else sys.argv[0])
    # python -m skmixup gives a .py path; python -c gives "-c".
    return "python -m skmixup" if name.endswith(".py") or name in ("", "-c") else name


def demo(args):
    """Run the demo with the parsed command-line ``args``."""
    from ._demo import main as run_demo  # imports torch: only once the options are parsed

    run_demo(args)


def demo_arguments(parser):
    """Add the demo's options to ``parser``."""
    parser.add_argument(
        "--alpha",
        type=float,
        default=1.0,
        help="mixup alpha compared with ERM (alpha=0) (default 1)",
    )
    parser.add_argument(
        "--noise",
        type=float,
        default=0.4,
        help="share of training labels replaced by wrong ones (default 0.4)",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        default=3,
        metavar="N",
        help="random train/test splits, each with its own wrong labels (default 3)",
    )


def build_parser(prog=None):
    """The argument parser (plain argparse: nothing heavy is imported).

    Parameters
    ----------
    prog : str, default=None
        Program name in usage lines; ``None`` means :func:`program_name`.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog=prog or program_name(),
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"skmixup {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="<job>", title="jobs")
    help = "ERM vs mixup on digits with wrong training labels, under a minute"
    p = sub.add_parser("demo", help=help, description=help[0].upper() + help[1:] + ".")
    demo_arguments(p)
    p.set_defaults(func=demo)
    return parser


def main(argv=None):
    """Parse ``argv`` (default: the command line), run the job, print its total time.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments; ``None`` means ``sys.argv[1:]``.
    """
    args = build_parser().parse_args(argv)
    start = time.perf_counter()
    args.func(args)
    print(f"total time {time.perf_counter() - start:.1f} s", flush=True)


if __name__ == "__main__":
    main()
