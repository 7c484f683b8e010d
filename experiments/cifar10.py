"""The mixup paper's CIFAR-10 recipe through :class:`~skmixup.MixupClassifier`.

PreAct ResNet-18 (:class:`skmixup.modules.PreActResNet18`), SGD with learning
rate 0.1, momentum 0.9 and weight decay 1e-4, batch 128, 200 epochs with the
learning rate divided by 10 at epochs 100 and 150 (a skorch ``LRScheduler``
passed through ``callbacks``), random crop (4-pixel padding) and horizontal
flip on the device, alpha = 1. The paper reports 5.6% test error for ERM and
4.2% for mixup with this network.

This is for users with a GPU and the data: the original python-pickle batches
(``cifar-10-batches-py`` from ``cifar-10-python.tar.gz``)::

    python -m experiments cifar10 --path ~/data/cifar-10-batches-py            # mixup
    python -m experiments cifar10 --path ~/data/cifar-10-batches-py --alpha 0  # ERM

On a CPU one epoch of the full recipe takes hours; it has not been run here.
"""

from __future__ import annotations

import time

import numpy as np
from skorch.callbacks import LRScheduler

from skmixup import MixupClassifier
from skmixup.datasets import load_cifar10
from skmixup.modules import PreActResNet18

from ._arguments import cifar10_arguments, parse_job
from ._images_common import EpochTestError

__all__ = ["make_classifier", "standardize", "run"]


def make_classifier(
    alpha=1.0,
    *,
    max_epochs=200,
    milestones=(100, 150),
    width=64,
    device="auto",
    random_state=0,
    test_data=None,
    **params,
):
    """The paper's CIFAR-10 setup as a :class:`~skmixup.MixupClassifier`.

    Parameters
    ----------
    alpha : float, default=1.0
        mixup's alpha (0 for the ERM baseline).
    max_epochs : int, default=200
        Training epochs.
    milestones : tuple of int, default=(100, 150)
        Epochs after which the learning rate is divided by 10.
    width : int, default=64
        First-stage width of the PreAct ResNet-18 (64 is the paper's).
    device : str, default="auto"
        Where to train.
    random_state : int, default=0
        Seed.
    test_data : (X, y) or None, default=None
        Held-out images (standardized like the training images) and labels
        0..9; when given, the test error after each epoch is recorded in
        ``net_.history`` as ``test_error``.
    **params
        Any other :class:`~skmixup.MixupClassifier` parameter (e.g.
        ``method="cutmix"``).
    """

    callbacks = [
        ("lr_schedule", LRScheduler(policy="MultiStepLR", milestones=list(milestones), gamma=0.1))
    ]
    if test_data is not None:
        callbacks.append(("test_error", EpochTestError(*test_data)))
    settings = dict(
        alpha=alpha,
        module=PreActResNet18,
        module_params={"width": width},
        optimizer="sgd",
        lr=0.1,
        optimizer_params={"momentum": 0.9},
        weight_decay=1e-4,
        batch_size=128,
        max_epochs=max_epochs,
        augment="crop_flip",
        callbacks=callbacks,
        device=device,
        random_state=random_state,
        early_stopping=False,
        lr_schedule="constant",  # the paper's step schedule is the callback above
    )
    return MixupClassifier(**{**settings, **params})


def standardize(X_train, X_test):
    """uint8 images to float32, each channel standardised with the training set's mean and std."""
    X_train = X_train.astype(np.float32) / np.float32(255)
    X_test = X_test.astype(np.float32) / np.float32(255)
    mean = X_train.mean(axis=(0, 2, 3), keepdims=True)
    std = X_train.std(axis=(0, 2, 3), keepdims=True)
    return (X_train - mean) / std, (X_test - mean) / std


def run(path, alpha=1.0, *, verbose=True, **params):
    """Load CIFAR-10 from ``path``, train the recipe, return ``(classifier, test error)``."""
    X_train, X_test, y_train, y_test = load_cifar10(path, return_X_y=True)
    X_train, X_test = standardize(X_train, X_test)
    clf = make_classifier(alpha, test_data=(X_test, y_test), verbose=int(verbose), **params)
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    error = 1 - clf.score(X_test, y_test)
    if verbose:
        print(
            f"alpha={alpha}: test error {100 * error:.2f}% after {clf.n_iter_} epochs "
            f"({time.perf_counter() - start:.0f} s)"
        )
    return clf, error


def add_arguments(parser):
    """Add this job's command-line options to ``parser``."""
    cifar10_arguments(parser)


def main(argv=None, args=None):
    """Command line entry point (also ``python -m experiments cifar10``)."""
    if args is None:
        args = parse_job("cifar10", __doc__, add_arguments, argv)
    scale = args.epochs / 200
    milestones = (round(100 * scale), round(150 * scale))
    return run(
        args.path,
        args.alpha,
        max_epochs=args.epochs,
        milestones=milestones,
        method=args.method,
        device=args.device,
        random_state=args.seed,
    )
