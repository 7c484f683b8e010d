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

import math

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback

from .augment import augment_batch
from .mixup import LambdaSampler, cutmix_batch, mixup_batch

__all__ = ["FiniteLossCheck", "MixupNet", "TensorBatches"]


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
    method : {"mixup", "cutmix"}, default="mixup"
        Blend whole inputs (mixup) or paste a box of the partner image
        (CutMix, :func:`skmixup.mixup.cutmix_batch`; image tensors only).
    augment : None or "crop_flip", default=None
        Augmentation of each training batch, on the device, before mixing
        (:func:`skmixup.augment.augment_batch`).
    """

    def __init__(self, *args, alpha=1.0, lambda_mode="batch", seed=None,
                 eval_batch_size=1024, method="mixup", augment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.alpha = alpha
        self.lambda_mode = lambda_mode
        self.seed = seed
        self.eval_batch_size = eval_batch_size
        self.method = method
        self.augment = augment

    def initialize(self):
        super().initialize()
        self.initialize_generator()
        return self

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
        X = _as_tensor(dataset.X, self.device)
        y = _as_tensor(dataset.y, self.device)
        if training:
            if getattr(self, "generator_", None) is None:  # e.g. continuing a loaded net
                self.initialize_generator()
            return TensorBatches(X, y, self.batch_size, shuffle=True, generator=self.generator_)
        return TensorBatches(X, y, self.eval_batch_size)

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        X, y = batch
        if self.augment is not None:
            X = augment_batch(X, self.augment, generator=self.generator_)
        if self.alpha > 0:
            n_lam = X.shape[0] if self.lambda_mode == "example" else 1
            lam = self.lambda_sampler_.draw(n_lam)
            if self.method == "cutmix":
                X, y, _, _ = cutmix_batch(X, y, lam, generator=self.generator_)
            else:
                X, y, _ = mixup_batch(X, y, lam, generator=self.generator_)
        y_pred = self.infer(X, **fit_params)
        loss = self.get_loss(y_pred, y, X=X, training=True)
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def __getstate__(self):
        # torch.Generator cannot be pickled; a loaded net is reseeded on its next fit.
        state = super().__getstate__()
        state.pop("generator_", None)
        state.pop("lambda_sampler_", None)
        return state
