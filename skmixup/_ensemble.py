"""Many fits as one: the members of a search trained together by one skorch net.

A grid search over ``alpha`` (times folds, or seeds) on a small table trains
dozens of small networks whose steps cost mostly per-step overhead.
:func:`fit_members` prepares every member exactly as its own fit would
(:meth:`~skmixup.MixupClassifier.fit`'s checks, targets, weights, seed, batch
size and initial weights, through the estimator's ``_plan_fit``), stacks the
members' weights along a leading axis and trains them all with one
:class:`MemberNet`, which is a :class:`~skmixup._net.MixupNet`: the same
skorch training loop, callbacks, loss and Ctrl-C handling as a single fit.

Where a batch goes::

    MemberBatches              one shuffled minibatch per member (its own generator,
                               its own batch size), padded to a common width
    MemberNet.train_step_single
                               each member draws its lambda and partners from its own
                               generator, in the order a single fit draws them; the
                               batch is mixed by skmixup.mixup.interpolate, as a single fit's
    StackedMLP                 one batched matmul per layer for all members
    MixupNet.get_loss          weighted: the sum of the members' mean losses
    MemberAdam                 torch's Adam, one param group per range of members
                               that step together (own step counts and lr schedule)

With ``dropout=0`` each member ends where its own fit ends, up to
floating-point rounding (batched and single matmuls sum in different orders);
the fitted members are ordinary fitted estimators.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.base import clone
from sklearn.utils.validation import validate_data
from skorch.callbacks import LRScheduler
from torch import nn

from ._base import X_CHECKS, resolve_device
from ._classifier import MixupClassifier
from ._net import MixupNet
from ._rng import seeded_torch_rng
from .mixup import interpolate

# Hidden-layer parameters of a network above which, on a CPU, copies are not stacked.
_CPU_STACK_MEMBER = 2**16

__all__ = [
    "MemberAdam",
    "MemberNet",
    "Predictions",
    "StackedMLP",
    "copy_of",
    "fit_members",
    "mean_proba",
    "stackable",
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
    slices ``batch_sizes[m]`` rows per step. Members are ordered by batches
    per epoch, most first, so the members with data in a step are a prefix;
    members marked in ``stopped`` (early stopping) are left out.

    Yields ``((X_batch, members, counts, n_stepping), y_batch)``: ``X_batch``
    of shape ``(M', W, ...)`` for the members at positions ``members``,
    ``counts`` their real rows (the rest is padding), ``n_stepping`` the
    length of the prefix with data in this step; ``y_batch`` of shape
    ``(M', W, k + 1)`` whose last column is the row's weight scaled so that
    :meth:`MixupNet.get_loss` returns the sum of the members' mean losses (0
    on padding).
    """

    def __init__(self, X, y, offsets, sizes, batch_sizes, generators, stopped=None):
        self.X, self.y = X, y
        self.offsets, self.sizes, self.batch_sizes = offsets, sizes, batch_sizes
        self.generators = generators
        self.stopped = [False] * len(sizes) if stopped is None else stopped

    def __len__(self):
        return max(math.ceil(n / b) for n, b in zip(self.sizes, self.batch_sizes, strict=True))

    def __iter__(self):
        device = self.X.device
        live = [m for m, stopped in enumerate(self.stopped) if not stopped]
        orders = {
            m: self.offsets[m]
            + torch.randperm(self.sizes[m], device=device, generator=self.generators[m])
            for m in live
        }
        same = len(set(self.batch_sizes)) == 1
        if same:  # one padded (members, rows) table, sliced per step
            table = torch.zeros(
                (len(self.sizes), len(self) * self.batch_sizes[0]), dtype=torch.long, device=device
            )
            for m, order in orders.items():
                table[m, : len(order)] = order
        everyone = live == list(range(len(self.sizes)))
        for s in range(len(self)):
            n_stepping = sum(n > s * b for n, b in zip(self.sizes, self.batch_sizes, strict=True))
            members = [m for m in live if m < n_stepping]
            if not members:
                continue
            counts = [
                min(self.batch_sizes[m], self.sizes[m] - s * self.batch_sizes[m]) for m in members
            ]
            width = max(counts)
            if same:
                start = s * self.batch_sizes[0]
                rows = table[:n_stepping] if everyone else table[members]
                index = rows[:, start : start + width]
            else:
                index = torch.zeros((len(members), width), dtype=torch.long, device=device)
                for i, (m, c) in enumerate(zip(members, counts, strict=True)):
                    b = self.batch_sizes[m]
                    index[i, :c] = orders[m][s * b : s * b + c]
            X, y = self.X[index], self.y[index]
            count = torch.tensor(counts, dtype=y.dtype, device=device)[:, None]
            real = torch.arange(width, device=device)[None] < count
            y[..., -1] *= real * (len(members) * width) / count
            positions = None if everyone else torch.tensor(members, device=device)
            yield (X, positions, counts, n_stepping), y


