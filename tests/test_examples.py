"""The gallery's examples run as downloaded: each one's imports work outside the docs build.

Each example's module-level imports (and the lines that put a clone's root on ``sys.path``,
for the examples that use the ``experiments`` package) are run in a fresh interpreter whose
working folder is not the repository, as ``python examples/<name>.py`` would run them.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("plot_*.py"))


def import_block(path):
    """The example's module-level imports and its ``sys.path`` set-up, as source."""
    tree = ast.parse(path.read_text())
    kept = []
    for node in tree.body:
        source = ast.get_source_segment(path.read_text(), node)
        if isinstance(node, (ast.Import, ast.ImportFrom)) or "REPO_ROOT" in source:
            kept.append(source)
    return "\n".join(kept)


def test_there_are_examples():
    assert len(SCRIPTS) >= 10


@pytest.mark.slow  # a fresh interpreter per example: about 5 s each on 2 cores
@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_example_imports_work_outside_the_docs_build(path, tmp_path):
    code = f"__file__ = {str(path)!r}\n" + import_block(path)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["MPLBACKEND"] = "Agg"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    if "experiments" in code:  # found through the set-up lines, not the working folder
        assert "sys.path.insert(0, str(REPO_ROOT))" in code


def test_an_example_outside_a_clone_says_what_it_needs(tmp_path):
    copy = tmp_path / "plot_uci_summary.py"
    copy.write_text((EXAMPLES / "plot_uci_summary.py").read_text())
    done = subprocess.run(
        [sys.executable, str(copy)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "needs the experiments package of a clone" in done.stderr
