"""The skorch layer: a :class:`skorch.NeuralNet` that trains with mixup.

What :class:`MixupNet` overrides in skorch's ``NeuralNet``:

* ``train_step_single`` mixes each training batch (inputs and float targets)
  before the forward pass;
* ``get_iterator`` replaces the per-item ``Dataset``/``DataLoader`` with
  :class:`TensorBatches`, which keeps the data as tensors on the device and
  slices shuffled batches;
* ``get_loss`` checks the output shape and weighs rows by their sample weight;
  ``infer`` runs under autocast for mixed precision; ``initialize`` adds the
  net's own random generator; ``partial_fit`` and ``fit_loop`` let Ctrl-C
  through (skorch swallows it), and ``fit_loop`` trains a small network on a
  table with one CPU thread (:mod:`skmixup._threads`);
* skorch's private ``_step_optimizer`` (to step through a ``GradScaler`` for
  fp16, as skorch's own ``AccelerateMixin`` does), and it calls the private
  ``_set_training`` only when the module is not already in training mode.

The training loop itself (epochs, callbacks, history) is skorch's
``fit_loop``, for a single fit and for the many fits of a search alike
(:mod:`skmixup._stacking`).

Targets are float tensors: one-hot rows for classification (use
``criterion=torch.nn.CrossEntropyLoss``, which accepts class probabilities) or
real values for regression. Mixing them is the same operation either way.
"""

from __future__ import annotations

import contextlib
import math
import sys

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping
from torch import nn

from ._augment import augment_batch
from ._threads import one_thread_if_small
from .mixup import (
    LambdaSampler,
    cutmix_batch,
    draw_neighbours,
    interpolate,
    label_kernel_partners,
    mixup_batch,
    nearest_neighbours,
    same_class_partners,
)

__all__ = [
    "EpochProgress",
    "FiniteLossCheck",
    "MixupNet",
    "StreamedBatches",
    "TensorBatches",
    "fits_on_device",
    "hidden_layers",
    "place_data",
    "resolve_mix_layer",
]

_BATCH_PARTNERS = {"random", "same_class"}
_DATASET_PARTNERS = {"knn", "same_class_knn", "label_kernel"}


class TensorBatches:
    """Minibatches sliced from tensors already on the device.

    Each pass (epoch) draws a fresh permutation from ``generator`` when
    ``shuffle`` is true. No per-item ``__getitem__``, no collation. With
    ``return_index``, each batch's ``X`` is the pair ``(X_batch, rows)``, where
    ``rows`` are the batch's row numbers in ``X`` (for partners drawn from the
    whole training set).
    """

    def __init__(self, X, y, batch_size, *, shuffle=False, generator=None, return_index=False):
        self.X, self.y = X, y
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.generator = generator
        self.return_index = return_index

    def __len__(self):
        return math.ceil(len(self.X) / self.batch_size)

    def __iter__(self):
        X, y, n = self.X, self.y, len(self.X)
        order = torch.arange(n, device=X.device)
        if self.shuffle:
            order = torch.randperm(n, device=X.device, generator=self.generator)
            X, y = X[order], (None if y is None else y[order])
        for start in range(0, n, self.batch_size):
            stop = start + self.batch_size
            X_batch = (X[start:stop], order[start:stop]) if self.return_index else X[start:stop]
            yield X_batch, (None if y is None else y[start:stop])


