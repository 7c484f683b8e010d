"""skmixup.save / skmixup.load: the safe format (safetensors + JSON, no pickle)."""

import json
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from safetensors import safe_open
from safetensors.numpy import load_file, save_file
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

import skmixup
from skmixup import MixupClassifier, MixupClassifierCV, MixupEstimator, MixupRegressor

from .conftest import REPO


class TwoLayer(nn.Module):
    """A custom network, importable as tests.test_persist.TwoLayer."""

    def __init__(self, n_features, n_outputs, width=8):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_features, width), nn.Tanh(), nn.Linear(width, n_outputs)
        )

    def forward(self, x):
        return self.net(x)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 4)).astype(np.float32)
    labels = np.array(["cat", "dog", "emu"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]
    return X, labels, (2 * X[:, 0] - X[:, 2]).astype(np.float64)


def _fitted(data):
    X, labels, target = data
    fast = dict(max_epochs=3, random_state=0, device="cpu")
    return {
        "classifier": MixupClassifier(**fast).fit(X, labels),
        "regressor": MixupRegressor(**fast).fit(X, np.c_[target, -target]),
        "cv": MixupClassifierCV(MixupClassifier(**fast), alphas=(0.0, 0.4), cv=2).fit(X, labels),
        "cv_fallback": MixupClassifierCV(
            MixupClassifier(early_stopping=True, **fast), alphas=(0.0, 0.4), cv=2
        ).fit(X, labels),
        "meta_classifier": MixupEstimator(
            make_pipeline(StandardScaler(), LogisticRegression()), random_state=0
        ).fit(X, labels),
        "meta_regressor": MixupEstimator(Ridge(), random_state=0).fit(X, target),
        "custom_module": MixupClassifier(module=TwoLayer, module_params={"width": 5}, **fast).fit(
            X, labels
        ),
    }


def _outputs(est, X):
    out = [est.predict(X)]
    if hasattr(est, "predict_proba"):
        out.append(est.predict_proba(X))
    return out


@pytest.fixture(scope="module")
def fitted(data):
    return _fitted(data)


@pytest.mark.parametrize(
    "name",
    [
        "classifier",
        "regressor",
        "cv",
        "cv_fallback",
        "meta_classifier",
        "meta_regressor",
        "custom_module",
    ],
)
def test_round_trip_in_this_process(fitted, data, name, tmp_path):
    X = data[0]
    est = fitted[name]
    path = tmp_path / "model.skmixup"
    skmixup.save(est, path)
    trusted = ["tests.test_persist.TwoLayer"] if name == "custom_module" else None
    loaded = skmixup.load(path, trusted=trusted)
    assert type(loaded) is type(est)
    assert loaded.get_params().keys() == est.get_params().keys()
    for a, b in zip(_outputs(loaded, X), _outputs(est, X)):
        np.testing.assert_array_equal(a, b)
    if hasattr(est, "net_"):
        assert len(loaded.net_.history) == len(est.net_.history)
        assert loaded.loss_curve_ == est.loss_curve_


def test_round_trip_in_a_fresh_process_is_bit_identical(fitted, data, tmp_path):
    X = data[0]
    names = ["classifier", "regressor", "cv", "meta_classifier", "meta_regressor"]
    for name in names:
        skmixup.save(fitted[name], tmp_path / f"{name}.skmixup")
    np.save(tmp_path / "X.npy", X)
    script = textwrap.dedent(f"""
        import numpy as np, skmixup
        X = np.load({str(tmp_path / "X.npy")!r})
        for name in {names!r}:
            est = skmixup.load({str(tmp_path)!r} + "/" + name + ".skmixup")
            np.save({str(tmp_path)!r} + "/" + name + ".npy", est.predict(X))
            if hasattr(est, "predict_proba"):
                np.save({str(tmp_path)!r} + "/" + name + "_proba.npy", est.predict_proba(X))
    """)
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO)
    for name in names:
        est = fitted[name]
        assert np.load(tmp_path / f"{name}.npy").tobytes() == est.predict(X).tobytes()
        if hasattr(est, "predict_proba"):
            assert (
                np.load(tmp_path / f"{name}_proba.npy").tobytes() == est.predict_proba(X).tobytes()
            )


