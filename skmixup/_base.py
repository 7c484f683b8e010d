"""What every skmixup neural estimator shares: parameters, input checks, building the net."""

from __future__ import annotations

import copy
import inspect
import numbers
from contextlib import ExitStack
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch.callbacks import Callback, EarlyStopping, LRScheduler
from skorch.dataset import Dataset
from skorch.helper import predefined_split

from ._augment import AUGMENTATIONS
from ._compat import Interval, StrOptions
from ._log import EpochLog
from ._metaestimators import X_CHECKS, restore_on_error
from ._net import EpochProgress, FiniteLossCheck, MixupNet, place_data
from ._rng import draws_global_rng, numpy_rng, seeded_torch_rng
from ._weights import check_sample_weight, combine, drop_zero_weight, with_weight_column
from .modules import MLP, SmallCNN

_OPTIMIZERS = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}


# Samples per forward pass at prediction, for tables and for images: every chunk is padded
# to this many samples, so that a prediction never depends on which other samples share
# its batch (matrix products round differently for different batch shapes). Images are
# costlier per sample: a smaller chunk keeps predicting one image cheap.
PREDICT_CHUNK = {2: 256, 4: 32}


def resolve_device(device):
    """``"auto"`` is CUDA when available, else CPU; other values are checked.

    Raises ``ValueError`` for a device torch does not know or that this
    machine does not have.
    """
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(
            f"device={device!r} is not a device torch knows ({exc}). Use 'auto', 'cpu', "
            "'cuda' or 'cuda:<index>'."
        ) from None
    if parsed.type == "cpu":
        return device
    backend = getattr(torch, parsed.type, None)
    available = getattr(backend, "is_available", None)
    if available is None or not available():
        raise ValueError(
            f"device={device!r}, but this machine has no {parsed.type} device available to "
            "torch. Use device='auto' (CUDA when available, else the CPU) or device='cpu'."
        )
    count = getattr(backend, "device_count", None)
    if parsed.index is not None and count is not None and parsed.index >= count():
        raise ValueError(
            f"device={device!r}, but torch sees {count()} {parsed.type} device(s) "
            f"(indices 0 to {count() - 1})."
        )
    return device


def _silent(*args, **kwargs):
    """A print that prints nothing (a module-level function, so a fitted net pickles)."""


def check_channels_first(X):
    """Refuse image tensors that look channels-last, ``(n, height, width, channels)``.

    The built-in CNN reads ``(n, channels, height, width)``. Numpy, PIL and
    Keras store images channels-last, which the CNN would silently take for an
    image with ``height`` channels. The rule: a last axis of size 1, 3 or 4
    (grey, RGB, RGBA) and a larger second axis means channels-last, and a
    ``ValueError`` says how to transpose. Channels-first data that happens to
    match the rule (more channels than the width, a width of 1, 3 or 4) can be
    passed with ``module=SmallCNN`` (the same network, given explicitly), which
    skips this check like any user-given module.
    """
    n_channels_last, first = X.shape[-1], X.shape[1]
    if n_channels_last in (1, 3, 4) and first > n_channels_last:
        raise ValueError(
            f"X has shape {X.shape}, which looks channels-last (n, height, width, channels), "
            "the layout of numpy, PIL and Keras; the built-in CNN needs channels first "
            f"(n, channels, height, width). Transpose it: X = X.transpose(0, 3, 1, 2) gives "
            f"shape {(X.shape[0], X.shape[3], X.shape[1], X.shape[2])}. If {first} really "
            "is the number of channels, pass module=skmixup.modules.SmallCNN to use the "
            "same network without this check."
        )


