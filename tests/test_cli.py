"""The command line: fast help without torch, options documented, clear errors without data."""

import argparse
import subprocess
import sys

from pathlib import Path

import pytest

from skmixup import __version__
from skmixup.__main__ import build_parser, main, program_name

JOBS = ("demo", "uci", "memorization", "adversarial", "cifar10", "tabular", "gan")


def _imported_modules(args):
    """Top-level modules imported by ``python -X importtime -m skmixup *args``."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "skmixup", *args],
                          capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr[-2000:]
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names, done.stdout


@pytest.mark.parametrize("args", [["--help"], ["--version"], *([job, "--help"] for job in JOBS)])
def test_help_imports_no_torch(args):
    names, out = _imported_modules(args)
    assert "skmixup" in names  # the check sees imports at all
    heavy = names & {"torch", "skorch", "sklearn", "numpy", "pandas"}
    assert not heavy, f"{args} imported {sorted(heavy)}"
    assert out.strip()


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_program_name():
    assert program_name("/venv/bin/skmixup") == "skmixup"
    assert program_name("/repo/skmixup/__main__.py") == "python -m skmixup"
    assert program_name("/repo/skmixup/experiments/uci.py") == "python -m skmixup"
    assert build_parser(prog="skmixup").format_usage().startswith("usage: skmixup ")


def _parsers(parser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_every_option_and_job_has_help():
    parsers = list(_parsers(build_parser(prog="skmixup")))
    assert len(parsers) == 1 + len(JOBS)
    for parser in parsers:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                assert {a.dest for a in action._choices_actions} == set(JOBS)
                assert all(a.help for a in action._choices_actions)
            else:
                assert action.help, f"{parser.prog} {action.option_strings} has no help"


def test_help_is_formatted_text_not_rest():
    text = build_parser(prog="skmixup").format_help()
    assert "``" not in text and ":class:" not in text
    assert all(job in text for job in JOBS)


def test_protocols_have_one_name():
    from skmixup.experiments._report import PROTOCOL_TITLES

    for name, title in PROTOCOL_TITLES.items():
        assert title.startswith(f"{name} protocol:")


@pytest.mark.parametrize("job", ["memorization", "adversarial"])
def test_image_jobs_without_data_say_files_not_found(job, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main([job, "--quick", "--data-home", str(tmp_path)])
    message = str(exc.value.code)
    assert message.startswith(f"skmixup {job}: files not found")
    assert "train-images-idx3-ubyte" in message and str(tmp_path) in message
    assert "--download" in message


def test_cifar10_without_data_says_files_not_found(tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["cifar10", "--path", str(tmp_path), "--epochs", "1"])
    assert str(exc.value.code).startswith("skmixup cifar10: files not found")
    assert "data_batch_1" in str(exc.value.code)
