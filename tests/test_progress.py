"""verbose: nothing at 0, a tqdm bar over epochs at 1, skorch's per-epoch table at 2."""

import pickle

import pytest

from skmixup import MixupClassifier, MixupRegressor
from skmixup import _net as net_module


@pytest.fixture
def no_delay(monkeypatch):
    # The bar appears once a fit has run PROGRESS_DELAY seconds; these fits are shorter.
    monkeypatch.setattr(net_module, "PROGRESS_DELAY", 0.0)


def _clf(verbose):
    return MixupClassifier(
        max_epochs=15, n_iter_no_change=3, random_state=0, verbose=verbose, early_stopping=True
    )


def test_verbose_0_prints_nothing(iris, capsys, no_delay):
    _clf(0).fit(*iris)
    MixupRegressor(max_epochs=3, verbose=0).fit(iris[0][:, :3], iris[0][:, 3])
    out, err = capsys.readouterr()
    assert out == "" and err == ""


def test_verbose_1_shows_a_progress_bar(iris, capsys, no_delay):
    clf = _clf(1).fit(*iris)
    out, err = capsys.readouterr()
    assert out == ""  # no table, no early-stopping message
    assert "epochs:" in err
    assert f"{clf.n_iter_}/15" in err  # ends at the epoch early stopping stopped at
    assert "train_loss=" in err and "valid_loss=" in err
    assert "\x1b[" not in err  # not a terminal: no cursor-movement codes
    pickle.loads(pickle.dumps(clf))  # the bar is not kept in the fitted net


def test_verbose_1_short_fit_stays_quiet(iris, capsys):
    MixupRegressor(max_epochs=2, verbose=1).fit(iris[0][:, :3], iris[0][:, 3])
    assert capsys.readouterr() == ("", "")


def test_verbose_2_prints_the_epoch_table(iris, capsys, no_delay):
    clf = _clf(2).fit(*iris)
    out, err = capsys.readouterr()
    assert "train_loss" in out and "valid_loss" in out
    assert len([line for line in out.splitlines() if line.strip()[:1].isdigit()]) == clf.n_iter_
    assert "epochs:" not in err


def test_partial_fit_shows_no_bar(iris, capsys, no_delay):
    clf = _clf(1)
    for _ in range(2):
        clf.partial_fit(*iris, classes=[0, 1, 2])
    assert capsys.readouterr() == ("", "")


def test_bar_shows_numbers_other_callbacks_record(iris, capsys, no_delay):
    from skorch.callbacks import Callback

    class RecordTestError(Callback):
        def on_epoch_end(self, net, **kwargs):
            net.history.record("test_error", 0.125)

    MixupClassifier(
        max_epochs=3, verbose=1, early_stopping=False, callbacks=[("test", RecordTestError())]
    ).fit(*iris)
    err = capsys.readouterr().err
    assert "test_error=0.1250" in err and "train_loss=" in err and "dur" not in err