class BaseNetEstimator(BaseEstimator):
    """The base of the estimators that train a network: :class:`~skmixup.MixupClassifier`
    and :class:`~skmixup.MixupRegressor`.

    Subclasses define ``_encode_targets(y, reset, sample_weight=None)``
    returning float targets of shape (n, n_outputs), and the prediction
    methods.
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "lambda_mode": [StrOptions({"batch", "example"})],
        "module": [None, type, torch.nn.Module],
        "module_params": [None, dict],
        "hidden_layer_sizes": ["array-like"],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "lr_schedule": [StrOptions({"constant", "cosine"})],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), type],
        "optimizer_params": [None, dict],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "method": [StrOptions({"mixup", "cutmix"})],
        "augment": [None, StrOptions(set(AUGMENTATIONS))],
        "callbacks": [None, list],
        "precision": [None, StrOptions({"bf16", "fp16"})],
        "compile": ["boolean"],
    }

    # ------------------------------------------------------------------ input
    def _validate_X(self, X, *, reset, y="no_validation"):
        """Check X (and y when given); return float32 X shaped for the network."""
        X = self._scale_pixels(X, reset=reset)
        no_y = isinstance(y, str) and y == "no_validation"
        if not hasattr(X, "columns") and not sp.issparse(X):
            X = np.asarray(X)
            if X.ndim == 3:  # (n, height, width): one channel
                X = X[:, None]
        if no_y:
            X = validate_data(self, X, reset=reset, **X_CHECKS)
        else:
            X, y = validate_data(self, X, y, reset=reset, **X_CHECKS)
        if X.ndim not in (2, 4):
            raise ValueError(
                f"X must be a table (n_samples, n_features) or image tensors "
                f"(n, channels, height, width) or (n, height, width); got shape {X.shape}."
            )
        if reset:
            if X.ndim == 4 and getattr(self, "module", None) is None:
                check_channels_first(X)
            self.input_shape_ = tuple(X.shape[1:])
        elif tuple(X.shape[1:]) != self.input_shape_:
            raise ValueError(
                f"X has samples of shape {tuple(X.shape[1:])}, but {type(self).__name__} "
                f"was fitted on samples of shape {self.input_shape_}."
            )
        # torch needs writable, contiguous memory (validate_data may return a read-only view).
        X = np.require(X, requirements=["C", "W"])
        return X if no_y else (X, y)

    def _scale_pixels(self, X, *, reset):
        """8-bit images are scaled to [0, 1]: decided at fit, applied alike at predict.

        A fit on uint8 image tensors (3-D or 4-D ``X``) sets ``input_scale_`` to
        1/255, and every later ``X`` (any dtype) is multiplied by it, so that the
        same pixel values give the same predictions whatever their dtype. Tables
        are never scaled.
        """
        if reset:
            dtype, ndim = getattr(X, "dtype", None), getattr(X, "ndim", 0)
            self.input_scale_ = 1 / 255 if dtype == np.uint8 and ndim in (3, 4) else 1.0
        elif not hasattr(self, "input_scale_"):  # a model pickled before input_scale_ existed
            if getattr(X, "dtype", None) == np.uint8:
                return np.asarray(X, dtype=np.float32) / np.float32(255)
            return X
        scale = self.input_scale_
        if scale == 1.0 or hasattr(X, "columns") or sp.issparse(X):
            return X
        X = np.asarray(X)
        if X.dtype.kind not in "biuf":
            return X  # validate_data reports what is wrong with it
        # Divided (not multiplied by 1/255): the float32 rounding of the first versions.
        return np.asarray(X, dtype=np.float32) / np.float32(round(1 / scale))

    def _cosine_schedule(self):
        """Whether ``lr_schedule`` asks for the built-in cosine decay (absent: constant)."""
        return getattr(self, "lr_schedule", "constant") == "cosine"

    def _check_fit_params(self, cosine=False):
        """Checks beyond ``_parameter_constraints``: fail before any training.

        ``cosine``: the fit adds the built-in cosine schedule, so a scheduler
        among ``callbacks`` would be a second one.
        """
        sizes = self.hidden_layer_sizes
        try:
            ok = (
                not isinstance(sizes, str)
                and np.ndim(sizes) == 1
                and all(
                    isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1
                    for s in sizes
                )
            )
        except TypeError:
            ok = False
        if not ok:
            raise ValueError(
                f"hidden_layer_sizes must be a sequence of positive ints, e.g. (128, 128) or () "
                f"for no hidden layer; got {sizes!r}."
            )
        for entry in self.callbacks or []:
            callback = (
                entry[1]
                if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str)
                else entry
            )
            kind = callback if isinstance(callback, type) else type(callback)
            if not issubclass(kind, Callback):
                raise TypeError(
                    f"callbacks must be a list of skorch callbacks (skorch.callbacks.Callback "
                    f"instances or (name, callback) pairs); got {entry!r}."
                )
            if cosine and issubclass(kind, LRScheduler):
                raise ValueError(
                    f"callbacks holds a learning-rate scheduler and lr_schedule="
                    f"{self.lr_schedule!r} adds another: pass lr_schedule='constant' to use "
                    "your own schedule alone."
                )
        return resolve_device(self.device)

    def _builtin_module_params(self, builtin):
        """``module_params`` for a built-in network: only what no estimator parameter sets."""
        params = dict(self.module_params or {})
        managed = {"n_features", "in_channels", "n_outputs", "hidden_layer_sizes", "dropout"}
        allowed = set(inspect.signature(builtin).parameters) - managed
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise ValueError(
                f"module_params {unknown} are not parameters of the built-in "
                f"{builtin.__name__}; it accepts {sorted(allowed) or 'none'} there (its sizes "
                "and dropout are set by hidden_layer_sizes, dropout and the data). Pass "
                "module=<your torch.nn.Module class> to use other parameters."
            )
        return params

    # ---------------------------------------------------------------- network
    def _build_module(self, n_outputs):
        shape = self.input_shape_
        params = dict(self.module_params or {})
        if self.module is None:
            if len(shape) == 1:
                self._builtin_module_params(MLP)
                return MLP(shape[0], n_outputs, tuple(self.hidden_layer_sizes), self.dropout)
            return SmallCNN(
                shape[0], n_outputs, self.dropout, **self._builtin_module_params(SmallCNN)
            )
        if isinstance(self.module, torch.nn.Module):
            if params:
                raise ValueError(
                    f"module_params {sorted(params)} cannot apply to a module instance; pass "
                    "the module's class as module and these as its module_params."
                )
            return copy.deepcopy(self.module)
        if not issubclass(self.module, torch.nn.Module):
            raise TypeError(
                f"module must be None, a torch.nn.Module subclass or instance; got {self.module!r}."
            )
        signature = inspect.signature(self.module).parameters
        if not any(p.kind == p.VAR_KEYWORD for p in signature.values()):
            unknown = sorted(set(params) - set(signature))
            if unknown:
                raise ValueError(
                    f"module_params {unknown} are not parameters of {self.module.__name__}; "
                    f"it takes {sorted(signature)}."
                )
        # Fill in the sizes a module class asks for by name, unless the user gave them.
        known = {
            "n_features": int(np.prod(shape)),
            "in_channels": shape[0],
            "input_shape": shape,
            "n_outputs": n_outputs,
            "n_classes": n_outputs,
        }
        for name, value in known.items():
            if name in signature and name not in params:
                params[name] = value
        return self.module(**params)

    def _make_optimizer(self):
        if isinstance(self.optimizer, str):
            optimizer = _OPTIMIZERS[self.optimizer]
        elif issubclass(self.optimizer, torch.optim.Optimizer):
            optimizer = self.optimizer
        else:
            raise TypeError(
                f"optimizer must be one of {sorted(_OPTIMIZERS)} or a torch.optim.Optimizer "
                f"subclass; got {self.optimizer!r}."
            )
        params = {"weight_decay": self.weight_decay, **(self.optimizer_params or {})}
        if optimizer in (torch.optim.Adam, torch.optim.AdamW) and "fused" not in params:
            params["fused"] = True  # one kernel per step instead of one per tensor
        return optimizer, params

    def _batch_size(self, n_train):
        """``batch_size``, or for ``"auto"``: n/8 rounded to a power of 2, within [32, 512]."""
        if self.batch_size != "auto":
            return int(self.batch_size)
        return int(2 ** np.clip(np.round(np.log2(max(n_train, 1) / 8)), 5, 9))

    def _make_net(self, plan):
        """The skorch net for ``plan`` (not initialised): what the plan decided, nothing else.

        Its batch size comes from ``plan.n_train``, its cosine schedule from
        ``plan.schedule``, early stopping (on ``plan.valid``) from
        ``plan.early_stopping``; a partial fit (``plan.incremental``) has no
        progress bar.
        """
        optimizer, optimizer_params = self._make_optimizer()
        module = self._build_module(plan.n_outputs)
        batch_size = self._batch_size(plan.n_train)
        callbacks = [("finite_loss", FiniteLossCheck())]
        if plan.schedule:
            # Decays the learning rate to 0 over max_epochs, step by step.
            steps = self.max_epochs * int(np.ceil(plan.n_train / batch_size))
            callbacks.append(
                (
                    "lr_schedule",
                    LRScheduler(
                        torch.optim.lr_scheduler.CosineAnnealingLR, T_max=steps, step_every="batch"
                    ),
                )
            )
        callbacks += copy.deepcopy(list(self.callbacks or []))  # the user's, e.g. an lr schedule
        if plan.early_stopping:
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(
                        monitor="valid_loss",
                        patience=self.n_iter_no_change,
                        load_best=True,
                        sink=print if self.verbose >= 2 else _silent,
                    ),
                )
            )
        if self.verbose == 1 and not plan.incremental:  # a bar per one-epoch call is noise
            callbacks.append(("progress", EpochProgress(self.max_epochs)))
        return MixupNet(
            module,
            criterion=self._criterion(),
            optimizer=optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=batch_size,
            train_split=None if plan.valid is None else predefined_split(plan.valid),
            callbacks=callbacks,
            device=plan.device,
            verbose=int(self.verbose >= 2),  # skorch's per-epoch table; 1 is the progress bar
            callbacks__print_log=EpochLog(),  # "epoch k/N", colour only on a terminal
            alpha=self._alpha(),
            lambda_mode=self.lambda_mode,
            seed=plan.seed,
            method=self.method,
            augment=self.augment,
            **self._net_params(module),
            precision=self.precision,
            compile=self.compile,
            **{f"optimizer__{k}": v for k, v in optimizer_params.items()},
        )

    def _net_params(self, module):
        """Extra keyword arguments for :class:`~skmixup._net.MixupNet` (variants)."""
        return {}

    def _alpha(self):
        """The Beta concentration trained with (subclasses resolve an ``"auto"``)."""
        return self.alpha

    # -------------------------------------------------------------------- fit
    def _fit(self, X, y, sample_weight=None, incremental=False, classes=None):
        """The one fit path: ``fit`` (a new net, or ``net_`` continued with ``warm_start``)
        and ``partial_fit`` (``incremental``: one epoch, ``net_`` continued after the first).

        Any exception, Ctrl-C included, leaves the estimator exactly as before the call:
        attributes are put back, and the fitted net is never trained in place.
        """
        with restore_on_error(self):
            plan = self._plan_fit(X, y, sample_weight, incremental=incremental, classes=classes)
            return self._train(plan)

    def _partial_fit(self, X, y, sample_weight=None, classes=None):
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _train(self, plan):
        """Train on ``plan``: a new net, or a copy of ``net_`` (swapped in on success only)."""
        # Weight initialisation (and dropout) draw from torch's global generator: seed it
        # for this fit only, one thread at a time, and restore the caller's state after.
        with ExitStack() as seeded:
            seeded.enter_context(seeded_torch_rng(plan.seed, [plan.device]))
            if plan.warm:
                net = _copy_net(self.net_)
                if not plan.incremental:
                    net.set_params(max_epochs=self.max_epochs)
            else:
                net = self._new_net(plan)
            net.sample_weighted = plan.weighted
            net.train_split = None if plan.valid is None else predefined_split(plan.valid)
            if not draws_global_rng(net.module_):
                seeded.close()  # training draws only from the net's own generator
            net.partial_fit(plan.X, plan.y, epochs=1 if plan.incremental else None)
        if plan.incremental and not plan.warm:
            self._partial_seed = plan.seed
        return self._finish_fit(net, plan.early_stopping)

    def _plan_fit(self, X, y, sample_weight=None, *, incremental=False, classes=None):
        """Everything a fit decides before training: checked data, targets, seed, split, net.

        The one plan of :meth:`fit`, warm starts, :meth:`partial_fit`
        (``incremental``) and the batched search
        (:func:`skmixup._stacking.fit_members`, which trains many plans at once,
        so that each member sees exactly what its own fit would). Like
        ``MLPClassifier._fit(X, y, incremental)``, whether ``net_`` is continued
        is one expression, and everything else is shared. Returns a
        :class:`_FitPlan`; :meth:`_make_net` builds the net from it, and
        :func:`skmixup.save` stores what it decided.
        """
        warm = hasattr(self, "net_") and (incremental or self.warm_start)
        # A stream has no known last epoch to decay towards: no lr schedule for partial_fit.
        schedule = self._cosine_schedule() and not incremental
        device = self._check_fit_params(cosine=schedule)
        X, y = self._validate_X(X, reset=not warm, y=y)
        self._check_image_options(X)
        X, y, sample_weight = drop_zero_weight(X, y, check_sample_weight(sample_weight, X))
        if incremental:
            targets = self._partial_targets(y, classes, not warm, sample_weight)
        else:
            targets = self._encode_targets(y, reset=not warm, sample_weight=sample_weight)
        weight = combine(sample_weight, self._class_weight_rows(targets, sample_weight))
        if warm:
            weight = self._warm_weight(weight, len(y))
        rng = numpy_rng(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        if incremental and warm:  # each call its own stream of initialisation and dropout
            seed = getattr(self, "_partial_seed", 0) + len(self.net_.history)

        valid = None
        train_idx = np.arange(len(X))
        if incremental:
            early_stopping = False
        elif warm:  # hold out a part of the new data, as the first fit did
            early_stopping = "early_stopping" in dict(self.net_.callbacks_)
        else:
            early_stopping = self._use_early_stopping(y)
        if early_stopping:
            train_idx, valid_idx = self._validation_split(y, rng)
            valid_targets = (
                targets[valid_idx]
                if weight is None
                else with_weight_column(targets[valid_idx], weight[valid_idx])
            )
            valid = Dataset(*place_data(X[valid_idx], valid_targets, device))
        # Weights travel as an extra target column, mixed with the targets (MixupNet.get_loss).
        train_targets = (
            targets[train_idx]
            if weight is None
            else with_weight_column(targets[train_idx], weight[train_idx])
        )
        # Moved to the device once; pinned on the host and streamed if too large for it.
        X_train, y_train = place_data(X[train_idx], train_targets, device)
        return _FitPlan(
            X=X_train,
            y=y_train,
            valid=valid,
            seed=seed,
            device=device,
            n_outputs=targets.shape[1],
            weighted=weight is not None,
            early_stopping=bool(early_stopping),
            warm=warm,
            n_train=len(train_idx),
            schedule=schedule,
            incremental=incremental,
        )

    def _new_net(self, plan):
        """An initialised net for ``plan`` (call under ``seeded_torch_rng(plan.seed)``)."""
        net = self._make_net(plan).initialize()
        net.plan_ = plan.net_fields()  # kept by warm starts and partial fits, and saved
        return net

    def _finish_fit(self, net, early_stopping):
        """Keep the trained ``net`` as ``net_`` with its curves; drop the training data."""
        net.drop_training_data()  # no copy of the training set stays in the model
        net.module_.eval()  # as predict uses it: predicting then changes nothing
        history = net.history
        self.loss_curve_ = list(history[:, "train_loss"])
        if early_stopping:
            self.validation_loss_curve_ = list(history[:, "valid_loss"])
            self.best_validation_loss_ = float(min(self.validation_loss_curve_))
        self.n_iter_ = len(history)
        self.net_ = net
        return self

    def _partial_targets(self, y, classes, first, sample_weight):
        """Encoded targets for :meth:`partial_fit` (classifiers check ``classes``)."""
        return self._encode_targets(y, reset=first, sample_weight=sample_weight)

    def _warm_weight(self, weight, n):
        """Weights for continuing ``net_``: unit weights where the net was fitted with weights.

        A warm fit holds its validation rows out of the new data, so adding weights to a
        net first fitted without them needs nothing more.
        """
        if getattr(self.net_, "sample_weighted", False) and weight is None:
            return np.ones(n)
        return weight

    def _class_weight_rows(self, targets, sample_weight):
        """Per-row class weights (classifiers with ``class_weight``), or None."""
        return None

    def _use_early_stopping(self, y):
        """``early_stopping="auto"``: on when the held-out part would have at least
        10 samples and (for classifiers) one per class."""
        if self.early_stopping != "auto":
            return bool(self.early_stopping)
        n_valid = int(np.ceil(self.validation_fraction * len(y)))
        n_groups = len(np.unique(y)) if self._stratify_split() else 1
        return n_valid >= max(10, n_groups)

    def _check_image_options(self, X):
        if X.ndim != 4 and (self.method == "cutmix" or self.augment is not None):
            raise ValueError(
                f"method={self.method!r} and augment={self.augment!r} need image tensors "
                f"(n, channels, height, width) or (n, height, width); X has shape {X.shape}. "
                "Use method='mixup' and augment=None for tables."
            )

    def _validation_split(self, y, rng):
        stratify = y if self._stratify_split() else None
        if stratify is not None and np.unique(y, return_counts=True)[1].min() < 2:
            stratify = None  # a class with one example cannot be stratified: hold out at random
        try:
            return train_test_split(
                np.arange(len(y)),
                test_size=self.validation_fraction,
                random_state=rng,
                stratify=stratify,
            )
        except ValueError as exc:
            raise ValueError(
                f"early_stopping=True could not hold out validation_fraction="
                f"{self.validation_fraction} of {len(y)} samples ({exc}). Use more data, a "
                "larger validation_fraction, or early_stopping=False."
            ) from exc

    def _stratify_split(self):
        return False

    # ---------------------------------------------------------------- predict
    def _forward(self, X):
        """Network outputs for X as a float64 numpy array.

        Computed in chunks of ``PREDICT_CHUNK`` samples (256 rows of a table,
        32 images), the last one padded, so that each sample's output does not
        depend on the other samples of ``X``.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        net = self.net_
        net.module_.eval()
        size = PREDICT_CHUNK[X.ndim]
        outputs = []
        with torch.inference_mode():
            for start in range(0, len(X), size):
                chunk = X[start : start + size]
                n = len(chunk)
                if n < size:
                    chunk = np.concatenate(
                        [chunk, np.zeros((size - n, *chunk.shape[1:]), dtype=chunk.dtype)]
                    )
                out = net.infer(torch.from_numpy(chunk).to(net.device))
                outputs.append(out[:n].float().cpu())
        return torch.cat(outputs).double().numpy()


