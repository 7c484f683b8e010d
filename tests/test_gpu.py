"""The GPU path: mixed precision, torch.compile, streaming from host memory, CUDA pickles.

What can run on a CPU runs everywhere (bf16 autocast, the streaming logic without
pinned memory, loading a model fitted on a GPU); the CUDA branches are marked
``gpu`` and skipped without CUDA.
"""

import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

import skmixup._net
from skmixup import MixupClassifier
from skmixup._net import StreamedBatches, TensorBatches, fits_on_device, place_data

DATA = Path(__file__).parent / "data"
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def _params(clf):
    return [p.detach().cpu() for p in clf.net_.module_.parameters()]


# ------------------------------------------------------------------ CPU-runnable
def test_bf16_autocast_runs_the_forward_in_bf16(blobs):
    X, y = blobs
    clf = MixupClassifier(precision="bf16", device="cpu", max_epochs=15, random_state=0)
    seen = []
    clf.fit(X, y)
    hook = clf.net_.module_.layers[0].register_forward_hook(
        lambda module, inputs, output: seen.append(output.dtype)
    )
    proba = clf.predict_proba(X)
    hook.remove()
    assert seen and set(seen) == {torch.bfloat16}
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert clf.score(X, y) > 0.9
    assert np.isfinite(clf.loss_curve_).all()


def test_bf16_changes_the_model_float32_does_not(blobs):
    X, y = blobs
    base = dict(device="cpu", max_epochs=3, random_state=0)
    ref = _params(MixupClassifier(**base).fit(X, y))
    same = _params(MixupClassifier(precision=None, **base).fit(X, y))
    bf16 = _params(MixupClassifier(precision="bf16", **base).fit(X, y))
    assert all(torch.equal(a, b) for a, b in zip(ref, same))
    assert not all(torch.equal(a, b) for a, b in zip(ref, bf16))
    # ... but stays close: bf16 keeps about 3 significant digits in the matmuls.
    assert max((a - b).abs().max().item() for a, b in zip(ref, bf16)) < 0.05


def test_fp16_uses_a_grad_scaler(blobs):
    X, y = blobs
    clf = MixupClassifier(precision="fp16", device="cpu", max_epochs=10, random_state=0)
    try:
        clf.fit(X, y)
    except RuntimeError as exc:  # a CPU build without float16 autocast kernels
        pytest.skip(f"float16 autocast not supported on this CPU build: {exc}")
    assert clf.net_.grad_scaler_.is_enabled()
    assert clf.score(X, y) > 0.9


def test_precision_is_validated(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="precision"):
        MixupClassifier(precision="fp8", device="cpu").fit(X, y)


def test_streamed_batches_are_the_in_memory_batches():
    # Same generator state, same permutation: streaming changes where data lives, not batches.
    X = torch.randn(103, 4)
    y = torch.randn(103, 2)
    streamed = StreamedBatches(
        X, y, 16, "cpu", shuffle=True, generator=torch.Generator().manual_seed(3), pin_memory=False
    )
    in_memory = TensorBatches(X, y, 16, shuffle=True, generator=torch.Generator().manual_seed(3))
    assert len(streamed) == len(in_memory) == 7
    for _ in range(2):  # two epochs: both draw a fresh permutation
        pairs = list(zip(streamed, in_memory))
        assert len(pairs) == 7
        for (xs, ys), (xm, ym) in pairs:
            assert torch.equal(xs, xm) and torch.equal(ys, ym)


def test_streamed_batches_in_order_without_y():
    X = torch.arange(10.0)[:, None]
    batches = list(StreamedBatches(X, None, 4, "cpu", pin_memory=False))
    assert [b[1] for b in batches] == [None] * 3
    assert torch.equal(torch.cat([b[0] for b in batches]), X)


def test_data_fits_anywhere_off_cuda():
    assert fits_on_device(10**15, "cpu")
    X, y = place_data(np.zeros((5, 2), np.float32), np.ones((5, 1), np.float32), "cpu")
    assert X.device.type == y.device.type == "cpu"


def test_fit_streams_when_the_data_does_not_fit(blobs, monkeypatch):
    # Force the streaming branch (it runs on a CPU with plain, unpinned batches): the fitted
    # model is the in-memory one, bit for bit.
    X, y = blobs
    params = dict(device="cpu", max_epochs=3, batch_size=16, random_state=0)
    ref = _params(MixupClassifier(**params).fit(X, y))
    kinds = []
    original = skmixup._net.MixupNet.get_iterator

    def spy(self, dataset, training=False):
        iterator = original(self, dataset, training)
        kinds.append(type(iterator))
        return iterator

    monkeypatch.setattr(skmixup._net, "fits_on_device", lambda *args, **kwargs: False)
    monkeypatch.setattr(skmixup._net.MixupNet, "get_iterator", spy)
    streamed = MixupClassifier(**params).fit(X, y)
    assert set(kinds) == {StreamedBatches}
    assert all(torch.equal(a, b) for a, b in zip(ref, _params(streamed)))
    assert streamed.score(X, y) > 0.5