class MemberNet(MixupNet):
    """A :class:`~skmixup._net.MixupNet` that trains the stacked members of :func:`fit_members`.

    Its module is a :class:`StackedMLP`, its optimizer :class:`MemberAdam`,
    its iterator :class:`MemberBatches`; everything else (the skorch loop,
    callbacks, the weighted loss, Ctrl-C) is MixupNet's. After each epoch a
    member with a hold-out is scored on it and its own skorch
    :class:`~skorch.callbacks.EarlyStopping` (the one its single fit would
    run) decides; a stopped member leaves the batches.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`~skmixup._net.MixupNet`.
    members : list of MixupNet
        The members' own initialised nets: their generators and lambda
        samplers draw the members' shuffles, partners and lambdas, their
        ``alpha`` and ``batch_size`` are the members', their histories and
        early stopping are kept up to date.
    offsets, sizes : list of int
        Each member's rows in the training data.
    valid : list of skorch Dataset or None
        Each member's hold-out (None: no early stopping for that member).
    """

    def __init__(self, *args, members=(), offsets=(), sizes=(), valid=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        self.offsets = offsets
        self.sizes = sizes
        self.valid = valid

    def initialize(self):
        super().initialize()
        self.stopped_ = [False] * len(self.members)
        for net in self.members:
            stopper = dict(net.callbacks_).get("early_stopping")
            if stopper is not None:
                stopper.on_train_begin(net)
        return self

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
        )

    def _rows_per_step(self):
        return max(net.batch_size for net in self.members)

    def train_step_single(self, batch, **fit_params):
        if not self.module_.training:
            self._set_training(True)
        (X, positions, counts, n_stepping), y = batch
        n_batch, width = X.shape[:2]
        members = range(n_batch) if positions is None else positions.tolist()
        self.optimizer_.n_active = n_stepping
        X, y = X.flatten(0, 1), y.flatten(0, 1)
        if any(self.members[m].alpha > 0 for m in members):
            X, y = self._mix(X, y, members, counts, width)
        X, y = X.unflatten(0, (n_batch, width)), y.unflatten(0, (n_batch, width))
        # MixupNet.get_loss's weighted mean over all rows, summed chunk by chunk: on a CPU
        # a few members at a time keep their activations in cache.
        loss, sums = 0.0, []
        step = self._chunk(width)
        for lo in range(0, n_batch, step):
            part = slice(lo, min(lo + step, n_batch))
            which = (None if lo == 0 else part) if positions is None else positions[part]
            with self._autocast():
                y_pred = self.module_(X[part], which).flatten(0, 1)
            target = y[part].flatten(0, 1)
            weighted = target[:, -1] * self._row_losses(y_pred, target[:, :-1])
            chunk_loss = weighted.sum() / (n_batch * width)
            chunk_loss.backward()
            loss = loss + chunk_loss.detach()
            sums.append(weighted.detach().view(-1, width).sum(1))
        with torch.no_grad():  # each member's own mean loss, for its history
            sums = torch.cat(sums).double().cpu() / (n_batch * width)
            sums *= torch.tensor(counts, dtype=torch.float64)
            self.member_loss_sum_[list(members)] += sums
        return {"loss": loss, "y_pred": y_pred}

    def _chunk(self, width):
        """Members per forward and backward pass: all on a GPU, a cache's worth on a CPU."""
        if torch.device(self.device).type != "cpu":
            return len(self.members)
        widest = max(w.shape[2] for w in self.module_.weights)
        return max(1, 2**18 // (width * widest))

    def _mix(self, X, y, members, counts, width):
        """Each member's partners and lambda from its own generator; one :func:`interpolate`."""
        device = X.device
        index = torch.arange(len(X), device=device)
        lam = torch.ones(len(X), dtype=torch.float64, device=device)
        for i, (m, c) in enumerate(zip(members, counts, strict=True)):
            net = self.members[m]
            if net.alpha <= 0:
                continue
            # The order of a single fit: lambda first (MixupNet.draw_lambda), then partners.
            draw = net.draw_lambda(c)
            partners = torch.randperm(c, device=device, generator=net.generator_)
            lam[i * width : i * width + c] = draw  # one value (batch mode) or one per row
            index[i * width : i * width + c] = partners + i * width
        return interpolate(X, X[index], lam), interpolate(y, y[index], lam)

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if not training or all(self.stopped_):
            return
        self.member_loss_sum_ = torch.zeros(len(self.members), dtype=torch.float64)
        super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)
        losses = (self.member_loss_sum_ / torch.tensor(self.sizes)).tolist()
        live = [m for m, stopped in enumerate(self.stopped_) if not stopped]
        valid_losses = self._validation_losses([m for m in live if self.valid[m] is not None])
        for m in live:
            net = self.members[m]
            net.history.new_epoch()
            net.history.record("epoch", len(net.history))
            net.history.record("train_loss", losses[m])
            if m in valid_losses:
                net.history.record("valid_loss", valid_losses[m])
                self.module_.copy_member_to(m, net.module_)  # what EarlyStopping keeps
                try:
                    dict(net.callbacks_)["early_stopping"].on_epoch_end(net)
                except KeyboardInterrupt:  # skorch's way to stop: this member is done
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


