"""sample_weight and class_weight: the weighted mixup loss, zero weights, metadata routing."""

import numpy as np
import pytest
import torch
from sklearn import config_context
from sklearn.base import clone
from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight
from skorch.callbacks import Callback

from skmixup import MixupClassifier, MixupClassifierCV, MixupEstimator, MixupRegressor
from skmixup._net import MixupNet


@pytest.fixture(scope="module")
def weights(iris):
    """Integer weights 0-3 for iris: about a quarter of the rows weigh 0."""
    return np.random.default_rng(0).integers(0, 4, len(iris[1])).astype(np.float64)


def _clf(**params):
    return MixupClassifier(**{"max_epochs": 8, "random_state": 0, **params})


# ------------------------------------------------------------------ zero weights
@pytest.mark.parametrize(
    "params",
    [
        dict(alpha=0.0),
        dict(alpha=0.4),  # zero-weight rows are not even drawn as partners
        dict(alpha=0.4, early_stopping=True, validation_fraction=0.2),
        dict(alpha=1.0, lambda_mode="example", partners="same_class"),
    ],
)
def test_zero_weights_remove_rows_bit_for_bit(iris, weights, params):
    # What we test: a fit with some weights 0 gives the very same network (identical
    # predicted probabilities, bit for bit) as a fit on the data with those rows deleted
    # and the other weights unchanged: same seed, same batches, same mixing partners and
    # coefficients, same early-stopping split.
    X, y = iris
    keep = weights > 0
    with_zeros = _clf(**params).fit(X, y, sample_weight=weights)
    deleted = _clf(**params).fit(X[keep], y[keep], sample_weight=weights[keep])
    assert with_zeros.n_iter_ == deleted.n_iter_
    np.testing.assert_array_equal(with_zeros.predict_proba(X), deleted.predict_proba(X))


@pytest.mark.parametrize(
    "params",
    [
        dict(early_stopping=True),
        dict(partners="label_kernel"),  # partners chosen by target distance, weight column aside
        dict(partners="knn", n_neighbors=5, mix_layer=1),
    ],
)
def test_zero_weights_regressor_bit_for_bit(iris, weights, params):
    X, y = iris[0][:, :3], iris[0][:, 3]
    keep = weights > 0
    reg = MixupRegressor(max_epochs=5, random_state=0, **params)
    a = clone(reg).fit(X, y, sample_weight=weights)
    b = clone(reg).fit(X[keep], y[keep], sample_weight=weights[keep])
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    # The target standardisation is weighted too (weights act as repetitions).
    np.testing.assert_allclose(a.target_mean_, [np.average(y, weights=weights)])


def test_zero_weights_cutmix_images_bit_for_bit(weights):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = (X[:150] / 16).reshape(-1, 8, 8).astype(np.float32), y[:150]
    keep = weights > 0
    clf = _clf(method="cutmix", alpha=1.0, max_epochs=2, early_stopping=False)
    a = clone(clf).fit(X, y, sample_weight=weights)
    b = clone(clf).fit(X[keep], y[keep], sample_weight=weights[keep])
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_partner_choice_ignores_the_weight_column(iris, weights):
    # same_class partners read the class from the target row: a weight above 1 must not be
    # taken for a class. Then the mixed one-hot targets of same-class pairs stay one-hot.
    X, y = iris
    clf = _clf(alpha=1.0, partners="same_class", early_stopping=False)
    rows = _captured_targets(clf, X, y, sample_weight=weights)
    assert float(rows[:, 3].max()) > 1  # weights that would win an argmax
    np.testing.assert_array_equal(rows[:, :3].max(dim=1).values.numpy(), 1.0)


def test_label_kernel_partners_ignore_the_weight_column():
    from skmixup.mixup import label_kernel_partners

    gen = torch.Generator().manual_seed(0)
    targets = torch.randn(50, 1, generator=gen)
    weight = torch.rand(50, 1, generator=gen) * 10
    y_all = torch.cat([targets, weight], dim=1)
    net = MixupNet(
        torch.nn.Linear,
        torch.nn.MSELoss,
        partners="label_kernel",
        seed=0,
        kernel_bandwidth=0.2,
        sample_weighted=True,
    ).initialize_generator()
    net.partner_data_ = (torch.zeros(50, 2), y_all)
    rows = torch.arange(10)
    _, y_pairs, index = net._draw_partners(torch.zeros(10, 2), y_all[:10], rows)
    chosen = y_pairs[index]  # each row's partner, with its weight
    expected = label_kernel_partners(
        targets[:10], targets, rows, 0.2, generator=torch.Generator().manual_seed(0)
    )
    torch.testing.assert_close(chosen, y_all[expected])


