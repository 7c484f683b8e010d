"""The per-epoch log printed with ``verbose > 0``: "epoch k/N", colour only on a terminal."""

from __future__ import annotations

import sys
from numbers import Number

from skorch.callbacks import PrintLog


class EpochLog(PrintLog):
    """skorch's :class:`~skorch.callbacks.PrintLog` with four changes.

    * The epoch column reads ``k/N``, ``N`` the last epoch this fit may reach.
    * Colour codes mark the best values only when printing to a terminal;
      elsewhere (files, CI logs) a best value is marked with a ``*``.
    * At the end of training one line names the best epoch: by validation
      loss when there is one, else by training loss.
    * Nothing is formatted while ``net.verbose`` is 0 (skorch builds the
      table every epoch and then drops it).

    Parameters
    ----------
    color : "auto" or bool, default="auto"
        ``"auto"``: colour when the sink is :func:`print` and standard output
        is a terminal.
    **kwargs
        Passed to :class:`~skorch.callbacks.PrintLog`.
    """

    def __init__(self, color="auto", **kwargs):
        super().__init__(**kwargs)
        self.color = color

    def initialize(self):
        super().initialize()
        self.total_epochs_ = None
        return self

    def _colour(self):
        if self.color == "auto":
            return self.sink is print and sys.stdout.isatty()
        return bool(self.color)

    def on_train_begin(self, net, **kwargs):
        self.total_epochs_ = len(net.history) + net.max_epochs

    def on_epoch_end(self, net, **kwargs):
        # skorch formats the table every epoch and only then asks verbose whether to print
        # it: on a small table that was about a tenth of a silent fit's time.
        if net.verbose:
            super().on_epoch_end(net, **kwargs)

    def format_row(self, row, key, color):
        value = row[key]
        if key == "epoch" and self.total_epochs_:
            return f"{value}/{self.total_epochs_}"
        if self._colour() or isinstance(value, bool) or not isinstance(value, Number):
            return super().format_row(row, key, color)
        text = f"{value}" if float(value).is_integer() else f"{value:{self.floatfmt}}"
        return text + "*" if row.get(key + "_best") else text

    def on_train_end(self, net, **kwargs):
        # Epochs that ended (an interrupted last epoch has no losses recorded).
        history = [row for row in net.history if "train_loss" in row]
        if not history:
            return
        key = "valid_loss" if "valid_loss" in history[-1] else "train_loss"
        losses = [row.get(key, float("inf")) for row in history]
        best = min(range(len(losses)), key=losses.__getitem__)
        self._sink(
            f"best epoch {history[best]['epoch']}/{self.total_epochs_ or len(net.history)}"
            f" ({key} {losses[best]:{self.floatfmt}}) of {len(history)} run",
            net.verbose,
        )
