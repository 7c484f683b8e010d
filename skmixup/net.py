"""The skorch layer: a :class:`skorch.NeuralNet` that trains with mixup.

Two documented skorch hooks are overridden, nothing else:

* ``train_step_single`` mixes each training batch (inputs and float targets)
  before the forward pass;
* ``get_iterator`` replaces the per-item ``Dataset``/``DataLoader`` with
  :class:`TensorBatches`, which keeps the data as tensors on the device and
  slices shuffled batches.

Targets are float tensors: one-hot rows for classification (use
``criterion=torch.nn.CrossEntropyLoss``, which accepts class probabilities) or
real values for regression. Mixing them is the same operation either way.
"""

from __future__ import annotations

import contextlib
import math

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback

from .mixup import LambdaSampler, mixup_batch

__all__ = ["FiniteLossCheck", "MixupNet", "StreamedBatches", "TensorBatches", "fits_on_device",
           "place_data"]


class TensorBatches:
    """Minibatches sliced from tensors already on the device.

    Each pass (epoch) draws a fresh permutation from ``generator`` when
    ``shuffle`` is true. No per-item ``__getitem__``, no collation.
    """

    def __init__(self, X, y, batch_size, *, shuffle=False, generator=None):
        self.X, self.y = X, y
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self):
        return math.ceil(len(self.X) / self.batch_size)

    def __iter__(self):
        X, y, n = self.X, self.y, len(self.X)
        if self.shuffle:
            order = torch.randperm(n, device=X.device, generator=self.generator)
            X, y = X[order], (None if y is None else y[order])
        for start in range(0, n, self.batch_size):
            stop = start + self.batch_size
            yield X[start:stop], (None if y is None else y[start:stop])


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

    def __init__(self, X, y, batch_size, device, *, shuffle=False, generator=None,
                 pin_memory=None):
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
            rows = slice(start, start + self.batch_size) if order is None \
                else order[start:start + self.batch_size]
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
    precision : {None, "bf16", "fp16"}, default=None
        Mixed precision: the forward pass runs under :func:`torch.autocast`
        with this dtype (the loss is computed in float32); ``"fp16"`` also
        scales the loss with a :class:`torch.amp.GradScaler`.
    """

    def __init__(self, *args, alpha=1.0, lambda_mode="batch", seed=None,
                 eval_batch_size=1024, precision=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.alpha = alpha
        self.lambda_mode = lambda_mode
        self.seed = seed
        self.eval_batch_size = eval_batch_size
        self.precision = precision

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
            torch.device(self.device).type, enabled=self.precision == "fp16")
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
        X, y = dataset.X, dataset.y
        on_host = not isinstance(X, torch.Tensor) or X.device.type == "cpu"
        nbytes = getattr(X, "nbytes", 0) + getattr(y, "nbytes", 0)
        if on_host and not fits_on_device(nbytes, self.device):
            return StreamedBatches(
                torch.as_tensor(X), None if y is None else torch.as_tensor(y).cpu(),
                self.batch_size if training else self.eval_batch_size, self.device,
                shuffle=training, generator=self.generator_ if training else None)
        X = _as_tensor(X, self.device)
        y = _as_tensor(y, self.device)
        if training:
            return TensorBatches(X, y, self.batch_size, shuffle=True, generator=self.generator_)
        return TensorBatches(X, y, self.eval_batch_size)

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        X, y = batch
        if self.alpha > 0:
            n_lam = X.shape[0] if self.lambda_mode == "example" else 1
            lam = self.lambda_sampler_.draw(n_lam)
            X, y, _ = mixup_batch(X, y, lam, generator=self.generator_)
        y_pred = self.infer(X, **fit_params)
        loss = self.get_loss(y_pred, y, X=X, training=True)
        scaler = getattr(self, "grad_scaler_", None)
        (loss if scaler is None else scaler.scale(loss)).backward()
        return {"loss": loss, "y_pred": y_pred}

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

    def __getstate__(self):
        # torch.Generator cannot be pickled; a loaded net is reseeded on its next fit.
        state = super().__getstate__()
        state.pop("generator_", None)
        state.pop("lambda_sampler_", None)
        return state