def fit_members(estimators, data):
    """Fit each estimator on its own data, all at once: one net, one training loop.

    Parameters
    ----------
    estimators : list of MixupClassifier
        Estimators with the built-in MLP, Adam or AdamW, random partners,
        ``method="mixup"``, no warm start; they may differ in ``alpha``,
        ``random_state``, ``batch_size``, early stopping and their data.
    data : list of (X, y, sample_weight)
        Each estimator's training data (``sample_weight`` may be None).

    Returns
    -------
    estimators : list
        The same estimators, fitted: each as its own ``fit`` would have left it,
        up to floating-point rounding (``dropout=0``).
    """
    plans = [est._plan_fit(X, y, w) for est, (X, y, w) in zip(estimators, data, strict=True)]
    if any(plan.warm for plan in plans):
        raise ValueError("fit_members trains new models: warm starts are fits of their own.")
    nets = []
    for est, plan in zip(estimators, plans, strict=True):
        with seeded_torch_rng(plan.seed, [plan.device]):
            nets.append(est._new_net(plan))
        nets[-1].sample_weighted = plan.weighted
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

    first, n_outputs = estimators[order[0]], max(p.n_outputs for p in plans)
    X = torch.cat([plans[m].X for m in order])
    y = torch.cat([_padded_targets(plans[m], n_outputs) for m in order])
    sizes = [len(plans[m].X) for m in order]
    callbacks = []
    if first._cosine_schedule():
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
    optimizer, params = first._make_optimizer()
    stack = StackedMLP([nets[m].module_ for m in order], n_outputs, first.dropout)
    net = MemberNet(
        stack,
        criterion=first._criterion(),
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
        optimizer__ranges=ranges,
        optimizer__decoupled_weight_decay=optimizer is torch.optim.AdamW,
        **{f"optimizer__{k}": v for k, v in params.items()},
    )
    with seeded_torch_rng(plans[order[0]].seed, [plans[0].device]):  # dropout masks only
        net.initialize()
        net.partial_fit(X, y)
    for position, m in enumerate(order):
        if not net.stopped_[position]:  # a stopped member's net holds its last weights
            stack.copy_member_to(position, nets[m].module_)
        stopper = dict(nets[m].callbacks_).get("early_stopping")
        if stopper is not None:  # back to the best epoch, as at the end of its own fit
            stopper.on_train_end(nets[m])
        estimators[m]._finish_fit(nets[m], plans[m].early_stopping)
    return estimators