class _FitPlan(NamedTuple):
    """What a fit trains on and how its net is built, decided by :meth:`BaseNetEstimator._plan_fit`.

    The fields from ``seed`` on describe the net: :func:`skmixup.save` stores
    them (:meth:`net_fields`) and :func:`skmixup.load` rebuilds the net from them.
    """

    X: torch.Tensor | None  # training inputs, on the device (or pinned on the host)
    y: torch.Tensor | None  # float targets, with the weight column when ``weighted``
    valid: Dataset | None  # the early-stopping hold-out
    seed: int  # initialisation and the net's generator
    device: str
    n_outputs: int
    weighted: bool
    early_stopping: bool
    warm: bool  # continues ``net_``
    n_train: int = 1  # training rows of the first fit: batch_size="auto" and the schedule
    schedule: bool = False  # the built-in cosine learning-rate schedule
    incremental: bool = False  # partial_fit: one epoch, no schedule, no progress bar

    # What a saved net keeps of its plan.
    NET_FIELDS = ("seed", "n_outputs", "weighted", "early_stopping", "n_train", "schedule")

    def net_fields(self):
        """The plan's decisions about the net, as plain values."""
        return {name: getattr(self, name) for name in self.NET_FIELDS} | {
            "incremental": self.incremental
        }


def _copy_net(net):
    """A deep copy of a fitted net that continues its random stream where it stopped."""
    generator = getattr(net, "generator_", None)
    twin = copy.deepcopy(net)  # its __getstate__ leaves the generator out
    if generator is not None:
        twin.initialize_generator()
        twin.generator_.set_state(generator.get_state())
        sampler, twin_sampler = net.lambda_sampler_, twin.lambda_sampler_
        twin_sampler._buffer, twin_sampler._pos = sampler._buffer.clone(), sampler._pos
    return twin
