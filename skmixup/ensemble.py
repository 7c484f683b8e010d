"""Many small MLPs trained at once with mixup: stacked weights, batched matmuls.

Pure torch (no scikit-learn, no skorch). A grid search over ``alpha`` on small
tabular data trains dozens of tiny networks whose steps are dominated by
per-step overhead; stacking their weights along a leading "member" axis and
training them as one batched network (:func:`torch.baddbmm`) pays that
overhead once per step for all of them.

Each member is trained exactly as :class:`skmixup.net.MixupNet` trains one
network: its own training rows, its own generator (seeded like a single fit)
for its data order, its partner permutations and its lambda draws, its own
Adam state and step count. With ``dropout=0`` a member follows the single-fit
trajectory up to floating-point rounding (batched and unbatched matmuls sum in
different orders).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .mixup import LambdaSampler
from .modules import MLP

__all__ = ["BatchedAdam", "StackedMLP", "fit_mixup_ensemble"]


class StackedMLP(nn.Module):
    """``M`` ReLU MLPs of the same shape evaluated at once.

    Layer ``i`` holds weights of shape ``(M, in_i, out_i)`` and biases of
    shape ``(M, 1, out_i)``; :meth:`forward` maps ``(M, B, n_features)`` to
    ``(M, B, n_outputs)`` with one :func:`torch.baddbmm` per layer.

    Parameters
    ----------
    mlps : sequence of skmixup.modules.MLP
        Networks of identical architecture; their current weights are copied.
    dropout : float
        Dropout probability after each hidden ReLU.
    generator : torch.Generator or None
        Draws the dropout masks.
    """

    def __init__(self, mlps: Sequence[MLP], dropout: float = 0.0,
                 generator: torch.Generator | None = None):
        super().__init__()
        if not mlps:
            raise ValueError("StackedMLP needs at least one MLP.")
        linears = [[m for m in mlp.layers if isinstance(m, nn.Linear)] for mlp in mlps]
        n_layers = len(linears[0])
        if any(len(lin) != n_layers for lin in linears):
            raise ValueError("StackedMLP needs MLPs of identical architecture.")
        self.weights = nn.ParameterList(
            nn.Parameter(torch.stack([lin[i].weight.detach().T for lin in linears]).contiguous())
            for i in range(n_layers))
        self.biases = nn.ParameterList(
            nn.Parameter(torch.stack([lin[i].bias.detach()[None] for lin in linears]).contiguous())
            for i in range(n_layers))
        self.dropout = float(dropout)
        self.generator = generator

    @property
    def n_members(self) -> int:
        return self.weights[0].shape[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = torch.baddbmm(b, x, w)
            if i < last:
                x = torch.relu(x)
                if self.dropout > 0 and self.training:
                    keep = torch.rand(x.shape, device=x.device, generator=self.generator)
                    x = x * (keep >= self.dropout) / (1 - self.dropout)
        return x

    def member(self, index: int) -> MLP:
        """Member ``index`` as a stand-alone :class:`~skmixup.modules.MLP` (a copy)."""
        sizes = [w.shape[2] for w in self.weights]
        mlp = MLP(self.weights[0].shape[1], sizes[-1], sizes[:-1], self.dropout)
        linears = [m for m in mlp.layers if isinstance(m, nn.Linear)]
        with torch.no_grad():
            for lin, w, b in zip(linears, self.weights, self.biases):
                lin.weight.copy_(w[index].T)
                lin.bias.copy_(b[index, 0])
        return mlp.to(self.weights[0].device)


class BatchedAdam:
    """Adam (or AdamW) over stacked parameters, one independent state per member.

    Adam is elementwise, so one Adam over ``(M, ...)`` tensors is ``M``
    independent Adams, except for the step count used in bias correction,
    which is kept per member here so that a member may skip a step
    (``active``) without disturbing its state. The update is
    :class:`torch.optim.Adam`'s (``decoupled=False``, L2 penalty added to the
    gradient) or :class:`torch.optim.AdamW`'s (``decoupled=True``).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled=False):
        self.params = [p for p in params]
        self.lr, self.eps, self.weight_decay = float(lr), float(eps), float(weight_decay)
        self.beta1, self.beta2 = (float(b) for b in betas)
        self.decoupled = decoupled
        n_members = self.params[0].shape[0]
        self.steps = torch.zeros(n_members, dtype=torch.float64, device=self.params[0].device)
        self.exp_avg = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self, active: torch.Tensor | None = None):
        """Update every member, or only those where the bool mask ``active`` is true."""
        if active is not None:
            saved = [(p.clone(), m.clone(), v.clone())
                     for p, m, v in zip(self.params, self.exp_avg, self.exp_avg_sq)]
            self.steps += active.to(self.steps.dtype)
        else:
            self.steps += 1
        b1, b2 = self.beta1, self.beta2
        step_size = (self.lr / (1 - b1 ** self.steps)).float()
        bc2_sqrt = torch.sqrt(1 - b2 ** self.steps).float()
        for i, (p, m, v) in enumerate(zip(self.params, self.exp_avg, self.exp_avg_sq)):
            g = p.grad
            if g is None:
                continue
            shape = (-1,) + (1,) * (p.dim() - 1)
            if self.weight_decay:
                if self.decoupled:
                    p.mul_(1 - self.lr * self.weight_decay)
                else:
                    g = g.add(p, alpha=self.weight_decay)
            m.lerp_(g, 1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            denom = (v.sqrt() / bc2_sqrt.view(shape)).add_(self.eps)
            p.addcdiv_(m * step_size.view(shape), denom, value=-1)
            if active is not None:
                keep = ~active.view(shape)
                for current, old in zip((p, m, v), saved[i]):
                    current.copy_(torch.where(keep, old, current))


def _member_init(n_features, n_outputs, hidden_layer_sizes, dropout, seed):
    # Exactly what a single fit does: seed torch's global RNG (inside a fork) and build the MLP.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return MLP(n_features, n_outputs, tuple(hidden_layer_sizes), dropout)


def fit_mixup_ensemble(
    X: torch.Tensor,
    Y: torch.Tensor,
    train_indices: Sequence[torch.Tensor],
    alphas: Sequence[float],
    seeds: Sequence[int],
    *,
    hidden_layer_sizes: Sequence[int] = (128, 128),
    dropout: float = 0.0,
    max_epochs: int = 100,
    batch_size: int = 32,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    decoupled_weight_decay: bool = False,
    lambda_mode: str = "batch",
) -> StackedMLP:
    """Train one MLP per (rows, alpha, seed) member with mixup, all members at once.

    Parameters
    ----------
    X : tensor of shape (n_samples, n_features)
        Float inputs, on the device to train on.
    Y : tensor of shape (n_samples, n_outputs)
        Float targets (one-hot rows for classification), on the same device.
    train_indices : sequence of M long tensors
        Rows of ``X`` each member trains on.
    alphas : sequence of M floats
        Each member's ``alpha`` (``lam ~ Beta(alpha, alpha)``; 0 is plain ERM).
    seeds : sequence of M ints
        Each member's seed: weight initialisation and its generator.
    hidden_layer_sizes, dropout, max_epochs, batch_size, lr : as for the MLP and MixupNet
    betas, eps, weight_decay, decoupled_weight_decay : Adam's (AdamW's when decoupled)
    lambda_mode : {"batch", "example"}
        One ``lam`` per minibatch or one per example.

    Returns
    -------
    StackedMLP
        The trained members, in the order given, in eval mode.
    """
    n_members = len(train_indices)
    if not (len(alphas) == len(seeds) == n_members) or n_members == 0:
        raise ValueError(
            f"train_indices, alphas and seeds must have the same, non-zero length; got "
            f"{n_members}, {len(alphas)} and {len(seeds)}.")
    device = X.device
    gen_device = torch.device("cuda", torch.cuda.current_device()) \
        if device.type == "cuda" and device.index is None else device
    generators = [torch.Generator(device=gen_device).manual_seed(int(s)) for s in seeds]
    samplers = [LambdaSampler(a, g) for a, g in zip(alphas, generators)]
    dropout_gen = torch.Generator(device=gen_device).manual_seed(int(seeds[0]) + 1)
    mlps = [_member_init(X.shape[1], Y.shape[1], hidden_layer_sizes, dropout, s) for s in seeds]
    model = StackedMLP(mlps, dropout, dropout_gen).to(device).train()
    optimizer = BatchedAdam(model.parameters(), lr=lr, betas=betas, eps=eps,
                            weight_decay=weight_decay, decoupled=decoupled_weight_decay)

    rows = [torch.as_tensor(idx, device=device, dtype=torch.long) for idx in train_indices]
    sizes = [len(r) for r in rows]
    n_steps = max(math.ceil(n / batch_size) for n in sizes)
    mixing = [float(a) > 0 for a in alphas]
    arange_cache: dict[int, torch.Tensor] = {}

    def arange(n):
        if n not in arange_cache:
            arange_cache[n] = torch.arange(n, device=device)
        return arange_cache[n]

    for _ in range(max_epochs):
        # Each member's epoch order, from its own generator (as TensorBatches does).
        order = torch.zeros((n_members, n_steps * batch_size), dtype=torch.long, device=device)
        for m, r in enumerate(rows):
            order[m, :sizes[m]] = r[torch.randperm(sizes[m], device=device,
                                                   generator=generators[m])]
        for s in range(n_steps):
            start = s * batch_size
            counts = [max(0, min(batch_size, n - start)) for n in sizes]
            width = max(counts)
            full = all(c == width for c in counts)
            index = order[:, start:start + width]
            xb, yb = X[index], Y[index]  # (M, width, d), (M, width, k)

            perms, lams = [], []
            for m in range(n_members):
                c = counts[m]
                if not mixing[m] or c == 0:
                    perms.append(arange(width))
                    lams.append(torch.ones(width if lambda_mode == "example" else 1,
                                           device=device))
                    continue
                lam = samplers[m].draw(c if lambda_mode == "example" else 1)
                perm = torch.randperm(c, device=device, generator=generators[m])
                if c < width:  # pad rows stay unmixed (and carry no weight)
                    perm = torch.cat([perm, arange(width)[c:]])
                    if lambda_mode == "example":
                        lam = torch.cat([lam, torch.ones(width - c, device=device)])
                perms.append(perm)
                lams.append(lam)
            perm = torch.stack(perms)
            lam = torch.stack(lams)[:, :, None]  # (M, 1 or width, 1)
            gather = perm[:, :, None]
            xm = torch.lerp(xb.gather(1, gather.expand_as(xb)), xb, lam.to(xb.dtype))
            ym = torch.lerp(yb.gather(1, gather.expand_as(yb)), yb, lam.to(yb.dtype))

            logits = model(xm)
            row_loss = -(ym * F.log_softmax(logits, dim=2)).sum(dim=2)  # (M, width)
            if full:
                loss = row_loss.mean(dim=1).sum()
                active = None
            else:
                count = torch.tensor(counts, device=device, dtype=row_loss.dtype)
                weight = (arange(width)[None] < count[:, None]) / count.clamp_min(1)[:, None]
                loss = (row_loss * weight).sum()
                active = count > 0
            optimizer.zero_grad()
            loss.backward()
            optimizer.step(active if active is not None and not bool(active.all()) else None)
    return model.eval()