@pytest.mark.parametrize("params", [{}, {"lr_schedule": "cosine", "batch_size": "auto"}])
def test_warm_start_after_load_continues_as_without_saving(data, tmp_path, params):
    X, labels, _ = data
    a = MixupClassifier(
        max_epochs=3, warm_start=True, random_state=0, device="cpu", early_stopping=False, **params
    ).fit(X, labels)
    skmixup.save(a, tmp_path / "a.skmixup")
    b = skmixup.load(tmp_path / "a.skmixup")
    a.fit(X, labels)
    b.fit(X, labels)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.n_iter_ == b.n_iter_ == 6


def test_unfitted_estimators_round_trip(tmp_path):
    est = MixupClassifier(alpha=0.3, hidden_layer_sizes=(7,), optimizer=torch.optim.SGD)
    skmixup.save(est, tmp_path / "u.skmixup")
    loaded = skmixup.load(tmp_path / "u.skmixup")
    assert loaded.get_params() == est.get_params()


def test_the_file_is_plain_safetensors_and_loads_without_pickle(
    fitted, data, tmp_path, monkeypatch
):
    X = data[0]
    path = tmp_path / "model.skmixup"
    skmixup.save(fitted["classifier"], path)
    raw = path.read_bytes()

    def no_pickle(*args, **kwargs):
        raise AssertionError("pickle used while loading")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, no_pickle)
    monkeypatch.setattr(torch, "load", no_pickle)
    loaded = skmixup.load(path)
    np.testing.assert_array_equal(loaded.predict(X), fitted["classifier"].predict(X))
    monkeypatch.undo()
    tensors = load_file(path)
    width = fitted["classifier"].hidden_layer_sizes[0]
    assert any(t.shape == (width, 4) for t in tensors.values())  # the first layer's weights
    assert sum(row.tobytes() in raw for row in X) == 0  # no training row
    with safe_open(str(path), framework="numpy") as f:
        state = json.loads(f.metadata()["state"])
    assert state["cls"] == "skmixup._classifier:MixupClassifier"


def test_custom_module_needs_to_be_trusted(fitted, tmp_path):
    path = tmp_path / "custom.skmixup"
    skmixup.save(fitted["custom_module"], path)
    with pytest.raises(ValueError, match=r"tests\.test_persist\.TwoLayer.*trusted="):
        skmixup.load(path)


def test_things_that_cannot_be_saved_safely_are_refused(data, tmp_path):
    X, labels, _ = data
    instance = MixupClassifier(module=TwoLayer(4, 3), max_epochs=1, device="cpu")
    with pytest.raises(TypeError, match="module instance"):
        skmixup.save(instance, tmp_path / "x.skmixup")
    local = MixupEstimator(LogisticRegression(), random_state=np.random.RandomState(0))
    with pytest.raises(TypeError, match="random_state"):
        skmixup.save(local, tmp_path / "x.skmixup")
    assert not (tmp_path / "x.skmixup").exists()


