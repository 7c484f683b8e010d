"""Adversarial examples in pure torch: FGSM and iterative FGSM (no scikit-learn, no skorch).

FGSM (Goodfellow et al., 2015, :arxiv:`1412.6572`) moves every input pixel by
``eps`` in the direction of the sign of the loss gradient; iterative FGSM
(Kurakin et al., 2017, :arxiv:`1607.02533`) takes several smaller such steps,
projecting back into the ``eps``-ball around the input after each. Both keep
the result inside the valid pixel range. White-box examples are crafted on the
attacked model; black-box (transfer) examples on another model.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["fgsm", "iterative_fgsm", "input_gradient"]


def input_gradient(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Gradient with respect to ``x`` of the summed cross-entropy of ``model(x)`` against ``y``.

    The model's own parameters get no gradient; call it in eval mode.
    """
    x = x.detach().clone().requires_grad_(True)
    loss = F.cross_entropy(model(x), y.long(), reduction="sum")
    (grad,) = torch.autograd.grad(loss, x)
    return grad


def _check(eps: float, clip: tuple[float, float] | None):
    if eps < 0:
        raise ValueError(f"eps must be non-negative; got {eps}.")
    if clip is not None and clip[0] >= clip[1]:
        raise ValueError(f"clip must be (low, high) with low < high; got {clip}.")


def fgsm(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    eps: float,
    *,
    clip: tuple[float, float] | None = (0.0, 1.0),
) -> torch.Tensor:
    """Fast gradient sign method: ``clip(x + eps * sign(grad_x loss))``.

    Parameters
    ----------
    model : torch.nn.Module
        Returns logits; put it in eval mode first (batch norm, dropout).
    x : tensor of shape (n, ...)
        Clean inputs, inside ``clip``.
    y : tensor of shape (n,)
        True labels (class indices).
    eps : float
        Largest change of each input value (L-infinity budget), in the units
        of ``x`` (``4 / 255`` is 4 grey levels for images in [0, 1]).
    clip : (float, float) or None, default=(0.0, 1.0)
        Valid range of the inputs; ``None`` does not clip.

    Returns
    -------
    torch.Tensor
        Adversarial inputs, same shape as ``x``, no gradient attached.
    """
    _check(eps, clip)
    if eps == 0:
        return x.detach().clone()
    x_adv = x.detach() + eps * input_gradient(model, x, y).sign()
    return x_adv.clamp(*clip) if clip is not None else x_adv


def iterative_fgsm(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    eps: float,
    *,
    n_iter: int = 10,
    step_size: float | None = None,
    clip: tuple[float, float] | None = (0.0, 1.0),
) -> torch.Tensor:
    """Iterative FGSM: ``n_iter`` signed-gradient steps, each projected into the ``eps``-ball.

    Parameters
    ----------
    model, x, y, eps, clip
        As for :func:`fgsm`.
    n_iter : int, default=10
        Number of steps (the mixup paper used 10).
    step_size : float, default=None
        Change per step; ``None`` uses ``eps / n_iter * 2.5``, so that the
        steps can reach the border of the ball and move along it.

    Returns
    -------
    torch.Tensor
        Adversarial inputs with ``|x_adv - x| <= eps`` everywhere.
    """
    _check(eps, clip)
    if n_iter < 1:
        raise ValueError(f"n_iter must be at least 1; got {n_iter}.")
    x = x.detach()
    if eps == 0:
        return x.clone()
    step = 2.5 * eps / n_iter if step_size is None else float(step_size)
    x_adv = x.clone()
    for _ in range(n_iter):
        x_adv = x_adv + step * input_gradient(model, x_adv, y).sign()
        x_adv = torch.min(torch.max(x_adv, x - eps), x + eps)
        if clip is not None:
            x_adv = x_adv.clamp(*clip)
    return x_adv