class StreamedBatches:
    """Minibatches gathered in host memory and copied to the device one at a time.

    For data larger than the device's memory: ``X`` and ``y`` stay on the CPU
    (ideally in pinned memory, see :func:`place_data`); each batch's rows are
    gathered into one of two pinned staging buffers and copied with
    ``non_blocking=True``, so the copy of the next batch overlaps the step on
    the current one. The permutation is drawn exactly as :class:`TensorBatches`
    draws it (same generator, same device), so streaming changes where the
    data lives, not which batches the network sees.

    Parameters
    ----------
    X, y : CPU tensors (``y`` may be None)
        The data, first axis = samples.
    batch_size : int
        Rows per batch.
    device : str or torch.device
        Where the batches go.
    shuffle : bool, default=False
        Draw a fresh permutation each pass.
    generator : torch.Generator, default=None
        Draws the permutations.
    pin_memory : bool or None, default=None
        Stage batches in pinned buffers; ``None`` pins when ``device`` is CUDA.
        Without pinning each batch is a fresh tensor.
    """

    def __init__(self, X, y, batch_size, device, *, shuffle=False, generator=None, pin_memory=None):
        self.X, self.y = X, y
        self.batch_size = int(batch_size)
        self.device = torch.device(device)
        self.shuffle = shuffle
        self.generator = generator
        self.pin_memory = self.device.type == "cuda" if pin_memory is None else pin_memory

    def __len__(self):
        return math.ceil(len(self.X) / self.batch_size)

    def _buffers(self, tensor):
        shape = (self.batch_size,) + tuple(tensor.shape[1:])
        return [torch.empty(shape, dtype=tensor.dtype, pin_memory=True) for _ in range(2)]

    def __iter__(self):
        n = len(self.X)
        order = None
        if self.shuffle:
            device = self.generator.device if self.generator is not None else "cpu"
            order = torch.randperm(n, device=device, generator=self.generator).cpu()
        tensors = [t for t in (self.X, self.y) if t is not None]
        staging = [self._buffers(t) for t in tensors] if self.pin_memory else None
        copied = [None, None]  # an event per staging slot: its copy to the device is done
        for i, start in enumerate(range(0, n, self.batch_size)):
            rows = (
                slice(start, start + self.batch_size)
                if order is None
                else order[start : start + self.batch_size]
            )
            size = min(self.batch_size, n - start)
            slot = i % 2
            out = []
            for j, t in enumerate(tensors):
                if staging is None:
                    batch = t[rows]
                else:
                    if copied[slot] is not None:
                        copied[slot].synchronize()  # the buffer's last copy has landed
                    batch = staging[j][slot][:size]
                    if order is None:
                        batch.copy_(t[rows])
                    else:
                        torch.index_select(t, 0, rows, out=batch)
                out.append(batch.to(self.device, non_blocking=staging is not None))
            if staging is not None and self.device.type == "cuda":
                copied[slot] = torch.cuda.Event()
                copied[slot].record()
            yield out[0], (out[1] if self.y is not None else None)


def fits_on_device(nbytes, device, fraction=0.5):
    """Whether ``nbytes`` of data should live on ``device``.

    Always true off CUDA; on CUDA, true when the data takes at most
    ``fraction`` of the device memory free now (the rest is left for
    weights, activations and the optimizer).
    """
    device = torch.device(device)
    if device.type != "cuda":
        return True
    free, _ = torch.cuda.mem_get_info(device)
    return nbytes <= fraction * free


def place_data(X, y, device):
    """Tensors for training on ``device``: moved there once if they fit, else pinned on the host.

    Data that stays on the host is streamed batch by batch by
    :class:`MixupNet` (:class:`StreamedBatches`).
    """
    X, y = torch.as_tensor(X), (None if y is None else torch.as_tensor(y))
    nbytes = X.nbytes + (0 if y is None else y.nbytes)
    if fits_on_device(nbytes, device):
        return X.to(device), (None if y is None else y.to(device))
    if torch.device(device).type != "cuda":
        return X, y
    return X.pin_memory(), (None if y is None else y.pin_memory())


class FiniteLossCheck(Callback):
    """Stop training with a clear error when the training loss is not finite."""

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1].get("train_loss")
        if loss is not None and not math.isfinite(loss):
            raise ValueError(
                f"The training loss became {loss} at epoch {len(net.history)}: training "
                f"diverged. Try a smaller learning rate (lr={net.lr} now, e.g. lr={net.lr / 10:g}) "
                "or standardize the features (e.g. with sklearn.preprocessing.StandardScaler)."
            )


# A progress bar appears only once a fit has run this many seconds (tqdm's ``delay``).
PROGRESS_DELAY = 2.0


