"""The studies' command line (``python -m experiments``): every job documented, clear errors."""

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from experiments.__main__ import build_parser, main
from experiments._report import PROTOCOL_TITLES

from .test_cli import _parsers

JOBS = (
    "uci",
    "memorization",
    "adversarial",
    "cifar10",
    "tabular",
    "gan",
    "ablation",
    "meta",
    "regression",
    "regression-suite",
)
ROOT = Path(__file__).resolve().parents[1]


def test_every_option_and_job_has_help():
    parsers = list(_parsers(build_parser()))
    assert len(parsers) == 1 + len(JOBS)
    for parser in parsers:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                assert {a.dest for a in action._choices_actions} == set(JOBS)
                assert all(a.help for a in action._choices_actions)
            else:
                assert action.help, f"{parser.prog} {action.option_strings} has no help"


def test_every_job_takes_its_data_and_output_folders():
    for parser in list(_parsers(build_parser()))[1:]:
        options = {s for a in parser._actions for s in a.option_strings}
        name = parser.prog.split()[-1]
        if name == "cifar10":  # one folder in, nothing written
            assert "--path" in options and "--out" not in options
        elif name == "gan":  # no data files
            assert "--out" in options
        else:
            assert {"--data-home", "--out"} <= options, name


def test_help_is_formatted_text_not_rest():
    text = build_parser().format_help()
    assert "``" not in text and ":class:" not in text
    assert all(job in text for job in JOBS)
    assert text.startswith("usage: python -m experiments")


@pytest.mark.slow  # over 5 s on 2 cores
def test_runs_as_a_module_from_the_repository_root():
    done = subprocess.run(
        [sys.executable, "-m", "experiments", "uci", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "--data-home" in done.stdout and "--out" in done.stdout


def test_protocols_have_one_name():
    for name, title in PROTOCOL_TITLES.items():
        assert title.startswith(f"{name} protocol:")


@pytest.mark.parametrize("job", ["memorization", "adversarial"])
def test_image_jobs_without_data_say_files_not_found(job, tmp_path):
    with pytest.raises(SystemExit) as exc:
        main([job, "--quick", "--data-home", str(tmp_path)])
    message = str(exc.value.code)
    assert message.startswith(f"python -m experiments {job}: files not found")
    assert "train-images-idx3-ubyte" in message and str(tmp_path) in message
    assert "--download" in message


def test_cifar10_without_data_says_files_not_found(tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["cifar10", "--path", str(tmp_path), "--epochs", "1"])
    assert str(exc.value.code).startswith("python -m experiments cifar10: files not found")
    assert "data_batch_1" in str(exc.value.code)


@pytest.mark.parametrize("job", ["meta", "regression"])
def test_table_jobs_without_data_say_files_not_found(job, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        main([job, "--data-home", str(tmp_path / "empty"), "--out", str(out)])
    assert "files not found" in str(exc.value.code)
    assert str(tmp_path / "empty" / "uci") in str(exc.value.code)
