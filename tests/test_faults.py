"""Faults and hostile input: interrupts, failed fits, leaked data, bad files, threads, errors.

Each test fails on the code before issue 11 and must keep passing.
"""

import gzip
import os
import pickle
import signal
import struct
import threading

import numpy as np
import pytest
import torch
from joblib import parallel_backend
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback
from torch import nn

from skmixup import MixupClassifier, MixupClassifierCV, MixupEstimator, MixupRegressor
from skmixup.datasets import load_cifar10
from skmixup.datasets._images import read_idx


# ------------------------------------------------------------------ helpers
class Faulty(nn.Module):
    """A linear network that misbehaves on demand: set ``Faulty.mode`` and ``Faulty.after``.

    ``mode``: None (behaves), "error" (RuntimeError), "interrupt" (KeyboardInterrupt, as a
    Ctrl-C would arrive) or "nan" (outputs NaN: the loss diverges), from forward call
    number ``after`` of the fit on.
    """

    mode = None
    after = 0
    calls = 0

    def __init__(self, n_features, n_outputs):
        super().__init__()
        self.linear = nn.Linear(n_features, n_outputs)

    def forward(self, x):
        Faulty.calls += 1
        if Faulty.mode is not None and Faulty.calls > Faulty.after:
            if Faulty.mode == "error":
                raise RuntimeError("injected fault")
            if Faulty.mode == "interrupt":
                raise KeyboardInterrupt
            return self.linear(x) * float("nan")
        return self.linear(x)


@pytest.fixture(autouse=True)
def _reset_faulty():
    Faulty.mode, Faulty.after, Faulty.calls = None, 0, 0
    yield
    Faulty.mode, Faulty.after, Faulty.calls = None, 0, 0


def _inject(mode, after=3):
    Faulty.mode, Faulty.after, Faulty.calls = mode, after, 0


class FailingCallback(Callback):
    """Raises at the end of epoch ``at`` (a fault in a callback)."""

    def __init__(self, at=2, error=RuntimeError):
        self.at = at
        self.error = error

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) >= self.at:
            raise self.error("injected callback fault")


class FlakyRegressor(RegressorMixin, BaseEstimator):
    """A regressor that fails on the fits after the first one: ``FlakyRegressor.fail``."""

    fail = None

    def fit(self, X, y, sample_weight=None):
        if FlakyRegressor.fail is not None:
            raise FlakyRegressor.fail
        self.inner_ = Ridge().fit(X, y)
        return self

    def predict(self, X):
        return self.inner_.predict(X)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4)).astype(np.float32)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64)
    return X, y


def _snapshot(est):
    """Bytes that change when anything of the fitted estimator changes."""
    return pickle.dumps(est)


# Explicit batch size and early stopping: the fault counts below do not follow the defaults.
FAST = dict(max_epochs=4, batch_size=32, early_stopping=False, random_state=0, device="cpu")


def _nets():
    return [MixupClassifier(module=Faulty, **FAST), MixupRegressor(module=Faulty, **FAST)]


def _target(est, y):
    return y.astype(np.float64) if isinstance(est, MixupRegressor) else y


# --------------------------------------------------------------- interrupts
@pytest.mark.parametrize("est", _nets(), ids=lambda e: type(e).__name__)
def test_interrupted_first_fit_propagates_and_leaves_the_estimator_unfitted(est, data):
    est = clone(est)
    X, y = data
    before = dict(vars(est))
    _inject("interrupt")
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, _target(est, y))
    assert vars(est) == before  # no fitted attribute: unfitted as before


@pytest.mark.parametrize("warm", [False, True])
@pytest.mark.parametrize("est", _nets(), ids=lambda e: type(e).__name__)
def test_interrupted_refit_restores_the_previous_model_exactly(est, data, warm):
    est = clone(est)
    X, y = data
    est.set_params(warm_start=warm).fit(X, _target(est, y))
    snapshot, predictions = _snapshot(est), est.predict(X)
    _inject("interrupt")
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, _target(est, y))
    Faulty.mode = None
    assert _snapshot(est) == snapshot
    np.testing.assert_array_equal(est.predict(X), predictions)


