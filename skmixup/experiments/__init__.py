"""Experiments that reproduce the paper's studies with skmixup's estimators.

Nothing in skmixup imports them; each runs from Python or from a shell
(``python -m skmixup <name>`` or ``python -m skmixup.experiments.<name>``).
"""
