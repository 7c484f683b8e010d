"""Experiments that reproduce the paper's studies with skmixup's estimators.

They sit above the estimators (nothing in skmixup imports them) and run from
Python (``skmixup.experiments.uci.run(config)``) or from a shell
(``python -m skmixup uci``).
"""

from ._report import format_table, plot_summary, write_results
from .uci import UCIConfig, run

__all__ = ["UCIConfig", "format_table", "plot_summary", "run", "write_results"]