# --------------------------------------------------------------- tampering
class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _nodes(node, path=()):
    """Every (path, value) of a JSON document."""
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _nodes(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _nodes(v, path + (i,))


def _replace(doc, path, value):
    if not path:
        return value
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def _rewrite(path, out, state=None, tensors=None, metadata=None):
    with safe_open(str(path), framework="numpy") as f:
        meta = dict(f.metadata())
        arrays = {k: f.get_tensor(k) for k in f.keys()}
    if state is not None:
        meta["state"] = state
    meta.update(metadata or {})
    arrays.update(tensors or {})
    save_file(arrays, str(out), metadata=meta)


@pytest.mark.parametrize("name", ["classifier", "cv", "meta_classifier"])
def test_a_pickle_payload_in_any_field_runs_nothing(fitted, name, tmp_path):
    path = tmp_path / "model.skmixup"
    skmixup.save(fitted[name], path)
    with safe_open(str(path), framework="numpy") as f:
        original = json.loads(f.metadata()["state"])
    marker = tmp_path / "pwned"
    blob = pickle.dumps(_Payload(str(marker)))
    payloads = [
        blob.decode("latin1"),
        {"t": "object", "cls": "builtins:open", "state": {}},
        {"t": "type", "v": "os:system"},
        {"t": "pickle", "v": blob.hex()},
    ]
    paths = [p for p, _ in _nodes(original)]
    refused = 0
    for i, where in enumerate(paths[:: max(1, len(paths) // 150)]):
        for payload in payloads:
            doc = _replace(json.loads(json.dumps(original)), where, payload)
            out = tmp_path / f"t{i}.skmixup"
            _rewrite(path, out, state=json.dumps(doc))
            try:
                skmixup.load(out)
            except (ValueError, TypeError) as exc:
                refused += 1
                assert str(out) in str(exc) and "refused" in str(exc) or "trusted" in str(exc)
            assert not marker.exists()
    assert refused > 0


def test_raw_pickle_bytes_instead_of_the_state_are_refused(fitted, tmp_path):
    path = tmp_path / "model.skmixup"
    skmixup.save(fitted["classifier"], path)
    marker = tmp_path / "pwned"
    blob = pickle.dumps(_Payload(str(marker)))
    _rewrite(path, tmp_path / "bad.skmixup", state=blob.decode("latin1"))
    with pytest.raises(ValueError, match="bad.skmixup"):
        skmixup.load(tmp_path / "bad.skmixup")
    (tmp_path / "raw.skmixup").write_bytes(blob)
    with pytest.raises(ValueError, match="raw.skmixup"):
        skmixup.load(tmp_path / "raw.skmixup")
    assert not marker.exists()


def test_weights_of_the_wrong_shape_are_refused(fitted, tmp_path):
    path = tmp_path / "model.skmixup"
    skmixup.save(fitted["classifier"], path)
    with safe_open(str(path), framework="numpy") as f:
        state = json.loads(f.metadata()["state"])
    key = state["net"]["weights"]["layers.0.weight"]["key"]
    _rewrite(path, tmp_path / "bad.skmixup", tensors={key: np.zeros((3, 3), np.float32)})
    with pytest.raises(ValueError, match="bad.skmixup"):
        skmixup.load(tmp_path / "bad.skmixup")


def test_a_file_of_another_kind_is_refused(tmp_path):
    save_file({"w": np.zeros(3, np.float32)}, str(tmp_path / "other.safetensors"))
    with pytest.raises(ValueError, match="not a skmixup file"):
        skmixup.load(tmp_path / "other.safetensors")


@pytest.mark.gpu
def test_a_gpu_fitted_model_loads_on_the_cpu(data, tmp_path):
    X, labels, _ = data
    est = MixupClassifier(max_epochs=3, random_state=0, device="cuda").fit(X, labels)
    skmixup.save(est, tmp_path / "gpu.skmixup")
    loaded = skmixup.load(tmp_path / "gpu.skmixup", device="cpu")
    assert loaded.net_.device == "cpu"
    np.testing.assert_allclose(loaded.predict_proba(X), est.predict_proba(X), atol=1e-5)
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))


def test_dataframes_and_callbacks_round_trip(data, tmp_path):
    import pandas as pd
    from skorch.callbacks import LRScheduler

    X, labels, _ = data
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    est = MixupClassifier(
        max_epochs=3,
        random_state=0,
        device="cpu",
        warm_start=True,
        callbacks=[LRScheduler("StepLR", step_size=2)],
        lr_schedule="constant",
    ).fit(frame, labels)
    skmixup.save(est, tmp_path / "df.skmixup")
    loaded = skmixup.load(tmp_path / "df.skmixup")
    assert list(loaded.feature_names_in_) == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(loaded.predict_proba(frame), est.predict_proba(frame))
    assert isinstance(loaded.callbacks[0], LRScheduler) and loaded.callbacks[0].policy == "StepLR"
    est.fit(frame, labels)
    loaded.fit(frame, labels)
    np.testing.assert_array_equal(loaded.predict_proba(frame), est.predict_proba(frame))


def test_untrusted_skorch_callbacks_are_refused(data, tmp_path):
    from skorch.callbacks import Checkpoint

    X, labels, _ = data
    est = MixupClassifier(callbacks=[Checkpoint(dirname=str(tmp_path / "ckpt"))])
    skmixup.save(est, tmp_path / "ckpt.skmixup")
    with pytest.raises(ValueError, match="skorch.callbacks.training.Checkpoint.*trusted"):
        skmixup.load(tmp_path / "ckpt.skmixup")
    loaded = skmixup.load(
        tmp_path / "ckpt.skmixup", trusted=["skorch.callbacks.training.Checkpoint"]
    )
    assert loaded.callbacks[0].dirname == str(tmp_path / "ckpt")


def test_the_file_stores_what_the_plan_decided(data, tmp_path):
    X, y, _ = data
    clf = MixupClassifier(max_epochs=3, early_stopping=True, random_state=0).fit(X, y)
    skmixup.save(clf, tmp_path / "clf.skmixup")
    with safe_open(str(tmp_path / "clf.skmixup"), framework="numpy") as f:
        state = json.loads(f.metadata()["state"])
    stored = {pair[0]: pair[1] for pair in state["net"]["plan"]["v"]}
    n_valid = int(np.ceil(0.1 * len(y)))
    assert stored == {
        "seed": clf.net_.seed,
        "n_outputs": 3,
        "weighted": False,
        "early_stopping": True,
        "n_train": len(y) - n_valid,  # the rows the batch size and schedule came from
        "schedule": True,
        "incremental": False,
    }
    loaded = skmixup.load(tmp_path / "clf.skmixup")
    assert loaded.net_.batch_size == clf.net_.batch_size
    assert [n for n, _ in loaded.net_.callbacks_] == [n for n, _ in clf.net_.callbacks_]


def test_partial_fit_after_load_continues_as_without_saving(data, tmp_path):
    # A partial fit's net has no lr schedule and no bar; its plan says so, and the loaded
    # net is rebuilt as it was (before the one plan, load added the fit's cosine schedule).
    X, y, _ = data
    clf = MixupClassifier(batch_size=16, random_state=0, verbose=1)
    clf.partial_fit(X, y, classes=np.unique(y))
    skmixup.save(clf, tmp_path / "stream.skmixup")
    loaded = skmixup.load(tmp_path / "stream.skmixup")
    assert "lr_schedule" not in dict(loaded.net_.callbacks_)
    assert "progress" not in dict(loaded.net_.callbacks_)
    clf.partial_fit(X, y)
    loaded.partial_fit(X, y)
    for a, b in zip(clf.net_.module_.parameters(), loaded.net_.module_.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert loaded.loss_curve_ == clf.loss_curve_


def test_weighted_warm_start_after_load_keeps_the_weight_column(data, tmp_path):
    X, y, _ = data
    w = np.linspace(0.5, 2.0, len(y))
    clf = MixupClassifier(max_epochs=2, warm_start=True, random_state=0)
    clf.fit(X, y, sample_weight=w)
    skmixup.save(clf, tmp_path / "w.skmixup")
    loaded = skmixup.load(tmp_path / "w.skmixup")
    assert loaded.net_.sample_weighted
    clf.fit(X, y)  # no weights now: unit weights in the weight column the net has
    loaded.fit(X, y)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
