"""The stacking engine: many fits as one, the members trained together by one skorch net.

A grid search over ``alpha`` (times folds, or seeds) on a small table trains
dozens of small networks whose steps cost mostly per-step overhead.
:func:`fit_members` prepares every member exactly as its own fit would
(:meth:`~skmixup.MixupClassifier.fit`'s checks, targets, weights, seed, batch
size, initial weights and callbacks, through the estimator's ``_plan_fit`` and
``_new_net``), stacks the members' weights along a leading axis and trains them
all with one :class:`MemberNet`, which is a :class:`~skmixup._net.MixupNet`:
the same skorch training loop, loss and Ctrl-C handling as a single fit.

Where a batch goes::

    MemberBatches              one shuffled minibatch per member (its own generator,
                               its own batch size), padded to a common width; at the
                               start of an epoch each member draws that epoch's
                               lambdas and partners, in the order its own fit draws them
    MemberNet.train_step_single
                               the batch is mixed by skmixup.mixup.interpolate, as a
                               single fit's (and RegMixup's clean term added)
    StackedMLP                 one batched matmul per layer for all members
    MemberAdam                 torch's Adam, one param group per range of members
                               that step together (own step counts and lr schedule)

After each epoch every member's own net records its losses and runs its own
callbacks' ``on_epoch_end`` (``on_train_begin`` and ``on_train_end`` at the
ends): its :class:`~skmixup._net.FiniteLossCheck`, early stopping, the epoch
table of ``verbose=2``. A ``KeyboardInterrupt`` a member's callback raises to
stop (skorch's convention) stops that member only.

What may differ between members, and what the engine implements, is checked,
not listed by hand: :func:`check_members` derives it from ``get_params()``
(only ``alpha`` and ``random_state`` may differ; the rest of what differs
between members comes from their data, through their own plans), and
:func:`net_refusal` compares each member's net, parameter by parameter, with
what :class:`MemberNet` reproduces (``_NET_PARAMS``); a parameter it does not
know is accepted only at :class:`~skmixup._net.MixupNet`'s default, so a new
one is refused (one fit after another) until the engine implements it.

With ``dropout=0`` each member ends where its own fit ends, up to
floating-point rounding (batched and single matmuls sum in different orders);
the fitted members are ordinary fitted estimators.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import torch
from sklearn.base import BaseEstimator, clone
from skorch import NeuralNet
from skorch.callbacks import Callback, EpochTimer, LRScheduler
from torch import nn

from ._net import EpochProgress, MixupNet
from ._rng import seeded_torch_rng
from .mixup import interpolate
from .modules import MLP

# When a stack pays on a CPU, measured across the tabular suite's step shapes with
# benchmarks/bench_cv.py (docs/measurements.rst): at most this many rows per step (above
# it the stacked activations leave the cache and batched matmuls run slower than the
# members' own), at most this many multiply-adds a member's step (rows x weights), and
# at least this many members (two stacked were slower than one after the other).
CPU_STACK_ROWS = 128
CPU_STACK_STEP = 2**21
CPU_STACK_MEMBERS = 3

__all__ = [
    "MemberAdam",
    "MemberNet",
    "NotStackable",
    "StackedMLP",
    "check_members",
    "fit_members",
    "net_refusal",
    "stack_refusal",
]

# Logit of an output a member does not have (its fold lacks that class): softmax gives it
# probability 0 exactly, its gradient is 0, and 0 * log-probability stays finite.
_ABSENT = -1e9


def _linears(mlp):
    return [m for m in mlp.modules() if isinstance(m, nn.Linear)]


class StackedMLP(nn.Module):
    """``M`` ReLU MLPs of one architecture evaluated at once.

    Layer ``i`` holds weights of shape ``(M, in_i, out_i)`` and biases of shape
    ``(M, 1, out_i)``; :meth:`forward` maps ``(M, B, n_features)`` to
    ``(M, B, n_outputs)`` with one :func:`torch.baddbmm` per layer. Members
    with fewer outputs than ``n_outputs`` get the missing ones as constant
    logits of -1e9 (probability 0).

    Parameters
    ----------
    mlps : sequence of skmixup.modules.MLP
        The members; their current weights are copied.
    n_outputs : int, default=None
        Outputs of the stack; default: the largest member's.
    dropout : float, default=0.0
        Dropout probability after each hidden ReLU (torch's global generator).
    """

    def __init__(self, mlps, n_outputs=None, dropout=0.0):
        super().__init__()
        layers = [_linears(mlp) for mlp in mlps]
        if (
            not layers
            or len({len(lin) for lin in layers}) != 1
            or len({tuple(layer.in_features for layer in lin) for lin in layers}) != 1
        ):
            raise ValueError("StackedMLP needs one or more MLPs of the same hidden sizes.")
        outs = [lin[-1].out_features for lin in layers]
        n_outputs = max(outs) if n_outputs is None else n_outputs
        weights, biases = [], []
        for i in range(len(layers[0])):
            w = [lin[i].weight.detach().T for lin in layers]
            b = [lin[i].bias.detach() for lin in layers]
            if i == len(layers[0]) - 1:  # pad every member to n_outputs
                w = [nn.functional.pad(t, (0, n_outputs - t.shape[1])) for t in w]
                b = [nn.functional.pad(t, (0, n_outputs - len(t))) for t in b]
            weights.append(nn.Parameter(torch.stack(w).contiguous()))
            biases.append(nn.Parameter(torch.stack(b)[:, None].contiguous()))
        self.weights = nn.ParameterList(weights)
        self.biases = nn.ParameterList(biases)
        absent = torch.zeros(len(outs), 1, n_outputs, dtype=weights[-1].dtype)
        for m, k in enumerate(outs):
            absent[m, 0, k:] = _ABSENT
        self.register_buffer("absent", absent if any(k < n_outputs for k in outs) else None)
        self.dropout = float(dropout)

    def forward(self, x, members=None):
        """``(M', B, n_features) -> (M', B, n_outputs)``.

        For the members ``members`` (positions as a long tensor, or a slice),
        by default the first ``M'``.
        """

        def pick(t):
            if members is None:  # the first members: all of them needs no indexing
                return t if x.shape[0] == t.shape[0] else t[: x.shape[0]]
            return t[members]

        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            x = torch.baddbmm(pick(b), x, pick(w))
            if i < last:
                x = torch.relu(x)
                if self.dropout > 0:
                    x = nn.functional.dropout(x, self.dropout, self.training)
        return x if self.absent is None else x + pick(self.absent)

    def copy_member_to(self, index, mlp):
        """Write member ``index``'s weights into ``mlp`` (of that member's shape)."""
        with torch.no_grad():
            for lin, w, b in zip(_linears(mlp), self.weights, self.biases, strict=True):
                lin.weight.copy_(w[index, :, : lin.out_features].T)
                lin.bias.copy_(b[index, 0, : lin.out_features])
        return mlp


class MemberAdam(torch.optim.Adam):
    """Adam (``decoupled_weight_decay=True``: AdamW) over stacked member parameters.

    Adam is elementwise, so one Adam over ``(M, ...)`` tensors is ``M``
    independent Adams except for the step count of the bias correction. The
    members are therefore split into contiguous ``ranges`` that always step
    together, each a param group of its own (its own step count and learning
    rate) over views of the stacked tensors. Only the first ``n_active``
    members have data in a step: the groups beyond them skip it.

    Parameters
    ----------
    params : iterable of tensors of shape (M, ...)
        The stacked parameters (or skorch's ``(name, parameter)`` pairs).
    ranges : sequence of (start, stop)
        Contiguous member ranges that step together.
    **kwargs
        As for :class:`torch.optim.Adam`.
    """

    def __init__(self, params, ranges, **kwargs):
        self.stacked = []
        for item in params:  # tensors, skorch's (name, tensor) pairs, or param groups
            items = item["params"] if isinstance(item, dict) else [item]
            self.stacked += [p[1] if isinstance(p, tuple) else p for p in items]
        self.ranges = [tuple(r) for r in ranges]
        self.n_active = self.ranges[-1][1]
        groups = [
            {"params": [p.detach()[start:stop] for p in self.stacked]}
            for start, stop in self.ranges
        ]
        super().__init__(groups, **kwargs)

    def zero_grad(self, set_to_none=True):
        super().zero_grad(set_to_none)
        for p in self.stacked:  # the gradients live on the stacked tensors, not the views
            p.grad = None

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for (start, stop), group in zip(self.ranges, self.param_groups, strict=True):
            active = start < self.n_active
            for view, p in zip(group["params"], self.stacked, strict=True):
                view.grad = p.grad[start:stop] if active and p.grad is not None else None
        super().step()
        return loss


class MemberBatches:
    """One shuffled minibatch per member per step, padded to a common width.

    Member ``m`` owns rows ``offsets[m]:offsets[m] + sizes[m]`` of ``X`` and
    ``y``; each epoch it shuffles them with ``generators[m]`` (as
    :class:`~skmixup._net.TensorBatches` shuffles a single fit's rows) and
    slices ``batch_sizes[m]`` rows per step. Right after its shuffle,
    ``draw(m, counts)`` draws the member's mixing for the whole epoch (its
    lambdas and partners for steps of ``counts`` rows, from the same generator
    in the order its own fit draws them), or returns None for an epoch without
    mixing; the steps then only slice tables. Members are ordered by batches
    per epoch, most first, so the members with data in a step are a prefix;
    members marked in ``stopped`` are left out.

    Yields ``((X_batch, members, counts, n_stepping, lam, index, mixing),
    y_batch)``: ``X_batch`` of shape ``(M', W, ...)`` for the members at
    positions ``members`` (None: the first ``M'``), ``counts`` (a tensor) their real rows
    (the rest is padding), ``n_stepping`` the length of the prefix with data
    in this step, ``lam`` (float64) and ``index`` of shape ``(M' * W,)``: each
    flattened row's coefficient and partner (None when no member mixes this
    epoch), ``mixing`` of shape ``(M',)``: whether each member mixes; ``y_batch``
    of shape ``(M', W, k + 1)`` whose last column is the row's weight (0 on
    padding).
    """

    def __init__(self, X, y, offsets, sizes, batch_sizes, generators, stopped=None, draw=None):
        self.X, self.y = X, y
        self.offsets, self.sizes, self.batch_sizes = offsets, sizes, batch_sizes
        self.generators = generators
        self.stopped = [False] * len(sizes) if stopped is None else stopped
        self.draw = draw

    def __len__(self):
        return max(math.ceil(n / b) for n, b in zip(self.sizes, self.batch_sizes, strict=True))

    def _counts(self, m):
        n, b = self.sizes[m], self.batch_sizes[m]
        return [min(b, n - start) for start in range(0, n, b)]

    def _mixing_tables(self, live, device):
        """Each member's epoch of lambdas and partners as ``(M, steps, width)`` tables."""
        n_members, n_steps, width = len(self.sizes), len(self), max(self.batch_sizes)
        mixing = torch.zeros(n_members, dtype=torch.bool, device=device)
        lam = part = None
        for m in live:
            counts = self._counts(m)
            drawn = None if self.draw is None else self.draw(m, counts)
            if drawn is None:
                continue
            if lam is None:
                lam = torch.ones((n_members, n_steps, width), dtype=torch.float64, device=device)
                part = torch.arange(width, device=device).repeat(n_members, n_steps, 1)
            mixing[m] = True
            lams, partners = drawn
            if self.batch_sizes[m] == width:  # the member's steps lie end to end in its rows
                flat = torch.cat([draw.expand(c) for draw, c in zip(lams, counts, strict=True)])
                lam[m].view(-1)[: len(flat)] = flat
                part[m].view(-1)[: sum(counts)] = torch.cat(partners)
            else:
                for s, (draw, p) in enumerate(zip(lams, partners, strict=True)):
                    lam[m, s, : len(p)] = draw
                    part[m, s, : len(p)] = p
        return lam, part, mixing

    def __iter__(self):
        device = self.X.device
        live = [m for m, stopped in enumerate(self.stopped) if not stopped]
        orders = {}
        for m in live:  # each member's shuffle first, then its epoch of mixing draws
            orders[m] = self.offsets[m] + torch.randperm(
                self.sizes[m], device=device, generator=self.generators[m]
            )
        lam_table, part_table, mixing = self._mixing_tables(live, device)
        same = len(set(self.batch_sizes)) == 1
        if same:  # one padded (members, rows) table, sliced per step
            table = torch.zeros(
                (len(self.sizes), len(self) * self.batch_sizes[0]), dtype=torch.long, device=device
            )
            for m, order in orders.items():
                table[m, : len(order)] = order
        everyone = live == list(range(len(self.sizes)))
        for s, (n_stepping, all_counts, cached) in enumerate(self._schedule(device)):
            if everyone:  # the usual case: the prefix, with its tensors built once per fit
                members, counts = range(n_stepping), all_counts
                which, (count, padding, shift) = slice(0, n_stepping), cached
            else:
                members = [m for m in live if m < n_stepping]
                if not members:
                    continue
                counts = [all_counts[m] for m in members]
                which = torch.tensor(members, device=device)
                count, padding, shift = self._step_tensors(counts, device)
            width = padding.shape[1]
            if same:
                start = s * self.batch_sizes[0]
                index = table[which, start : start + width]
            else:
                index = torch.zeros((len(members), width), dtype=torch.long, device=device)
                for i, (m, c) in enumerate(zip(members, counts, strict=True)):
                    b = self.batch_sizes[m]
                    index[i, :c] = orders[m][s * b : s * b + c]
            X, y = self.X[index], self.y[index]
            y[..., -1] *= padding  # padding weighs 0
            lam = partners = None
            if lam_table is not None:
                lam = lam_table[which, s, :width].reshape(-1)
                partners = (part_table[which, s, :width] + shift).reshape(-1)
            positions = None if everyone else which
            count = count.to(y.dtype)
            yield (X, positions, count, n_stepping, lam, partners, mixing[which]), y

    def _schedule(self, device):
        """Per step: the members with data (a prefix), their rows, and their tensors."""
        if getattr(self, "_steps", None) is None:
            self._steps = []
            for s in range(len(self)):
                pairs = zip(self.sizes, self.batch_sizes, strict=True)
                counts = [max(0, min(b, n - s * b)) for n, b in pairs]
                n_stepping = sum(c > 0 for c in counts)
                tensors = self._step_tensors(counts[:n_stepping], device)
                self._steps.append((n_stepping, counts, tensors))
        return self._steps

    @staticmethod
    def _step_tensors(counts, device):
        """A step's real rows per member, its padding mask and each member's row offset."""
        width = max(counts)
        count = torch.tensor(counts, device=device)
        padding = torch.arange(width, device=device)[None] < count[:, None]
        shift = torch.arange(len(counts), device=device)[:, None] * width
        return count, padding, shift


class MemberNet(MixupNet):
    """A :class:`~skmixup._net.MixupNet` that trains the stacked members of :func:`fit_members`.

    Its module is a :class:`StackedMLP`, its optimizer :class:`MemberAdam`,
    its iterator :class:`MemberBatches`; the skorch loop, the row losses and
    Ctrl-C are MixupNet's. The members' own nets keep their histories: each
    epoch, each member records its training loss (and its hold-out's loss),
    gets its current weights, and runs its own callbacks (all but those the
    stack runs for them: the built-in cosine schedule and the progress bar,
    one for the whole stack). A member whose callback raises a
    ``KeyboardInterrupt`` to stop (early stopping) leaves the batches; one
    whose callback raises an error (a non-finite loss) fails: with
    ``on_error="raise"`` the error ends the whole fit, as it ends the
    member's own, with ``"keep"`` the member leaves the batches and its error
    is kept in ``errors_``.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`~skmixup._net.MixupNet`.
    members : list of MixupNet
        The members' own initialised nets: their generators and lambda
        samplers draw the members' shuffles, partners and lambdas, their
        ``alpha`` and ``batch_size`` are the members'.
    offsets, sizes : list of int
        Each member's rows in the training data.
    valid : list of skorch Dataset or None
        Each member's hold-out (None: none).
    on_error : {"raise", "keep"}, default="raise"
        What a member's error does.
    """

    def __init__(
        self, *args, members=(), offsets=(), sizes=(), valid=(), on_error="raise", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.members = members
        self.offsets = offsets
        self.sizes = sizes
        self.valid = valid
        self.on_error = on_error

    @property
    def _default_callbacks(self):
        # The stack's history records the members' mean losses itself (run_single_epoch).
        return [("epoch_timer", EpochTimer())]

    def initialize(self):
        super().initialize()
        self.stopped_ = [False] * len(self.members)
        self.errors_ = [None] * len(self.members)
        # The members' callbacks that the stack runs for them: the built-in cosine schedule
        # (MemberAdam's param groups carry it) and the progress bar (one for the stack).
        self.member_callbacks_ = [
            [(n, cb) for n, cb in net.callbacks_ if n not in ("lr_schedule", "progress")]
            for net in self.members
        ]
        return self

    def _member_hook(self, m, hook, **kwargs):
        """``notify(hook)`` of member ``m``'s own net, with the callbacks it runs itself."""
        net = self.members[m]
        getattr(net, hook)(net, **kwargs)
        for _, callback in self.member_callbacks_[m]:
            getattr(callback, hook)(net, **kwargs)

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        for m in range(len(self.members)):
            self._member_hook(m, "on_train_begin")

    def on_train_end(self, net, X=None, y=None, **kwargs):
        # Early stopping goes back to the best epoch's weights, as at the end of its own fit;
        # a member that failed ends with its error, as its own fit does.
        for m in range(len(self.members)):
            if self.errors_[m] is None:
                self._member_hook(m, "on_train_end")

    def get_iterator(self, dataset, training=False):
        if not training:
            raise NotImplementedError("MemberNet only trains; predict with the members.")
        return MemberBatches(
            dataset.X,
            dataset.y,
            self.offsets,
            self.sizes,
            [net.batch_size for net in self.members],
            [net.generator_ for net in self.members],
            self.stopped_,
            draw=self._draw_epoch,
        )

    def _draw_epoch(self, m, counts):
        """Member ``m``'s lambdas and partners of an epoch: its own fit's draws, in its order."""
        net = self.members[m]
        if not net._mixing():  # alpha=0, or past mix_fraction: no draws, as its own fit
            return None
        lams, partners = [], []
        device = net.generator_.device
        for c in counts:  # a single fit draws lambda first (MixupNet.draw_lambda), then partners
            lams.append(net.draw_lambda(c))
            partners.append(torch.randperm(c, device=device, generator=net.generator_))
        return lams, partners

    def _rows_per_step(self):
        return max(net.batch_size for net in self.members)

    def train_step_single(self, batch, **fit_params):
        if not self.module_.training:
            self._set_training(True)
        (X, positions, count, n_stepping, lam, index, mixing), y = batch
        n_batch, width = X.shape[:2]
        self.optimizer_.n_active = n_stepping
        clean_X, clean_y = X, y
        clean = None  # per member: RegMixup's weight of the unmixed batch's loss
        if lam is not None:
            X, y = X.flatten(0, 1), y.flatten(0, 1)
            X_mixed = interpolate(X, X[index], lam)
            y = interpolate(y, y[index], lam) if self.mix_targets else y
            X, y = X_mixed.unflatten(0, (n_batch, width)), y.unflatten(0, (n_batch, width))
            if self.clean_weight > 0 and bool(mixing.any()):
                clean = mixing.to(y.dtype) * self.clean_weight
        # The weighted mean over all rows, summed chunk by chunk: on a CPU a few members at a
        # time keep their activations in cache.
        # Each member's mean loss over its rows (as its own fit's get_loss), summed over the
        # members, chunk by chunk: on a CPU a few members at a time keep their activations in
        # cache.
        loss, sums = 0.0, []
        step = self._chunk(width)
        for lo in range(0, n_batch, step):
            part = slice(lo, min(lo + step, n_batch))
            which = (None if lo == 0 else part) if positions is None else positions[part]
            weighted = self._weighted_losses(X[part], y[part], which)
            if clean is not None:
                share = clean[part].repeat_interleave(width)
                unmixed = self._weighted_losses(clean_X[part], clean_y[part], which)
                weighted = (1 - share) * weighted + share * unmixed
            totals = weighted.view(-1, width).sum(1)
            chunk_loss = (totals / count[part]).sum()
            chunk_loss.backward()
            loss = loss + chunk_loss.detach()
            sums.append(totals.detach())
        with torch.no_grad():  # each member's summed loss, for its history
            members = range(n_batch) if positions is None else positions
            self.member_loss_sum_[members] += torch.cat(sums).double().cpu()
        return {"loss": loss, "y_pred": None}

    def _weighted_losses(self, X, y, which):
        """Each row's weight times its loss, for the members ``which`` (rows flattened)."""
        y_pred = self.module_(X, which).flatten(0, 1)
        target = y.flatten(0, 1)
        return target[:, -1] * self._row_losses(y_pred, target[:, :-1])

    def _chunk(self, width):
        """Members per forward and backward pass: all on a GPU, a cache's worth on a CPU."""
        if torch.device(self.device).type != "cpu":
            return len(self.members)
        widest = max(w.shape[2] for w in self.module_.weights)
        return max(1, 2**18 // (width * widest))

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if not training:
            return
        live = [m for m, stopped in enumerate(self.stopped_) if not stopped]
        for m in live:
            self._member_hook(m, "on_epoch_begin", dataset_valid=self.valid[m])
        self.member_loss_sum_ = torch.zeros(len(self.members), dtype=torch.float64)
        if live:
            super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)
        losses = (self.member_loss_sum_ / torch.tensor(self.sizes)).tolist()
        valid_losses = self._validation_losses([m for m in live if self.valid[m] is not None])
        for m in live:
            self._end_member_epoch(m, losses[m], valid_losses.get(m))
        # The stack's own row, for its progress bar: the members' mean losses.
        self.history.record("members", sum(not stopped for stopped in self.stopped_))
        if live:
            self.history.record("train_loss", float(np.mean([losses[m] for m in live])))
        if valid_losses:
            self.history.record("valid_loss", float(np.mean(list(valid_losses.values()))))

    def _end_member_epoch(self, m, train_loss, valid_loss):
        """Member ``m``'s history row and ``on_epoch_end``, as its own fit's."""
        net = self.members[m]
        self.module_.copy_member_to(m, net.module_)  # what its callbacks see and keep
        net.history.new_batch()
        net.history.record_batch("train_loss", train_loss)
        net.history.record_batch("train_batch_size", self.sizes[m])
        if valid_loss is not None:
            net.history.new_batch()
            net.history.record_batch("valid_loss", valid_loss)
            net.history.record_batch("valid_batch_size", len(self.valid[m]))
        try:
            self._member_hook(m, "on_epoch_end", dataset_valid=self.valid[m])
        except KeyboardInterrupt as exc:  # skorch's way to stop: this member is done
            if not net._stop_requested(exc):
                raise  # the user's Ctrl-C: everything stops
            self.stopped_[m] = True
        except Exception as exc:
            if self.on_error == "raise":
                raise
            self.errors_[m] = exc
            self.stopped_[m] = True

    @torch.no_grad()
    def _validation_losses(self, members):
        """Each member's loss on its hold-out, as its own net's validation step gives it."""
        if not members:
            return {}
        self.module_.eval()
        try:
            sets = [self.valid[m] for m in members]
            width = max(len(d.X) for d in sets)
            X = torch.zeros(
                (len(members), width, *sets[0].X.shape[1:]),
                dtype=sets[0].X.dtype,
                device=sets[0].X.device,
            )
            for i, d in enumerate(sets):
                X[i, : len(d.X)] = d.X
            out = self.module_(X, torch.tensor(members, device=X.device))
            result = {}
            for i, (m, d) in enumerate(zip(members, sets, strict=True)):
                result[m] = self.members[m].get_loss(out[i, : len(d.X)], d.y).item()
            return result
        finally:
            self.module_.train()


def _cosine(total, own, longest):
    """lr factor of a member group at the stack's step ``k``: a cosine over its own steps."""

    def factor(k):
        epoch, step = divmod(k, longest)
        return 0.5 * (1 + math.cos(math.pi * (epoch * own + min(step, own)) / total))

    return factor


def fit_members(estimators, data, *, errors="raise"):
    """Fit each estimator on its own data, all at once: one net, one training loop.

    Parameters
    ----------
    estimators : list of MixupClassifier
        Estimators that differ at most in ``alpha`` and ``random_state``
        (:func:`check_members`), in a configuration the stack implements
        (:func:`net_refusal`), without a fitted net to continue.
    data : list of (X, y, sample_weight)
        Each estimator's training data (``sample_weight`` may be None).
    errors : {"raise", "keep"}, default="raise"
        A member whose fit fails (its loss becomes non-finite): ``"raise"``
        raises its error, as its own fit would, and leaves every estimator
        unfitted; ``"keep"`` trains the others on and puts the error in the
        returned list in its place.

    Returns
    -------
    estimators : list
        The same estimators, fitted: each as its own ``fit`` would have left it,
        up to floating-point rounding (``dropout=0``); with ``errors="keep"``,
        the exception in place of a member that failed.

    Raises
    ------
    ValueError
        When the estimators differ in more than ``alpha`` and ``random_state``.
    NotStackable
        When their configuration is one the stack does not implement.
    """
    check_members(estimators)
    plans = [est._plan_fit(X, y, w) for est, (X, y, w) in zip(estimators, data, strict=True)]
    if any(plan.warm for plan in plans):
        raise ValueError("fit_members trains new models: warm starts are fits of their own.")
    nets = []
    for est, plan in zip(estimators, plans, strict=True):
        with seeded_torch_rng(plan.seed, [plan.device]):
            nets.append(est._new_net(plan))
        nets[-1].sample_weighted = plan.weighted
    reason = net_refusal(nets, plans)
    if reason is not None:
        raise NotStackable(f"These estimators cannot be trained as one stack: {reason}.")
    # Members with more batches per epoch first: the members of a step are then a prefix,
    # and those that step together (the same number of batches) a contiguous range.
    n_batches = [math.ceil(len(p.X) / net.batch_size) for p, net in zip(plans, nets, strict=True)]
    order = sorted(range(len(nets)), key=lambda m: -n_batches[m])
    ranges = []
    for position, m in enumerate(order):
        if ranges and n_batches[order[ranges[-1][0]]] == n_batches[m]:
            ranges[-1][1] = position + 1
        else:
            ranges.append([position, position + 1])

    first, n_outputs = nets[order[0]], max(p.n_outputs for p in plans)
    X = torch.cat([plans[m].X for m in order])
    y = torch.cat([_padded_targets(plans[m], n_outputs) for m in order])
    sizes = [len(plans[m].X) for m in order]
    callbacks = []
    if "lr_schedule" in dict(first.callbacks_):  # the built-in cosine (net_refusal checked)
        longest = n_batches[order[0]]
        factors = [
            _cosine(first.max_epochs * n_batches[order[a]], n_batches[order[a]], longest)
            for a, _ in ranges
        ]
        callbacks.append(
            (
                "lr_schedule",
                LRScheduler(
                    torch.optim.lr_scheduler.LambdaLR, lr_lambda=factors, step_every="batch"
                ),
            )
        )
    if any("progress" in dict(net.callbacks_) for net in nets):  # one bar for the stack
        callbacks.append(("progress", EpochProgress(first.max_epochs)))
    params = first.get_params(deep=False)
    shared = {k: v for k, v in params.items() if k.startswith(("optimizer__", "criterion__"))}
    stack = StackedMLP([nets[m].module_ for m in order], n_outputs, _dropout(first.module_))
    net = MemberNet(
        stack,
        criterion=first.criterion,
        optimizer=MemberAdam,
        lr=first.lr,
        max_epochs=first.max_epochs,
        batch_size=1,
        train_split=None,
        callbacks=callbacks,
        device=plans[0].device,
        verbose=0,
        members=[nets[m] for m in order],
        offsets=np.cumsum([0] + sizes[:-1]).tolist(),
        sizes=sizes,
        sample_weighted=True,
        valid=[plans[m].valid for m in order],
        mix_targets=first.mix_targets,
        clean_weight=first.clean_weight,
        on_error=errors,
        optimizer__ranges=ranges,
        optimizer__decoupled_weight_decay=first.optimizer is torch.optim.AdamW,
        **shared,
    )
    with seeded_torch_rng(plans[order[0]].seed, [plans[0].device]):  # dropout masks only
        net.initialize()
        net.partial_fit(X, y)
    fitted = list(estimators)
    for position, m in enumerate(order):
        if net.errors_[position] is not None:
            fitted[m] = net.errors_[position]
        else:
            estimators[m]._finish_fit(nets[m], plans[m].early_stopping)
    return fitted


def _padded_targets(plan, n_outputs):
    """The plan's targets padded with zero columns to ``n_outputs``, with a weight column."""
    y = plan.y
    target, weight = (y[:, :-1], y[:, -1:]) if plan.weighted else (y, torch.ones_like(y[:, :1]))
    pad = torch.zeros((len(y), n_outputs - plan.n_outputs), dtype=y.dtype, device=y.device)
    return torch.cat([target, pad, weight], dim=1)


# ------------------------------------------------------------------ the contract
class NotStackable(ValueError):
    """The members' configuration is one :class:`MemberNet` does not implement."""


# Estimator parameters in which stacked members may differ. Everything else that differs
# between them (batch_size="auto", early_stopping="auto", classes, class weights, hold-out)
# is decided by each member's own plan from its data.
MAY_DIFFER = ("alpha", "random_state")

_MISSING = object()


def _same(a, b):
    """Equal parameter values: plain values, arrays, estimators and objects by content."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, BaseEstimator):
        return _same(a.get_params(deep=False), b.get_params(deep=False))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, z) for x, z in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and bool(np.all(a == b))
    if isinstance(a, type) or callable(a) and not hasattr(a, "__dict__"):
        return a == b
    if hasattr(a, "__dict__") and not isinstance(a, (torch.Tensor, nn.Module)):
        return _same(vars(a), vars(b))
    try:
        return bool(a == b)
    except (TypeError, ValueError, RuntimeError):
        return False


def check_members(estimators):
    """Refuse stacked members that differ in more than ``MAY_DIFFER``.

    The parameters compared are those of ``get_params()``: a parameter added
    to an estimator is compared without being named here.

    Raises
    ------
    ValueError
        Naming the first member that differs, the parameters and both values.
    """
    if not estimators:
        raise ValueError("fit_members needs at least one estimator.")
    first = estimators[0]
    reference = first.get_params(deep=False)
    for i, est in enumerate(estimators[1:], start=1):
        if type(est) is not type(first):
            raise ValueError(
                f"Stacked members must be of one class; member {i} is a {type(est).__name__}, "
                f"member 0 a {type(first).__name__}. Fit them one by one."
            )
        params = est.get_params(deep=False)
        differ = sorted(
            k
            for k in (set(reference) | set(params)) - set(MAY_DIFFER)
            if not _same(reference.get(k, _MISSING), params.get(k, _MISSING))
        )
        if differ:
            shown = ", ".join(
                f"{k}={params.get(k)!r} against {reference.get(k)!r}" for k in differ[:3]
            )
            raise ValueError(
                f"Stacked members may differ only in {', '.join(MAY_DIFFER)} and in their "
                f"data; member {i} differs from member 0 in {differ} ({shown}). Fit such "
                "estimators one by one."
            )


# How MemberNet takes each parameter of a member's MixupNet (its skorch get_params()):
# "member": from each member's own net (its seed, batch size, hold-out, callbacks, and
# what only its own predictions and history use); "shared": from the first member's net
# (check_members makes them agree); a tuple: the values the stack implements. A parameter
# not named here, a new one, is stacked only at the value a plain MixupNet has by default:
# otherwise the members are fitted one after another.
_NET_PARAMS = {
    "alpha": "member",
    "seed": "member",
    "batch_size": "member",
    "train_split": "member",
    "callbacks": "member",  # checked one by one in _callback_refusal
    "sample_weighted": "member",
    "verbose": "member",
    "eval_batch_size": "member",
    "predict_nonlinearity": "member",
    "use_caching": "member",
    "torch_load_kwargs": "member",
    "n_neighbors": "member",  # read only by the kNN partners, refused below
    "kernel_bandwidth": "member",  # read only by C-Mixup's partners, refused below
    "module": "shared",  # checked layer by layer in _module_refusal
    "lr": "shared",
    "max_epochs": "shared",
    "device": "shared",
    "lambda_mode": "shared",  # each member's draw_lambda
    "mix_targets": "shared",
    "clean_weight": "shared",
    "mix_fraction": "shared",  # each member's _mixing(), over its own history
    "criterion": (torch.nn.CrossEntropyLoss,),
    "optimizer": (torch.optim.Adam, torch.optim.AdamW),
    "partners": ("random",),
    "mix_layer": (None,),
    "method": ("mixup",),
    "augment": (None,),
    "precision": (None,),
    "compile": (False,),
}
# Prefixed parameters: Adam is elementwise, so any of its options is each member's own;
# the members' callbacks are configured in their own nets.
_NET_PREFIXES = {"optimizer__": "shared", "callbacks__": "member"}
# Callback hooks a stacked member never runs (it has no batches of its own).
_BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_grad_computed")


def _net_defaults():
    defaults = {}
    for cls in (NeuralNet, MixupNet):
        for name, p in inspect.signature(cls.__init__).parameters.items():
            if p.default is not p.empty:
                defaults[name] = p.default
    return defaults


def _dropout(mlp):
    return next((m.p for m in mlp.modules() if isinstance(m, nn.Dropout)), 0.0)


def _module_refusal(module):
    """Why ``module`` is not a network StackedMLP reproduces, or None."""
    layers = list(getattr(module, "layers", []))
    pattern_ok = type(module) is MLP and layers and isinstance(layers[-1], nn.Linear)
    kinds = [type(layer) for layer in layers]
    i = 0
    while pattern_ok and i < len(kinds) - 1:  # (Linear, ReLU[, Dropout]) per hidden layer
        pattern_ok = kinds[i] is nn.Linear and i + 1 < len(kinds) and kinds[i + 1] is nn.ReLU
        i += 2
        if pattern_ok and i < len(kinds) - 1 and kinds[i] is nn.Dropout:
            i += 1
    if not pattern_ok or any(lin.bias is None for lin in layers if isinstance(lin, nn.Linear)):
        return f"its module is a {type(module).__name__}, not the built-in MLP of a table"
    return None


def _callback_refusal(net, plan):
    steps = net.max_epochs * math.ceil(len(plan.X) / net.batch_size)
    for name, callback in net.callbacks_:
        if name == "lr_schedule" and isinstance(callback, LRScheduler):
            builtin = (
                callback.policy is torch.optim.lr_scheduler.CosineAnnealingLR
                and callback.step_every == "batch"
                and callback.kwargs == {"T_max": steps}
            )
            if builtin:
                continue  # the built-in cosine: MemberNet's LambdaLR over each member's steps
        if name == "progress":
            continue  # one bar for the stack
        hooks = [h for h in _BATCH_HOOKS if getattr(type(callback), h) is not getattr(Callback, h)]
        if hooks:
            return (
                f"callback {name!r} ({type(callback).__name__}) acts in {hooks}, which a "
                "stacked member does not run"
            )
    return None


def net_refusal(nets, plans):
    """Why the members' nets cannot be trained as one stack, or None when they can.

    Parameters
    ----------
    nets : list of MixupNet
        The members' initialised nets (``_new_net`` of their plans).
    plans : list of _FitPlan
        Their plans.

    Returns
    -------
    reason : str or None
    """
    defaults = _net_defaults()
    for net, plan in zip(nets, plans, strict=True):
        if type(net) is not MixupNet:
            return f"the net is a {type(net).__name__}, whose training step the stack lacks"
        for key, value in net.get_params(deep=False).items():
            if key.startswith("_"):
                continue
            how = _NET_PARAMS.get(key)
            if how is None:
                how = next((h for p, h in _NET_PREFIXES.items() if key.startswith(p)), None)
            if how in ("member", "shared"):
                continue
            if isinstance(how, tuple):
                if not any(_same(value, v) for v in how):
                    return f"{key}={value!r} (the stack implements {how!r})"
                continue
            if key == "criterion__label_smoothing":
                if value and len({p.n_outputs for p in plans}) > 1:
                    return "label smoothing over members with different classes"
                continue
            if key not in defaults or not _same(value, defaults[key]):
                return f"{key}={value!r}, which the stack does not implement"
        reason = _module_refusal(net.module_) or _callback_refusal(net, plan)
        if reason is not None:
            return reason
    return None


def stack_refusal(base, X, y, sample_weight=None, n_members=None):
    """Why ``n_members`` copies of ``base`` fitted on ``(X, y)`` should not be stacked, or None.

    Builds the net a fit of ``base`` would train (on all of ``X``) and asks
    :func:`net_refusal`; then, on a CPU, whether stacking pays there: only
    while a member's step is small (at most ``CPU_STACK_ROWS`` rows and
    ``CPU_STACK_STEP`` multiply-adds) and there are at least
    ``CPU_STACK_MEMBERS`` members (``None``: not counted), where a step is
    mostly fixed cost that one stacked step shares; otherwise batched matmuls
    run slower than the members' own 2-D ones, and the members are fitted one
    after another. On other devices it always pays.
    """
    est = clone(base)
    try:
        plan = est._plan_fit(X, y, sample_weight)
    except AttributeError:
        return f"{type(base).__name__} has no fit plan"
    except ValueError as exc:  # the fits themselves will say what is wrong
        return f"a fit of these rows fails ({exc})"
    with seeded_torch_rng(plan.seed, [plan.device]):
        net = est._new_net(plan)
    net.sample_weighted = plan.weighted
    reason = net_refusal([net], [plan])
    if reason is not None or torch.device(plan.device).type != "cpu":
        return reason
    weights = sum(lin.weight.numel() + lin.bias.numel() for lin in _linears(net.module_))
    rows, macs = net.batch_size, net.batch_size * weights
    if rows > CPU_STACK_ROWS or macs > CPU_STACK_STEP:
        return (
            f"on a CPU a step of {rows} rows and {macs} multiply-adds (above "
            f"{CPU_STACK_ROWS} rows or {CPU_STACK_STEP}) is trained faster one fit after another"
        )
    if n_members is not None and n_members < CPU_STACK_MEMBERS:
        return (
            f"on a CPU {n_members} members (fewer than {CPU_STACK_MEMBERS}) are trained faster "
            "one after another"
        )
    return None
