"""The paper's ablation variants (Table 5): partner choice, inputs-only mixing,
label smoothing and manifold mixup, from the pure torch functions up to
MixupClassifier."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_iris, make_blobs
from sklearn.utils._param_validation import InvalidParameterError

from skmixup import MixupClassifier
from skmixup._net import hidden_layers, resolve_mix_layer
from skmixup.mixup import (
    draw_neighbours,
    interpolate,
    label_kernel_partners,
    nearest_neighbours,
    same_class_partners,
)
from skmixup.modules import MLP, SmallCNN


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    return X, y


class _FixedLambda:
    """Stands in for the net's LambdaSampler: always the same coefficient."""

    def __init__(self, value):
        self.value = value

    def draw(self, size=1):
        return torch.full((size,), self.value)


def _nearest_distance(a, b):
    """Largest distance from a row of ``a`` to its nearest row of ``b`` (exact, float64)."""
    d = torch.cdist(a.double(), b.double(), compute_mode="donot_use_mm_for_euclid_dist")
    return d.min(dim=1).values.max()


def _batch(clf, X, y):
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(
        np.eye(len(clf.classes_), dtype=np.float32)[np.searchsorted(clf.classes_, y)]
    )
    return Xt, yt


# ----------------------------------------------------------------- pure torch


def test_same_class_partners_is_a_permutation_within_classes():
    labels = torch.tensor([0, 1, 2, 0, 1, 0, 2, 2, 0, 1, 3])
    index = same_class_partners(labels, generator=_gen())
    assert sorted(index.tolist()) == list(range(len(labels)))
    assert torch.equal(labels[index], labels)
    assert index[10] == 10  # alone in its class
    draws = {tuple(same_class_partners(labels, generator=_gen(s)).tolist()) for s in range(20)}
    assert len(draws) > 5  # random, not a fixed pairing


