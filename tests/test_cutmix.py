"""CutMix (skmixup.mixup), the crop/flip augmentation (skmixup._augment) and their options."""

import numpy as np
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError

from skmixup import MixupClassifier
from skmixup._augment import augment_batch, default_padding, random_crop_flip
from skmixup.mixup import box_mask, cutmix_batch, cutmix_boxes, one_hot, sample_lambda


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("height, width", [(28, 28), (8, 8), (32, 17)])
def test_boxes_lie_inside_the_image(height, width):
    lam = sample_lambda(1.0, 500, generator=_gen(1))
    boxes = cutmix_boxes(lam, height, width, generator=_gen(2))
    top, bottom, left, right = boxes.T
    assert boxes.dtype == torch.int64
    assert (0 <= top).all() and (top <= bottom).all() and (bottom <= height).all()
    assert (0 <= left).all() and (left <= right).all() and (right <= width).all()
    # Unclipped boxes cover about 1 - lam of the image; clipping only shrinks them.
    area = ((bottom - top) * (right - left)).double() / (height * width)
    assert (area <= 1 - lam.double() + 1e-9).all()
    assert area.max() > 0.5


def test_lam_one_gives_an_empty_box_and_lam_zero_a_full_image_share():
    boxes = cutmix_boxes(torch.ones(10), 28, 28, generator=_gen())
    assert ((boxes[:, 1] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 2]) == 0).all()


@pytest.mark.parametrize("per_example", [False, True])
def test_cutmix_batch_pastes_the_partner_and_mixes_labels_by_area(per_example):
    n, c, h, w = 16, 3, 12, 10
    x = torch.rand(n, c, h, w, generator=_gen(3))
    labels = torch.arange(n) % 4
    y = one_hot(labels, 4)
    lam = sample_lambda(1.0, n if per_example else 1, generator=_gen(4))
    x_mix, y_mix, index, lam_used = cutmix_batch(x, y, lam, generator=_gen(5))
    assert x_mix.shape == x.shape and y_mix.shape == y.shape and lam_used.shape == lam.shape

    # Recover each image's box from the pixels: equal to the partner inside, to itself outside.
    from_partner = (x_mix == x[index]) & (x_mix != x)
    own_share = 1 - from_partner.all(dim=1, keepdim=True).double().mean(dim=(1, 2, 3))
    expected = lam_used.double().expand(n)
    paired = index != torch.arange(n)  # an image paired with itself shows no box
    assert paired.sum() > n // 2
    assert torch.allclose(own_share[paired], expected[paired], atol=1e-6)
    untouched = ~from_partner
    assert torch.equal(x_mix[untouched], x[untouched])
    # Labels mixed with the corrected lam, not the drawn one.
    lam_col = lam_used.reshape(-1, 1)
    assert torch.allclose(y_mix, lam_col * y + (1 - lam_col) * y[index], atol=1e-6)
    assert torch.allclose(y_mix.sum(1), torch.ones(n))


def test_cutmix_lam_used_equals_one_minus_box_area():
    lam = torch.tensor([0.3])
    x = torch.rand(4, 1, 20, 20, generator=_gen())
    _, _, _, lam_used = cutmix_batch(x, one_hot(torch.arange(4) % 2, 2), lam, generator=_gen(7))
    # Redraw with the same generator state: the permutation comes first, then the box.
    g = _gen(7)
    torch.randperm(4, generator=g)
    boxes = cutmix_boxes(lam, 20, 20, generator=g)
    mask = box_mask(boxes, 20, 20)
    assert lam_used.item() == pytest.approx(1 - mask.double().mean().item())


def test_cutmix_is_reproducible_and_needs_images():
    x = torch.rand(8, 1, 6, 6)
    y = one_hot(torch.arange(8) % 2, 2)
    lam = torch.tensor([0.5])
    a = cutmix_batch(x, y, lam, generator=_gen(9))
    b = cutmix_batch(x, y, lam, generator=_gen(9))
    for u, v in zip(a, b):
        assert torch.equal(u, v)
    with pytest.raises(ValueError, match="image tensors"):
        cutmix_batch(torch.rand(8, 5), y, lam, generator=_gen())


def test_crop_flip_without_padding_or_flip_is_the_identity():
    x = torch.rand(5, 2, 7, 9)
    assert torch.equal(random_crop_flip(x, 0, generator=_gen(), flip=False), x)


def test_crop_flip_outputs_are_shifted_or_mirrored_crops():
    x = torch.rand(20, 2, 8, 8, generator=_gen(1))
    p = 2
    out = random_crop_flip(x, p, generator=_gen(2))
    assert out.shape == x.shape
    padded = torch.nn.functional.pad(x, (p, p, p, p))
    mirrored = 0
    for i in range(len(x)):
        candidates = [
            padded[i, :, dy : dy + 8, dx : dx + 8]
            for dy in range(2 * p + 1)
            for dx in range(2 * p + 1)
        ]
        plain = any(torch.equal(out[i], c) for c in candidates)
        flipped = any(torch.equal(out[i], c.flip(-1)) for c in candidates)
        assert plain or flipped
        mirrored += flipped and not plain
    assert 0 < mirrored < len(x)  # about half are mirrored
    assert torch.equal(out, random_crop_flip(x, p, generator=_gen(2)))
    assert not torch.equal(out, random_crop_flip(x, p, generator=_gen(3)))


def test_augment_batch_names():
    assert default_padding(32) == 4 and default_padding(28) == 3 and default_padding(8) == 1
    with pytest.raises(ValueError, match="augment must be"):
        augment_batch(torch.rand(2, 1, 4, 4), "rotate", generator=_gen())


def _images(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.random((n, 1, 8, 8)).astype(np.float32) * 0.2
    X[y == 1, :, :4] += 0.8  # class 1: bright top half
    return X, y


@pytest.mark.parametrize(
    "params",
    [
        dict(method="cutmix"),
        dict(augment="crop_flip"),
        dict(method="cutmix", augment="crop_flip", lambda_mode="example"),
    ],
)
def test_classifier_trains_with_cutmix_and_augmentation(params):
    X, y = _images()
    params = dict(
        alpha=1.0, max_epochs=8, batch_size=16, random_state=0, module_params={"width": 4}, **params
    )
    from skmixup.modules import SmallCNN

    clf = MixupClassifier(module=SmallCNN, **params).fit(X, y)
    assert clf.score(X, y) > 0.9
    again = MixupClassifier(module=SmallCNN, **params).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), again.predict_proba(X))


def test_cutmix_changes_training_compared_to_mixup():
    X, y = _images()
    a = MixupClassifier(alpha=1.0, max_epochs=2, random_state=0).fit(X, y)
    b = MixupClassifier(alpha=1.0, max_epochs=2, random_state=0, method="cutmix").fit(X, y)
    assert not np.allclose(a.predict_proba(X), b.predict_proba(X))


def test_image_options_on_tables_raise_a_clear_error():
    X = np.random.default_rng(0).random((20, 4))
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match="need image tensors"):
        MixupClassifier(method="cutmix", max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="need image tensors"):
        MixupClassifier(augment="crop_flip", max_epochs=1).fit(X, y)
    with pytest.raises(InvalidParameterError, match="method"):
        MixupClassifier(method="cutout", max_epochs=1).fit(X, y)
    with pytest.raises(InvalidParameterError, match="augment"):
        MixupClassifier(augment="flip", max_epochs=1).fit(X, y)
