"""Channels-last images are refused with a message saying how to transpose them."""

import numpy as np
import pytest

from skmixup import MixupClassifier
from skmixup._base import check_channels_first
from skmixup.modules import SmallCNN


def _images(shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random(shape, dtype=np.float32), np.arange(shape[0]) % 2


@pytest.mark.parametrize("shape", [(8, 28, 28, 1), (8, 32, 32, 3), (8, 16, 16, 4), (8, 5, 5, 3)])
def test_channels_last_is_refused(shape):
    X, y = _images(shape)
    with pytest.raises(ValueError, match=r"channels-last") as exc:
        MixupClassifier(max_epochs=1).fit(X, y)
    assert "X.transpose(0, 3, 1, 2)" in str(exc.value)
    assert str((shape[0], shape[3], shape[1], shape[2])) in str(exc.value)


@pytest.mark.parametrize(
    "shape", [(8, 1, 28, 28), (8, 3, 32, 32), (8, 3, 4, 4), (8, 1, 8, 3), (8, 4, 6, 4)]
)
def test_channels_first_passes(shape):
    check_channels_first(np.zeros(shape, dtype=np.float32))


def test_transposed_images_fit():
    X, y = _images((8, 8, 8, 3))
    clf = MixupClassifier(max_epochs=1, batch_size=8, random_state=0)
    clf.fit(X.transpose(0, 3, 1, 2), y)
    assert clf.input_shape_ == (3, 8, 8)
    assert clf.net_.module_.features[0].in_channels == 3


def test_an_explicit_module_skips_the_check():
    # 8 channels of 4x3 "images": channels-first data that matches the rule.
    X, y = _images((8, 8, 4, 3))
    clf = MixupClassifier(module=SmallCNN, max_epochs=1, batch_size=8, random_state=0).fit(X, y)
    assert clf.input_shape_ == (8, 4, 3)


def test_uint8_channels_last_is_refused_too():
    X = np.zeros((4, 28, 28, 1), dtype=np.uint8)
    with pytest.raises(ValueError, match="transpose"):
        MixupClassifier(max_epochs=1).fit(X, [0, 1, 0, 1])