class EpochProgress(Callback):
    """A tqdm bar over epochs, showing the last training and validation losses.

    Any other number recorded in the epoch's history row by a callback (a test
    error, a learning rate) is shown after them.

    Used by the estimators at ``verbose=1``. On a terminal the bar redraws in
    place; elsewhere (a log file, CI) it uses ASCII characters and redraws at
    most every ``mininterval`` seconds, without cursor-movement codes.

    Parameters
    ----------
    total : int
        Number of epochs expected (``max_epochs``; early stopping may end sooner).
    delay : float or None, default=None
        Seconds before the bar first appears; ``None`` is ``PROGRESS_DELAY``.
    file : file-like, default=None
        Where to write; ``None`` is ``sys.stderr`` at the start of training.
    """

    def __init__(self, total, delay=None, file=None):
        self.total = total
        self.delay = delay
        self.file = file

    def on_train_begin(self, net, **kwargs):
        from tqdm.auto import tqdm

        file = self.file if self.file is not None else sys.stderr
        tty = bool(getattr(file, "isatty", lambda: False)())
        self.bar_ = tqdm(
            total=self.total,
            desc="epochs",
            unit="epoch",
            file=file,
            delay=PROGRESS_DELAY if self.delay is None else self.delay,
            leave=True,
            ascii=not tty,
            dynamic_ncols=tty,
            mininterval=0.1 if tty else 5.0,
        )

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        # The losses first, then any other number a callback recorded (e.g. a test error).
        keys = [key for key in ("train_loss", "valid_loss") if key in row] + sorted(
            key
            for key, value in row.items()
            if key
            not in (
                "epoch",
                "dur",
                "train_loss",
                "valid_loss",
                "train_batch_count",
                "valid_batch_count",
            )
            and not key.endswith("_best")
            and not key.startswith("event_")
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
        )
        postfix = {key: f"{row[key]:.4f}" for key in keys}
        self.bar_.set_postfix(postfix, refresh=False)
        self.bar_.update(1)

    def on_train_end(self, net, **kwargs):
        bar = getattr(self, "bar_", None)
        if bar is not None:
            bar.close()
            del self.bar_

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("bar_", None)
        return state


_ACTIVATIONS = (nn.ReLU, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Tanh, nn.Sigmoid)


def hidden_layers(module):
    """Names of the submodules whose outputs are the hidden layers, in order.

    The hidden layers are the outputs of the activation modules (``nn.ReLU``
    and the like), in the order they were registered: for
    :class:`~skmixup.modules.MLP` the hidden layers, for
    :class:`~skmixup.modules.SmallCNN` each convolution then the dense layer.
    """
    return [name for name, sub in module.named_modules() if isinstance(sub, _ACTIVATIONS)]


def resolve_mix_layer(mix_layer, module):
    """MixupNet's ``mix_layer`` for an estimator's ``None``, int or ``"random"``.

    0 (or None) is the input, ``k >= 1`` the output of the k-th hidden layer of
    :func:`hidden_layers`, ``"random"`` one of the input and every hidden layer,
    drawn per batch.
    """
    if mix_layer is None or (not isinstance(mix_layer, str) and mix_layer == 0):
        return None
    names = hidden_layers(module)
    if mix_layer == "random":
        return [""] + names
    if not 0 <= mix_layer <= len(names):
        raise ValueError(
            f"mix_layer={mix_layer} is out of range: the network has {len(names)} hidden "
            f"layers (activation modules), so mix_layer must be between 0 (the input) and "
            f"{len(names)}, None or 'random'."
        )
    return names[mix_layer - 1]


def _as_tensor(data, device):
    if data is None or isinstance(data, torch.Tensor):
        return data if data is None else data.to(device)
    return torch.as_tensor(data, device=device)


