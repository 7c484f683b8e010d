"""verbose output: "epoch k/N", no colour codes off a terminal, the best epoch named."""

import re

from skmixup import MixupClassifier
from skmixup._log import EpochLog


def test_verbose_log_plain_off_a_terminal(iris, capsys):
    X, y = iris
    MixupClassifier(max_epochs=4, verbose=2, early_stopping=False, random_state=0).fit(X, y)
    out = capsys.readouterr().out
    assert "\x1b[" not in out
    epochs = re.findall(r"^\s+(\d+)/(\d+)\s", out, re.M)
    assert epochs == [(str(k), "4") for k in range(1, 5)]
    assert re.search(r"^best epoch \d/4 \(train_loss [\d.]+\) of 4 run$", out, re.M)
    assert "*" in out  # best values are marked without colour


def test_verbose_log_best_epoch_by_validation_loss(iris, capsys):
    X, y = iris
    clf = MixupClassifier(max_epochs=6, verbose=2, early_stopping=True, random_state=0).fit(X, y)
    out = capsys.readouterr().out
    best = min(range(clf.n_iter_), key=clf.validation_loss_curve_.__getitem__) + 1
    assert f"best epoch {best}/6 (valid_loss" in out


def test_colour_only_when_asked_or_on_a_terminal():
    assert EpochLog()._colour() is False  # pytest captures stdout: not a terminal
    assert EpochLog(color=True)._colour() is True
    assert EpochLog(color=True, sink=lambda s: None)._colour() is True
    assert EpochLog(sink=lambda s: None)._colour() is False


def test_silent_without_verbose(iris, capsys):
    X, y = iris
    MixupClassifier(max_epochs=2, random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""


def test_no_table_is_formatted_without_verbose(iris, monkeypatch):
    # Formatting the epoch table costs time even when nothing is printed: it is skipped.
    calls = []
    original = EpochLog.table
    monkeypatch.setattr(EpochLog, "table", lambda self, row: calls.append(1) or original(self, row))
    X, y = iris
    MixupClassifier(max_epochs=3, random_state=0).fit(X, y)
    assert calls == []
    MixupClassifier(max_epochs=3, verbose=2, random_state=0).fit(X, y)
    assert len(calls) == 3
