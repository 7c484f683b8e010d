"""FGSM and iterative FGSM (experiments._attacks)."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from experiments._attacks import fgsm, input_gradient, iterative_fgsm


@pytest.fixture
def model_and_data():
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(36, 16), nn.Tanh(), nn.Linear(16, 3)).eval()
    x = torch.rand(64, 1, 6, 6, generator=g)
    y = torch.randint(3, (64,), generator=g)
    return model, x, y


def _loss(model, x, y):
    with torch.no_grad():
        return F.cross_entropy(model(x), y).item()


@pytest.mark.parametrize("attack", [fgsm, iterative_fgsm])
def test_attacks_increase_the_loss(model_and_data, attack):
    model, x, y = model_and_data
    x_adv = attack(model, x, y, 0.1)
    assert _loss(model, x_adv, y) > _loss(model, x, y) + 0.01


def test_iterative_fgsm_is_at_least_as_strong_as_fgsm(model_and_data):
    model, x, y = model_and_data
    assert (
        _loss(model, iterative_fgsm(model, x, y, 0.1), y)
        >= _loss(model, fgsm(model, x, y, 0.1), y) - 1e-6
    )


@pytest.mark.parametrize("attack", [fgsm, iterative_fgsm])
def test_eps_zero_changes_nothing(model_and_data, attack):
    model, x, y = model_and_data
    assert torch.equal(attack(model, x, y, 0.0), x)


@pytest.mark.parametrize("attack", [fgsm, iterative_fgsm])
@pytest.mark.parametrize("eps", [0.03, 0.3])
def test_perturbation_stays_within_eps_and_pixel_range(model_and_data, attack, eps):
    model, x, y = model_and_data
    x_adv = attack(model, x, y, eps)
    assert x_adv.shape == x.shape and not x_adv.requires_grad
    assert (x_adv - x).abs().max() <= eps + 1e-6
    assert x_adv.min() >= 0 and x_adv.max() <= 1
    # FGSM moves every pixel by exactly eps unless clipped or the gradient is 0.
    if attack is fgsm:
        moved = (x_adv - x).abs()
        inside = (x_adv > 0) & (x_adv < 1) & (input_gradient(model, x, y) != 0)
        assert torch.allclose(moved[inside], torch.full_like(moved[inside], eps), atol=1e-6)


def test_no_clip_and_model_untouched(model_and_data):
    model, x, y = model_and_data
    before = [p.clone() for p in model.parameters()]
    x_adv = fgsm(model, x * 10, y, 0.5, clip=None)
    assert x_adv.max() > 1
    assert all(p.grad is None for p in model.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_invalid_arguments(model_and_data):
    model, x, y = model_and_data
    with pytest.raises(ValueError, match="eps must be non-negative"):
        fgsm(model, x, y, -0.1)
    with pytest.raises(ValueError, match="n_iter"):
        iterative_fgsm(model, x, y, 0.1, n_iter=0)
    with pytest.raises(ValueError, match="clip"):
        fgsm(model, x, y, 0.1, clip=(1.0, 0.0))
