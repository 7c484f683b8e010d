"""The mixup math, in pure torch (no scikit-learn, no skorch).

mixup (Zhang et al., ICLR 2018, arXiv:1710.09412) trains on convex combinations
of pairs of examples and of their targets::

    lam ~ Beta(alpha, alpha)
    x = lam * x_i + (1 - lam) * x_j
    y = lam * y_i + (1 - lam) * y_j

where ``j`` is a random permutation of the batch. Everything random here draws
from an explicit :class:`torch.Generator`, never from torch's global RNG, so a
seed reproduces a training run exactly.

This is the file to read for "where is lambda drawn": :func:`sample_lambda`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = [
    "LambdaSampler",
    "box_mask",
    "cutmix_batch",
    "cutmix_boxes",
    "discriminator_mixup",
    "draw_neighbours",
    "interpolate",
    "label_kernel_partners",
    "mixup_batch",
    "mixup_cross_entropy",
    "nearest_neighbours",
    "one_hot",
    "same_class_partners",
    "sample_lambda",
]


def _log_standard_gamma(shape: float, size: int, generator: torch.Generator) -> torch.Tensor:
    """log of ``size`` draws from Gamma(shape, 1), float64, on the generator's device.

    Marsaglia & Tsang (2000) for shape >= 1, vectorised with rejection; for
    shape < 1 the boost ``Gamma(a) = Gamma(a + 1) * U**(1/a)`` is applied in log
    space so that tiny shapes (alpha = 0.01) do not underflow to 0.
    """
    device = generator.device
    boost = shape < 1.0
    a = shape + 1.0 if boost else shape
    d = a - 1.0 / 3.0
    c = 1.0 / (9.0 * d) ** 0.5
    out = torch.empty(0, dtype=torch.float64, device=device)
    while out.numel() < size:
        # Acceptance is above 95% for every shape >= 1: ask for a little more than needed.
        m = int((size - out.numel()) * 1.1) + 8
        x = torch.randn(m, dtype=torch.float64, device=device, generator=generator)
        u = torch.rand(m, dtype=torch.float64, device=device, generator=generator)
        v = (1.0 + c * x) ** 3
        ok = (v > 0) & (torch.log(u) < 0.5 * x * x + d - d * v + d * torch.log(v.clamp_min(1e-300)))
        out = torch.cat([out, torch.log(d * v[ok])])
    out = out[:size]
    if boost:
        u = torch.rand(size, dtype=torch.float64, device=device, generator=generator)
        out = out + torch.log(u) / shape
    return out


def sample_lambda(alpha: float, size: int = 1, *, generator: torch.Generator) -> torch.Tensor:
    """Draw ``size`` mixing coefficients ``lam ~ Beta(alpha, alpha)``.

    Parameters
    ----------
    alpha : float
        Concentration of the symmetric Beta distribution. ``alpha <= 0`` gives
        ``lam = 1`` (no mixing, plain ERM), as in the paper's official code.
    size : int, default=1
        Number of draws.
    generator : torch.Generator
        Source of randomness; the draws land on its device.

    Returns
    -------
    lam : torch.Tensor of shape (size,)
        In [0, 1], float64 (so that values within 1e-8 of 1 are not rounded
        to 1); :func:`interpolate` casts them to the data's dtype.
    """
    if alpha <= 0:
        return torch.ones(size, dtype=torch.float64, device=generator.device)
    # Beta(a, a) = G1 / (G1 + G2) = sigmoid(log G1 - log G2), stable for tiny alpha.
    log_g = _log_standard_gamma(float(alpha), 2 * size, generator)
    return torch.sigmoid(log_g[:size] - log_g[size:])


class LambdaSampler:
    """Buffered :func:`sample_lambda`: draws ``chunk`` values at once, hands them out in order.

    Drawing one Beta value per minibatch costs a dozen small kernel launches;
    drawing an epoch's worth at once makes it free. The sequence of values is a
    function of the generator's seed alone.

    Parameters
    ----------
    alpha : float
        As in :func:`sample_lambda`.
    generator : torch.Generator
        Source of randomness; the values land on its device.
    chunk : int, default=4096
        Number of values drawn at once when the buffer runs out.
    """

    def __init__(self, alpha: float, generator: torch.Generator, chunk: int = 4096):
        self.alpha = float(alpha)
        self.generator = generator
        self.chunk = int(chunk)
        self._buffer = torch.empty(0, dtype=torch.float64, device=generator.device)
        self._pos = 0

    def draw(self, size: int = 1) -> torch.Tensor:
        """The next ``size`` values.

        Parameters
        ----------
        size : int, default=1
            Number of values.

        Returns
        -------
        lam : torch.Tensor of shape (size,)
            float64, in [0, 1].
        """
        if self._pos + size > self._buffer.numel():
            rest = self._buffer[self._pos :]
            fresh = sample_lambda(self.alpha, max(self.chunk, size), generator=self.generator)
            self._buffer = torch.cat([rest, fresh])
            self._pos = 0
        out = self._buffer[self._pos : self._pos + size]
        self._pos += size
        return out


def one_hot(y: torch.Tensor, n_classes: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Integer labels as one-hot rows.

    Parameters
    ----------
    y : torch.Tensor of shape (n,)
        Integer labels in ``[0, n_classes)``.
    n_classes : int
        Number of columns.
    dtype : torch.dtype, default=torch.float32
        Type of the result.

    Returns
    -------
    rows : torch.Tensor of shape (n, n_classes)
        Zeros, with a one in column ``y[i]`` of row ``i``.
    """
    return F.one_hot(y.long(), n_classes).to(dtype)


