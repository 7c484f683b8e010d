"""MixupRegressor: interpolated targets, multi-output, target standardisation, C-Mixup partners."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skmixup import MixupRegressor


class _FixedLambda:
    def __init__(self, value):
        self.value = value

    def draw(self, size=1):
        return torch.full((size,), self.value)


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


@pytest.fixture(scope="module")
def toy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)).astype(np.float32)
    Y = np.stack([X[:, 0] + 0.5 * X[:, 1], np.sin(X[:, 2])], axis=1)
    return X, Y


def test_fits_real_data(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    # 331 training rows: a 128 x 128 MLP overfits after about 10 epochs (ridge scores 0.36)
    reg = MixupRegressor(max_epochs=10, random_state=0).fit(X_train, y_train)
    assert reg.predict(X_test).shape == y_test.shape
    assert reg.score(X_test, y_test) > 0.28


def test_multi_output(toy):
    X, Y = toy
    reg = MixupRegressor(max_epochs=60, random_state=0).fit(X, Y)
    pred = reg.predict(X)
    assert pred.shape == (200, 2) and reg.n_outputs_ == 2
    for k in range(2):
        assert np.corrcoef(pred[:, k], Y[:, k])[0, 1] > 0.95
    column = MixupRegressor(max_epochs=2, random_state=0).fit(X, Y[:, :1])
    assert column.predict(X).shape == (200, 1)
    flat = MixupRegressor(max_epochs=2, random_state=0).fit(X, Y[:, 0])
    assert flat.predict(X).shape == (200,)


def test_targets_are_standardised_internally(toy):
    X, Y = toy
    a = MixupRegressor(max_epochs=5, random_state=0).fit(X, Y)
    b = MixupRegressor(max_epochs=5, random_state=0).fit(X, 1000 * Y + 5)
    assert np.allclose(b.target_mean_, 1000 * Y.mean(0) + 5)
    assert np.allclose(b.target_scale_, 1000 * Y.std(0))
    # the network sees the same standardised targets: same model, rescaled predictions
    assert np.allclose(b.predict(X), 1000 * a.predict(X) + 5, rtol=1e-4, atol=1e-2)
    const = MixupRegressor(max_epochs=20, random_state=0).fit(X, np.full(200, 7.0))
    assert np.allclose(const.target_scale_, 1.0)
    assert np.allclose(const.predict(X), 7.0, atol=0.2)


def test_targets_are_interpolated(toy):
    X, Y = toy
    reg = MixupRegressor(max_epochs=1, random_state=0).fit(X, Y)
    net = reg.net_
    net.lambda_sampler_ = _FixedLambda(0.3)
    Xt = torch.from_numpy(X[:50])
    Yt = torch.from_numpy(((Y[:50] - reg.target_mean_) / reg.target_scale_).astype(np.float32))
    inputs = []
    handle = net.module_.register_forward_pre_hook(lambda m, a: inputs.append(a[0]))
    _, y_mixed = net.mixup_infer(Xt, Yt)
    handle.remove()
    # the same partner for input and target: (x - 0.3 x_i) / 0.7 and (y - 0.3 y_i) / 0.7
    # are row j of the batch for one j
    x_partner = (inputs[0] - 0.3 * Xt) / 0.7
    y_partner = (y_mixed - 0.3 * Yt) / 0.7
    j = torch.cdist(x_partner.double(), Xt.double()).argmin(dim=1)
    assert torch.allclose(x_partner, Xt[j], atol=1e-4)
    assert torch.allclose(y_partner, Yt[j], atol=1e-4)
    assert (j != torch.arange(50)).any()


def test_label_kernel_partners_have_close_targets(toy):
    X, Y = toy
    y = Y[:, 0]
    gaps = {}
    for partners in ["random", "label_kernel"]:
        reg = MixupRegressor(
            max_epochs=1, partners=partners, kernel_bandwidth=0.05, batch_size=200, random_state=0
        ).fit(X, y)
        net = reg.net_
        Xt = torch.from_numpy(X)
        yt = torch.from_numpy(((y - reg.target_mean_) / reg.target_scale_).astype(np.float32))[
            :, None
        ]
        rows = torch.arange(200)
        if partners == "label_kernel":
            assert not hasattr(net, "partner_data_")  # the training set is not kept after fit
            net._prepare_partners(Xt, yt)
            assert net.partner_data_[1].shape == (200, 1)
        _, y_all, index = net._draw_partners(Xt, yt, rows)
        gaps[partners] = (y_all[index] - yt).abs().mean().item()
    assert gaps["label_kernel"] < 0.1 < gaps["random"]


def test_knn_partners_and_manifold_mixup_train(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    for params in [
        {"partners": "knn", "n_neighbors": 20},
        {"mix_layer": "random"},
        {"partners": "label_kernel", "mix_layer": 1},
    ]:
        reg = MixupRegressor(max_epochs=10, random_state=0, **params).fit(X_train, y_train)
        assert reg.score(X_test, y_test) > 0.2, params


def test_erm_and_mixup_differ_and_reproduce(toy):
    X, Y = toy
    erm = MixupRegressor(alpha=0, max_epochs=5, random_state=0).fit(X, Y)
    mix = MixupRegressor(alpha=1.0, max_epochs=5, random_state=0).fit(X, Y)
    again = MixupRegressor(alpha=1.0, max_epochs=5, random_state=0).fit(X, Y)
    assert not np.allclose(erm.predict(X), mix.predict(X))
    assert np.array_equal(mix.predict(X), again.predict(X))


def test_errors(toy):
    X, Y = toy
    with pytest.raises(InvalidParameterError):
        MixupRegressor(partners="same_class").fit(X, Y)
    with pytest.raises(InvalidParameterError):
        MixupRegressor(kernel_bandwidth=0).fit(X, Y)
    with pytest.raises(ValueError, match="Input y contains NaN"):
        MixupRegressor(max_epochs=1).fit(X, np.full(200, np.nan))
    reg = MixupRegressor(max_epochs=1, warm_start=True, random_state=0).fit(X, Y)
    with pytest.raises(ValueError, match="warm_start cannot change the number of outputs"):
        reg.fit(X, Y[:, 0])


def test_overflowing_targets_raise_saying_to_scale_them(toy):
    X, y = toy
    y = y.astype(np.float64)
    huge = 1e200 * (1 + y)  # finite, but their variance overflows float64
    assert np.isfinite(huge).all()
    with pytest.raises(ValueError, match=r"overflows float64 \(the largest \|y\| is .*Scale the"):
        MixupRegressor(max_epochs=1, random_state=0).fit(X, huge)
    # A later chunk far outside the first one's range cannot be standardised in float32.
    reg = MixupRegressor(max_epochs=1, random_state=0).partial_fit(X, y)
    with pytest.raises(ValueError, match="does not fit in float32"):
        reg.partial_fit(X, 1e100 * (1 + y))


def test_predictions_that_would_not_be_finite_raise(toy):
    X, y = toy
    reg = MixupRegressor(max_epochs=1, random_state=0).fit(X, y)
    assert np.isfinite(reg.predict(X)).all()
    # As a fit on targets near float64's limit leaves them: outputs above 0 overflow.
    reg.target_scale_ = np.full_like(reg.target_scale_, 1e308)
    reg.target_mean_ = np.full_like(reg.target_mean_, 1.7e308)
    with pytest.raises(ValueError, match="back to the target's units overflows.*Scale"):
        reg.predict(X)
    reg = MixupRegressor(max_epochs=1, random_state=0).fit(X, y)
    with torch.no_grad():
        for param in reg.net_.module_.parameters():
            param.fill_(float("nan"))
    with pytest.raises(ValueError, match="training diverged: lower lr"):
        reg.predict(X)


def test_batch_size_auto_and_cosine_schedule(toy):
    X, Y = toy  # 200 rows: 200 / 8 = 25, rounded to a power of 2 within [32, 512]
    reg = MixupRegressor(
        max_epochs=3, batch_size="auto", lr=3e-3, lr_schedule="cosine", random_state=0
    ).fit(X, Y)
    assert reg.net_.batch_size == 32
    assert [len(epoch["batches"]) for epoch in reg.net_.history] == [7] * 3
    lrs = [batch["event_lr"] for epoch in reg.net_.history for batch in epoch["batches"]]
    assert lrs[0] == pytest.approx(3e-3, rel=0.01) and lrs[-1] < 1e-2 * lrs[0]  # 21 steps
    assert all(a >= b for a, b in zip(lrs, lrs[1:], strict=False))
    big = MixupRegressor(max_epochs=1, batch_size="auto", random_state=0)
    assert big.fit(np.repeat(X, 30, axis=0), np.repeat(Y, 30, axis=0)).net_.batch_size == 512
    flat = MixupRegressor(max_epochs=2, lr_schedule="constant", random_state=0).fit(X, Y)
    assert "event_lr" not in flat.net_.history[-1]["batches"][-1]
    # A stream has no last epoch: partial_fit keeps lr whatever lr_schedule says.
    stream = MixupRegressor(lr_schedule="cosine", batch_size="auto", random_state=0)
    stream.partial_fit(X, Y).partial_fit(X, Y)
    assert "event_lr" not in stream.net_.history[-1]["batches"][-1]


def test_lr_schedule_is_validated_and_refuses_a_second_scheduler(toy):
    from skorch.callbacks import LRScheduler

    X, Y = toy
    with pytest.raises(InvalidParameterError, match="lr_schedule"):
        MixupRegressor(lr_schedule="linear").fit(X, Y)
    mine = [("lr", LRScheduler(policy="StepLR", step_size=1))]
    with pytest.raises(ValueError, match="lr_schedule='constant'"):
        MixupRegressor(max_epochs=1, callbacks=mine, lr_schedule="cosine").fit(X, Y)
    MixupRegressor(max_epochs=1, callbacks=mine, lr_schedule="constant").fit(X, Y)
