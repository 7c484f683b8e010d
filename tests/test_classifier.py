"""MixupClassifier: inputs, fitted attributes, workflows, bad input, reproducibility."""

import os
import pickle
import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_digits, load_iris
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from torch import nn

from skmixup import MixupClassifier

FAST = dict(max_epochs=15, random_state=0, device="cpu")


def test_string_labels_and_fitted_attributes(blobs):
    X, y = blobs
    labels = np.array(["ant", "bee", "cat"])[y]
    clf = MixupClassifier(**FAST).fit(X, labels)
    assert list(clf.classes_) == ["ant", "bee", "cat"]
    assert clf.n_features_in_ == 2 and clf.input_shape_ == (2,)
    assert clf.n_iter_ == 15 and len(clf.loss_curve_) == 15
    assert set(clf.predict(X)) <= set(labels)
    assert clf.score(X, labels) > 0.9
    proba = clf.predict_proba(X)
    assert proba.shape == (240, 3)
    np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-12)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-9)
    # By default nothing is held out; early_stopping="auto" holds out 10% of these 240 rows.
    assert "valid_loss" not in clf.net_.history[-1]
    clf = MixupClassifier(early_stopping="auto", **FAST).fit(X, labels)
    assert "valid_loss" in clf.net_.history[-1]


def test_dataframe_list_and_integer_inputs(blobs):
    X, y = blobs
    df = pd.DataFrame(X, columns=["a", "b"])
    clf = MixupClassifier(**FAST).fit(df, y)
    np.testing.assert_array_equal(clf.feature_names_in_, ["a", "b"])
    np.testing.assert_array_equal(clf.predict(df), clf.predict(X))
    MixupClassifier(**FAST).fit(X.tolist(), y.tolist())
    MixupClassifier(**FAST).fit(np.round(X).astype(np.int16), y)


def test_same_random_state_same_model_and_global_rng_untouched(blobs):
    X, y = blobs
    torch.manual_seed(123)
    before = torch.get_rng_state()
    a = MixupClassifier(**FAST).fit(X, y).predict_proba(X)
    assert torch.equal(torch.get_rng_state(), before)
    b = MixupClassifier(**FAST).fit(X, y).predict_proba(X)
    c = MixupClassifier(**{**FAST, "random_state": 1}).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)  # bit for bit
    assert not np.array_equal(a, c)


def test_clean_weight_and_mix_fraction_change_nothing_without_mixing(blobs):
    X, y = blobs
    plain = MixupClassifier(**{**FAST, "alpha": 0.0}).fit(X, y).predict_proba(X)
    both = MixupClassifier(**{**FAST, "alpha": 0.0, "clean_weight": 0.5, "mix_fraction": 0.5})
    np.testing.assert_array_equal(both.fit(X, y).predict_proba(X), plain)
    regmixup = MixupClassifier(**{**FAST, "alpha": 10.0, "clean_weight": 0.5}).fit(X, y)
    assert not np.array_equal(regmixup.predict_proba(X), plain)


def test_auto_default_mixes_half_the_epochs_and_a_number_mixes_throughout(blobs):
    X, y = blobs
    default = MixupClassifier(**{k: v for k, v in FAST.items() if k != "alpha"}).fit(X, y)
    assert default.alpha == "auto" and default.mix_fraction == "auto"
    assert (default.net_.alpha, default.net_.mix_fraction) == (2.0, 0.5)
    # An explicit alpha is the paper's mixup on every epoch, as before "auto" existed.
    paper = MixupClassifier(**{**FAST, "alpha": 0.4}).fit(X, y)
    assert (paper.net_.alpha, paper.net_.mix_fraction) == (0.4, 1.0)
    same = MixupClassifier(**{**FAST, "alpha": 0.4, "mix_fraction": 1.0}).fit(X, y)
    np.testing.assert_array_equal(paper.predict_proba(X), same.predict_proba(X))
    explicit = MixupClassifier(**{**FAST, "alpha": 2.0, "mix_fraction": 0.5}).fit(X, y)
    np.testing.assert_array_equal(
        MixupClassifier(**{**FAST, "alpha": "auto"}).fit(X, y).predict_proba(X),
        explicit.predict_proba(X),
    )


def test_dropout_training_is_reproducible(blobs):
    X, y = blobs
    params = {**FAST, "dropout": 0.5}
    a = MixupClassifier(**params).fit(X, y).predict_proba(X)
    b = MixupClassifier(**params).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


