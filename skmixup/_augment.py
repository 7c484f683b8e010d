"""Image augmentation on the device, in pure torch: random crop with padding, horizontal flip.

Applied per minibatch inside the training step (before mixing), drawing from
the net's :class:`torch.Generator`, so that a seed reproduces a run and the
data never leaves the device.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["augment_batch", "default_padding", "random_crop_flip"]

AUGMENTATIONS = ("crop_flip",)


def default_padding(height: int) -> int:
    """Padding of the random crop: an eighth of the image side, at least 1 (4 for 32x32 images)."""
    return max(1, height // 8)


def random_crop_flip(
    x: torch.Tensor, padding: int, *, generator: torch.Generator, flip: bool = True
) -> torch.Tensor:
    """Random crops of the zero-padded images and random horizontal flips.

    Each image is padded with ``padding`` zero pixels on every side, cropped
    back to its size at a uniformly drawn offset, and mirrored left-right with
    probability 1/2. One draw per image.

    Parameters
    ----------
    x : tensor of shape (n, channels, height, width)
        Images.
    padding : int
        Pixels of zero padding (the most an image can shift); 0 disables the crop.
    generator : torch.Generator
        Source of randomness; must live on ``x``'s device.
    flip : bool, default=True
        Also flip half of the images horizontally.

    Returns
    -------
    torch.Tensor
        Same shape and dtype as ``x``.
    """
    if x.dim() != 4:
        raise ValueError(
            f"Image augmentation needs tensors of shape (n, channels, height, width); got "
            f"shape {tuple(x.shape)}. Use augment=None for tables."
        )
    n, _, height, width = x.shape
    device = x.device
    p = int(padding)
    padded = F.pad(x, (p, p, p, p)) if p > 0 else x
    dy = torch.randint(2 * p + 1, (n,), device=device, generator=generator)
    dx = torch.randint(2 * p + 1, (n,), device=device, generator=generator)
    rows = dy[:, None] + torch.arange(height, device=device)  # (n, height)
    cols = dx[:, None] + torch.arange(width, device=device)  # (n, width)
    if flip:
        flipped = torch.rand(n, device=device, generator=generator) < 0.5
        cols = torch.where(flipped[:, None], cols.flip(1), cols)
    # Advanced indexing on axes 0, 2, 3 puts them first: (n, height, width, channels).
    out = padded[
        torch.arange(n, device=device)[:, None, None], :, rows[:, :, None], cols[:, None, :]
    ]
    return out.permute(0, 3, 1, 2).contiguous()


def augment_batch(x: torch.Tensor, augment: str, *, generator: torch.Generator) -> torch.Tensor:
    """Apply the augmentation named ``augment`` (one of :data:`AUGMENTATIONS`) to a batch."""
    if augment == "crop_flip":
        return random_crop_flip(x, default_padding(x.shape[2]), generator=generator)
    raise ValueError(f"augment must be None or one of {AUGMENTATIONS}; got {augment!r}.")