def test_gpu_fitted_model_loads_and_predicts_on_any_machine():
    # Trained on an H100 (tests/data/retag_gpu_pickle.py says how the file was written);
    # skorch maps its CUDA storages to the CPU when no GPU is present.
    path = DATA / "gpu_fitted_iris.pkl"
    expected = np.load(DATA / "gpu_fitted_iris_pred.npy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no CUDA devices are available" on CPU machines
        with open(path, "rb") as f:
            clf = pickle.load(f)
    X, _ = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    np.testing.assert_array_equal(clf.predict(X), expected)
    assert isinstance(clf, MixupClassifier)


def test_module_is_pickled_with_module_(blobs):
    # MixupNet gets its module as an instance, so net.module is net.module_; both must go
    # through skorch's device-mapping pickling (else a GPU-fitted model fails to load on a CPU).
    X, y = blobs
    clf = MixupClassifier(device="cpu", max_epochs=1, random_state=0).fit(X, y)
    assert clf.net_.module is clf.net_.module_
    assert "module" not in clf.net_.__getstate__()
    clone = pickle.loads(pickle.dumps(clf))
    assert clone.net_.module is clone.net_.module_
    np.testing.assert_array_equal(clone.predict(X), clf.predict(X))


@pytest.mark.slow
def test_compile_on_cpu(blobs):
    X, y = blobs
    clf = MixupClassifier(compile=True, device="cpu", max_epochs=3, random_state=0).fit(X, y)
    ref = MixupClassifier(device="cpu", max_epochs=3, random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), ref.predict_proba(X), atol=1e-4)


# ------------------------------------------------------------------------- CUDA
@pytest.mark.gpu
@needs_cuda
def test_auto_device_trains_on_cuda_with_data_moved_once(blobs, monkeypatch):
    X, y = blobs
    sources = []
    original = skmixup._net.MixupNet.get_iterator

    def spy(self, dataset, training=False):
        if training:
            sources.append(dataset.X.device.type)
        return original(self, dataset, training)

    monkeypatch.setattr(skmixup._net.MixupNet, "get_iterator", spy)
    clf = MixupClassifier(max_epochs=5, random_state=0).fit(X, y)
    assert next(clf.net_.module_.parameters()).device.type == "cuda"
    # skorch asks for the training iterator once per fit; the data is already on the GPU then,
    # so no epoch copies it again.
    assert sources == ["cuda"]
    assert clf.score(X, y) > 0.9


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_mixed_precision_on_cuda(blobs, precision):
    X, y = blobs
    clf = MixupClassifier(precision=precision, device="cuda", max_epochs=15, random_state=0)
    clf.fit(X, y)
    assert clf.net_.grad_scaler_.is_enabled() == (precision == "fp16")
    assert clf.score(X, y) > 0.9
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clone.predict(X), clf.predict(X))


@pytest.mark.gpu
@needs_cuda
def test_compile_on_cuda(blobs):
    X, y = blobs
    clf = MixupClassifier(compile=True, device="cuda", max_epochs=3, random_state=0).fit(X, y)
    ref = MixupClassifier(device="cuda", max_epochs=3, random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), ref.predict_proba(X), atol=1e-3)


@pytest.mark.gpu
@needs_cuda
def test_pinned_streaming_on_cuda(blobs, monkeypatch):
    X = torch.randn(1000, 5)
    y = torch.randn(1000, 3)
    streamed = StreamedBatches(
        X.pin_memory(),
        y.pin_memory(),
        64,
        "cuda",
        shuffle=True,
        generator=torch.Generator("cuda").manual_seed(1),
    )
    in_memory = TensorBatches(
        X.cuda(), y.cuda(), 64, shuffle=True, generator=torch.Generator("cuda").manual_seed(1)
    )
    for (xs, ys), (xm, ym) in zip(streamed, in_memory):
        assert xs.device.type == "cuda" and xs.is_contiguous()
        assert torch.equal(xs, xm) and torch.equal(ys, ym)
    # A fit that streams (forced) trains the same model as one with the data on the GPU.
    Xb, yb = blobs
    params = dict(device="cuda", max_epochs=3, batch_size=16, random_state=0)
    ref = _params(MixupClassifier(**params).fit(Xb, yb))
    monkeypatch.setattr(skmixup._net, "fits_on_device", lambda *args, **kwargs: False)
    Xp, _ = place_data(Xb, None, "cuda")
    assert Xp.is_pinned()
    streamed = _params(MixupClassifier(**params).fit(Xb, yb))
    for a, b in zip(ref, streamed):
        torch.testing.assert_close(a, b)


@pytest.mark.gpu
@needs_cuda
def test_batched_alpha_search_on_cuda(blobs):
    # Not yet run on a GPU when written: the ensemble's generators, fused Adam and scoring
    # on CUDA tensors. GPU kernels round differently from the CPU: compare loosely.
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from skmixup import MixupClassifierCV

    X, y = blobs
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    params = dict(max_epochs=4, batch_size=16, device="cuda", random_state=0)
    search = MixupClassifierCV(MixupClassifier(**params), alphas=[0.0, 0.4], cv=folds).fit(X, y)
    grid = GridSearchCV(MixupClassifier(**params), {"alpha": [0.0, 0.4]}, cv=folds).fit(X, y)
    assert search.batched_
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], grid.cv_results_["mean_test_score"], atol=0.02
    )
    assert next(search.best_estimator_.net_.module_.parameters()).device.type == "cuda"
