"""A small network on a table trains on one CPU thread; the caller's count comes back."""

import threading

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback
from torch import nn

from skmixup import MixupClassifier
from skmixup._threads import SMALL_STEP

SEEN = []  # torch.get_num_threads() at each epoch end (callbacks are copied by the fit)


class RecordThreads(Callback):
    def on_epoch_end(self, net, **kwargs):
        SEEN.append(torch.get_num_threads())


class Raising(nn.Module):
    """A linear network whose forward raises ``Raising.exc`` (a Ctrl-C arrives as one would)."""

    exc = None

    def __init__(self, n_features, n_outputs):
        super().__init__()
        self.linear = nn.Linear(n_features, n_outputs)

    def forward(self, x):
        raise Raising.exc


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    SEEN.clear()
    yield
    torch.set_num_threads(before)


def _fit(X, y, **params):
    params.setdefault("callbacks", [RecordThreads()])
    params.setdefault("max_epochs", 2)
    return MixupClassifier(random_state=0, **params).fit(X, y)


def test_small_table_trains_on_one_thread(iris, two_threads):
    X, y = iris
    _fit(X, y)
    assert SEEN == [1, 1]
    assert torch.get_num_threads() == 2


def test_large_step_keeps_the_callers_threads(two_threads):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(512, 200)).astype(np.float32)
    y = rng.integers(0, 2, 512)
    # 200 x 256 + 256 x 2 weights (and biases) times 512 rows a step: above the threshold.
    assert (200 * 256 + 256 + 256 * 2 + 2) * 512 >= SMALL_STEP
    _fit(X, y, batch_size=512)
    assert SEEN == [2, 2]


def test_images_keep_the_callers_threads(two_threads):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 1, 8, 8)).astype(np.float32)
    y = rng.integers(0, 2, 16)
    _fit(X, y)
    assert SEEN == [2, 2]


@pytest.mark.parametrize("exc", [ValueError("boom"), KeyboardInterrupt()])
def test_threads_restored_after_an_error_or_ctrl_c(iris, two_threads, exc):
    X, y = iris
    Raising.exc = exc
    with pytest.raises(type(exc)):
        _fit(X, y, module=Raising)
    assert torch.get_num_threads() == 2


def test_concurrent_fits_restore_the_callers_threads(iris, two_threads):
    X, y = iris
    errors = []

    def fit():
        try:
            _fit(X, y, callbacks=[RecordThreads()], max_epochs=5)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=fit) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert SEEN == [1] * 15
    assert torch.get_num_threads() == 2
