"""What the image experiments share: a Fashion-MNIST subset and per-epoch test error."""

from __future__ import annotations

import numpy as np
import torch
from skorch.callbacks import Callback

from skmixup.datasets import fetch_fashion_mnist


def fashion_mnist_subset(n_train=None, n_test=None, *, random_state=0, data_home=None):
    """Fashion-MNIST as float32 images in [0, 1] of shape (n, 1, 28, 28), int64 labels.

    ``n_train`` / ``n_test`` random images of each split (``None``: all of it),
    drawn with a numpy Generator seeded by ``random_state``.
    """
    X_train, X_test, y_train, y_test = fetch_fashion_mnist(data_home, return_X_y=True)
    rng = np.random.default_rng(random_state)
    train = rng.permutation(len(X_train))[:n_train]
    test = rng.permutation(len(X_test))[:n_test]

    def scale(X):
        return X[:, None].astype(np.float32) / np.float32(255)

    return scale(X_train[train]), scale(X_test[test]), y_train[train], y_test[test]


def predict_labels(module, X, batch_size=1024, device="cpu"):
    """Argmax of ``module``'s logits over ``X`` (a float tensor), in eval mode, as a CPU tensor."""
    was_training = module.training
    module.eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(X), batch_size):
            out.append(module(X[start : start + batch_size].to(device)).argmax(1).cpu())
    module.train(was_training)
    return torch.cat(out)


class EpochTestError(Callback):
    """Record the error on a held-out set after every epoch as ``test_error`` in the history.

    Parameters
    ----------
    X : array-like of float32, shaped as the network's input
        Held-out inputs, already scaled as the net sees them.
    y : array-like of int
        Their labels as class indices (``np.searchsorted(classes_, y)``).
    """

    def __init__(self, X, y, batch_size=1024):
        self.X = X
        self.y = y
        self.batch_size = batch_size

    def on_epoch_end(self, net, **kwargs):
        X = torch.as_tensor(np.require(self.X, requirements=["C", "W"]))
        y = torch.as_tensor(np.asarray(self.y))
        pred = predict_labels(net.module_, X, self.batch_size, net.device)
        net.history.record("test_error", float((pred != y).double().mean()))