def _padded_targets(plan, n_outputs):
    """The plan's targets padded with zero columns to ``n_outputs``, with a weight column."""
    y = plan.y
    target, weight = (y[:, :-1], y[:, -1:]) if plan.weighted else (y, torch.ones_like(y[:, :1]))
    pad = torch.zeros((len(y), n_outputs - plan.n_outputs), dtype=y.dtype, device=y.device)
    return torch.cat([target, pad, weight], dim=1)


def stackable(X, base):
    """Whether :func:`fit_members` should train copies of ``base`` on ``X`` together.

    It can for the built-in MLP on a table, Adam or AdamW and the paper's
    mixup (see its docstring). On a CPU it should only while a step is mostly
    fixed cost: measured with the default MLP (one hidden layer of 256, one
    thread), stacked against one after another, 25 networks of 30 inputs took
    0.54x the time, 8 of 100 inputs 0.82x, 8 of 300 0.96x, 8 of 784 1.16x,
    8 of 2,000 1.19x, 6 of 10,000 1.39x. So on a CPU networks whose hidden
    layers hold more than ``_CPU_STACK_MEMBER`` parameters are not stacked.
    """
    if type(base) is not MixupClassifier or X.ndim != 2:
        return False
    p = base.get_params()
    supported = (
        p["module"] is None
        and p["optimizer"] in ("adam", "adamw")
        and p["partners"] == "random"
        and p["method"] == "mixup"
        and p["mix_layer"] is None
        and p["augment"] is None
        and p["mix_targets"]
        and not p["callbacks"]
        and p["precision"] is None
        and not p["compile"]
        and not p["warm_start"]
        and p["label_smoothing"] == 0
        and p["clean_weight"] == 0
        and p["mix_fraction"] == 1
    )
    if not supported or torch.device(resolve_device(p["device"])).type != "cpu":
        return supported
    widths = [X.shape[1], *p["hidden_layer_sizes"]]
    hidden = sum((a + 1) * b for a, b in zip(widths[:-1], widths[1:], strict=True))
    return hidden <= _CPU_STACK_MEMBER


def copy_of(estimator, needs):
    """A clone of ``estimator`` (``None``: ``MixupClassifier()``), which must take ``needs``.

    The base of the estimators that fit copies of a classifier (MixupClassifierCV
    varies its ``alpha``, MixupEnsembleClassifier its ``random_state``).
    """
    base = MixupClassifier() if estimator is None else clone(estimator)
    if needs not in base.get_params():
        article = "an" if needs[0] in "aeiou" else "a"
        raise TypeError(
            f"estimator must have {article} {needs} parameter (a MixupClassifier); got "
            f"{type(base).__name__}."
        )
    return base


def mean_proba(estimators, classes, X):
    """The mean of the estimators' probabilities, in the columns of ``classes``.

    A class missing from an estimator's training rows has probability 0 in it.
    """
    proba = np.zeros((len(X), len(classes)))
    for est in estimators:
        proba[:, np.searchsorted(classes, est.classes_)] += est.predict_proba(X)
    return proba / len(estimators)


class Predictions:
    """``predict`` and ``predict_log_proba`` from ``predict_proba``, and the input check,
    for the estimators that predict through fitted members (MixupClassifierCV,
    MixupEnsembleClassifier)."""

    def _validate(self, X, y=None, *, reset):
        if reset:
            return validate_data(self, X, y, **X_CHECKS)
        return validate_data(self, X, reset=False, **X_CHECKS)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image tensors
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Class labels: the most probable class of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image tensors
            Samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)  # first: it checks that the estimator is fitted
        return self.classes_[np.argmax(proba, axis=1)]