def mixup_batch(
    x: torch.Tensor, y: torch.Tensor, lam: torch.Tensor, *, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Mix a batch with a random permutation of itself.

    Parameters
    ----------
    x : tensor of shape (n, ...)
        Inputs.
    y : tensor of shape (n, ...)
        Float targets: one-hot or soft class probabilities, or regression targets.
    lam : tensor of shape (1,) or (n,)
        Mixing coefficients, e.g. from :class:`LambdaSampler`.
    generator : torch.Generator
        Draws the partner permutation; must live on ``x``'s device.

    Returns
    -------
    x_mixed, y_mixed, index
        ``index`` is the partner of each row.
    """
    index = torch.randperm(x.shape[0], device=x.device, generator=generator)
    return interpolate(x, x[index], lam), interpolate(y, y[index], lam), index


def mixup_cross_entropy(
    logits: torch.Tensor, y_a: torch.Tensor, y_b: torch.Tensor, lam: torch.Tensor
) -> torch.Tensor:
    """The paper's loss with integer labels: ``lam * CE(y_a) + (1 - lam) * CE(y_b)``.

    Equal to ``torch.nn.functional.cross_entropy(logits, target)`` on the mixed
    one-hot target ``lam * one_hot(y_a) + (1 - lam) * one_hot(y_b)``, since
    cross-entropy is linear in the target.

    Parameters
    ----------
    logits : tensor of shape (n, n_classes)
        The network's outputs on the mixed inputs.
    y_a, y_b : tensor of shape (n,)
        Integer labels of each row and of its partner.
    lam : tensor of shape (1,) or (n,)
        Mixing coefficients.

    Returns
    -------
    loss : torch.Tensor
        The mean loss, a scalar.
    """
    log_p = F.log_softmax(logits, dim=1)
    nll_a = -log_p.gather(1, y_a.long()[:, None])[:, 0]
    nll_b = -log_p.gather(1, y_b.long()[:, None])[:, 0]
    lam = lam.to(log_p.dtype)
    return (lam * nll_a + (1 - lam) * nll_b).mean()


# ---------------------------------------------------------------------- CutMix
# CutMix (Yun et al., ICCV 2019, arXiv:1905.04899) pastes a box of the partner
# image instead of blending whole images; the target is mixed by the share of
# pixels each image keeps.


def cutmix_boxes(
    lam: torch.Tensor, height: int, width: int, *, generator: torch.Generator
) -> torch.Tensor:
    """Draw one box per coefficient, covering about ``1 - lam`` of the image.

    The box has sides ``height * sqrt(1 - lam)`` and ``width * sqrt(1 - lam)``
    (rounded down to even numbers), a centre drawn uniformly over the image, and
    is clipped to the image, so its area can be smaller than ``1 - lam``: use
    :func:`box_mask` and the returned coordinates to compute the exact share.

    Parameters
    ----------
    lam : tensor of shape (k,)
        Coefficients in [0, 1]; ``lam = 1`` gives an empty box.
    height, width : int
        Image size in pixels.
    generator : torch.Generator
        Draws the centres; must live on ``lam``'s device.

    Returns
    -------
    torch.Tensor of shape (k, 4), int64
        Rows ``(top, bottom, left, right)``, half-open: the box is
        ``rows top:bottom`` and ``columns left:right``.
    """
    ratio = torch.sqrt((1.0 - lam.double()).clamp(0.0, 1.0))
    half_h = (height * ratio).long() // 2
    half_w = (width * ratio).long() // 2
    cy = torch.randint(height, lam.shape, device=lam.device, generator=generator)
    cx = torch.randint(width, lam.shape, device=lam.device, generator=generator)
    top = (cy - half_h).clamp(0, height)
    bottom = (cy + half_h).clamp(0, height)
    left = (cx - half_w).clamp(0, width)
    right = (cx + half_w).clamp(0, width)
    return torch.stack([top, bottom, left, right], dim=1)


def box_mask(boxes: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Boolean masks, true inside each box.

    Parameters
    ----------
    boxes : tensor of shape (k, 4)
        Boxes as :func:`cutmix_boxes` returns them.
    height, width : int
        Image size.

    Returns
    -------
    masks : torch.Tensor of shape (k, 1, height, width)
        bool.
    """
    rows = torch.arange(height, device=boxes.device)
    cols = torch.arange(width, device=boxes.device)
    in_rows = (rows >= boxes[:, 0:1]) & (rows < boxes[:, 1:2])  # (k, height)
    in_cols = (cols >= boxes[:, 2:3]) & (cols < boxes[:, 3:4])  # (k, width)
    return (in_rows[:, :, None] & in_cols[:, None, :])[:, None]


def cutmix_batch(
    x: torch.Tensor, y: torch.Tensor, lam: torch.Tensor, *, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """CutMix a batch of images with a random permutation of itself.

    Each image gets a box (one for the whole batch when ``lam`` has shape (1,),
    one per image when it has shape (n,)) filled with its partner's pixels; the
    targets are mixed with the corrected coefficient
    ``1 - box area / image area``, the share of the image's own pixels.

    Parameters
    ----------
    x : tensor of shape (n, channels, height, width)
        Images.
    y : tensor of shape (n, ...)
        Float targets (one-hot rows).
    lam : tensor of shape (1,) or (n,)
        Coefficients drawn as for mixup; they set the box sizes.
    generator : torch.Generator
        Draws the partners and the box centres; must live on ``x``'s device.

    Returns
    -------
    x_mixed, y_mixed, index, lam_used
        ``index`` is the partner of each row; ``lam_used`` (same shape as
        ``lam``) the corrected coefficients that mixed the targets.
    """
    if x.dim() != 4:
        raise ValueError(
            f"CutMix needs image tensors of shape (n, channels, height, width); got shape "
            f"{tuple(x.shape)}. Use mixup for tables."
        )
    height, width = x.shape[2], x.shape[3]
    index = torch.randperm(x.shape[0], device=x.device, generator=generator)
    boxes = cutmix_boxes(lam.to(x.device), height, width, generator=generator)
    inside = box_mask(boxes, height, width)
    x_mixed = torch.where(inside, x[index], x)
    area = (boxes[:, 1] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 2])
    lam_used = (1.0 - area.double() / (height * width)).float()
    return x_mixed, interpolate(y, y[index], lam_used), index, lam_used


# ---------------------------------------------------------------------------
# Partner choice: the paper's ablation (Table 5) and C-Mixup (Yao et al., 2022).
# Each function returns partner indices; mixing them is :func:`interpolate`.


def interpolate(a: torch.Tensor, b: torch.Tensor, lam: torch.Tensor) -> torch.Tensor:
    """The mixup of two batches: ``lam * a + (1 - lam) * b``, row by row.

    The one mixing operation of the package: mixing a batch with its partners
    ``index`` is ``interpolate(x, x[index], lam)``.

    Parameters
    ----------
    a, b : tensor of shape (n, ...)
        The batches to mix, of the same shape.
    lam : tensor of shape (1,) or (n,)
        One coefficient for the batch (as the paper) or one per row; it
        broadcasts over the remaining axes.

    Returns
    -------
    mixed : tensor of shape (n, ...)
        In ``a``'s dtype.
    """
    lam = lam.to(a.dtype).reshape(-1, *([1] * (a.dim() - 1)))
    # torch.lerp(start, end, w) = start + w * (end - start): one fused kernel.
    return torch.lerp(b, a, lam)


def same_class_partners(labels: torch.Tensor, *, generator: torch.Generator) -> torch.Tensor:
    """A random permutation of the batch that maps every row to a row of its class.

    Within each class the partners are a uniformly random permutation of that
    class's rows (a row alone in its class is its own partner).

    Parameters
    ----------
    labels : tensor of shape (n,)
        Integer class of each row.
    generator : torch.Generator
        Source of randomness, on ``labels``' device.

    Returns
    -------
    index : torch.Tensor of shape (n,)
        int64; ``index[i]`` is the partner of row ``i``.
    """
    n = labels.shape[0]
    base = labels.to(torch.float64)
    # Sorting label + U[0, 1) twice groups the classes in the same blocks, each
    # block in two independent random orders: pairing them position by position
    # is a random permutation inside every class.
    u = torch.rand(2, n, dtype=torch.float64, device=labels.device, generator=generator)
    first = torch.argsort(base + u[0])
    second = torch.argsort(base + u[1])
    index = torch.empty_like(first)
    index[first] = second
    return index


def nearest_neighbours(
    x: torch.Tensor, k: int, *, labels: torch.Tensor | None = None, chunk: int = 1024
) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``k`` nearest other rows of every row (Euclidean distance on flattened inputs).

    Parameters
    ----------
    x : tensor of shape (n, ...)
        Rows; anything after the first axis is flattened.
    k : int
        Number of neighbours wanted; at most ``n - 1`` are returned.
    labels : tensor of shape (n,), optional
        When given, only rows of the same class are neighbours.
    chunk : int
        Rows per block of the distance computation (bounds memory at
        ``chunk * n`` floats).

    Returns
    -------
    neighbours : tensor of shape (n, min(k, n - 1)), int64
        Neighbour indices, nearest first.
    counts : tensor of shape (n,), int64
        How many leading entries of each row are valid neighbours: ``k``
        (capped), or fewer when ``labels`` leaves a row's class small. A row
        with no valid neighbour has count 0.
    """
    n = x.shape[0]
    k = max(0, min(int(k), n - 1))
    flat = x.reshape(n, -1).float()
    neighbours = torch.empty(n, k, dtype=torch.long, device=x.device)
    counts = torch.empty(n, dtype=torch.long, device=x.device)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        dist = torch.cdist(flat[start:stop], flat)
        rows = torch.arange(start, stop, device=x.device)
        dist[rows - start, rows] = float("inf")  # a row is not its own neighbour
        if labels is not None:
            dist[labels[start:stop, None] != labels[None, :]] = float("inf")
        values, idx = torch.topk(dist, k, dim=1, largest=False)
        neighbours[start:stop] = idx
        counts[start:stop] = torch.isfinite(values).sum(dim=1)
    return neighbours, counts


def draw_neighbours(
    neighbours: torch.Tensor,
    counts: torch.Tensor,
    rows: torch.Tensor,
    *,
    generator: torch.Generator,
) -> torch.Tensor:
    """For each of ``rows``, one of its valid neighbours drawn uniformly.

    Parameters
    ----------
    neighbours : tensor of shape (n, k)
        Neighbour indices of every row, from :func:`nearest_neighbours`.
    counts : tensor of shape (n,)
        Number of valid neighbours of every row, from :func:`nearest_neighbours`.
    rows : tensor of shape (m,)
        The rows that need a partner.
    generator : torch.Generator
        Source of randomness, on ``rows``' device.

    Returns
    -------
    partners : torch.Tensor of shape (m,)
        int64 row indices; a row with no valid neighbour is its own partner.
    """
    if neighbours.shape[1] == 0:
        return rows.clone()
    c = counts[rows]
    u = torch.rand(rows.shape[0], device=rows.device, generator=generator)
    pick = torch.minimum((u * c).long(), (c - 1).clamp_min(0))
    chosen = neighbours[rows, pick]
    return torch.where(c > 0, chosen, rows)


def label_kernel_partners(
    y_rows: torch.Tensor,
    y_all: torch.Tensor,
    rows: torch.Tensor,
    bandwidth: float,
    *,
    generator: torch.Generator,
) -> torch.Tensor:
    """C-Mixup partners: ``j`` drawn with probability ~ ``exp(-|y_i - y_j|^2 / (2 bandwidth^2))``.

    Yao et al. (2022), "C-Mixup: Improving Generalization in Regression",
    NeurIPS, :arxiv:`2210.05775`: mixing examples with close labels keeps the
    mixed target plausible for the mixed input.

    Parameters
    ----------
    y_rows : tensor of shape (m, n_outputs)
        Targets of the rows that need a partner.
    y_all : tensor of shape (n, n_outputs)
        Targets of every candidate partner.
    rows : tensor of shape (m,)
        Index of each of ``y_rows`` in ``y_all``; a row is never its own partner
        (unless it is the only candidate).
    bandwidth : float
        Width of the Gaussian kernel, in target units; small values pick
        partners with nearly equal targets, large ones approach random pairs.
    generator : torch.Generator
        Source of randomness, on the targets' device.

    Returns
    -------
    partners : torch.Tensor of shape (m,)
        int64 partner indices into ``y_all``.
    """
    d2 = (y_rows.float()[:, None, :] - y_all.float()[None]).square().sum(dim=2)
    logits = -d2 / (2.0 * float(bandwidth) ** 2)
    if y_all.shape[0] > 1:
        logits[torch.arange(rows.shape[0], device=rows.device), rows] = float("-inf")
    # Inverse-CDF sampling: much faster than torch.multinomial for long rows, and
    # right=True never lands on a zero-probability entry.
    cdf = torch.softmax(logits, dim=1).cumsum(dim=1)
    u = torch.rand(rows.shape[0], 1, device=cdf.device, generator=generator) * cdf[:, -1:]
    return torch.searchsorted(cdf, u, right=True)[:, 0].clamp_max(y_all.shape[0] - 1)


# ------------------------------------------------------------------------ GANs
# The paper's last experiment (Section 3.6) trains a GAN whose discriminator
# sees mixed real and fake examples with mixed real/fake labels; the generator
# is trained as usual.


def discriminator_mixup(
    real: torch.Tensor,
    fake: torch.Tensor,
    *,
    generator: torch.Generator,
    uniform_max: float | None = None,
    alpha: float | None = None,
    lam: torch.Tensor | None = None,
    pairs: str = "any",
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Mix a real and a fake batch, and their real (1) / fake (0) labels, for a discriminator.

    The two batches are stacked (real rows first) with labels 1 and 0; every
    row ``i`` is then mixed with a partner row ``j = index[i]`` with its own
    weight::

        x_i = lam_i * x_i + (1 - lam_i) * x_j
        y_i = lam_i * y_i + (1 - lam_i) * y_j

    so a real row mixed with a fake partner gets the soft label ``lam_i``.
    Train the discriminator on ``(x, y)`` with binary cross-entropy; the
    generator's step needs no mixing.

    Exactly one of ``uniform_max``, ``alpha`` and ``lam`` sets the weights.

    Parameters
    ----------
    real : tensor of shape (n_real, ...)
        Real examples.
    fake : tensor of shape (n_fake, ...)
        Generated examples (detach them for the discriminator's step);
        same trailing shape and dtype as ``real``.
    generator : torch.Generator
        Draws the partners and the weights; must live on ``real``'s device.
    uniform_max : float in [0, 1], optional
        The partner's weight ``1 - lam_i`` is drawn from Uniform(0, uniform_max),
        as in the authors' demo (its ``m``; 0 is no mixing, 1 mixes fully).
    alpha : float >= 0, optional
        ``lam_i ~ Beta(alpha, alpha)`` as in :func:`sample_lambda` (0 is no mixing).
    lam : tensor of shape (1,) or (n_real + n_fake,), optional
        Given weights in [0, 1] (1 keeps a row as it is, 0 replaces it by its partner).
    pairs : {"any", "cross"}, default="any"
        ``"any"``: partners are a random permutation of all stacked rows
        (real-real, real-fake and fake-fake pairs, as the authors' demo mixes
        two shuffled real+fake batches). ``"cross"``: every real row gets a fake
        partner and every fake row a real one (random permutations of the other
        batch; needs ``n_real == n_fake``).

    Returns
    -------
    x_mixed : tensor of shape (n_real + n_fake, ...)
        Mixed examples, the rows of ``real`` first.
    y_mixed : tensor of shape (n_real + n_fake,)
        Mixed labels in [0, 1], ``real``'s dtype.
    index : tensor of shape (n_real + n_fake,), int64
        Partner of each stacked row.
    lam : tensor of shape (n_real + n_fake,)
        Weight each row kept of itself, ``real``'s dtype.

    Examples
    --------
    >>> import torch
    >>> from skmixup.mixup import discriminator_mixup
    >>> g = torch.Generator().manual_seed(0)
    >>> real, fake = torch.randn(4, 2, generator=g), torch.randn(4, 2, generator=g)
    >>> x, y, index, lam = discriminator_mixup(real, fake, uniform_max=0.2, generator=g)
    >>> x.shape, y.shape
    (torch.Size([8, 2]), torch.Size([8]))
    >>> bool(((lam >= 0.8) & (lam <= 1)).all())
    True
    """
    _check_real_fake(real, fake)
    n_real, n_fake = real.shape[0], fake.shape[0]
    n = n_real + n_fake
    lam = _discriminator_weights(n, uniform_max, alpha, lam, generator).to(real.device, real.dtype)
    if pairs == "any":
        index = torch.randperm(n, device=real.device, generator=generator)
    elif pairs == "cross":
        if n_real != n_fake:
            raise ValueError(
                f'pairs="cross" pairs every real row with a fake one and needs as many '
                f'of each; got {n_real} real and {n_fake} fake rows. Use pairs="any".'
            )
        to_fake = n_real + torch.randperm(n_fake, device=real.device, generator=generator)
        to_real = torch.randperm(n_real, device=real.device, generator=generator)
        index = torch.cat([to_fake, to_real])
    else:
        raise ValueError(f'pairs must be "any" or "cross"; got {pairs!r}.')
    x = torch.cat([real, fake])
    y = torch.cat([real.new_ones(n_real), real.new_zeros(n_fake)])
    lam = lam.expand(n) if lam.numel() == 1 else lam
    return interpolate(x, x[index], lam), interpolate(y, y[index], lam), index, lam


def _check_real_fake(real, fake):
    for name, t in (("real", real), ("fake", fake)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor; got {type(t).__name__}.")
        if not t.is_floating_point():
            raise TypeError(
                f"{name} must hold floats; got dtype {t.dtype}. Convert it with .float()."
            )
        if t.dim() < 1 or t.shape[0] == 0:
            raise ValueError(
                f"{name} must be a batch with at least one row; got shape {tuple(t.shape)}."
            )
    if real.shape[1:] != fake.shape[1:] or real.dtype != fake.dtype or real.device != fake.device:
        raise ValueError(
            f"real and fake must share the shape of a row, the dtype and the device; got "
            f"{tuple(real.shape)} {real.dtype} {real.device} and {tuple(fake.shape)} {fake.dtype} "
            f"{fake.device}."
        )


def _discriminator_weights(n, uniform_max, alpha, lam, generator):
    given = [
        name
        for name, v in (("uniform_max", uniform_max), ("alpha", alpha), ("lam", lam))
        if v is not None
    ]
    if len(given) != 1:
        raise ValueError(f"Give exactly one of uniform_max, alpha and lam; got {given or 'none'}.")
    if uniform_max is not None:
        if not 0.0 <= float(uniform_max) <= 1.0:
            raise ValueError(f"uniform_max must be in [0, 1]; got {uniform_max}.")
        u = torch.rand(n, dtype=torch.float64, device=generator.device, generator=generator)
        return 1.0 - float(uniform_max) * u
    if alpha is not None:
        if not float(alpha) >= 0.0:
            raise ValueError(f"alpha must be >= 0 (0 is no mixing); got {alpha}.")
        return sample_lambda(float(alpha), n, generator=generator)
    if not isinstance(lam, torch.Tensor):
        raise TypeError(
            f"lam must be a torch.Tensor of shape (1,) or ({n},); got {type(lam).__name__}."
        )
    if lam.dim() != 1 or lam.numel() not in (1, n):
        raise ValueError(
            f"lam must have shape (1,) or ({n},) (one weight per stacked row); "
            f"got {tuple(lam.shape)}."
        )
    if not bool(((lam >= 0) & (lam <= 1)).all()):
        raise ValueError("lam must lie in [0, 1].")
    return lam
