"""MixupEnsembleClassifier: seeds trained at once, each as its own fit; mean probabilities."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

import skmixup
from skmixup import MixupClassifier, MixupEnsembleClassifier

BASE = MixupClassifier(max_epochs=15, random_state=0)


def test_members_are_their_own_fits_and_predictions_their_mean(iris):
    X, y = iris
    ensemble = MixupEnsembleClassifier(BASE, n_estimators=3).fit(X, y)
    assert ensemble.batched_
    seeds = [m.random_state for m in ensemble.estimators_]
    assert len(set(seeds)) == 3
    for member in ensemble.estimators_:
        assert member.get_params() == {**BASE.get_params(), "random_state": member.random_state}
        alone = clone(BASE).set_params(random_state=member.random_state).fit(X, y)
        np.testing.assert_allclose(member.predict_proba(X), alone.predict_proba(X), atol=1e-5)
    mean = np.mean([m.predict_proba(X) for m in ensemble.estimators_], axis=0)
    np.testing.assert_allclose(ensemble.predict_proba(X), mean, rtol=1e-6)
    np.testing.assert_array_equal(ensemble.predict(X), ensemble.classes_[mean.argmax(axis=1)])


def test_seeded_by_the_estimators_random_state(iris):
    X, y = iris
    a = MixupEnsembleClassifier(BASE, n_estimators=2).fit(X, y)
    b = MixupEnsembleClassifier(BASE, n_estimators=2).fit(X, y)
    c = MixupEnsembleClassifier(clone(BASE).set_params(random_state=1), n_estimators=2).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert [m.random_state for m in a.estimators_] != [m.random_state for m in c.estimators_]


def test_other_configurations_fit_one_after_another(iris):
    X, y = iris
    base = clone(BASE).set_params(optimizer="sgd", lr=0.05)
    ensemble = MixupEnsembleClassifier(base, n_estimators=2).fit(X, y)
    assert not ensemble.batched_
    assert ensemble.score(X, y) > 0.8


def test_sample_weight_reaches_every_member(iris):
    X, y = iris
    weight = np.where(y == 0, 0.0, 1.0)  # weight 0 is deletion: class 0 is never seen
    ensemble = MixupEnsembleClassifier(BASE, n_estimators=2).fit(X, y, sample_weight=weight)
    for member in ensemble.estimators_:
        alone = clone(member).fit(X, y, sample_weight=weight)
        np.testing.assert_allclose(member.predict_proba(X), alone.predict_proba(X), atol=1e-5)


def test_bad_settings_are_refused(iris):
    X, y = iris
    with pytest.raises(ValueError, match="n_estimators"):
        MixupEnsembleClassifier(BASE, n_estimators=0).fit(X, y)
    with pytest.raises(TypeError, match="random_state"):
        MixupEnsembleClassifier(_NoSeed()).fit(X, y)


class _NoSeed(LogisticRegression):
    """A classifier without random_state."""

    def __init__(self, C=1.0):
        self.C = C


def test_saved_and_loaded_in_the_safe_format(iris, tmp_path):
    X, y = iris
    ensemble = MixupEnsembleClassifier(BASE, n_estimators=2).fit(X, y)
    skmixup.save(ensemble, tmp_path / "seeds.skmixup")
    loaded = skmixup.load(tmp_path / "seeds.skmixup")
    assert type(loaded) is MixupEnsembleClassifier
    np.testing.assert_array_equal(loaded.predict_proba(X), ensemble.predict_proba(X))


def test_one_member_is_a_plain_fit_and_alpha_is_searchable(iris):
    from sklearn.model_selection import GridSearchCV

    X, y = iris
    single = MixupEnsembleClassifier(BASE, n_estimators=1).fit(X, y)
    assert not single.batched_
    alone = clone(BASE).set_params(random_state=single.estimators_[0].random_state).fit(X, y)
    np.testing.assert_array_equal(single.predict_proba(X), alone.predict_proba(X))
    search = GridSearchCV(
        MixupEnsembleClassifier(BASE, n_estimators=2), {"estimator__alpha": [0.0, 0.4]}, cv=2
    ).fit(X, y)
    assert search.best_params_["estimator__alpha"] in (0.0, 0.4)


def test_random_state_seeds_an_unseeded_estimator_and_leaves_a_seed_alone(iris):
    X, y = iris
    unseeded = MixupClassifier(max_epochs=5)
    a = MixupEnsembleClassifier(unseeded, n_estimators=2, random_state=0).fit(X, y)
    b = MixupEnsembleClassifier(unseeded, n_estimators=2, random_state=0).fit(X, y)
    c = MixupEnsembleClassifier(unseeded, n_estimators=2, random_state=1).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert [m.random_state for m in a.estimators_] != [m.random_state for m in c.estimators_]
    assert unseeded.random_state is None  # the given estimator is not changed
    # An estimator's own seed wins: the meta-estimator's changes nothing.
    seeded = clone(unseeded).set_params(random_state=5)
    d = MixupEnsembleClassifier(seeded, n_estimators=2, random_state=0).fit(X, y)
    e = MixupEnsembleClassifier(seeded, n_estimators=2, random_state=1).fit(X, y)
    assert [m.random_state for m in d.estimators_] == [m.random_state for m in e.estimators_]
    assert [m.random_state for m in d.estimators_] != [m.random_state for m in a.estimators_]


def test_a_diverging_ensemble_raises_as_its_members_fit_does(monkeypatch):
    from sklearn.datasets import load_iris

    from skmixup._stacking import MemberNet

    X, y = load_iris(return_X_y=True)
    huge = (X * 3e37).astype(np.float32)
    base = MixupClassifier(max_epochs=3, random_state=0)
    with pytest.raises(ValueError) as single:
        clone(base).fit(huge, y)
    steps = []
    original = MemberNet.train_step_single
    monkeypatch.setattr(
        MemberNet, "train_step_single", lambda *a, **k: steps.append(1) or original(*a, **k)
    )
    ensemble = MixupEnsembleClassifier(base, n_estimators=3)
    with pytest.raises(ValueError) as stacked:
        ensemble.fit(huge, y)
    assert steps  # the stacked path ran
    assert str(stacked.value) == str(single.value)
    assert "training loss became inf" in str(stacked.value)
    assert not hasattr(ensemble, "estimators_")  # nothing half-fitted


def test_stacked_ensemble_shows_progress(iris, capsys, monkeypatch):
    from skmixup import _net

    monkeypatch.setattr(_net, "PROGRESS_DELAY", 0.0)
    X, y = iris
    ensemble = MixupEnsembleClassifier(
        MixupClassifier(max_epochs=4, verbose=1), n_estimators=3, random_state=0
    ).fit(X, y)
    assert ensemble.batched_
    err = capsys.readouterr().err
    assert err.count("epochs:") >= 1 and "4/4" in err and "members=3" in err