def test_pipeline_with_column_transformer_on_categorical_dataframe():
    rng = np.random.default_rng(0)
    color = rng.choice(["red", "green", "blue"], 300)
    size = rng.normal(size=300)
    y = (color == "red") ^ (size > 0)
    df = pd.DataFrame({"color": pd.Categorical(color), "size": size})
    model = make_pipeline(
        ColumnTransformer(
            [("cat", OneHotEncoder(), ["color"]), ("num", StandardScaler(), ["size"])]
        ),
        MixupClassifier(max_epochs=40, random_state=0, device="cpu"),
    )
    assert model.fit(df, y).score(df, y) > 0.9


@pytest.mark.slow  # over 5 s on 2 cores
def test_grid_search_over_alpha_in_parallel_and_cross_val_score():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    search = GridSearchCV(MixupClassifier(**FAST), {"alpha": [0.0, 0.4, 1.0]}, cv=3, n_jobs=2)
    search.fit(X, y)
    assert search.best_params_["alpha"] in (0.0, 0.4, 1.0)
    assert search.best_score_ > 0.8
    scores = cross_val_score(MixupClassifier(**FAST), X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.7


def test_clone_and_pickle_round_trip(blobs):
    X, y = blobs
    clf = MixupClassifier(**FAST).fit(X, y)
    fresh = clone(clf)
    assert not hasattr(fresh, "net_") and fresh.get_params() == clf.get_params()
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_image_tensors_on_digits():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).reshape(-1, 1, 8, 8)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    clf = MixupClassifier(max_epochs=20, random_state=0, device="cpu").fit(X_tr, y_tr)
    assert clf.input_shape_ == (1, 8, 8)
    accuracy = clf.score(X_te, y_te)
    assert accuracy >= 0.95, accuracy
    # (n, height, width) is read as one channel
    assert clf.score(X_te[:, 0], y_te) == accuracy
    with pytest.raises(ValueError, match=r"fitted on samples of shape \(1, 8, 8\)"):
        clf.predict(np.zeros((3, 1, 7, 7)))


class TinyNet(nn.Module):
    def __init__(self, n_features, n_classes, width=8):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_features, width), nn.ReLU(), nn.Linear(width, n_classes)
        )

    def forward(self, x):
        return self.body(x)


def test_custom_module_class_and_instance(blobs):
    X, y = blobs
    clf = MixupClassifier(module=TinyNet, module_params={"width": 16}, **FAST).fit(X, y)
    assert clf.net_.module_.body[0].out_features == 16
    torch.manual_seed(0)
    instance = TinyNet(2, 3, width=32)
    w0 = instance.body[0].weight.detach().clone()
    clf = MixupClassifier(module=instance, **{**FAST, "max_epochs": 40}).fit(X, y)
    assert torch.equal(instance.body[0].weight, w0)  # the parameter is not trained in place
    assert clf.score(X, y) > 0.8


def test_early_stopping_holds_out_data_and_keeps_best(blobs):
    X, y = blobs
    clf = MixupClassifier(
        early_stopping=True, n_iter_no_change=3, max_epochs=200, random_state=0, device="cpu"
    ).fit(X, y)
    assert len(clf.validation_loss_curve_) == clf.n_iter_ < 200
    assert clf.best_validation_loss_ == min(clf.validation_loss_curve_)


def test_warm_start_continues_training(blobs):
    X, y = blobs
    clf = MixupClassifier(warm_start=True, **{**FAST, "max_epochs": 5}).fit(X, y)
    net = clf.net_
    clf.fit(X, y)
    # Trained as a copy that replaces the old net on success (a failed fit changes nothing).
    assert clf.net_ is not net and clf.n_iter_ == 10 and len(net.history) == 5
    with pytest.raises(ValueError, match="warm_start cannot add classes"):
        clf.fit(X, y + 10)


def test_verbose_prints_a_line_per_epoch(blobs, capsys):
    X, y = blobs  # verbose=2 is the table; verbose=1 a progress bar (tests/test_progress.py)
    MixupClassifier(verbose=2, **{**FAST, "max_epochs": 3}).fit(X, y)
    out = capsys.readouterr().out
    assert len(re.findall(r"^\s+[123]/3\s", out, flags=re.M)) == 3  # "epoch k/N"


