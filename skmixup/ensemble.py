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

    def forward(self, x: torch.Tensor, n_members: int | None = None) -> torch.Tensor:
        """``(M, B, n_features) -> (M, B, n_outputs)``; only the first ``n_members`` if given."""
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            if n_members is not None and n_members < w.shape[0]:
                w, b = w[:n_members], b[:n_members]
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
        from ._rng import seeded_torch_rng

        with seeded_torch_rng(0):  # its initial weights are overwritten: leave torch's RNG alone
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
    independent Adams, except for the step count used in bias correction.
    Members are therefore split into contiguous ranges that always step
    together (``groups``), each range with its own :class:`torch.optim.Adam`
    (``fused`` where available: one kernel per step) over views of the stacked
    tensors; a range that has no data in a step skips it, so its step count
    stays right.

    Parameters
    ----------
    params : iterable of tensors of shape (M, ...)
        The stacked parameters.
    groups : sequence of (start, stop)
        Contiguous member ranges that step together; default: all members.
    decoupled : bool
        AdamW's decoupled weight decay instead of Adam's L2 penalty.
    **kwargs
        ``lr``, ``betas``, ``eps``, ``weight_decay`` of the torch optimizer.
    """

    def __init__(self, params, groups=None, decoupled=False, **kwargs):
        self.params = list(params)
        n_members = self.params[0].shape[0]
        self.groups = [(0, n_members)] if groups is None else [tuple(g) for g in groups]
        cls = torch.optim.AdamW if decoupled else torch.optim.Adam
        self.views, self.optimizers = [], []
        for start, stop in self.groups:
            views = [p.detach()[start:stop] for p in self.params]
            self.views.append(views)
            try:
                self.optimizers.append(cls(views, fused=True, **kwargs))
            except RuntimeError:  # no fused kernel for this device or dtype
                self.optimizers.append(cls(views, **kwargs))

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self, active_groups=None):
        """One step for every group, or for the groups whose index is in ``active_groups``."""
        for g, ((start, stop), views, opt) in enumerate(
                zip(self.groups, self.views, self.optimizers)):
            if active_groups is not None and g not in active_groups:
                continue
            for view, p in zip(views, self.params):
                view.grad = None if p.grad is None else p.grad[start:stop]
            opt.step()


def _member_init(n_features, n_outputs, hidden_layer_sizes, dropout, seed):
    # Exactly what a single fit does: seed torch's global RNG (for this block only, one
    # thread at a time, the caller's state restored after) and build the MLP.
    from ._rng import seeded_torch_rng

    with seeded_torch_rng(seed):
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
    sample_weights: Sequence[torch.Tensor] | None = None,
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
    sample_weights : sequence of M float tensors, optional
        Positive weights of each member's training rows (aligned with
        ``train_indices``). Normalised to mean 1 per member; a mixed row
        weighs ``lam * w_i + (1 - lam) * w_j`` in its member's mean loss, as
        :meth:`skmixup.net.MixupNet.get_loss` weighs it in a single fit.

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
    # Members with more batches per epoch first, so that those that step together (the
    # same number of batches) are contiguous ranges, each with its own Adam step count.
    n_batches = [math.ceil(len(idx) / batch_size) for idx in train_indices]
    position = sorted(range(n_members), key=lambda m: -n_batches[m])
    alphas = [float(alphas[m]) for m in position]
    seeds = [int(seeds[m]) for m in position]
    rows = [torch.as_tensor(train_indices[m], device=device, dtype=torch.long) for m in position]
    weights = None
    if sample_weights is not None:
        if len(sample_weights) != n_members:
            raise ValueError(f"sample_weights must have one tensor per member ({n_members}); "
                             f"got {len(sample_weights)}.")
        weights = []
        for m in position:
            w = torch.as_tensor(sample_weights[m], device=device, dtype=torch.float64)
            if w.shape != (len(train_indices[m]),) or not bool((w > 0).all()):
                raise ValueError("each member's sample_weights must be positive, one per row "
                                 "of its train_indices.")
            weights.append((w / w.mean()).to(Y.dtype))
    sizes = [len(r) for r in rows]
    n_batches = [n_batches[m] for m in position]
    groups = []
    for m, nb in enumerate(n_batches):
        if groups and n_batches[groups[-1][0]] == nb:
            groups[-1][1] = m + 1
        else:
            groups.append([m, m + 1])

    generators = [torch.Generator(device=gen_device).manual_seed(s) for s in seeds]
    samplers = [LambdaSampler(a, g) for a, g in zip(alphas, generators)]
    dropout_gen = torch.Generator(device=gen_device).manual_seed(seeds[0] + 1)
    mlps = [_member_init(X.shape[1], Y.shape[1], hidden_layer_sizes, dropout, s) for s in seeds]
    model = StackedMLP(mlps, dropout, dropout_gen).to(device).train()
    optimizer = BatchedAdam(model.parameters(), groups, decoupled=decoupled_weight_decay,
                            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    n_steps = n_batches[0]
    mixing = [a > 0 for a in alphas]
    n_lam = (lambda c: c) if lambda_mode == "example" else (lambda c: 1)
    arange_cache: dict[int, torch.Tensor] = {}

    def arange(n):
        if n not in arange_cache:
            arange_cache[n] = torch.arange(n, device=device)
        return arange_cache[n]

    for _ in range(max_epochs):
        # Each member's epoch order, from its own generator (as TensorBatches does).
        order = torch.zeros((n_members, n_steps * batch_size), dtype=torch.long, device=device)
        if weights is not None:
            row_weight = torch.zeros(order.shape, dtype=Y.dtype, device=device)
        for m, r in enumerate(rows):
            shuffled = torch.randperm(sizes[m], device=device, generator=generators[m])
            order[m, :sizes[m]] = r[shuffled]
            if weights is not None:
                row_weight[m, :sizes[m]] = weights[m][shuffled]
        for s in range(n_steps):
            start = s * batch_size
            counts = [max(0, min(batch_size, n - start)) for n in sizes]
            # Members run out of batches from the end of the list: train the active prefix.
            n_active = sum(c > 0 for c in counts)
            width = max(counts)
            full = all(c == width for c in counts)
            index = order[:n_active, start:start + width]
            xb, yb = X[index], Y[index]  # (M, width, d), (M, width, k)

            perms, lams = [], []
            for m in range(n_active):
                c = counts[m]
                if not mixing[m]:
                    perms.append(arange(width))
                    lams.append(torch.ones(n_lam(width), device=device))
                    continue
                lam = samplers[m].draw(n_lam(c))
                perm = torch.randperm(c, device=device, generator=generators[m])
                if c < width:  # pad rows stay unmixed (and carry no weight)
                    perm = torch.cat([perm, arange(width)[c:]])
                    lam = torch.cat([lam, torch.ones(n_lam(width) - len(lam), device=device)])
                perms.append(perm)
                lams.append(lam)
            perm = torch.stack(perms)
            lam = torch.stack(lams)[:, :, None]  # (M, 1 or width, 1)
            gather = perm[:, :, None]
            xm = torch.lerp(xb.gather(1, gather.expand_as(xb)), xb, lam.to(xb.dtype))
            ym = torch.lerp(yb.gather(1, gather.expand_as(yb)), yb, lam.to(yb.dtype))

            logits = model(xm, n_active)
            row_loss = -(ym * F.log_softmax(logits, dim=2)).sum(dim=2)  # (M, width)
            if weights is not None:  # the weights mix as the targets do
                wb = row_weight[:n_active, start:start + width]
                row_loss = row_loss * torch.lerp(wb.gather(1, perm), wb, lam[:, :, 0].to(wb.dtype))
            if full:
                loss = row_loss.mean(dim=1).sum()
            else:
                count = torch.tensor(counts[:n_active], device=device, dtype=row_loss.dtype)
                weight = (arange(width)[None] < count[:, None]) / count[:, None]
                loss = (row_loss * weight).sum()
            optimizer.zero_grad()
            loss.backward()
            active = None if n_active == n_members else \
                [g for g, (lo, _) in enumerate(groups) if lo < n_active]
            optimizer.step(active)
    # Back to the order given.
    inverse = torch.as_tensor(sorted(range(n_members), key=position.__getitem__), device=device)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p[inverse])
    return model.eval()