def test_a_real_sigint_stops_fit_and_restores(data):
    X, y = data
    clf = MixupClassifier(max_epochs=3, random_state=0, device="cpu").fit(X, y)
    snapshot, params = _snapshot(clf), clf.get_params()
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            clf.set_params(max_epochs=100_000, early_stopping=False).fit(X, y)
    finally:
        timer.cancel()
    clf.set_params(**params)
    assert _snapshot(clf) == snapshot


def test_early_stopping_is_not_mistaken_for_an_interrupt(data):
    X, y = data
    clf = MixupClassifier(
        early_stopping=True,
        n_iter_no_change=1,
        max_epochs=500,
        lr=0.1,
        random_state=0,
        device="cpu",
    ).fit(X, y)
    assert clf.n_iter_ < 500  # skorch's EarlyStopping raised KeyboardInterrupt: a normal end


def test_a_user_callback_may_still_stop_training_the_skorch_way(data):
    X, y = data
    stop = FailingCallback(at=2, error=KeyboardInterrupt)  # skorch's way to end training early
    clf = MixupClassifier(callbacks=[stop], **FAST).fit(X, y)
    assert clf.n_iter_ == 2 and len(clf.loss_curve_) == 2


def test_interrupt_stops_grid_search(data):
    X, y = data
    _inject("interrupt", after=5)
    # 80 training rows a split, batches of 32: 3 forward calls an epoch.
    search = GridSearchCV(MixupClassifier(module=Faulty, **FAST), {"alpha": [0.0, 0.2, 0.4]}, cv=3)
    with pytest.raises(KeyboardInterrupt):
        search.fit(X, y)
    assert Faulty.calls == 6  # stopped at the first fit: no later candidate trained
    assert not hasattr(search, "cv_results_")


@pytest.mark.parametrize("batched", [True, False])
def test_interrupt_stops_the_cv_search_and_restores_it(data, batched, monkeypatch):
    X, y = data
    params = dict(max_epochs=3, random_state=0, device="cpu")
    if batched:
        search = MixupClassifierCV(MixupClassifier(**params), alphas=(0.0, 0.4), cv=2).fit(X, y)
        snapshot = _snapshot(search)
        # A Ctrl-C inside the shared training loop (the stacked net's step).
        from skmixup._stacking import MemberNet

        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(MemberNet, "train_step_single", interrupted)
    else:
        search = MixupClassifierCV(
            MixupClassifier(module=Faulty, **params), alphas=(0.0, 0.4), cv=2
        ).fit(X, y)
        snapshot = _snapshot(search)
        _inject("interrupt", after=5)
    with pytest.raises(KeyboardInterrupt):
        search.fit(X[:100], y[:100])
    Faulty.mode = None
    assert search.batched_ is batched and _snapshot(search) == snapshot


@pytest.mark.parametrize("batched", [True, False])
def test_interrupt_stops_the_seed_ensemble_and_restores_it(data, batched, monkeypatch):
    from skmixup import MixupEnsembleClassifier

    X, y = data
    params = dict(max_epochs=3, random_state=0, device="cpu")
    if batched:
        ensemble = MixupEnsembleClassifier(MixupClassifier(**params), n_estimators=3).fit(X, y)
        snapshot = _snapshot(ensemble)
        from skmixup._stacking import MemberNet

        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(MemberNet, "train_step_single", interrupted)
    else:
        ensemble = MixupEnsembleClassifier(
            MixupClassifier(module=Faulty, **params), n_estimators=3
        ).fit(X, y)
        snapshot = _snapshot(ensemble)
        _inject("interrupt", after=5)  # during the first member's fit
    with pytest.raises(KeyboardInterrupt):
        ensemble.fit(X[:100, :2], y[:100])  # another width: validate_data resets first
    Faulty.mode = None
    assert ensemble.batched_ is batched and _snapshot(ensemble) == snapshot
    ensemble.predict(X)  # still accepts the width it was fitted on