@pytest.mark.parametrize(
    "X, y, error, match",
    [
        (np.array([[np.nan, 1.0], [1.0, 2.0]]), [0, 1], ValueError, "NaN"),
        (np.array([[np.inf, 1.0], [1.0, 2.0]]), [0, 1], ValueError, "infinity"),
        (np.empty((0, 2)), [], ValueError, "0 sample"),
        (sp.csr_matrix(np.eye(4)), [0, 1, 0, 1], TypeError, "dense data is required"),
        (np.array([["a", "b"], ["c", "d"]]), [0, 1], ValueError, "could not convert"),
        (np.eye(4), [0.1, 0.7, 1.3, 2.9], ValueError, "Unknown label type"),
        (np.eye(4), np.eye(4), ValueError, "y should be a 1d array"),
        (np.eye(4), [1, 1, 1, 1], ValueError, "at least 2 classes"),
    ],
)
def test_bad_input_is_named(X, y, error, match):
    with pytest.raises(error, match=match):
        MixupClassifier(**FAST).fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"alpha": -0.5}, "'alpha' parameter"),
        ({"batch_size": 0}, "'batch_size' parameter"),
        ({"lambda_mode": "pixel"}, "'lambda_mode' parameter"),
        ({"module": "resnet"}, "'module' parameter"),
        ({"optimizer": "lbfgs"}, "'optimizer' parameter"),
        ({"lr": 0}, "'lr' parameter"),
        ({"clean_weight": 1.0}, "'clean_weight' parameter"),
        ({"mix_fraction": 0.0}, "'mix_fraction' parameter"),
    ],
)
def test_invalid_parameters_are_named(blobs, params, match):
    X, y = blobs
    with pytest.raises(ValueError, match=match):
        MixupClassifier(**params).fit(X, y)


def test_wrong_feature_count_at_predict(blobs):
    X, y = blobs
    clf = MixupClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features"):
        clf.predict(np.zeros((2, 3)))


def test_divergence_stops_with_advice_and_leaves_estimator_unfitted():
    rng = np.random.default_rng(0)
    X = rng.normal(scale=1e18, size=(64, 4))
    y = rng.integers(0, 2, 64)
    clf = MixupClassifier(lr=1e6, optimizer="sgd", **{**FAST, "max_epochs": 3})
    with pytest.raises(ValueError, match="smaller learning rate"):
        clf.fit(X, y)
    assert not hasattr(clf, "net_") and not hasattr(clf, "n_features_in_")


class ThreadProbe(nn.Module):
    """An MLP that records how many torch threads its training ran with."""

    def __init__(self, n_features, n_classes):
        super().__init__()
        self.linear = nn.Linear(n_features, n_classes)
        self.threads_seen = set()

    def forward(self, x):
        self.threads_seen.add(torch.get_num_threads())
        return self.linear(x)


def test_parallel_search_does_not_oversubscribe_threads(blobs):
    from sklearn.model_selection import cross_validate

    X, y = blobs
    out = cross_validate(
        MixupClassifier(module=ThreadProbe, **{**FAST, "max_epochs": 2}),
        X,
        y,
        cv=2,
        n_jobs=2,
        return_estimator=True,
    )
    # joblib's workers limit OpenMP to cpu_count // n_jobs threads, and torch follows.
    expected = max(1, os.cpu_count() // 2)
    for est in out["estimator"]:
        assert est.net_.module_.threads_seen == {expected}


def test_loaded_model_can_continue_training(blobs):
    X, y = blobs
    clf = MixupClassifier(warm_start=True, **{**FAST, "max_epochs": 2}).fit(X, y)
    loaded = pickle.loads(pickle.dumps(clf))
    loaded.fit(X, y)
    assert loaded.n_iter_ == 4


def test_default_recipe_batch_size_and_cosine_schedule(blobs):
    X, y = blobs
    clf = MixupClassifier(max_epochs=4, random_state=0).fit(X, y)
    assert clf.net_.batch_size == 32  # 240 rows / 8 = 30, rounded to a power of 2
    steps = [len(epoch["batches"]) for epoch in clf.net_.history]
    assert steps == [8] * 4
    lrs = [batch["event_lr"] for epoch in clf.net_.history for batch in epoch["batches"]]
    assert lrs[0] == pytest.approx(3e-3, rel=0.01) and lrs[-1] < 1e-5
    assert all(a >= b for a, b in zip(lrs, lrs[1:]))  # decays, step by step
    big = MixupClassifier(max_epochs=1, random_state=0).fit(
        np.repeat(X, 30, axis=0), np.repeat(y, 30)
    )
    assert big.net_.batch_size == 512  # 7200 / 8 = 900, capped at 512
    flat = MixupClassifier(max_epochs=2, lr_schedule="constant", random_state=0).fit(X, y)
    assert "event_lr" not in flat.net_.history[-1]["batches"][-1]


def test_own_scheduler_needs_constant_lr_schedule(blobs):
    from skorch.callbacks import LRScheduler

    X, y = blobs
    mine = [("lr", LRScheduler(policy="StepLR", step_size=1))]
    with pytest.raises(ValueError, match="lr_schedule='constant'"):
        MixupClassifier(max_epochs=1, callbacks=mine).fit(X, y)
    MixupClassifier(max_epochs=1, callbacks=mine, lr_schedule="constant").fit(X, y)
    # partial_fit adds no schedule of its own: the user's is the only one.
    MixupClassifier(callbacks=mine).partial_fit(X, y, classes=np.unique(y))
