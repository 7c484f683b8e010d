"""Saving and loading estimators without pickle: arrays in safetensors, the rest in JSON.

A saved file is a `safetensors <https://github.com/huggingface/safetensors>`_
file. Its tensors are the network weights, the optimizer state and every
numeric array of the estimator's fitted state; its metadata holds one JSON
document describing everything else (parameters, fitted attributes, training
history) as plain values and tagged nodes. Loading parses the two and rebuilds
the estimator: no pickle, no ``eval``, and no class is imported or created
unless it is defined in skmixup, scikit-learn, skorch, ``torch.nn`` or
``torch.optim``, or is named in ``trusted``. Objects are rebuilt without
calling their constructors, except the estimator classes of skmixup and the
network classes given as ``module``, which are called as in a fit.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import re
import warnings
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.numpy import save_file
from sklearn.base import BaseEstimator
from skorch.history import History

from . import __version__
from ._base import BaseNetEstimator, _FitPlan, resolve_device
from ._cv import MixupClassifierCV
from ._rng import seeded_torch_rng

__all__ = ["load", "save"]

FORMAT = "skmixup"
FORMAT_VERSION = "1"
# Where classes may come from without being named in ``trusted``.
_TRUSTED_PREFIXES = ("skmixup.", "sklearn.", "skorch.", "torch.nn.", "torch.optim.")
# skorch callbacks rebuilt from their attributes without being named in ``trusted``: those
# that only compute, print or schedule (no files, no network).
_SKORCH_CALLBACKS = {
    "LRScheduler",
    "WarmRestartLR",
    "EarlyStopping",
    "GradientNormClipping",
    "EpochScoring",
    "BatchScoring",
    "PassthroughScoring",
    "PrintLog",
    "EpochTimer",
    "ProgressBar",
    "Freezer",
    "Unfreezer",
    "Initializer",
}
# Functions stored by name: only these harmless ones (the default ``sink`` of skorch callbacks).
_FUNCTIONS = {"builtins:print", "skorch.utils:noop", "skmixup._base:_silent"}
_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_PRIMITIVES = (str, int, float, bool, type(None))
_ARRAY_KINDS = "biuf"


class _Writer:
    """Turns Python values into JSON nodes, collecting arrays as named tensors."""

    def __init__(self):
        self.tensors = {}

    def _store(self, array):
        key = f"t{len(self.tensors)}"
        array = np.ascontiguousarray(array)
        if not array.dtype.isnative:
            array = array.astype(array.dtype.newbyteorder("="))
        self.tensors[key] = array.copy()
        return key

    def encode(self, value, where="$"):  # noqa: C901 - one branch per kind of value
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int) and type(value) is int:
            return value
        if type(value) is float:
            return value if math.isfinite(value) else {"t": "float", "v": repr(value)}
        if isinstance(value, np.ma.MaskedArray):
            return {
                "t": "masked",
                "data": self.encode(np.asarray(value.data), where),
                "mask": self.encode(np.ma.getmaskarray(value), where),
            }
        if isinstance(value, np.ndarray):
            return self._array(value, where)
        if isinstance(value, np.generic):
            if value.dtype.kind not in _ARRAY_KINDS + "US":
                raise TypeError(f"{where}: cannot save a numpy scalar of dtype {value.dtype}.")
            return {"t": "scalar", "dtype": value.dtype.str, "v": self.encode(value.item(), where)}
        if isinstance(value, torch.Tensor):
            tensor = value.detach().cpu()
            dtype = str(tensor.dtype).removeprefix("torch.")
            if tensor.dtype == torch.bfloat16:
                tensor = tensor.view(torch.int16)
            return {"t": "tensor", "dtype": dtype, "key": self._store(tensor.numpy())}
        if type(value) in (list, tuple):
            return {
                "t": type(value).__name__,
                "v": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)],
            }
        if (
            isinstance(value, dict)
            and type(value).__module__ in ("builtins", "collections")
            and not hasattr(value, "default_factory")
        ):
            return {
                "t": "dict",
                "v": [
                    [self.encode(k, where), self.encode(v, f"{where}[{k!r}]")]
                    for k, v in value.items()
                ],
            }
        if isinstance(value, torch.device):
            return {"t": "device", "v": str(value)}
        if isinstance(value, np.dtype):
            return {"t": "dtype", "v": value.str}
        if isinstance(value, type):
            if issubclass(value, np.generic):
                return {"t": "dtype_type", "v": np.dtype(value).str}
            return {"t": "type", "v": _class_name(value, where)}
        if (
            callable(value)
            and getattr(value, "__module__", None)
            and f"{value.__module__}:{getattr(value, '__qualname__', '')}" in _FUNCTIONS
        ):
            return {"t": "function", "v": f"{value.__module__}:{value.__qualname__}"}
        if isinstance(value, BaseNetEstimator):
            return self._mixup_net(value, where)
        if isinstance(value, torch.nn.Module):
            raise TypeError(
                f"{where}: cannot save a torch module instance ({type(value).__name__}). Pass "
                "the module's class as module= and its arguments as module_params=, then fit "
                "and save again."
            )
        return self._object(value, where)

    def _array(self, array, where):
        if array.dtype.kind in _ARRAY_KINDS:
            return {
                "t": "ndarray",
                "dtype": array.dtype.newbyteorder("=").str,
                "shape": list(array.shape),
                "key": self._store(array),
            }
        if array.dtype.kind in "USO":
            values = array.ravel().tolist()
            if not all(isinstance(v, _PRIMITIVES) for v in values):
                raise TypeError(f"{where}: cannot save an object array holding non-plain values.")
            return {
                "t": "array_list",
                "dtype": array.dtype.str,
                "shape": list(array.shape),
                "v": [self.encode(v, where) for v in values],
            }
        raise TypeError(f"{where}: cannot save an array of dtype {array.dtype}.")

    def _object(self, value, where):
        cls = type(value)
        if (
            not hasattr(value, "__dict__")
            or hasattr(cls, "__slots__")
            or callable(value)
            and not hasattr(value, "fit")
        ):
            raise TypeError(
                f"{where}: cannot save {cls.__module__}.{cls.__qualname__} in the safe format "
                "(only plain values, arrays, classes and objects made of them). Use pickle or "
                "joblib for this estimator, and load such files only from sources you trust."
            )
        state = dict(vars(value))

        if isinstance(value, MixupClassifierCV) and "scorer_" in state:
            state["scorer_"] = None  # rebuilt from ``scoring`` at load
        return {
            "t": "object",
            "cls": _class_name(cls, where),
            "state": {k: self.encode(v, f"{where}.{k}") for k, v in state.items()},
        }

    def _mixup_net(self, est, where):
        params = est.get_params(deep=False)
        fitted = {k: v for k, v in vars(est).items() if k not in params and k != "net_"}
        node = {
            "t": "mixup_estimator",
            "cls": _class_name(type(est), where),
            "params": {k: self.encode(v, f"{where}.{k}") for k, v in params.items()},
            "fitted": {k: self.encode(v, f"{where}.{k}") for k, v in fitted.items()},
            "net": None,
        }
        net = getattr(est, "net_", None)
        if net is not None:
            generator = getattr(net, "generator_", None)
            sampler = getattr(net, "lambda_sampler_", None)
            node["net"] = {
                # What the fit plan decided about the net (BaseNetEstimator._plan_fit).
                "plan": self.encode(_net_plan(net), f"{where}.plan"),
                "weights": {k: self.encode(v) for k, v in net.module_.state_dict().items()},
                "optimizer": self.encode(net.optimizer_.state_dict(), f"{where}.optimizer"),
                "history": self.encode([dict(row) for row in net.history], f"{where}.history"),
                "generator": None
                if generator is None
                else {
                    "device": torch.device(generator.device).type,
                    "state": self.encode(generator.get_state()),
                    "lambdas": self.encode(sampler._buffer[sampler._pos :]),
                },
            }
        return node


def _net_plan(net):
    """The plan fields of a fitted net (``plan_``, set when the fit built it)."""
    plan = getattr(net, "plan_", None)
    if plan is None:
        raise TypeError(
            "cannot save a net without the plan of the fit that built it (fitted by a "
            "version of skmixup before the one fit plan); refit the estimator, then save."
        )
    return dict(plan)


def _class_name(cls, where):
    name = f"{cls.__module__}:{cls.__qualname__}"
    if not _NAME.match(name) or _import(name) is not cls:
        raise TypeError(
            f"{where}: the class {cls.__qualname__} cannot be imported by its name "
            f"({name}); only importable classes can be saved (not ones defined in a "
            "function or in __main__ of a script)."
        )
    return name


def _import(name):
    module_name, qualname = name.split(":")
    try:
        obj = importlib.import_module(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        return None
    return obj


def save(estimator, path):
    """Save an estimator in skmixup's safe format (safetensors + JSON, no pickle).

    Works for :class:`~skmixup.MixupClassifier`, :class:`~skmixup.MixupRegressor`,
    :class:`~skmixup.MixupClassifierCV`, :class:`~skmixup.MixupEnsembleClassifier`
    and :class:`~skmixup.MixupEstimator`
    (whose wrapped estimator must be made of plain values and arrays, as the
    linear models, :class:`~sklearn.preprocessing.StandardScaler` and pipelines
    of them are), fitted or not. The weights are saved on the CPU. A ``module``
    given as a class is saved by its import path (``package.module:Class``),
    and must be importable under that name where the file is loaded.

    Parameters
    ----------
    estimator : estimator object
        The estimator to save.
    path : str or path-like
        The file to write (conventionally ``*.skmixup``); replaced atomically.

    Raises
    ------
    TypeError
        When part of the estimator cannot be represented without pickle (a
        module instance, a function, a random generator object); the message
        says which part.

    See Also
    --------
    load : Load a file written by this function.
    """

    writer = _Writer()
    root = writer.encode(estimator, "estimator")
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skmixup_version": __version__,
        "state": json.dumps(root, allow_nan=False),
    }
    path = Path(path)
    temporary = path.with_name(path.name + ".part")
    save_file(writer.tensors, str(temporary), metadata=metadata)
    os.replace(temporary, path)


class _Reader:
    """Rebuilds values from JSON nodes and the file's tensors, refusing anything unexpected."""

    def __init__(self, path, tensors, trusted, device):
        self.path = path
        self.tensors = tensors
        self.trusted = {name.replace(":", ".") for name in trusted}
        self.device = device

    def refuse(self, where, why):
        raise ValueError(
            f"{self.path} is not a valid skmixup file ({where}: {why}); it was refused and "
            "nothing in it was run."
        )

    def decode(self, node, where="$"):  # noqa: C901 - one branch per kind of node
        if node is None or isinstance(node, (bool, str, int)):
            return node
        if isinstance(node, float):
            return node
        if not isinstance(node, dict) or not isinstance(node.get("t"), str):
            self.refuse(where, f"unexpected value {str(node)[:60]!r}")
        kind = node["t"]
        if kind == "float":
            value = node.get("v")
            if value not in ("nan", "inf", "-inf"):
                self.refuse(where, "bad float")
            return float(value)
        if kind in ("list", "tuple"):
            items = [self.decode(v, f"{where}[{i}]") for i, v in enumerate(self._list(node, where))]
            return items if kind == "list" else tuple(items)
        if kind == "dict":
            out = {}
            for pair in self._list(node, where):
                if not isinstance(pair, list) or len(pair) != 2:
                    self.refuse(where, "bad dict entry")
                key = self.decode(pair[0], where)
                if not isinstance(key, (str, int, float, bool, tuple, type(None))):
                    self.refuse(where, "bad dict key")
                out[key] = self.decode(pair[1], f"{where}[{key!r}]")
            return out
        if kind == "ndarray":
            return self._ndarray(node, where)
        if kind == "array_list":
            dtype = self._dtype(node.get("dtype"), "USO", where)
            values = [self.decode(v, where) for v in self._list(node, where)]
            if not all(isinstance(v, _PRIMITIVES) for v in values):
                self.refuse(where, "non-plain array element")
            shape = self._shape(node, where)
            if math.prod(shape) != len(values):
                self.refuse(where, "array size does not match its shape")
            array = np.empty(len(values), dtype=dtype)
            array[:] = values
            return array.reshape(shape)
        if kind == "masked":
            data, mask = self.decode(node.get("data"), where), self.decode(node.get("mask"), where)
            if (
                not isinstance(data, np.ndarray)
                or not isinstance(mask, np.ndarray)
                or mask.shape != data.shape
            ):
                self.refuse(where, "bad masked array")
            return np.ma.MaskedArray(data, mask=mask)
        if kind == "scalar":
            dtype = self._dtype(node.get("dtype"), _ARRAY_KINDS + "US", where)
            value = self.decode(node.get("v"), where)
            if not isinstance(value, (bool, int, float, str)):
                self.refuse(where, "bad scalar")
            return dtype.type(value)
        if kind == "tensor":
            return self._tensor(node, where)
        if kind == "device":
            try:
                return torch.device(node.get("v"))
            except (RuntimeError, TypeError):
                self.refuse(where, "bad device")
        if kind == "dtype":
            return self._dtype(node.get("v"), _ARRAY_KINDS + "USO", where)
        if kind == "dtype_type":
            return self._dtype(node.get("v"), _ARRAY_KINDS + "US", where).type
        if kind == "type":
            return self._class(node.get("v"), where)
        if kind == "function":
            if node.get("v") not in _FUNCTIONS:
                self.refuse(where, "function not allowed")
            return _import(node["v"])
        if kind == "object":
            return self._object(node, where)
        if kind == "mixup_estimator":
            return self._mixup_net(node, where)
        self.refuse(where, f"unknown node type {kind!r}")

    # -------------------------------------------------------------- helpers
    def _list(self, node, where):
        value = node.get("v")
        if not isinstance(value, list):
            self.refuse(where, "expected a list")
        return value

    def _shape(self, node, where):
        shape = node.get("shape")
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            self.refuse(where, "bad shape")
        return tuple(shape)

    def _dtype(self, text, kinds, where):
        if not isinstance(text, str) or not re.fullmatch(r"[<>|=]?[a-zA-Z]\d*", text):
            self.refuse(where, "bad dtype")
        try:
            dtype = np.dtype(text)
        except TypeError:
            self.refuse(where, "bad dtype")
        if dtype.kind not in kinds:
            self.refuse(where, f"dtype {dtype} not allowed here")
        return dtype

    def _raw(self, node, where):
        key = node.get("key")
        if not isinstance(key, str) or key not in self.tensors:
            self.refuse(where, "missing tensor")
        return self.tensors[key]

    def _ndarray(self, node, where):
        array = self._raw(node, where)
        dtype = self._dtype(node.get("dtype"), _ARRAY_KINDS, where)
        if array.dtype != dtype or array.shape != self._shape(node, where):
            self.refuse(where, "tensor dtype or shape differs from its description")
        return np.array(array)

    def _tensor(self, node, where):
        array = self._raw(node, where)
        dtype = node.get("dtype")
        if dtype == "bfloat16" and array.dtype == np.int16:
            return torch.from_numpy(np.array(array)).view(torch.bfloat16)
        tensor = torch.from_numpy(np.array(array))
        if str(tensor.dtype).removeprefix("torch.") != dtype:
            self.refuse(where, "tensor dtype differs from its description")
        return tensor

    def _class(self, name, where):
        if not isinstance(name, str) or not _NAME.match(name):
            self.refuse(where, "bad class name")
        dotted = name.replace(":", ".")
        module = name.split(":")[0]
        if not ((module + ".").startswith(_TRUSTED_PREFIXES) or dotted in self.trusted):
            raise ValueError(
                f"{self.path} names the class {dotted} ({where}), which is not trusted: only "
                f"classes of {', '.join(p.rstrip('.') for p in _TRUSTED_PREFIXES)} are loaded "
                f"without asking. If you trust this file, pass trusted=[{dotted!r}] to load."
            )
        cls = _import(name)
        if not isinstance(cls, type):
            raise ValueError(
                f"{self.path} names the class {dotted} ({where}), which cannot be imported "
                "here. Install or import the package that defines it."
            )
        return cls

    def _object(self, node, where):
        cls = self._class(node.get("cls"), where)
        name = node["cls"]
        if (
            name.startswith("skorch.")
            and name.replace(":", ".") not in self.trusted
            and cls.__name__ not in _SKORCH_CALLBACKS
        ):
            raise ValueError(
                f"{self.path} holds a {name.replace(':', '.')} object ({where}), which is not "
                "rebuilt without asking (it may write files or connect to services when the "
                f"net is set up). If you trust this file, pass "
                f"trusted=[{name.replace(':', '.')!r}]."
            )
        if issubclass(cls, torch.nn.Module) or cls.__new__ is not object.__new__:
            self.refuse(where, f"{cls.__qualname__} cannot be rebuilt from its attributes")
        state = node.get("state")
        if not isinstance(state, dict) or not all(k.isidentifier() for k in state):
            self.refuse(where, "bad object state")
        values = {k: self.decode(v, f"{where}.{k}") for k, v in state.items()}
        obj = cls.__new__(cls)
        if isinstance(obj, BaseEstimator):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a version mismatch warning is raised below
                obj.__setstate__(values)
        else:
            obj.__dict__.update(values)

        if isinstance(obj, MixupClassifierCV) and "scorer_" in values:
            from sklearn.metrics import check_scoring

            obj.scorer_ = check_scoring(obj._base_estimator(), scoring=obj.scoring)
        return obj

    def _mixup_net(self, node, where):
        cls = self._class(node.get("cls"), where)
        if not issubclass(cls, BaseNetEstimator):
            self.refuse(where, f"{cls.__qualname__} is not a skmixup estimator")
        params, fitted = node.get("params"), node.get("fitted")
        if (
            not isinstance(params, dict)
            or not isinstance(fitted, dict)
            or not all(isinstance(k, str) and k.isidentifier() for k in [*params, *fitted])
        ):
            self.refuse(where, "bad parameters")
        params = {k: self.decode(v, f"{where}.{k}") for k, v in params.items()}
        try:
            est = cls(**params)
            est._validate_params()
        except (TypeError, ValueError) as exc:
            self.refuse(where, f"invalid parameters ({exc})")
        for name, value in fitted.items():
            setattr(est, name, self.decode(value, f"{where}.{name}"))
        net_node = node.get("net")
        if net_node is None:
            return est
        if not isinstance(net_node, dict):
            self.refuse(where, "bad net")
        device = self.device
        if device is None:
            try:
                device = resolve_device(est.device)
            except ValueError:
                warnings.warn(
                    f"{self.path}: device={est.device!r} is not available here; the "
                    "network is loaded on the CPU.",
                    UserWarning,
                    stacklevel=3,
                )
                device = "cpu"
        fields = self.decode(net_node.get("plan"), f"{where}.plan")
        kinds = {"seed": (int, type(None)), "n_outputs": int, "n_train": int}
        if (
            not isinstance(fields, dict)
            or set(fields) != {*_FitPlan.NET_FIELDS, "incremental"}
            or any(not isinstance(fields[k], kinds.get(k, bool)) for k in fields)
            or fields["n_train"] < 1
            or fields["n_outputs"] < 1
        ):
            self.refuse(where, "bad plan")
        weights = {
            k: self.decode(v, f"{where}.weights")
            for k, v in self._dict(net_node.get("weights"), where).items()
        }
        plan = _FitPlan(X=None, y=None, valid=None, device=device, warm=False, **fields)
        with seeded_torch_rng(0):  # the initial weights are overwritten just below
            net = est._new_net(plan)
        net.sample_weighted = plan.weighted
        try:
            net.module_.load_state_dict(weights, strict=True)
            optimizer = self.decode(net_node.get("optimizer"), f"{where}.optimizer")
            net.optimizer_.load_state_dict(optimizer)
        except (RuntimeError, ValueError, KeyError, TypeError) as exc:
            self.refuse(where, f"the weights do not fit the network ({exc})")

        history = self.decode(net_node.get("history"), f"{where}.history")
        if not isinstance(history, list) or not all(isinstance(r, dict) for r in history):
            self.refuse(where, "bad history")
        net.history_ = History(history)
        self._generator(net, net_node.get("generator"), where)
        est.net_ = net
        return est

    def _dict(self, node, where):
        if not isinstance(node, dict):
            self.refuse(where, "expected a mapping")
        return node

    def _generator(self, net, node, where):
        if node is None:
            return
        state = self.decode(self._dict(node, where).get("state"), where)
        lambdas = self.decode(node.get("lambdas"), where)
        if not isinstance(state, torch.Tensor) or not isinstance(lambdas, torch.Tensor):
            self.refuse(where, "bad generator state")
        if node.get("device") != torch.device(net.generator_.device).type:
            return  # moved between CPU and GPU: the generator starts from the seed
        try:
            net.generator_.set_state(state)
        except RuntimeError as exc:
            self.refuse(where, f"bad generator state ({exc})")
        net.lambda_sampler_._buffer = lambdas.to(net.lambda_sampler_._buffer)
        net.lambda_sampler_._pos = 0


