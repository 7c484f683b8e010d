"""The skorch layer: tensor batches and the mixup training step."""

import math

import pytest
import torch
from skorch.callbacks import Callback
from torch import nn

from skmixup._net import FiniteLossCheck, MixupNet, TensorBatches
from skmixup.mixup import LambdaSampler, mixup_batch, one_hot


def test_batches_cover_every_row_once_and_reshuffle():
    X = torch.arange(50.0).reshape(50, 1)
    y = torch.arange(50.0)
    batches = TensorBatches(X, y, 16, shuffle=True, generator=torch.Generator().manual_seed(0))
    assert len(batches) == 4
    epoch1 = [xb[:, 0] for xb, _ in batches]
    epoch2 = [xb[:, 0] for xb, _ in batches]
    assert [len(b) for b in epoch1] == [16, 16, 16, 2]
    assert sorted(torch.cat(epoch1).tolist()) == list(range(50))
    assert not torch.equal(torch.cat(epoch1), torch.cat(epoch2))
    for xb, yb in batches:  # X and y stay aligned after shuffling
        assert torch.equal(xb[:, 0], yb)


def test_batches_in_order_without_shuffle():
    X = torch.arange(10.0)
    assert torch.equal(torch.cat([xb for xb, _ in TensorBatches(X, None, 3)]), X)


def _net(alpha, **kwargs):
    settings = dict(
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.SGD,
        lr=0.1,
        max_epochs=1,
        batch_size=8,
        train_split=None,
        alpha=alpha,
        seed=0,
    )
    return MixupNet(nn.Linear(3, 2), **{**settings, **kwargs}).initialize()


def test_alpha_zero_step_is_plain_cross_entropy_and_draws_nothing():
    net = _net(0.0)
    X, y = torch.randn(8, 3), torch.randint(0, 2, (8,))
    state = net.generator_.get_state()
    step = net.train_step_single((X, one_hot(y, 2)))
    expected = nn.functional.cross_entropy(net.module_(X), y)
    torch.testing.assert_close(step["loss"], expected)
    assert torch.equal(net.generator_.get_state(), state)


def test_mixup_step_uses_mixed_batch():
    net = _net(1.0)
    X, y = torch.randn(8, 3), torch.randint(0, 2, (8,))
    plain = nn.functional.cross_entropy(net.module_(X), y)
    step = net.train_step_single((X, one_hot(y, 2)))
    assert not math.isclose(step["loss"].item(), plain.item(), rel_tol=1e-6)
    assert net.lambda_sampler_._pos == 1  # one lambda for the batch


def test_example_mode_draws_one_lambda_per_example():
    net = _net(1.0, lambda_mode="example")
    net.train_step_single((torch.randn(8, 3), one_hot(torch.randint(0, 2, (8,)), 2)))
    assert net.lambda_sampler_._pos == 8


@pytest.mark.parametrize("weight", [0.25, 0.5])
def test_clean_weight_step_is_the_weighted_sum_of_mixed_and_clean_losses(weight):
    net = _net(10.0, clean_weight=weight)
    X, y = torch.randn(8, 3), torch.randint(0, 2, (8,))
    state = net.generator_.get_state()
    step = net.train_step_single((X, one_hot(y, 2)))
    # The same draws again, by hand: lambda, then the partners; then both losses.
    net.generator_.set_state(state)
    lam = LambdaSampler(10.0, net.generator_).draw(1)
    X_mixed, y_mixed, _ = mixup_batch(X, one_hot(y, 2), lam, generator=net.generator_)
    mixed = nn.functional.cross_entropy(net.module_(X_mixed), y_mixed)
    clean = nn.functional.cross_entropy(net.module_(X), y)
    torch.testing.assert_close(step["loss"], (1 - weight) * mixed + weight * clean)


class _RecordMixing(Callback):
    def initialize(self):
        self.mixing = []
        return self

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.mixing.append((len(net.history), net._mixing()))


def test_mix_fraction_mixes_the_first_epochs_then_trains_on_clean_batches():
    record = _RecordMixing()
    net = _net(0.4, max_epochs=4, mix_fraction=0.5, callbacks=[("record", record)])
    net.fit(torch.randn(16, 3), one_hot(torch.randint(0, 2, (16,)), 2))
    assert record.mixing == [(1, True), (1, True), (2, True), (2, True)] + [
        (3, False),
        (3, False),
        (4, False),
        (4, False),
    ]
    drawn = net.lambda_sampler_._pos
    assert drawn == 4  # one lambda per mixed step, none after


def test_diverging_loss_stops_with_advice():
    net = MixupNet(
        nn.Linear(3, 2),
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.SGD,
        lr=1.0,
        max_epochs=3,
        batch_size=8,
        train_split=None,
        alpha=0.4,
        seed=0,
        callbacks=[("finite", FiniteLossCheck())],
    )
    X = torch.full((16, 3), float("inf"))
    y = one_hot(torch.randint(0, 2, (16,)), 2)
    with pytest.raises(ValueError, match="smaller learning rate"):
        net.fit(X, y)