class MixupNet(NeuralNet):
    """A skorch ``NeuralNet`` that trains on mixup batches.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`skorch.NeuralNet`. ``X`` must be a float tensor (or
        array) and ``y`` float targets of shape (n, n_outputs).
    alpha : float, default=1.0
        ``lam ~ Beta(alpha, alpha)``; ``alpha=0`` trains without mixing (ERM).
    lambda_mode : {"batch", "example"}, default="batch"
        One ``lam`` per minibatch (the paper) or one per example.
    seed : int or None, default=None
        Seed of the generator that draws shuffles, partners and ``lam``.
    eval_batch_size : int, default=1024
        Batch size for inference and validation.
    partners : {"random", "same_class", "knn", "same_class_knn", "label_kernel"}, \
            default="random"
        How each example's partner is chosen. ``"random"``: a random
        permutation of the batch (the paper). ``"same_class"``: a random
        permutation within each class of the batch (class = argmax of the
        target row). ``"knn"``: one of the ``n_neighbors`` nearest training
        examples (Euclidean distance between inputs, over the whole training
        set, computed once per fit); ``"same_class_knn"``: the same, among
        examples of the same class. ``"label_kernel"``: C-Mixup, a training
        example drawn with probability given by a Gaussian kernel of width
        ``kernel_bandwidth`` on the distance between targets.
    n_neighbors : int, default=200
        Neighbours for the kNN partners, capped at the training set size - 1.
    kernel_bandwidth : float, default=1.0
        Width of the C-Mixup kernel, in target units.
    mix_targets : bool, default=True
        Mix the targets as the inputs. When false only inputs are mixed: the
        mixing coefficient is folded to ``max(lam, 1 - lam)`` and the target
        is that of the example with the larger weight.
    mix_layer : None, str, or list of str, default=None
        Mix hidden representations instead of inputs (manifold mixup):
        the output of the named submodule (``module_.get_submodule(name)``) is
        mixed through a forward hook. A list draws, per batch, uniformly among
        the input (``""``) and the named submodules. ``None`` mixes inputs.
    method : {"mixup", "cutmix"}, default="mixup"
        Blend whole inputs (mixup) or paste a box of the partner image
        (CutMix, :func:`skmixup.mixup.cutmix_batch`; image tensors only).
    augment : None or "crop_flip", default=None
        Augmentation of each training batch, on the device, before mixing
        (``skmixup._augment.augment_batch``).
    precision : {None, "bf16", "fp16"}, default=None
        Mixed precision: the forward pass runs under :func:`torch.autocast`
        with this dtype (the loss is computed in float32); ``"fp16"`` also
        scales the loss with a :class:`torch.amp.GradScaler`.
    clean_weight : float, default=0.0
        Weight of the loss on the unmixed batch beside the mixup loss: the
        training loss is ``(1 - clean_weight) * mixup_loss + clean_weight *
        clean_loss`` (RegMixup, Pinto et al., 2022). 0 is plain mixup.
    mix_fraction : float, default=1.0
        Share of ``max_epochs`` trained on mixed batches; the epochs after it
        train on the unmixed batches (mixup, then ERM: Liu et al., 2023).
        Epochs are counted over the net's history.
    sample_weighted : bool, default=False
        The last column of ``y`` is each row's weight (normalised to mean 1),
        not a target: it is mixed with the targets, so a mixed row carries
        ``lam * w_i + (1 - lam) * w_j``, and :meth:`get_loss` returns the mean
        of weight times the per-row loss. Partner choices that look at the
        targets ignore it.
    """

    def __init__(
        self,
        *args,
        alpha=1.0,
        lambda_mode="batch",
        seed=None,
        eval_batch_size=1024,
        partners="random",
        n_neighbors=200,
        kernel_bandwidth=1.0,
        mix_targets=True,
        mix_layer=None,
        method="mixup",
        augment=None,
        precision=None,
        clean_weight=0.0,
        mix_fraction=1.0,
        sample_weighted=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.alpha = alpha
        self.lambda_mode = lambda_mode
        self.seed = seed
        self.eval_batch_size = eval_batch_size
        self.partners = partners
        self.n_neighbors = n_neighbors
        self.kernel_bandwidth = kernel_bandwidth
        self.mix_targets = mix_targets
        self.mix_layer = mix_layer
        self.method = method
        self.augment = augment
        self.precision = precision
        self.clean_weight = clean_weight
        self.mix_fraction = mix_fraction
        self.sample_weighted = sample_weighted

    def initialize(self):
        super().initialize()
        self.initialize_generator()
        self.initialize_grad_scaler()
        if "module" not in self.cuda_dependent_attributes_:
            # The module given as an instance *is* module_; skorch maps only the attributes
            # listed here to the CPU when unpickling without CUDA, so list it too, or a
            # GPU-fitted net cannot be loaded on a CPU-only machine.
            self.cuda_dependent_attributes_ = self.cuda_dependent_attributes_ + ["module"]
        return self

    def initialize_grad_scaler(self):
        """A :class:`torch.amp.GradScaler`, enabled only for ``precision="fp16"``."""
        self.grad_scaler_ = torch.amp.GradScaler(
            torch.device(self.device).type, enabled=self.precision == "fp16"
        )
        return self

    def _autocast(self):
        if getattr(self, "precision", None) is None:
            return contextlib.nullcontext()
        dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}[self.precision]
        return torch.autocast(torch.device(self.device).type, dtype=dtype)

    def initialize_generator(self):
        """(Re)seed the generator and the lambda sampler."""
        device = torch.device(self.device)
        if device.type == "cuda" and device.index is None:
            device = torch.device("cuda", torch.cuda.current_device())
        self.generator_ = torch.Generator(device=device)
        if self.seed is None:
            self.generator_.seed()
        else:
            self.generator_.manual_seed(int(self.seed))
        self.lambda_sampler_ = LambdaSampler(self.alpha, self.generator_)
        return self

    def get_iterator(self, dataset, training=False):
        if training and getattr(self, "generator_", None) is None:  # e.g. continuing a loaded net
            self.initialize_generator()
        X, y = dataset.X, dataset.y
        on_host = not isinstance(X, torch.Tensor) or X.device.type == "cpu"
        nbytes = getattr(X, "nbytes", 0) + getattr(y, "nbytes", 0)
        if on_host and not fits_on_device(nbytes, self.device):
            return StreamedBatches(
                torch.as_tensor(X),
                None if y is None else torch.as_tensor(y).cpu(),
                self.batch_size if training else self.eval_batch_size,
                self.device,
                shuffle=training,
                generator=self.generator_ if training else None,
            )
        X = _as_tensor(X, self.device)
        y = _as_tensor(y, self.device)
        if training:
            from_dataset = self.partners in _DATASET_PARTNERS and self.alpha > 0
            if from_dataset:
                self._prepare_partners(X, y)
            return TensorBatches(
                X,
                y,
                self.batch_size,
                shuffle=True,
                generator=self.generator_,
                return_index=from_dataset,
            )
        return TensorBatches(X, y, self.eval_batch_size)

    def _prepare_partners(self, X, y):
        """Keep the training set (and its kNN table) for partners drawn from it."""
        if getattr(self, "partner_data_", (None,))[0] is X:
            return  # same training tensors as the last epoch: the table is still valid
        self.partner_data_ = (X, y)
        if self.partners in ("knn", "same_class_knn"):
            labels = self._targets(y).argmax(dim=1) if self.partners == "same_class_knn" else None
            self.neighbours_ = nearest_neighbours(X, self.n_neighbors, labels=labels)

    def _draw_partners(self, X, y, rows):
        """Rows to mix with: ``(X_all, y_all, index)``, partner of row i is ``X_all[index[i]]``.

        Batch partners index the batch itself; training-set partners are
        appended after the batch, so that ``X_all[:len(X)]`` is always the batch.
        """
        n = X.shape[0]
        if self.partners == "random":
            return X, y, torch.randperm(n, device=X.device, generator=self.generator_)
        if self.partners == "same_class":
            return (
                X,
                y,
                same_class_partners(self._targets(y).argmax(dim=1), generator=self.generator_),
            )
        X_train, y_train = self.partner_data_
        if self.partners == "label_kernel":
            chosen = label_kernel_partners(
                self._targets(y),
                self._targets(y_train),
                rows,
                self.kernel_bandwidth,
                generator=self.generator_,
            )
        elif self.partners in ("knn", "same_class_knn"):
            chosen = draw_neighbours(*self.neighbours_, rows, generator=self.generator_)
        else:
            raise ValueError(
                f"partners must be one of {sorted(_BATCH_PARTNERS | _DATASET_PARTNERS)}; "
                f"got {self.partners!r}."
            )
        index = torch.arange(n, 2 * n, device=X.device)
        return torch.cat([X, X_train[chosen]]), torch.cat([y, y_train[chosen]]), index

    def _targets(self, y):
        """``y`` without the weight column of a weighted fit."""
        return y[:, :-1] if getattr(self, "sample_weighted", False) else y

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """The criterion's loss; for a weighted fit, the mean of weight times row loss.

        The module's output shape is checked against the targets' first: a
        wrong output layer is a ``ValueError``, not a broadcasting warning.

        With ``sample_weighted`` the last column of ``y_true`` holds the
        (mixed) weights; the criterion is evaluated per row
        (``reduction="none"``, averaged over any further axes, as ``"mean"``
        would) and the rows are averaged with those weights.
        """
        weighted = getattr(self, "sample_weighted", False)
        if isinstance(y_pred, torch.Tensor) and isinstance(y_true, torch.Tensor):
            expected = y_true.shape[:-1] + (y_true.shape[-1] - weighted,)
            if y_pred.shape != expected:
                raise ValueError(
                    f"The module returned outputs of shape {tuple(y_pred.shape)} for a batch "
                    f"whose targets have shape {tuple(expected)}: it must return one row of "
                    f"{expected[-1]} values (logits for classes, or regression outputs) per "
                    "sample. Check the module's output layer (n_outputs / n_classes)."
                )
        if not weighted:
            return super().get_loss(y_pred, y_true, X=X, training=training)
        y_true = _as_tensor(y_true, y_pred.device)
        target, weight = self._targets(y_true), y_true[:, -1]
        return (weight * self._row_losses(y_pred, target)).mean()

    def _row_losses(self, y_pred, target):
        """The criterion per row (``reduction="none"``, averaged over any further axes)."""
        criterion = self.criterion_
        reduction = criterion.reduction
        criterion.reduction = "none"
        try:
            losses = criterion(y_pred, target)
        finally:
            criterion.reduction = reduction
        return losses.reshape(len(target), -1).mean(dim=1)

    def _mixing_point(self):
        """The submodule whose output is mixed in this step, or None for the input."""
        layer = self.mix_layer
        if isinstance(layer, (list, tuple)):
            pick = torch.randint(
                len(layer), (1,), device=self.generator_.device, generator=self.generator_
            )
            layer = layer[int(pick)]
        return self.module_.get_submodule(layer) if layer else None

    def draw_lambda(self, n):
        """This step's mixing coefficients, the first draw of a step (before the partners).

        Parameters
        ----------
        n : int
            Rows of the batch.

        Returns
        -------
        lam : torch.Tensor of shape (1,) or (n,)
            One value per batch, or one per row for ``lambda_mode="example"``;
            folded to ``max(lam, 1 - lam)`` when only the inputs are mixed.
        """
        lam = self.lambda_sampler_.draw(n if self.lambda_mode == "example" else 1)
        return lam if self.mix_targets else torch.maximum(lam, 1 - lam)

    def mixup_infer(self, X, y, rows=None, **fit_params):
        """Forward pass on a mixed batch: ``(y_pred, y_mixed)``."""
        n = X.shape[0]
        lam = self.draw_lambda(n)
        plain = self.partners == "random" and self.mix_layer is None
        if plain and self.method == "cutmix":
            X_mixed, y_mixed, _, _ = cutmix_batch(X, y, lam, generator=self.generator_)
            return self.infer(X_mixed, **fit_params), (y_mixed if self.mix_targets else y)
        if self.method == "cutmix":
            raise ValueError(
                "method='cutmix' pastes boxes between images of the batch: it works with "
                "partners='random' and mix_layer=None only."
            )
        if plain:  # the paper's step, unchanged
            X_mixed, y_mixed, _ = mixup_batch(X, y, lam, generator=self.generator_)
            return self.infer(X_mixed, **fit_params), (y_mixed if self.mix_targets else y)
        X_all, y_all, index = self._draw_partners(X, y, rows)
        y_mixed = interpolate(y, y_all[index], lam) if self.mix_targets else y
        point = self._mixing_point()
        if point is None:
            return self.infer(interpolate(X, X_all[index], lam), **fit_params), y_mixed

        done = []

        def mix_output(module, inputs, output):
            if done:  # a module called twice in one forward pass is mixed once
                return output
            done.append(True)
            return interpolate(output[:n], output[index], lam)

        handle = point.register_forward_hook(mix_output)
        try:
            y_pred = self.infer(X_all, **fit_params)
        finally:
            handle.remove()
        return y_pred, y_mixed

    def train_step_single(self, batch, **fit_params):
        if not self.module_.training:  # switching modes walks every submodule: only when needed
            self._set_training(True)
        X, y = batch
        rows = None
        if isinstance(X, (tuple, list)):  # (X_batch, rows) for training-set partners
            X, rows = X
        if self.augment is not None:
            X = augment_batch(X, self.augment, generator=self.generator_)
        if self._mixing():
            y_pred, y_mixed = self.mixup_infer(X, y, rows, **fit_params)
            loss = self.get_loss(y_pred, y_mixed, X=X, training=True)
            clean_weight = getattr(self, "clean_weight", 0.0)
            if clean_weight > 0:  # RegMixup: the unmixed batch's loss beside the mixed one
                clean = self.get_loss(self.infer(X, **fit_params), y, X=X, training=True)
                loss = (1 - clean_weight) * loss + clean_weight * clean
        else:
            y_pred = self.infer(X, **fit_params)
            loss = self.get_loss(y_pred, y, X=X, training=True)
        scaler = getattr(self, "grad_scaler_", None)
        (loss if scaler is None else scaler.scale(loss)).backward()
        return {"loss": loss, "y_pred": y_pred}

    def _mixing(self):
        """Whether this training step mixes: ``alpha > 0`` and within ``mix_fraction``."""
        if self.alpha <= 0:
            return False
        fraction = getattr(self, "mix_fraction", 1.0)
        # The history has a row per epoch begun: this step's epoch is len(history).
        return fraction >= 1 or len(self.history) <= round(fraction * self.max_epochs)

    def infer(self, x, **fit_params):
        """The module's output, under autocast when ``precision`` is set (returned as float32)."""
        with self._autocast():
            out = super().infer(x, **fit_params)
        return out if getattr(self, "precision", None) is None else out.float()

    def _step_optimizer(self, step_fn):
        # fp16: the GradScaler must unscale and step (it cannot take a closure); this is how
        # skorch's own AccelerateMixin overrides this method.
        scaler = getattr(self, "grad_scaler_", None)
        if scaler is None or not scaler.is_enabled():
            return super()._step_optimizer(step_fn)
        step_fn()
        for name in self._optimizers:
            scaler.step(getattr(self, name + "_"))
        scaler.update()
        return None

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """As :meth:`skorch.NeuralNet.partial_fit`, except that Ctrl-C is not swallowed.

        skorch ends training quietly on ``KeyboardInterrupt``; here it is raised
        again once skorch has finished its ``on_train_end`` callbacks, so that
        the caller (and a grid search) stops.
        """
        self.interrupted_ = False
        super().partial_fit(X, y, classes, **fit_params)
        if self.interrupted_:
            raise KeyboardInterrupt("training was interrupted")
        return self

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        # A small network on a table trains on one CPU thread (see skmixup._threads).
        small = one_thread_if_small(self.module_, self._rows_per_step(), X, self.device)
        try:
            with small:
                return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt as exc:
            # skorch callbacks (EarlyStopping among them) raise KeyboardInterrupt to stop
            # training: that is a normal end. Anything else is the user's Ctrl-C.
            self.interrupted_ = not self._stop_requested(exc)
            raise

    def _rows_per_step(self):
        """Training rows in one step, for the one-thread rule."""
        return self.batch_size

    def _stop_requested(self, exc):
        """Whether ``exc`` is a callback's request to stop rather than a Ctrl-C."""
        for _, callback in getattr(self, "callbacks_", []):
            if (
                isinstance(callback, EarlyStopping)
                and getattr(callback, "misses_", 0) >= callback.patience
            ):
                return True
        # A callback of the user's that raised it on purpose (skorch's convention); a Ctrl-C
        # that happens to land inside skorch's or skmixup's own callbacks is still a Ctrl-C.
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        owner = None if tb is None else tb.tb_frame.f_locals.get("self")
        return isinstance(owner, Callback) and not type(owner).__module__.startswith(
            ("skorch.", "skmixup.")
        )

    def drop_training_data(self):
        """Forget every copy of the training data (validation split, partner tables)."""
        self.train_split = None
        for name in ("partner_data_", "neighbours_"):
            self.__dict__.pop(name, None)
        return self

    def __getstate__(self):
        # torch.Generator cannot be pickled; a loaded net is reseeded on its next fit.
        state = super().__getstate__()
        state.pop("generator_", None)
        state.pop("lambda_sampler_", None)
        # The training set kept for training-set partners is rebuilt on the next fit.
        state.pop("partner_data_", None)
        state.pop("neighbours_", None)
        return state
