"""The documentation: every public name has an API page, and the user guide's examples run."""

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import skmixup

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _public_modules():
    """skmixup and every module or package below it whose name has no leading underscore."""
    yield skmixup
    for info in pkgutil.walk_packages(skmixup.__path__, prefix="skmixup."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        yield importlib.import_module(info.name)


def _documented_names(api_text):
    """Fully qualified names listed in api.rst's autosummary blocks."""
    names, module = set(), None
    for line in api_text.splitlines():
        current = re.match(r"\.\. currentmodule:: (\S+)", line)
        if current:
            module = current.group(1)
        entry = re.match(r"   ([A-Za-z_][\w.]*)$", line)
        if entry and module:
            names.add(f"{module}.{entry.group(1)}")
    return names


def test_every_public_name_has_an_api_entry():
    documented = _documented_names((DOCS / "api.rst").read_text())
    missing = [
        f"{module.__name__}.{name}"
        for module in _public_modules()
        for name in getattr(module, "__all__", [])
        if not name.startswith("__") and f"{module.__name__}.{name}" not in documented
    ]
    assert not missing, (
        f"Public names without an entry in docs/api.rst: {missing}. Add each to the "
        "autosummary list of its module there (one line per name)."
    )


def test_api_entries_exist():
    # A stale entry (a name renamed or removed) would otherwise only fail the docs build.
    for qualname in _documented_names((DOCS / "api.rst").read_text()):
        module_name, _, name = qualname.rpartition(".")
        assert hasattr(importlib.import_module(module_name), name), qualname


@pytest.mark.slow
def test_user_guide_examples_run():
    result = doctest.testfile(
        str(DOCS / "user_guide.rst"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 10
    assert result.failed == 0