def test_nearest_neighbours_matches_brute_force():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 3)).astype(np.float32)
    neighbours, counts = nearest_neighbours(torch.from_numpy(x), 5, chunk=7)
    d = ((x[:, None] - x[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    expected = np.argsort(d, axis=1)[:, :5]
    assert np.array_equal(np.sort(neighbours.numpy(), 1), np.sort(expected, 1))
    assert (counts == 5).all()


def test_nearest_neighbours_caps_k_and_respects_labels():
    x = torch.arange(6, dtype=torch.float32)[:, None]
    labels = torch.tensor([0, 0, 0, 1, 1, 2])
    neighbours, counts = nearest_neighbours(x, 200, labels=labels)
    assert neighbours.shape == (6, 5)  # capped at n - 1
    assert counts.tolist() == [2, 2, 2, 1, 1, 0]
    partners = draw_neighbours(neighbours, counts, torch.arange(6), generator=_gen())
    assert torch.equal(labels[partners], labels)
    assert partners[5] == 5  # no neighbour of its class: its own partner
    assert (partners[:5] != torch.arange(5)).all()


def test_draw_neighbours_stays_among_the_k_nearest():
    x = torch.randn(40, 2, generator=_gen(1))
    neighbours, counts = nearest_neighbours(x, 3)
    rows = torch.arange(40).repeat(10)
    partners = draw_neighbours(neighbours, counts, rows, generator=_gen())
    assert all(p in neighbours[r].tolist() for r, p in zip(rows.tolist(), partners.tolist()))
    # all three neighbours get drawn
    assert len(set(partners[rows == 0].tolist())) == 3


def test_label_kernel_partners_prefer_close_labels():
    y = torch.tensor([[0.0], [0.1], [5.0], [5.1], [10.0]])
    rows = torch.arange(5)
    narrow = label_kernel_partners(y, y, rows, 0.5, generator=_gen())
    assert narrow.tolist()[:4] == [1, 0, 3, 2]  # the nearest label, never itself
    wide = torch.stack(
        [label_kernel_partners(y, y, rows, 100.0, generator=_gen(s)) for s in range(50)]
    )
    assert (wide != rows).all()
    assert len(set(wide[:, 0].tolist())) == 4  # nearly uniform over the others


def test_interpolate():
    a, b = torch.ones(3, 2), torch.zeros(3, 2)
    assert torch.allclose(interpolate(a, b, torch.tensor([0.25])), torch.full((3, 2), 0.25))
    lam = torch.tensor([1.0, 0.0, 0.5])
    assert torch.allclose(interpolate(a, b, lam)[:, 0], lam)


def test_hidden_layers_of_builtin_networks():
    assert hidden_layers(MLP(4, 3, (8, 8, 8))) == ["layers.1", "layers.3", "layers.5"]
    cnn_layers = hidden_layers(SmallCNN(1, 3))
    assert len(cnn_layers) >= 2
    assert cnn_layers[-1].startswith("head")
    assert resolve_mix_layer(None, MLP(4, 3)) is None
    assert resolve_mix_layer(0, MLP(4, 3)) is None
    assert resolve_mix_layer(2, MLP(4, 3)) == "layers.3"
    assert resolve_mix_layer("random", MLP(4, 3)) == ["", "layers.1", "layers.3"]


# ------------------------------------------------------------- the estimator


@pytest.mark.parametrize(
    "params",
    [
        {"partners": "nearest"},
        {"n_neighbors": 0},
        {"mix_targets": "yes"},
        {"label_smoothing": 1.0},
        {"label_smoothing": -0.1},
        {"mix_layer": -1},
        {"mix_layer": "last"},
    ],
)
def test_invalid_variant_parameters(iris, params):
    X, y = iris
    with pytest.raises(InvalidParameterError):
        MixupClassifier(max_epochs=1, **params).fit(X, y)


def test_mix_layer_out_of_range(iris):
    X, y = iris
    with pytest.raises(ValueError, match="between 0 .the input. and 2"):
        MixupClassifier(max_epochs=1, mix_layer=3, hidden_layer_sizes=(8, 8)).fit(X, y)


def test_same_class_partners_keep_labels_pure(iris):
    X, y = iris
    clf = MixupClassifier(max_epochs=1, partners="same_class", random_state=0).fit(X, y)
    Xt, yt = _batch(clf, X[::3], y[::3])
    _, y_mixed = clf.net_.mixup_infer(Xt, yt)
    assert torch.equal(y_mixed, yt)  # same-class partners: the one-hot label survives mixing
    clf_random = MixupClassifier(max_epochs=1, random_state=0).fit(X, y)
    _, y_mixed = clf_random.net_.mixup_infer(Xt, yt)
    assert not torch.equal(y_mixed, yt)


@pytest.mark.parametrize("partners", ["knn", "same_class_knn"])
def test_knn_partners_come_from_the_training_set_neighbours(iris, partners):
    X, y = iris
    clf = MixupClassifier(
        max_epochs=2, partners=partners, n_neighbors=5, random_state=0, early_stopping=False
    ).fit(X, y)  # all 150 rows in the training set
    net = clf.net_
    Xt, yt = _batch(clf, X, y)
    assert not hasattr(net, "neighbours_")  # the training set is not kept after fit
    net._prepare_partners(Xt, yt)
    neighbours, counts = net.neighbours_
    assert neighbours.shape == (150, 5)
    rows = torch.arange(0, 150, 4)
    X_all, y_all, index = net._draw_partners(Xt[rows], yt[rows], rows)
    partner_x = X_all[index]
    for r, px in zip(rows.tolist(), partner_x):
        candidates = Xt[neighbours[r]]
        assert (candidates == px).all(dim=1).any()
    if partners == "same_class_knn":
        assert torch.equal(y_all[index], yt[rows])


def test_knn_table_is_computed_once_per_fit(iris, monkeypatch):
    import skmixup._net as net_module

    X, y = iris
    calls = []
    real = net_module.nearest_neighbours
    monkeypatch.setattr(
        net_module, "nearest_neighbours", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    MixupClassifier(max_epochs=4, partners="knn", random_state=0).fit(X, y)
    assert len(calls) == 1


def test_inputs_only_keeps_the_dominant_label(iris):
    X, y = iris
    clf = MixupClassifier(max_epochs=1, mix_targets=False, random_state=0).fit(X, y)
    net = clf.net_
    net.lambda_sampler_ = _FixedLambda(0.2)  # folded to 0.8
    Xt, yt = _batch(clf, X[:64], y[:64])
    inputs = []
    handle = net.module_.register_forward_pre_hook(lambda m, args: inputs.append(args[0]))
    _, y_mixed = net.mixup_infer(Xt, yt)
    handle.remove()
    assert torch.equal(y_mixed, yt)
    # the mixed input is 0.8 * x_i + 0.2 * x_j: closer to its own example
    residual = (inputs[0] - 0.8 * Xt) / 0.2
    assert _nearest_distance(residual, Xt) < 1e-4
    assert not torch.allclose(inputs[0], Xt)


def test_label_smoothing_caps_confidence():
    X, y = make_blobs(120, centers=3, cluster_std=0.3, random_state=0)
    X = X.astype(np.float32)
    plain = MixupClassifier(alpha=0, max_epochs=60, random_state=0).fit(X, y)
    smooth = MixupClassifier(alpha=0, label_smoothing=0.3, max_epochs=60, random_state=0).fit(X, y)
    assert smooth.net_.criterion_.label_smoothing == 0.3
    assert plain.predict_proba(X).max(axis=1).mean() > 0.97
    # the smoothed target of the true class is 1 - 0.3 + 0.1 = 0.8
    assert smooth.predict_proba(X).max(axis=1).mean() < 0.85
    assert smooth.score(X, y) == 1.0


def test_manifold_mixup_mixes_the_hidden_layer_not_the_input(iris):
    X, y = iris
    clf = MixupClassifier(max_epochs=1, mix_layer=1, hidden_layer_sizes=(16, 16), random_state=0)
    clf.fit(X, y)
    net = clf.net_
    assert net.mix_layer == "layers.1"
    net.lambda_sampler_ = _FixedLambda(0.3)
    Xt, yt = _batch(clf, X[::4], y[::4])
    seen = {}
    layers = net.module_.layers
    hooks = [
        layers[0].register_forward_pre_hook(lambda m, a: seen.setdefault("input", a[0])),
        layers[1].register_forward_hook(lambda m, a, out: seen.setdefault("hidden", out)),
        layers[2].register_forward_pre_hook(lambda m, a: seen.setdefault("mixed", a[0])),
    ]
    _, y_mixed = net.mixup_infer(Xt, yt)
    for h in hooks:
        h.remove()
    assert torch.equal(seen["input"], Xt)  # the input is not mixed
    h, mixed = seen["hidden"], seen["mixed"]
    assert not torch.allclose(mixed, h)
    residual = (mixed - 0.3 * h) / 0.7  # each row must be another row's hidden state
    assert _nearest_distance(residual, h) < 1e-4
    assert torch.allclose(y_mixed.sum(1), torch.ones(len(yt)))
    assert not torch.equal(y_mixed, yt)


def test_manifold_mixup_random_layer_and_cnn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(48, 1, 8, 8)).astype(np.float32)
    y = (X[:, 0, :4].mean(axis=(1, 2)) > 0).astype(int)
    clf = MixupClassifier(max_epochs=3, mix_layer="random", random_state=0).fit(X, y)
    assert clf.net_.mix_layer[0] == "" and clf.net_.mix_layer[-1].startswith("head")
    assert np.isfinite(clf.loss_curve_).all()
    clf2 = MixupClassifier(max_epochs=3, mix_layer="random", random_state=0).fit(X, y)
    assert np.array_equal(clf.predict_proba(X), clf2.predict_proba(X))


@pytest.mark.parametrize(
    "params",
    [
        {"partners": "same_class"},
        {"partners": "knn", "n_neighbors": 10},
        {"mix_targets": False},
        {"mix_layer": "random", "partners": "same_class_knn"},
    ],
)
def test_variants_train_and_reproduce(iris, params):
    X, y = iris
    a = MixupClassifier(max_epochs=15, random_state=1, **params).fit(X, y)
    b = MixupClassifier(max_epochs=15, random_state=1, **params).fit(X, y)
    assert np.array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.score(X, y) > 0.85


def test_fitted_knn_classifier_pickles_without_training_data(iris):
    import pickle

    X, y = iris
    clf = MixupClassifier(max_epochs=2, partners="knn", random_state=0).fit(X, y)
    state = pickle.loads(pickle.dumps(clf)).net_.__dict__
    assert "partner_data_" not in state and "neighbours_" not in state
