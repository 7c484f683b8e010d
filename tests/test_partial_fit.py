"""partial_fit: one epoch per call, seeded, optimizer state kept, streaming from disk."""

import numpy as np
import pytest
from sklearn.base import clone

from skmixup import MixupClassifier, MixupRegressor


def _clf(**params):
    return MixupClassifier(**{"random_state": 0, "alpha": 0.4, **params})


def test_first_call_needs_classes(iris):
    with pytest.raises(ValueError, match="classes must be given on the first call"):
        _clf().partial_fit(*iris)


def test_one_call_is_one_epoch_of_fit(iris):
    # partial_fit is fit's first epoch (no early stopping): same seed, batches, partners, lam.
    X, y = iris
    streamed = _clf().partial_fit(X, y, classes=[0, 1, 2])
    # partial_fit trains at the constant lr (a cosine schedule needs a known last epoch).
    whole = _clf(max_epochs=1, early_stopping=False, lr_schedule="constant").fit(X, y)
    assert streamed.n_iter_ == 1
    np.testing.assert_array_equal(streamed.predict_proba(X), whole.predict_proba(X))


def test_calls_continue_optimizer_and_random_streams(iris):
    # Three calls on the same data are fit's first three epochs, bit for bit: the Adam
    # state (moments, step count) and the generator carry over between calls.
    X, y = iris
    streamed = _clf()
    for _ in range(3):
        streamed.partial_fit(X, y, classes=[0, 1, 2])
    whole = _clf(max_epochs=3, early_stopping=False, lr_schedule="constant").fit(X, y)
    np.testing.assert_array_equal(streamed.predict_proba(X), whole.predict_proba(X))
    state = streamed.net_.optimizer_.state_dict()["state"]
    n_batches = int(np.ceil(len(y) / 32))
    assert int(state[0]["step"]) == 3 * n_batches
    assert len(streamed.loss_curve_) == streamed.n_iter_ == 3


def test_partial_fit_is_reproducible(iris):
    X, y = iris
    chunks = np.array_split(np.random.default_rng(0).permutation(len(y)), 4)

    def run():
        clf = _clf(dropout=0.2)  # dropout draws from torch's RNG: seeded per call
        for rows in chunks:
            clf.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
        return clf.predict_proba(X)

    np.testing.assert_array_equal(run(), run())


def test_streams_a_memory_mapped_array(tmp_path, blobs):
    # Data read chunk by chunk from a file on disk, never loaded whole.
    X, y = blobs
    X_disk = np.lib.format.open_memmap(
        tmp_path / "X.npy", mode="w+", dtype=np.float32, shape=X.shape
    )
    X_disk[:] = X
    X_disk.flush()
    del X_disk
    X_disk = np.load(tmp_path / "X.npy", mmap_mode="r")
    assert isinstance(X_disk, np.memmap)
    clf = _clf()
    for _ in range(4):  # 4 epochs of 6 chunks of 40 rows
        for start in range(0, len(y), 40):
            clf.partial_fit(X_disk[start : start + 40], y[start : start + 40], classes=[0, 1, 2])
    assert clf.n_iter_ == 24
    assert clf.score(X, y) > 0.9


def test_unseen_class_and_feature_count_errors(iris):
    X, y = iris
    clf = _clf().partial_fit(X[y < 2], y[y < 2], classes=[0, 1])
    with pytest.raises(ValueError, match=r"labels \[2\] that are not among the classes"):
        clf.partial_fit(X, y)
    with pytest.raises(ValueError, match="differs from the classes of the first call"):
        clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(X[y < 2, :3], y[y < 2])
    # The failed calls left the classifier as it was.
    assert clf.n_iter_ == 1
    clf.partial_fit(X[y < 2], y[y < 2])
    assert clf.n_iter_ == 2


def test_classes_may_be_absent_from_a_chunk(iris):
    X, y = iris
    clf = _clf().partial_fit(X[y == 0], y[y == 0], classes=[0, 1, 2])
    assert clf.predict_proba(X).shape == (len(y), 3)
    clf.partial_fit(X, y)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])


def test_partial_fit_with_weights(iris):
    X, y = iris
    w = np.where(y == 2, 10.0, 1.0)
    plain, heavy = _clf(), _clf()
    for _ in range(3):
        plain.partial_fit(X, y, classes=[0, 1, 2])
        heavy.partial_fit(X, y, classes=[0, 1, 2], sample_weight=w)
    assert heavy.predict_proba(X)[:, 2].mean() > plain.predict_proba(X)[:, 2].mean()
    with pytest.raises(ValueError, match="balanced"):
        _clf(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])
    dict_weighted = _clf(class_weight={2: 10.0}).partial_fit(X, y, classes=[0, 1, 2])
    by_weights = _clf().partial_fit(X, y, classes=[0, 1, 2], sample_weight=w)
    np.testing.assert_array_equal(dict_weighted.predict_proba(X), by_weights.predict_proba(X))


def test_regressor_partial_fit(iris):
    X, y = iris[0][:, :3], iris[0][:, 3]
    reg = MixupRegressor(random_state=0)
    for _ in range(20):
        reg.partial_fit(X, y)
    assert reg.n_iter_ == 20
    assert reg.score(X, y) > 0.7
    # partial_fit keeps lr (a stream has no last epoch): the same as fit without the schedule.
    whole = MixupRegressor(random_state=0, max_epochs=20, lr_schedule="constant").fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), whole.predict(X))
    with pytest.raises(ValueError, match="outputs"):
        reg.partial_fit(X, np.c_[y, y])


def test_partial_fit_after_fit_continues(iris):
    X, y = iris
    clf = _clf(max_epochs=2, early_stopping=False).fit(X, y)
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 3
    fresh = clone(clf)
    with pytest.raises(ValueError, match="classes"):
        fresh.partial_fit(X, y)
