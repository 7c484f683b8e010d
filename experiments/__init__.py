"""The studies behind skmixup's results pages: paper reproductions, ablations, benchmark suite.

This package is not installed with skmixup: it runs from a clone of the
repository, from its root, as ``python -m experiments <job>`` (``--help``
lists the jobs). Each job reads its data through :mod:`skmixup.datasets` from
``--data-home`` (default: ``$SKMIXUP_DATA``) and writes only into its
``--out`` folder.
"""