def test_interrupted_meta_estimator_refit_restores(data):
    X, y = data
    est = MixupEstimator(FlakyRegressor(), random_state=0).fit(X, y.astype(float))
    snapshot = _snapshot(est)
    FlakyRegressor.fail = KeyboardInterrupt()
    try:
        with pytest.raises(KeyboardInterrupt):
            est.fit(X[:, :2], y.astype(float))  # another width: validate_data resets first
    finally:
        FlakyRegressor.fail = None
    assert _snapshot(est) == snapshot
    est.predict(X)  # still accepts the width it was fitted on


# ------------------------------------------------------- failed fits
@pytest.mark.parametrize("fault", ["forward", "callback", "diverge"])
@pytest.mark.parametrize("warm", [False, True])
@pytest.mark.parametrize("est", _nets(), ids=lambda e: type(e).__name__)
def test_a_failed_fit_changes_nothing(est, data, fault, warm):
    est = clone(est)
    X, y = data
    if fault == "callback" and warm:  # a warm fit keeps the callbacks of the first fit
        est.set_params(callbacks=[FailingCallback(at=6)])
    est.set_params(warm_start=warm).fit(X, _target(est, y))
    if fault == "callback" and not warm:
        est.set_params(callbacks=[FailingCallback(at=2)])
    snapshot, predictions = _snapshot(est), est.predict(X)
    history = [dict(row) for row in est.net_.history]
    if fault == "callback":
        error = RuntimeError
    else:
        _inject("error" if fault == "forward" else "nan")
        error = RuntimeError if fault == "forward" else ValueError
    with pytest.raises(error):
        est.fit(X, _target(est, y))
    Faulty.mode = None
    assert [dict(row) for row in est.net_.history] == history
    np.testing.assert_array_equal(est.predict(X), predictions)
    assert np.isfinite(est.predict(X)).all()
    assert _snapshot(est) == snapshot


@pytest.mark.parametrize("module", [None, Faulty])
def test_failed_cv_refit_changes_nothing(data, module, monkeypatch):
    X, y = data
    search = MixupClassifierCV(
        MixupClassifier(module=module, max_epochs=3, random_state=0, device="cpu"),
        alphas=(0.0, 0.4),
        cv=2,
    ).fit(X, y)
    snapshot = _snapshot(search)
    if module is None:  # batched: the refits train alongside the splits, in fit_members

        def failing(*args, **kwargs):
            raise RuntimeError("injected refit fault")

        monkeypatch.setattr("skmixup._cv.fit_members", failing)

    class FailingRefit:  # what skmixup._cv's clone(base) returns for the refit only
        def __init__(self, base):
            self.base = base

        def set_params(self, **params):
            return self

        def fit(self, X, y, **fit_params):
            raise RuntimeError("injected refit fault")

    if module is not None:  # one fit per candidate (GridSearchCV), then clone(base) for the refit
        # The base is cloned in skmixup._metaestimators.copy_of: skmixup._cv's clone is the refit.
        monkeypatch.setattr("skmixup._cv.clone", FailingRefit)
    with pytest.raises(RuntimeError, match="injected"):
        search.fit(X[:, :3], y)  # the search on 3 columns runs, the refit fails
    monkeypatch.undo()
    assert _snapshot(search) == snapshot
    search.predict(X)  # the width it was fitted on


def test_failed_meta_estimator_refit_changes_nothing(data):
    X, y = data
    est = MixupEstimator(FlakyRegressor(), random_state=0).fit(X, y.astype(float))
    snapshot = _snapshot(est)
    FlakyRegressor.fail = RuntimeError("injected")
    try:
        with pytest.raises(RuntimeError):
            est.fit(X[:, :3], y.astype(float))
    finally:
        FlakyRegressor.fail = None
    assert _snapshot(est) == snapshot
    est.predict(X)


# ------------------------------------------- no training data in the model
def _rows_in(blob, X):
    return sum(row.tobytes() in blob for row in X)


@pytest.mark.parametrize("kwargs", [{}, {"partners": "knn"}], ids=["default", "knn"])
def test_a_pickled_default_model_holds_no_training_row(data, kwargs):
    X, y = data
    clf = MixupClassifier(
        max_epochs=3, early_stopping=True, random_state=0, device="cpu", **kwargs
    ).fit(X, y)
    assert hasattr(clf, "validation_loss_curve_")  # early stopping held rows out
    assert _rows_in(pickle.dumps(clf), X) == 0


