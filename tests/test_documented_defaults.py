"""Every default the documentation states is the one get_params() returns."""

import ast
import re
from pathlib import Path

import pytest
from sklearn.linear_model import LogisticRegression

import skmixup

ROOT = Path(__file__).resolve().parents[1]
ESTIMATORS = {
    "MixupClassifier": lambda: skmixup.MixupClassifier(),
    "MixupRegressor": lambda: skmixup.MixupRegressor(),
    "MixupClassifierCV": lambda: skmixup.MixupClassifierCV(),
    "MixupEstimator": lambda: skmixup.MixupEstimator(LogisticRegression()),
}
# Prose files a user reads: the README, the documentation pages and the gallery.
PROSE = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.rst")),
    *sorted((ROOT / "examples").glob("*.py")),
]


def _value(text):
    text = text.strip().rstrip(".")
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _same(documented, actual):
    if isinstance(actual, (tuple, list)) and isinstance(documented, (tuple, list)):
        return tuple(documented) == tuple(actual)
    return documented == actual


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_docstring_defaults_match_get_params(name):
    params = ESTIMATORS[name]().get_params()
    doc = getattr(skmixup, name).__doc__
    documented = dict(re.findall(r"^    (\w+) : .*default=(.+)$", doc, re.M))
    assert len(documented) >= 4
    wrong = {
        param: (text, params[param])
        for param, text in documented.items()
        if param in params and not _same(_value(text), params[param])
    }
    assert not wrong, f"{name}'s docstring states defaults that get_params() does not have: {wrong}"


# "the default ``alpha=0.2``", "defaults to ``alpha=0.2``", "``alpha=0.2`` (the default)".
NAMED = [
    re.compile(r"defaults? (?:is |to |of )?``(\w+)=([^`]+)``"),
    re.compile(r"``(\w+)=([^`]+)``,? \((?:the|its) default\)"),
]
# A bare number called a default ("the default is 0.4", "hence the default 0.4") names no
# parameter, so nothing can check it: name the parameter or leave the value out.
UNNAMED = re.compile(r"default(?: value)?(?: is| of)? \d")


def test_prose_defaults_match_mixup_classifier():
    params = skmixup.MixupClassifier().get_params()
    wrong, unnamed, checked = [], [], 0
    for path in PROSE:
        text = " ".join(path.read_text().split())  # sentences broken over lines
        for pattern in NAMED:
            for param, value in pattern.findall(text):
                if param in params:
                    checked += 1
                    if not _same(_value(value), params[param]):
                        wrong.append(
                            f"{path.name}: {param}={value} (get_params: {params[param]!r})"
                        )
        unnamed += [f"{path.name}: ...{m.group(0)}..." for m in UNNAMED.finditer(text)]
    assert not wrong, f"Documented defaults that are not MixupClassifier's: {wrong}"
    assert not unnamed, f"Defaults stated as bare numbers (name the parameter): {unnamed}"
    assert checked >= 1
