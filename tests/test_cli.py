"""The installed command line: fast help without torch, options documented, the demo only."""

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from skmixup import __version__
from skmixup.__main__ import build_parser, main, program_name


def _imported_modules(args):
    """Top-level modules imported by ``python -X importtime -m skmixup *args``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "skmixup", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names, done.stdout


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["demo", "--help"]])
def test_help_imports_no_torch(args):
    names, out = _imported_modules(args)
    assert "skmixup" in names  # the check sees imports at all
    heavy = names & {"torch", "skorch", "sklearn", "numpy", "pandas", "experiments"}
    assert not heavy, f"{args} imported {sorted(heavy)}"
    assert out.strip()


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    # The package's name, however it was started (not "python -m skmixup 0.1.0").
    assert capsys.readouterr().out == f"skmixup {__version__}\n"


def test_program_name():
    assert program_name("/venv/bin/skmixup") == "skmixup"
    assert program_name("/repo/skmixup/__main__.py") == "python -m skmixup"
    assert program_name("-c") == "python -m skmixup"
    assert build_parser(prog="skmixup").format_usage().startswith("usage: skmixup ")


def test_the_installed_command_has_only_the_demo():
    # The studies run from a clone (python -m experiments), not from the installed package.
    with pytest.raises(SystemExit) as exc:
        build_parser(prog="skmixup").parse_args(["uci"])
    assert exc.value.code == 2
    text = build_parser(prog="skmixup").format_help()
    assert "demo" in text and "python -m experiments" in text


def _parsers(parser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_every_option_has_help():
    parsers = list(_parsers(build_parser(prog="skmixup")))
    assert len(parsers) == 2
    for parser in parsers:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                assert all(a.help for a in action._choices_actions)
            else:
                assert action.help, f"{parser.prog} {action.option_strings} has no help"