def test_constant_weights_match_unweighted_fit(iris):
    # Weights are normalised to mean 1: any constant weight is the unweighted fit
    # (up to float rounding: a weighted mean instead of torch's mean).
    X, y = iris
    plain = _clf().fit(X, y)
    const = _clf().fit(X, y, sample_weight=np.full(len(y), 7.0))
    np.testing.assert_allclose(const.predict_proba(X), plain.predict_proba(X), atol=1e-5)


def test_weights_change_the_fit_in_their_direction(iris):
    X, y = iris
    plain = _clf(alpha=0.4).fit(X, y)
    heavy = _clf(alpha=0.4).fit(X, y, sample_weight=np.where(y == 2, 20.0, 1.0))
    assert heavy.predict_proba(X)[:, 2].mean() > plain.predict_proba(X)[:, 2].mean() + 0.02


# ---------------------------------------------------------- the weighted mixup loss
def _captured_targets(estimator, X, y, **fit_params):
    """Every training target row (weight column included) that get_loss saw."""
    seen = []
    original = MixupNet.get_loss

    def spy(self, y_pred, y_true, X=None, training=False):
        if training:
            seen.append(y_true.detach().clone())
        return original(self, y_pred, y_true, X=X, training=training)

    MixupNet.get_loss = spy
    try:
        estimator.fit(X, y, **fit_params)
    finally:
        MixupNet.get_loss = original
    return torch.cat(seen)


@pytest.mark.parametrize("how", ["sample_weight", "class_weight"])
def test_mixed_example_carries_mixed_weight(iris, how):
    # Two classes whose rows weigh a and b: a mixed row with soft label (p, 1 - p) must
    # carry the weight p * a + (1 - p) * b, i.e. lam * w_i + (1 - lam) * w_j (normalised).
    X, y = iris[0][iris[1] > 0], iris[1][iris[1] > 0]
    a, b = 1.0, 5.0
    if how == "sample_weight":
        clf, params = (
            _clf(alpha=1.0, early_stopping=False),
            {"sample_weight": np.where(y == 1, a, b)},
        )
    else:
        clf, params = _clf(alpha=1.0, early_stopping=False, class_weight={1: a, 2: b}), {}
    rows = _captured_targets(clf, X, y, **params)
    mean = np.where(y == 1, a, b).mean()
    expected = (rows[:, 0] * a + rows[:, 1] * b) / mean
    assert rows.shape[1] == 3
    assert float(rows[:, 0].min()) < 0.9 and float(rows[:, 0].max()) > 0.1  # really mixed
    torch.testing.assert_close(rows[:, 2], expected.float(), rtol=1e-5, atol=1e-6)


def test_unweighted_fit_has_no_weight_column(iris):
    rows = _captured_targets(_clf(early_stopping=False), *iris)
    assert rows.shape[1] == 3


def test_validation_loss_is_weighted(iris, weights, monkeypatch):
    # With early stopping the best validation loss is the weighted mean cross-entropy,
    # sum(w * loss) / sum(w), of the restored (best) network on the held-out rows.
    # A fitted net forgets its held-out rows; keep them here to look at them.
    from skmixup._net import MixupNet

    monkeypatch.setattr(MixupNet, "drop_training_data", lambda self: self)
    X, y = iris
    clf = _clf(alpha=0.4, max_epochs=15, early_stopping=True, validation_fraction=0.3)
    clf.fit(X, y, sample_weight=weights)
    valid = clf.net_.train_split.keywords["valid_ds"]
    X_valid, y_valid = valid.X.numpy(), valid.y.numpy()
    proba = clf.predict_proba(X_valid)
    row_loss = -np.log(proba[np.arange(len(proba)), y_valid[:, :3].argmax(axis=1)])
    w = y_valid[:, 3]
    assert np.ptp(w) > 0  # the held-out rows do carry different weights
    expected = np.sum(w * row_loss) / np.sum(w)
    assert clf.best_validation_loss_ == pytest.approx(expected, rel=1e-4)
    assert expected != pytest.approx(row_loss.mean(), rel=1e-3)


