"""The built-in networks (skmixup.modules) and the image path of MixupClassifier."""

import numpy as np
import pytest
import torch

from skmixup import MixupClassifier
from skmixup.modules import PreActResNet18, SmallCNN


@pytest.mark.parametrize(
    "shape", [(1, 28, 28), (1, 8, 8), (3, 32, 32), (2, 5, 7), (1, 2, 2), (3, 64, 48)]
)
def test_small_cnn_adapts_to_image_sizes(shape):
    torch.manual_seed(0)
    net = SmallCNN(shape[0], 4)
    out = net(torch.rand(3, *shape))
    assert out.shape == (3, 4) and torch.isfinite(out).all()
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters())


def test_small_cnn_width_and_dropout():
    small, big = SmallCNN(1, 10, width=8), SmallCNN(1, 10)
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(small) < count(big) < 300_000
    assert not any(isinstance(m, torch.nn.Dropout) for m in small.modules())
    with_dropout = SmallCNN(1, 10, dropout=0.5)
    assert any(isinstance(m, torch.nn.Dropout) and m.p == 0.5 for m in with_dropout.modules())


def _digits():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    return train_test_split((X / 16).reshape(-1, 8, 8), y, random_state=0, stratify=y)


def test_default_cnn_learns_sklearn_digits():
    X_train, X_test, y_train, y_test = _digits()
    clf = MixupClassifier(max_epochs=15, random_state=0).fit(X_train, y_train)
    assert isinstance(clf.net_.module_, SmallCNN)
    assert clf.input_shape_ == (1, 8, 8)
    assert clf.score(X_test, y_test) >= 0.95


def test_uint8_images_are_scaled_to_unit_range():
    rng = np.random.default_rng(0)
    X8 = rng.integers(0, 256, (40, 1, 6, 6), dtype=np.uint8)
    y = np.arange(40) % 2
    params = dict(max_epochs=2, random_state=0, module_params={"width": 4}, module=SmallCNN)
    a = MixupClassifier(**params).fit(X8, y)
    b = MixupClassifier(**params).fit(X8.astype(np.float32) / 255, y)
    np.testing.assert_allclose(
        a.predict_proba(X8), b.predict_proba(X8.astype(np.float32) / 255), rtol=1e-5
    )
    # Other integer dtypes are taken as given, not scaled.
    c = MixupClassifier(**params).fit(X8.astype(np.int64), y)
    assert not np.allclose(a.predict_proba(X8), c.predict_proba(X8.astype(np.int64)))


def test_lr_schedule_through_callbacks():
    from skorch.callbacks import LRScheduler

    X_train, _, y_train, _ = _digits()
    schedule = LRScheduler(policy="MultiStepLR", milestones=[1, 2], gamma=0.1)
    clf = MixupClassifier(
        optimizer="sgd",
        lr=0.1,
        max_epochs=3,
        module=SmallCNN,
        module_params={"width": 4},
        callbacks=[("lr", schedule)],
        random_state=0,
        lr_schedule="constant",
    )
    clf.fit(X_train[:100], y_train[:100])
    lrs = [group["lr"] for group in clf.net_.optimizer_.param_groups]
    assert lrs == [pytest.approx(0.001)]
    assert not hasattr(schedule, "lr_scheduler_")  # the estimator's parameter is copied, not used


def test_preact_resnet18():
    net = PreActResNet18()
    assert sum(p.numel() for p in net.parameters()) == 11_172_170
    tiny = PreActResNet18(in_channels=1, n_outputs=3, width=4)
    out = tiny(torch.rand(2, 1, 28, 28))
    assert out.shape == (2, 3)