def load(path, *, trusted=None, device=None):
    """Load an estimator saved by :func:`save`, without running code from the file.

    Parameters
    ----------
    path : str or path-like
        The file.
    trusted : list of str, default=None
        Import paths (``"package.module.Class"``) of classes outside skmixup,
        scikit-learn, skorch, ``torch.nn`` and ``torch.optim`` that the file
        may name, e.g. a custom ``module``; any other is refused.
    device : str or torch.device, default=None
        Where to put the network; ``None`` is the estimator's ``device``
        parameter, or the CPU (with a warning) when that device is not
        available here.

    Returns
    -------
    estimator : estimator object
        The estimator as it was saved; its predictions are bit-identical on
        the same kind of device.

    Raises
    ------
    ValueError
        When the file is not a valid skmixup file, names a class that is not
        trusted, or was altered in a way that does not fit the estimator; the
        message names the file and the field.
    """
    path = Path(path)
    try:
        with safe_open(str(path), framework="numpy") as f:
            metadata = f.metadata() or {}
            tensors = {key: f.get_tensor(key) for key in f.keys()}
    except (SafetensorError, OSError, UnicodeDecodeError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ValueError(f"{path} is not a skmixup safetensors file ({exc}); refused.") from None
    if metadata.get("format") != FORMAT:
        raise ValueError(f"{path} is not a skmixup file (no 'format: skmixup' in its metadata).")
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{path} is in skmixup file format {metadata.get('format_version')!r}; this "
            f"version of skmixup reads format {FORMAT_VERSION}. Upgrade skmixup."
        )
    try:
        root = json.loads(metadata.get("state", ""), parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"{path} has an unreadable state ({exc}); refused.") from None
    reader = _Reader(path, tensors, trusted or [], device)
    try:
        return reader.decode(root, "estimator")
    except RecursionError:
        raise ValueError(f"{path} nests its state too deeply; refused.") from None
    except Exception as exc:  # a value of the right kind but unusable where it stands
        if isinstance(exc, ValueError) and str(path) in str(exc):
            raise
        raise ValueError(
            f"{path} holds a state that does not fit the estimator ({type(exc).__name__}: "
            f"{str(exc)[:200]}); refused."
        ) from None


def _no_constants(name):
    raise ValueError(f"non-standard JSON constant {name}")
