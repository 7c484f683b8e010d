"""Properties of the pure-torch mixup math."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import stats

from skmixup.mixup import (
    LambdaSampler,
    discriminator_mixup,
    interpolate,
    mixup_batch,
    mixup_cross_entropy,
    one_hot,
    sample_lambda,
)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("alpha", [0.1, 0.2, 0.4, 1.0, 8.0, 32.0])
def test_lambda_follows_beta(alpha):
    lam = sample_lambda(alpha, 20000, generator=gen()).double().numpy()
    assert lam.min() >= 0 and lam.max() <= 1
    # A Kolmogorov-Smirnov test against scipy's Beta(alpha, alpha): a wrong sampler fails it.
    assert stats.kstest(lam, stats.beta(alpha, alpha).cdf).pvalue > 1e-3


def test_lambda_rejects_wrong_shape_of_distribution():
    # The KS test above has power: Beta(0.4) draws are clearly not Beta(1).
    lam = sample_lambda(0.4, 20000, generator=gen()).double().numpy()
    assert stats.kstest(lam, stats.beta(1.0, 1.0).cdf).pvalue < 1e-6


def test_tiny_alpha_does_not_underflow():
    # Below alpha ~0.1 a fraction of draws lies within 1e-16 of 0 or 1 and a KS test
    # meets float rounding; check finiteness, symmetry and the mass near the ends instead.
    lam = sample_lambda(0.01, 20000, generator=gen()).numpy()
    assert np.isfinite(lam).all()
    assert abs(np.mean(lam < 0.5) - 0.5) < 0.02
    expected_ends = 2 * stats.beta(0.01, 0.01).cdf(0.01)
    assert abs(np.mean((lam < 0.01) | (lam > 0.99)) - expected_ends) < 0.01


def test_alpha_zero_is_no_mixing():
    g = gen()
    state = g.get_state()
    assert torch.equal(sample_lambda(0.0, 5, generator=g), torch.ones(5, dtype=torch.float64))
    assert torch.equal(g.get_state(), state)  # no random draw at all


def test_fixed_seed_reproduces():
    a = sample_lambda(0.4, 100, generator=gen(3))
    b = sample_lambda(0.4, 100, generator=gen(3))
    c = sample_lambda(0.4, 100, generator=gen(4))
    assert torch.equal(a, b) and not torch.equal(a, c)
    x, y = torch.randn(16, 5, generator=gen()), torch.rand(16, 3, generator=gen(1))
    out1 = mixup_batch(x, y, a[:1], generator=gen(7))
    out2 = mixup_batch(x, y, a[:1], generator=gen(7))
    for t1, t2 in zip(out1, out2):
        assert torch.equal(t1, t2)


def test_sampler_is_a_buffered_stream_of_the_same_draws():
    sampler = LambdaSampler(0.4, gen(5), chunk=7)
    drawn = torch.cat([sampler.draw(1) for _ in range(10)] + [sampler.draw(9)])
    assert drawn.shape == (19,)
    again = LambdaSampler(0.4, gen(5), chunk=7)
    assert torch.equal(drawn, torch.cat([again.draw(1) for _ in range(10)] + [again.draw(9)]))


def test_lambda_one_is_identity():
    x = torch.randn(8, 3, 4, 4)
    index = torch.randperm(8)
    assert torch.equal(interpolate(x, x[index], torch.ones(1)), x)
    assert torch.equal(interpolate(x, x[index], torch.ones(8)), x)


@pytest.mark.parametrize("per_example", [False, True])
def test_mixed_inputs_are_convex_combinations(per_example):
    x = torch.randn(32, 6, generator=gen())
    y = one_hot(torch.randint(0, 4, (32,), generator=gen(1)), 4)
    lam = sample_lambda(0.4, 32 if per_example else 1, generator=gen(2))
    xm, ym, index = mixup_batch(x, y, lam, generator=gen(3))
    lam_col = lam.float().reshape(-1, 1)
    torch.testing.assert_close(xm, lam_col * x + (1 - lam_col) * x[index])
    torch.testing.assert_close(ym, lam_col * y + (1 - lam_col) * y[index])
    assert sorted(index.tolist()) == list(range(32))  # partners are a permutation
    torch.testing.assert_close(ym.sum(1), torch.ones(32))  # still a distribution
    assert (ym >= 0).all()


@pytest.mark.parametrize("n_lam", [1, 10])
def test_soft_target_loss_equals_weighted_two_label_loss(n_lam):
    logits = torch.randn(10, 5, generator=gen())
    y_a = torch.randint(0, 5, (10,), generator=gen(1))
    y_b = torch.randint(0, 5, (10,), generator=gen(2))
    lam = torch.rand(n_lam, generator=gen(3))
    target = lam[:, None] * one_hot(y_a, 5) + (1 - lam[:, None]) * one_hot(y_b, 5)
    # Cross-entropy against soft target rows, written out.
    soft = -(target * F.log_softmax(logits, dim=1)).sum(dim=1).mean()
    torch.testing.assert_close(soft, mixup_cross_entropy(logits, y_a, y_b, lam))
    torch.testing.assert_close(soft, F.cross_entropy(logits, target))
    if n_lam == 1:  # the paper's form, term by term
        paper = lam * F.cross_entropy(logits, y_a) + (1 - lam) * F.cross_entropy(logits, y_b)
        torch.testing.assert_close(soft, paper[0])


def test_mixing_is_not_a_no_op():
    x = torch.arange(8.0).reshape(8, 1)
    xm, _, index = mixup_batch(x, x, torch.tensor([0.5]), generator=gen())
    moved = index != torch.arange(8)
    assert moved.any() and not torch.equal(xm[moved], x[moved])


# ------------------------------------------------------------ discriminator mixup


def real_fake(n_real=6, n_fake=6, shape=(2,)):
    return torch.randn(n_real, *shape, generator=gen(10)), torch.randn(
        n_fake, *shape, generator=gen(11)
    ) + 5


def test_discriminator_mixup_weight_one_is_the_stacked_batch():
    real, fake = real_fake(5, 7)
    for kwargs in (dict(uniform_max=0.0), dict(alpha=0.0), dict(lam=torch.ones(1))):
        x, y, index, lam = discriminator_mixup(real, fake, generator=gen(), **kwargs)
        assert torch.equal(x, torch.cat([real, fake]))
        assert torch.equal(y, torch.tensor([1.0] * 5 + [0.0] * 7))
        assert torch.equal(lam, torch.ones(12))
        assert sorted(index.tolist()) == list(range(12))


@pytest.mark.parametrize("pairs", ["any", "cross"])
def test_discriminator_mixup_weight_zero_is_the_partner(pairs):
    real, fake = real_fake()
    x, y, index, _ = discriminator_mixup(
        real, fake, lam=torch.zeros(12), pairs=pairs, generator=gen()
    )
    stacked = torch.cat([real, fake])
    labels = torch.tensor([1.0] * 6 + [0.0] * 6)
    assert torch.equal(x, stacked[index]) and torch.equal(y, labels[index])
    assert not torch.equal(x, stacked)  # the partners are not the rows themselves


@pytest.mark.parametrize("pairs", ["any", "cross"])
@pytest.mark.parametrize("kwargs", [dict(uniform_max=0.5), dict(alpha=0.2), dict(uniform_max=1.0)])
def test_discriminator_mixup_is_a_convex_combination(pairs, kwargs):
    real, fake = real_fake(16, 16, shape=(3, 2))
    x, y, index, lam = discriminator_mixup(real, fake, pairs=pairs, generator=gen(1), **kwargs)
    stacked = torch.cat([real, fake])
    labels = torch.cat([torch.ones(16), torch.zeros(16)])
    w = lam[:, None, None]
    torch.testing.assert_close(x, w * stacked + (1 - w) * stacked[index])
    torch.testing.assert_close(y, lam * labels + (1 - lam) * labels[index])
    assert ((lam >= 0) & (lam <= 1)).all() and ((y >= 0) & (y <= 1)).all()
    if pairs == "cross":
        # Every real row has a fake partner and vice versa: the label is the row's own weight
        # for a real row, its partner's weight for a fake one.
        assert (index[:16] >= 16).all() and (index[16:] < 16).all()
        torch.testing.assert_close(y, torch.cat([lam[:16], 1 - lam[16:]]))


def test_discriminator_mixup_uniform_weights_follow_the_authors_uniform():
    real, fake = real_fake(5000, 5000)
    _, _, _, lam = discriminator_mixup(real, fake, uniform_max=0.2, generator=gen())
    partner_weight = (1 - lam).double().numpy()
    assert stats.kstest(partner_weight, stats.uniform(0, 0.2).cdf).pvalue > 1e-3
    assert stats.kstest(partner_weight, stats.uniform(0, 0.3).cdf).pvalue < 1e-6


def test_discriminator_mixup_beta_weights_follow_beta():
    real, fake = real_fake(5000, 5000)
    _, _, _, lam = discriminator_mixup(real, fake, alpha=0.4, generator=gen())
    assert stats.kstest(lam.double().numpy(), stats.beta(0.4, 0.4).cdf).pvalue > 1e-3


def test_discriminator_mixup_seed_reproduces():
    real, fake = real_fake()
    a = discriminator_mixup(real, fake, uniform_max=1.0, generator=gen(3))
    b = discriminator_mixup(real, fake, uniform_max=1.0, generator=gen(3))
    c = discriminator_mixup(real, fake, uniform_max=1.0, generator=gen(4))
    for t1, t2 in zip(a, b):
        assert torch.equal(t1, t2)
    assert not torch.equal(a[0], c[0])


def test_discriminator_mixup_shapes_and_dtypes():
    real, fake = real_fake(3, 5, shape=(1, 4, 4))
    x, y, index, lam = discriminator_mixup(real.double(), fake.double(), alpha=1.0, generator=gen())
    assert x.shape == (8, 1, 4, 4) and y.shape == (8,) and index.shape == (8,) and lam.shape == (8,)
    assert x.dtype == y.dtype == lam.dtype == torch.float64 and index.dtype == torch.int64
    # One weight for the whole batch broadcasts to every row.
    _, _, _, lam = discriminator_mixup(real, fake, lam=torch.tensor([0.3]), generator=gen())
    torch.testing.assert_close(lam, torch.full((8,), 0.3))


def test_discriminator_mixup_passes_gradients_to_the_fake_batch():
    real, fake = real_fake()
    fake.requires_grad_(True)
    x, _, _, _ = discriminator_mixup(real, fake, uniform_max=1.0, generator=gen())
    x.sum().backward()
    assert fake.grad is not None and (fake.grad > 0).any()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(), ValueError, "exactly one"),
        (dict(uniform_max=0.2, alpha=0.2), ValueError, "exactly one"),
        (dict(uniform_max=1.5), ValueError, "uniform_max"),
        (dict(uniform_max=-0.1), ValueError, "uniform_max"),
        (dict(alpha=-1.0), ValueError, "alpha"),
        (dict(lam=torch.ones(3)), ValueError, "shape"),
        (dict(lam=torch.full((1,), 1.5)), ValueError, r"\[0, 1\]"),
        (dict(lam=0.5), TypeError, "lam"),
        (dict(uniform_max=0.2, pairs="same"), ValueError, "pairs"),
    ],
)
def test_discriminator_mixup_rejects_bad_settings(kwargs, error, match):
    real, fake = real_fake()
    with pytest.raises(error, match=match):
        discriminator_mixup(real, fake, generator=gen(), **kwargs)


def test_discriminator_mixup_rejects_bad_batches():
    real, fake = real_fake(4, 6)
    with pytest.raises(ValueError, match="as many"):
        discriminator_mixup(real, fake, uniform_max=0.2, pairs="cross", generator=gen())
    with pytest.raises(ValueError, match="shape of a row"):
        discriminator_mixup(real, torch.randn(4, 3), uniform_max=0.2, generator=gen())
    with pytest.raises(ValueError, match="at least one row"):
        discriminator_mixup(real, torch.empty(0, 2), uniform_max=0.2, generator=gen())
    with pytest.raises(TypeError, match="floats"):
        discriminator_mixup(
            real, torch.ones(4, 2, dtype=torch.long), uniform_max=0.2, generator=gen()
        )
    with pytest.raises(TypeError, match="torch.Tensor"):
        discriminator_mixup(real.numpy(), fake, uniform_max=0.2, generator=gen())