# ---------------------------------------------------------------- input errors
@pytest.mark.parametrize("estimator", [_clf(), MixupRegressor(max_epochs=2)])
def test_bad_sample_weight(iris, estimator):
    X, y = iris
    with pytest.raises(ValueError, match="sample_weight"):
        clone(estimator).fit(X, y, sample_weight=np.ones(len(y) + 1))
    with pytest.raises(ValueError, match="[Nn]egative"):
        clone(estimator).fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="zero"):
        clone(estimator).fit(X, y, sample_weight=np.zeros(len(y)))


# ------------------------------------------------------------------ class_weight
def test_balanced_is_balanced_sample_weight(iris):
    X, y = iris[0][30:], iris[1][30:]  # classes of 20, 50 and 50 examples
    a = _clf(alpha=0.4, class_weight="balanced").fit(X, y)
    b = _clf(alpha=0.4).fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_balanced_counts_weighted_classes(iris, weights):
    # With sample weights, "balanced" counts each class's total weight (as
    # LogisticRegression does): every class then weighs the same in the loss.
    X, y = iris[0][30:], iris[1][30:]
    w = weights[30:]
    rows = _captured_targets(
        _clf(alpha=0.0, class_weight="balanced", early_stopping=False), X, y, sample_weight=w
    )
    epoch = rows[: int(np.sum(w > 0))]  # the first epoch: every kept row once
    totals = [float(epoch[epoch[:, k] == 1, 3].sum()) for k in range(3)]
    np.testing.assert_allclose(totals, totals[0], rtol=1e-5)


def test_class_weight_dict_multiplies_sample_weight(iris, weights):
    X, y = iris
    class_weight = {0: 2.0, 2: 0.5}  # class 1 left out: weight 1
    a = _clf(class_weight=class_weight).fit(X, y, sample_weight=weights)
    per_row = np.array([2.0, 1.0, 0.5])[y] * weights
    b = _clf().fit(X, y, sample_weight=per_row)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_class_weight_unknown_label(iris):
    with pytest.raises(ValueError, match="not classes of y"):
        _clf(class_weight={0: 1.0, 7: 2.0}).fit(*iris)


# --------------------------------------------------------------- metadata routing
def test_grid_search_routed_weights_match_fits_by_hand(iris, weights):
    X, y = iris
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    grid = {"alpha": [0.0, 0.4]}
    with config_context(enable_metadata_routing=True):
        base = (
            _clf(max_epochs=4, early_stopping=False)
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True)
        )
        search = GridSearchCV(base, grid, cv=splits).fit(X, y, sample_weight=weights)
    for i, alpha in enumerate(grid["alpha"]):
        for k, (train, test) in enumerate(splits):
            clf = _clf(max_epochs=4, early_stopping=False, alpha=alpha)
            clf.fit(X[train], y[train], sample_weight=weights[train])
            expected = clf.score(X[test], y[test], sample_weight=weights[test])
            assert search.cv_results_[f"split{k}_test_score"][i] == expected
    # The weights did reach the fits: unweighted fits score differently somewhere.
    plain = GridSearchCV(_clf(max_epochs=4, early_stopping=False), grid, cv=splits).fit(X, y)
    assert not np.array_equal(
        plain.cv_results_["mean_test_score"], search.cv_results_["mean_test_score"]
    )


def test_cross_validate_and_pipeline_route_weights(iris, weights):
    X, y = iris
    splits = list(StratifiedKFold(3, shuffle=True, random_state=1).split(X, y))
    with config_context(enable_metadata_routing=True):
        clf = _clf(max_epochs=4, alpha=0.4).set_fit_request(sample_weight=True)
        pipe = make_pipeline(StandardScaler().set_fit_request(sample_weight=False), clf)
        scorer = get_scorer("neg_log_loss").set_score_request(sample_weight=True)
        result = cross_validate(
            pipe, X, y, cv=splits, scoring=scorer, params={"sample_weight": weights}
        )
    for k, (train, test) in enumerate(splits):
        scaler = StandardScaler().fit(X[train])
        model = _clf(max_epochs=4, alpha=0.4).fit(
            scaler.transform(X[train]), y[train], sample_weight=weights[train]
        )
        proba = model.predict_proba(scaler.transform(X[test]))
        loss = -np.log(proba[np.arange(len(test)), y[test]])
        expected = -np.sum(weights[test] * loss) / np.sum(weights[test])
        assert result["test_score"][k] == pytest.approx(expected, rel=1e-6)


def test_unrequested_weights_raise_under_routing(iris, weights):
    with config_context(enable_metadata_routing=True):
        with pytest.raises(ValueError, match="sample_weight"):
            cross_validate(_clf(max_epochs=1), *iris, cv=2, params={"sample_weight": weights})


