"""Sample and class weights: checked once, carried as an extra target column.

A weighted fit appends each row's weight to its float target row. Mixing the
target rows then mixes the weights with the same coefficient and the same
partner (``lam * w_i + (1 - lam) * w_j``, whatever the partner choice or
CutMix), and :meth:`skmixup._net.MixupNet.get_loss` splits the column off again.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.class_weight import compute_class_weight

from ._compat import _check_sample_weight


def check_sample_weight(sample_weight, X):
    """``sample_weight`` as a float64 array of shape (n_samples,), or None.

    Raises ValueError for a wrong shape, negative or non-finite values, or
    weights that are all zero.
    """
    if sample_weight is None:
        return None
    weight = _check_sample_weight(
        sample_weight, X, dtype=np.float64, ensure_non_negative=True, allow_all_zero_weights=True
    )
    if not np.any(weight > 0):
        raise ValueError(
            "sample_weight is zero for every sample: nothing to fit. Give at least one "
            "sample a positive weight."
        )
    return weight


def drop_zero_weight(X, y, weight):
    """Remove the rows of weight 0, exactly as if they had not been given.

    A row of weight 0 would otherwise still be drawn as a mixing partner (its
    input and label enter the mixed example with weight ``1 - lam``), and
    could still land in the early-stopping hold-out.
    """
    if weight is None or np.all(weight > 0):
        return X, y, weight
    keep = weight > 0
    return X[keep], y[keep], weight[keep]


def class_sample_weight(class_weight, classes, y_encoded, sample_weight=None):
    """Per-row multipliers for ``class_weight`` (None, "balanced" or a dict), or None.

    ``"balanced"`` is ``n_samples / (n_classes * count(class))``, as in
    scikit-learn; with ``sample_weight`` the counts are sums of weights (as
    scikit-learn's ``LogisticRegression`` counts them), so that every class
    ends with the same total weight.
    """
    if class_weight is None:
        return None
    if isinstance(class_weight, dict):
        unknown = [key for key in class_weight if key not in set(classes.tolist())]
        if unknown:
            raise ValueError(
                f"class_weight has keys {unknown} that are not classes of y "
                f"({classes.tolist()}). Use the labels of y as keys."
            )
    y_labels = classes[y_encoded]
    per_class = compute_class_weight(
        class_weight, classes=classes, y=y_labels, sample_weight=sample_weight
    )
    return per_class[y_encoded]


def combine(sample_weight, class_weight_rows):
    """The product of two optional per-row weight vectors (None when both are None)."""
    if sample_weight is None:
        return class_weight_rows
    if class_weight_rows is None:
        return sample_weight
    return sample_weight * class_weight_rows


def with_weight_column(targets, weight):
    """``targets`` (n, k) float32 with ``weight / mean(weight)`` appended as column k.

    Weights are normalised to mean 1 over the rows given, so that the loss of
    a minibatch, ``mean(w * loss)``, estimates the weighted mean loss of the
    whole set without depending on the weights' scale.
    """
    weight = np.asarray(weight, dtype=np.float64)
    column = (weight / weight.mean()).astype(np.float32)[:, None]
    return np.hstack([targets.astype(np.float32, copy=False), column])
