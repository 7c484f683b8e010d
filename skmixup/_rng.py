"""Seeding without touching the caller's random state, safely across threads.

Pure torch and numpy; torch is imported on first use, so that the numpy seeding
(:func:`seed_from`, :func:`numpy_rng`) serves :class:`~skmixup.MixupEstimator`
without it. torch's layers initialise their weights (and
``nn.Dropout`` draws its masks) from torch's process-wide generator. A fit
seeds that generator from its ``random_state`` inside :func:`seeded_torch_rng`,
which holds a process-wide lock and puts the caller's state back on exit, so
that two fits in two threads neither see each other's draws nor leave the
caller's generator changed. Everything else a fit draws (shuffles, partners,
mixing coefficients) comes from its own :class:`torch.Generator`.
"""

from __future__ import annotations

import functools
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
from sklearn.utils import check_random_state

if TYPE_CHECKING:
    from torch import nn

__all__ = ["draws_global_rng", "numpy_rng", "seed_from", "seeded_torch_rng"]

# Held while torch's global generator is seeded for a fit; reentrant, so that a fit
# running inside another's seeded block (a callback that fits) does not deadlock.
_TORCH_RNG_LOCK = threading.RLock()


@functools.cache
def _random_layers():
    """torch.nn layers that draw from the global generator in their forward pass."""
    from torch import nn

    return (
        nn.Dropout,
        nn.Dropout1d,
        nn.Dropout2d,
        nn.Dropout3d,
        nn.AlphaDropout,
        nn.FeatureAlphaDropout,
        nn.RReLU,
        nn.MultiheadAttention,
        nn.Transformer,
        nn.TransformerEncoderLayer,
        nn.TransformerDecoderLayer,
    )


# Modules whose layers are known not to draw random numbers in forward (apart from the above).
_KNOWN_PREFIXES = ("torch.nn.", "skmixup.modules")


def _fresh_seed() -> int:
    """A seed from the operating system's entropy; numpy's global state is not used."""
    return int(np.random.SeedSequence().generate_state(1)[0] >> 1)


def seed_from(random_state) -> int:
    """A 31-bit seed drawn from ``random_state``.

    ``None`` draws from the operating system's entropy, not from numpy's
    global generator, which is left as it was.
    """
    if random_state is None:
        return _fresh_seed()
    return int(numpy_rng(random_state).randint(np.iinfo(np.int32).max))


def numpy_rng(random_state) -> np.random.RandomState:
    """:func:`sklearn.utils.check_random_state`, except that ``None`` is a fresh
    generator seeded from the operating system instead of numpy's global one."""
    if random_state is None:
        return np.random.RandomState(_fresh_seed())
    return check_random_state(random_state)


@contextmanager
def seeded_torch_rng(seed: int, devices=()):
    """Seed torch's global generator (CPU and the given CUDA devices) for a block.

    One thread at a time; the caller's generator states are restored on exit.
    """
    import torch

    devices = [torch.device(d) for d in devices if torch.device(d).type == "cuda"]
    with _TORCH_RNG_LOCK, torch.random.fork_rng(devices=devices):
        torch.random.default_generator.manual_seed(int(seed))
        for device in devices:
            with torch.cuda.device(device):
                torch.cuda.manual_seed(int(seed))
        yield


def draws_global_rng(module: nn.Module) -> bool:
    """Whether ``module``'s forward pass may draw from torch's global generator.

    True when it holds a dropout-like layer, or any submodule of a class
    defined outside ``torch.nn`` and :mod:`skmixup.modules` (whose forward
    cannot be inspected). Such a module is trained under
    :func:`seeded_torch_rng` (one such fit at a time in a process).
    """
    for sub in module.modules():
        if isinstance(sub, _random_layers()):
            return True
        if not type(sub).__module__.startswith(_KNOWN_PREFIXES):
            return True
    return False
