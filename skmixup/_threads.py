"""One torch thread for small networks on a CPU, the caller's setting restored after.

A step of the default MLP on a small table is a few hundred thousand
multiply-adds. torch's second (third, ...) intra-op thread saves nothing
there, and while it waits it spins. Above about 4 million multiply-adds a
step a second thread starts to pay. The measurements behind the rule
(``benchmarks/bench_small.py``) are in ``docs/distributed.rst`` and
``docs/measurements.rst``.

So :class:`~skmixup._net.MixupNet` trains a network on 2-D inputs (tables)
on the CPU with one thread when ``parameters x batch rows`` is below
:data:`SMALL_STEP`, and gives torch its previous count back at the end of
the fit, also after an error or Ctrl-C. Image networks (4-D inputs) reuse
their weights across positions, so their parameter count says little about
their cost: they keep the caller's setting. ``torch.set_num_threads`` is
process-wide: while one such fit runs, other fits in the same process (the
threading backend) also run on one thread.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

import torch

__all__ = ["SMALL_STEP", "one_thread_if_small"]

# Multiply-adds per training step (parameters x batch rows) below which one thread is used.
SMALL_STEP = 2**22

_LOCK = threading.Lock()
_active = 0  # fits now running under one thread
_saved = None  # the thread count to give back when the last of them ends


def is_small(module, batch_size, X, device):
    """Whether a fit of ``module`` on ``X`` is small enough to run on one thread."""
    if torch.device(device).type != "cpu" or getattr(X, "ndim", 0) != 2:
        return False
    n_params = sum(p.numel() for p in module.parameters() if p.requires_grad)
    return n_params * int(batch_size) < SMALL_STEP


@contextmanager
def one_thread_if_small(module, batch_size, X, device):
    """Run the block with one torch thread when :func:`is_small`; restore the count after."""
    global _active, _saved
    if not is_small(module, batch_size, X, device):
        yield
        return
    with _LOCK:
        if _active == 0:
            _saved = torch.get_num_threads()
            if _saved != 1:
                torch.set_num_threads(1)
        _active += 1
    try:
        yield
    finally:
        with _LOCK:
            _active -= 1
            if _active == 0 and _saved != 1:
                torch.set_num_threads(_saved)