def test_adaboost_and_bagging_with_weights(iris, weights):
    X, y = iris
    boost = AdaBoostClassifier(_clf(max_epochs=4, alpha=0.4), n_estimators=3, random_state=0)
    assert boost.fit(X, y).score(X, y) > 0.8
    assert len(boost.estimators_) >= 1
    bag = BaggingClassifier(_clf(max_epochs=4), n_estimators=3, random_state=0)
    assert bag.fit(X, y, sample_weight=weights).score(X, y) > 0.8


class _EveryBatch(Callback):
    def on_batch_end(self, net, **kwargs):
        pass


# ---------------------------------------------------------------- MixupClassifierCV
@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_cv_batched_search_honours_weights(iris, weights, class_weight):
    # The batched ensemble gives the scores of one weighted fit per (alpha, split),
    # each scored with the held-out weights (up to float rounding).
    X, y = iris
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    base = _clf(max_epochs=4, class_weight=class_weight)
    params = dict(alphas=(0.0, 0.4), cv=splits, scoring="neg_log_loss")
    batched = MixupClassifierCV(base, **params).fit(X, y, sample_weight=weights)
    # A callback acting on every batch changes nothing here but sends the search to one fit
    # each (a stacked member has no batches of its own to run it on).
    each = MixupClassifierCV(clone(base).set_params(callbacks=[_EveryBatch()]), **params).fit(
        X, y, sample_weight=weights
    )
    assert batched.batched_ and not each.batched_
    for k in range(3):
        np.testing.assert_allclose(
            batched.cv_results_[f"split{k}_test_score"],
            each.cv_results_[f"split{k}_test_score"],
            rtol=1e-5,
        )
    unweighted = MixupClassifierCV(base, **params).fit(X, y)
    assert not np.allclose(
        unweighted.cv_results_["mean_test_score"], batched.cv_results_["mean_test_score"], rtol=1e-4
    )
    # The refit, trained alongside the splits, is the weighted fit of the chosen alpha.
    refit = clone(base).set_params(alpha=batched.alpha_).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(batched.predict_proba(X), refit.predict_proba(X), atol=1e-5)


# ---------------------------------------------------------------- MixupEstimator
def test_meta_weights_zero_is_deletion(iris, weights):
    X, y = iris
    keep = weights > 0
    meta = MixupEstimator(LogisticRegression(max_iter=500), alpha=0.4, random_state=0)
    a = clone(meta).fit(X, y, sample_weight=weights)
    b = clone(meta).fit(X[keep], y[keep], sample_weight=weights[keep])
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_meta_mixed_weights_reach_estimator(iris, weights):
    X, y = iris[0][:, :3], iris[0][:, 3]
    meta = MixupEstimator(LinearRegression(), alpha=1.0, random_state=0)
    meta.fit(X, y, sample_weight=weights)
    keep = weights > 0
    # Rebuild the mixed rows and weights the way fit draws them, then refit by hand.
    X_fit, y_fit, w_fit = meta._mix(X[keep], y[keep], True, weights[keep])
    assert w_fit is not None and np.ptp(w_fit) > 0
    by_hand = LinearRegression().fit(X_fit, y_fit, sample_weight=w_fit)
    np.testing.assert_allclose(meta.predict(X), by_hand.predict(X))


def test_meta_weights_need_estimator_support(iris, weights):
    X, y = iris[0][:, :3], iris[0][:, 3]
    with pytest.raises(TypeError, match="does not accept sample_weight"):
        MixupEstimator(KNeighborsRegressor()).fit(X, y, sample_weight=weights)


# ------------------------------------------------------------------ warm_start
def test_warm_start_keeps_weighting(iris, weights):
    X, y = iris
    clf = _clf(max_epochs=3, warm_start=True, early_stopping=True)
    clf.fit(X, y, sample_weight=weights)
    clf.fit(X, y)  # continues the weighted network with unit weights
    assert clf.n_iter_ >= 2 and clf.net_.sample_weighted
    # Adding weights to an unweighted net that stops early: the warm fit holds its
    # validation rows out of the new data, weighted as its training rows are.
    plain = _clf(max_epochs=3, warm_start=True, early_stopping=True).fit(X, y)
    plain.fit(X, y, sample_weight=weights)
    assert plain.net_.sample_weighted and np.isfinite(plain.best_validation_loss_)