def test_warm_fit_with_early_stopping_holds_out_the_new_data(data):
    X, y = data
    clf = MixupClassifier(**{**FAST, "early_stopping": True}, warm_start=True).fit(X, y)
    clf.fit(X[:60], y[:60])
    assert len(clf.validation_loss_curve_) == clf.n_iter_ == 8
    assert _rows_in(pickle.dumps(clf), X) == 0


# ---------------------------------------------------------- hostile files
class _Payload:
    """Unpickling this creates ``marker``: proof that a loader ran code from a file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _write_cifar(folder, n=4):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        with open(folder / name, "wb") as f:
            pickle.dump(
                {
                    b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                    b"labels": rng.integers(0, 10, n).tolist(),
                },
                f,
                protocol=2,
            )
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({b"label_names": [f"c{i}".encode() for i in range(10)]}, f, protocol=2)


@pytest.mark.parametrize("where", ["whole", "data", "labels"])
def test_a_crafted_cifar_batch_runs_nothing(tmp_path, where):
    folder = tmp_path / "cifar"
    _write_cifar(folder)
    marker = tmp_path / "pwned"
    payload = _Payload(str(marker))
    batch = {b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 1]}
    if where == "whole":
        batch = payload
    else:
        batch[where.encode()] = payload
    with open(folder / "data_batch_3", "wb") as f:
        pickle.dump(batch, f, protocol=2)
    with pytest.raises(ValueError, match="data_batch_3"):
        load_cifar10(folder)
    assert not marker.exists()


def test_cifar_batches_made_of_plain_values_still_load(tmp_path):
    _write_cifar(tmp_path / "cifar")
    X_train, X_test, y_train, y_test = load_cifar10(tmp_path / "cifar", return_X_y=True)
    assert X_train.shape == (20, 3, 32, 32) and y_test.shape == (4,)


def test_a_truncated_cifar_batch_is_named(tmp_path):
    folder = tmp_path / "cifar"
    _write_cifar(folder)
    raw = (folder / "test_batch").read_bytes()
    (folder / "test_batch").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="test_batch"):
        load_cifar10(folder)


def _idx(shape, payload=b""):
    return bytes([0, 0, 0x08, len(shape)]) + struct.pack(f">{len(shape)}I", *shape) + payload


@pytest.mark.parametrize("shape", [(2**31, 2**31, 4), (2**32 - 1, 2**32 - 1, 2**32 - 1)])
@pytest.mark.parametrize("gz", [False, True])
def test_an_idx_header_that_overflows_is_refused(tmp_path, gz, shape):
    # 2**31 * 2**31 * 4 is 0 in int64 arithmetic: an empty payload matched that length.
    raw = _idx(shape)
    path = tmp_path / ("forged.idx.gz" if gz else "forged.idx")
    path.write_bytes(gzip.compress(raw) if gz else raw)
    with pytest.raises(ValueError, match="forged.idx"):
        read_idx(path)


def test_a_corrupt_gzip_idx_file_is_named(tmp_path):
    raw = gzip.compress(_idx((2, 2), bytes(4)))
    path = tmp_path / "broken.gz"
    path.write_bytes(raw[:10] + bytes(len(raw) - 10))
    with pytest.raises(ValueError, match="broken.gz"):
        read_idx(path)


def test_corrupt_fashion_mnist_file_is_named_before_decompression(tmp_path):
    from skmixup.datasets import fetch_fashion_mnist
    from skmixup.datasets._images import FASHION_MNIST_FILES

    folder = tmp_path / "images" / "fashion-mnist"
    folder.mkdir(parents=True)
    for name in FASHION_MNIST_FILES:
        (folder / f"{name}.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz"):
        fetch_fashion_mnist(tmp_path, subset="test", download_if_missing=False)


def test_experiments_read_uci_files_through_the_checked_loaders(tmp_path, shared_data):
    from experiments.ablation import run_uci

    source = shared_data("uci/iris/bezdekIris.data") / "uci" / "iris" / "bezdekIris.data"
    folder = tmp_path / "uci" / "iris"
    folder.mkdir(parents=True)
    (folder / "bezdekIris.data").write_bytes(source.read_bytes().replace(b"5.1", b"9.9", 1))
    with pytest.raises(ValueError, match="sha256"):
        run_uci(tmp_path / "out" / "uci.csv", datasets=("iris",), data_home=tmp_path)


# -------------------------------------------------------- threads and RNG
def _fit_proba(params, X, y):
    return MixupClassifier(**params).fit(X, y).predict_proba(X)


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_two_threads_give_the_sequential_models_and_leave_the_rng_alone(data, dropout):
    X, y = data
    params = [dict(max_epochs=3, dropout=dropout, random_state=s, device="cpu") for s in (1, 2)]
    expected = [_fit_proba(p, X, y) for p in params]
    torch.manual_seed(123)
    np.random.seed(123)
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()[1].copy()
    results = [None, None]

    def work(i):
        for _ in range(2):
            results[i] = _fit_proba(params[i], X, y)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, want in zip(results, expected):
        np.testing.assert_array_equal(got, want)
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)


def test_grid_search_on_the_threading_backend_matches_sequential(data):
    X, y = data
    grid = {"alpha": [0.0, 0.4], "dropout": [0.0, 0.2]}
    search = GridSearchCV(MixupClassifier(max_epochs=3, random_state=0, device="cpu"), grid, cv=2)
    sequential = clone(search).fit(X, y).cv_results_
    torch_state = torch.get_rng_state()
    with parallel_backend("threading", n_jobs=2):
        threaded = clone(search).set_params(n_jobs=2).fit(X, y).cv_results_
    for key in ("split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(threaded[key], sequential[key])
    assert torch.equal(torch.get_rng_state(), torch_state)


@pytest.mark.parametrize(
    "est",
    [
        MixupClassifier(max_epochs=2, device="cpu"),
        MixupRegressor(max_epochs=2, device="cpu"),
        MixupClassifierCV(MixupClassifier(max_epochs=2, device="cpu"), alphas=(0.0, 0.4), cv=2),
        MixupEstimator(LogisticRegression()),
    ],
    ids=lambda e: type(e).__name__,
)
def test_random_state_none_leaves_the_global_rngs_alone(est, data):
    est = clone(est)
    X, y = data
    y = _target(est, y)
    np.random.seed(7)
    torch.manual_seed(7)
    numpy_state, torch_state = np.random.get_state()[1].copy(), torch.get_rng_state()
    est.fit(X, y)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


# ------------------------------------------------------------ clear errors
class WrongWidth(nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.linear = nn.Linear(n_features, 5)

    def forward(self, x):
        return self.linear(x)


@pytest.mark.parametrize(
    "est",
    [MixupClassifier(module=WrongWidth, **FAST), MixupRegressor(module=WrongWidth, **FAST)],
    ids=lambda e: type(e).__name__,
)
def test_module_output_shape_is_checked_on_the_first_batch(est, data):
    est = clone(est)
    X, y = data
    with pytest.raises(ValueError, match=r"outputs of shape \(32, 5\).*targets have shape"):
        est.fit(X, _target(est, y))
    assert not hasattr(est, "net_")


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"module_params": {"bogus": 1}}, ValueError, "bogus.*not parameters of the built-in MLP"),
        (
            {"module": Faulty, "module_params": {"bogus": 1}},
            ValueError,
            "bogus.*not parameters of Faulty",
        ),
        (
            {"hidden_layer_sizes": (-1,)},
            ValueError,
            "hidden_layer_sizes must be a sequence of positive",
        ),
        ({"hidden_layer_sizes": (16, 0)}, ValueError, "hidden_layer_sizes"),
        ({"hidden_layer_sizes": "128"}, ValueError, "hidden_layer_sizes"),
        ({"device": "bogus"}, ValueError, "not a device torch knows"),
        ({"callbacks": [object()]}, TypeError, "skorch callbacks"),
        ({"callbacks": [("name", 3)]}, TypeError, "skorch callbacks"),
    ],
)
def test_bad_parameters_get_clear_errors_before_training(params, error, match, data):
    X, y = data
    for est in (MixupClassifier(**{**FAST, **params}), MixupRegressor(**{**FAST, **params})):
        with pytest.raises(error, match=match):
            est.fit(X, _target(est, y))
        assert not hasattr(est, "n_features_in_")


@pytest.mark.skipif(torch.cuda.is_available(), reason="the machine has CUDA")
@pytest.mark.parametrize(
    "est",
    [
        MixupClassifier(device="cuda"),
        MixupClassifierCV(MixupClassifier(device="cuda"), alphas=(0.0,), cv=2),
    ],
    ids=lambda e: type(e).__name__,
)
def test_cuda_without_cuda_is_a_clear_error(est, data):
    est = clone(est)
    X, y = data
    with pytest.raises(ValueError, match="no cuda device available.*device='auto'"):
        est.fit(X, y)


def test_module_params_reach_the_built_in_cnn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 1, 8, 8)).astype(np.float32)
    clf = MixupClassifier(module_params={"width": 4}, max_epochs=1, random_state=0, device="cpu")
    clf.fit(X, np.arange(20) % 2)
    assert clf.net_.module_.features[0].out_channels == 4


@pytest.mark.parametrize(
    "est",
    [MixupRegressor(max_epochs=1, device="cpu"), MixupEstimator(Ridge())],
    ids=lambda e: type(e).__name__,
)
def test_regressors_refuse_string_targets_clearly(est, data):
    est = clone(est)
    X, _ = data
    with pytest.raises(ValueError, match="numeric"):
        est.fit(X, np.array(["a", "b"] * 60))


def test_uint8_tables_are_not_scaled(data):
    X, y = data
    table = np.random.default_rng(0).integers(0, 256, size=X.shape).astype(np.uint8)
    a = MixupClassifier(**FAST).fit(table, y)
    b = MixupClassifier(**FAST).fit(table.astype(np.int64), y)
    assert a.input_scale_ == 1.0
    np.testing.assert_array_equal(a.predict_proba(table), b.predict_proba(table.astype(np.int64)))
    np.testing.assert_array_equal(a.predict_proba(table), a.predict_proba(table.astype(np.float32)))


def test_uint8_images_are_scaled_the_same_way_at_predict_for_any_dtype():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(20, 1, 8, 8)).astype(np.uint8)
    y = np.arange(20) % 2
    clf = MixupClassifier(module_params={"width": 4}, **FAST).fit(images, y)
    assert clf.input_scale_ == pytest.approx(1 / 255)
    expected = clf.predict_proba(images)
    for dtype in (np.int64, np.float32, np.float64):
        np.testing.assert_array_equal(clf.predict_proba(images.astype(dtype)), expected)


# ------------------------------------------ predictions and batch composition
@pytest.mark.parametrize(
    "est", [MixupClassifier(**FAST), MixupRegressor(**FAST)], ids=lambda e: type(e).__name__
)
def test_predictions_do_not_depend_on_the_other_rows(est, data):
    est = clone(est)
    X, y = data
    rng = np.random.default_rng(1)
    X = np.concatenate([X] * 5)  # 600 rows: several chunks
    est.fit(X, _target(est, np.concatenate([y] * 5)))
    predict = est.predict_proba if hasattr(est, "predict_proba") else est.predict
    full = predict(X)
    for rows in (
        rng.permutation(600)[:37],
        np.arange(1),
        np.arange(255, 260),
        rng.permutation(600),
    ):
        np.testing.assert_array_equal(predict(X[rows]), full[rows])
    single = np.concatenate([predict(X[i : i + 1]) for i in range(0, 600, 97)])
    np.testing.assert_array_equal(single, full[::97])


def test_image_predictions_do_not_depend_on_the_other_images():
    rng = np.random.default_rng(0)
    images = rng.normal(size=(70, 1, 8, 8)).astype(np.float32)
    clf = MixupClassifier(module_params={"width": 4}, **FAST).fit(images, np.arange(70) % 3)
    full = clf.predict_proba(images)
    for rows in (np.arange(1), np.arange(30, 35), rng.permutation(70)):
        np.testing.assert_array_equal(clf.predict_proba(images[rows]), full[rows])
