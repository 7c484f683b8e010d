"""mixup for GANs (the mixup paper's Section 3.6), on its 2-D toy problems.

A generator learns a mixture of Gaussians in the plane (a ring of 8, or a 5x5
grid of 25) from a discriminator; both are ReLU MLPs trained with Adam, several
discriminator steps per generator step, binary cross-entropy on logits. With
discriminator mixup (:func:`skmixup.mixup.discriminator_mixup`) the
discriminator sees convex combinations of real and fake examples with the
real/fake labels mixed the same way; the generator step is unchanged. The
paper's finding: without mixup the generator often collapses onto a few
modes; with it, training is more stable.

Each run is scored on samples from the generator: the number of modes
covered and the share of high-quality samples (within ``n_std`` standard
deviations of a mode centre), at several points of training and over seeds.

All runs of one toy problem train at once as one batched network (stacked
weights, :func:`torch.baddbmm`); each run keeps its own random streams, so
its trajectory does not depend on which other runs share the batch.

Run ``python -m experiments gan`` (9 minutes measured on one thread of a busy
2-core machine), ``--quick`` for a smoke run; or
``python -m experiments gan``.
"""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from skmixup.mixup import discriminator_mixup

from ._arguments import gan_arguments, given, parse_job

__all__ = [
    "GANConfig",
    "chance_level",
    "format_table",
    "main",
    "mode_centres",
    "mode_coverage",
    "plot_curves",
    "plot_samples",
    "run",
    "sample_mixture",
    "summarize",
    "train_gans",
    "write_results",
]

DISTRIBUTIONS = ("ring", "grid")


def mode_centres(distribution):
    """Centres of the toy mixtures, as the authors' demo places them.

    Parameters
    ----------
    distribution : {"ring", "grid"}
        ``"ring"``: 8 points on the unit circle; ``"grid"``: the 5x5 grid
        ``{-1, -0.5, 0, 0.5, 1}^2``.

    Returns
    -------
    torch.Tensor of shape (n_modes, 2), float32
    """
    if distribution == "ring":
        angle = torch.arange(8, dtype=torch.float64) * (2 * math.pi / 8)
        return torch.stack([torch.cos(angle), torch.sin(angle)], dim=1).float()
    if distribution == "grid":
        axis = torch.linspace(-1.0, 1.0, 5)
        return torch.cartesian_prod(axis, axis)
    raise ValueError(f'distribution must be "ring" or "grid"; got {distribution!r}.')


def sample_mixture(centres, n, std, *, generator):
    """``n`` draws from the equal-weight mixture of isotropic Gaussians at ``centres``.

    Parameters
    ----------
    centres : tensor of shape (n_modes, 2)
    n : int
    std : float
        Standard deviation of every component.
    generator : torch.Generator

    Returns
    -------
    torch.Tensor of shape (n, 2)
    """
    which = torch.randint(centres.shape[0], (n,), generator=generator)
    return centres[which] + std * torch.randn(n, centres.shape[1], generator=generator)


def mode_coverage(samples, centres, std, n_std=3.0, min_share=0.1):
    """Modes covered and share of high-quality samples.

    A sample is of high quality when it lies within ``n_std * std`` of its
    nearest mode centre. A mode is covered when at least ``min_share`` of its
    fair share of the samples (``min_share * n / n_modes``, and at least one)
    are high-quality samples nearest to it.

    Parameters
    ----------
    samples : array-like of shape (n, 2)
    centres : array-like of shape (n_modes, 2)
    std : float
        Standard deviation of the mixture components.
    n_std : float, default=3.0
    min_share : float, default=0.1

    Returns
    -------
    dict
        ``modes`` (int, modes covered), ``high_quality`` (float in [0, 1]) and
        ``counts`` (ndarray of shape (n_modes,), high-quality samples per mode).
    """
    samples = np.asarray(samples, dtype=np.float64)
    centres = np.asarray(centres, dtype=np.float64)
    if samples.ndim != 2 or samples.shape[0] == 0 or samples.shape[1] != centres.shape[1]:
        raise ValueError(
            f"samples must have shape (n, {centres.shape[1]}) with n >= 1; got {samples.shape}."
        )
    dist = np.linalg.norm(samples[:, None, :] - centres[None], axis=2)
    nearest = dist.argmin(axis=1)
    good = dist[np.arange(len(samples)), nearest] <= n_std * std  # NaN samples are never good
    counts = np.bincount(nearest[good], minlength=len(centres))
    threshold = max(1.0, min_share * len(samples) / len(centres))
    return dict(
        modes=int((counts >= threshold).sum()), high_quality=float(good.mean()), counts=counts
    )


def chance_level(distribution, std, n_std=3.0, n=2500, seed=0):
    """The score of a generator that ignores the modes: uniform samples over their square.

    The samples are uniform over the smallest square holding every mode
    centre, widened by ``n_std * std`` on each side. A trained generator
    should beat this share of high-quality samples; a blurry one that fills
    the square does not.

    Parameters
    ----------
    distribution : {"ring", "grid"}
    std : float
        Standard deviation of the mixture components.
    n_std : float, default=3.0
    n : int, default=2500
        Number of samples.
    seed : int, default=0

    Returns
    -------
    dict
        As :func:`mode_coverage`.
    """
    centres = mode_centres(distribution)
    low, high = float(centres.min()) - n_std * std, float(centres.max()) + n_std * std
    u = torch.rand(n, 2, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return mode_coverage(low + (high - low) * u.numpy(), centres, std, n_std=n_std)


def _chance_text(config):
    lines = []
    for dist in config.distributions:
        score = chance_level(dist, config.std, config.n_std, config.n_eval)
        lines.append(
            f"chance, {dist}: samples uniform over the square of the modes cover {score['modes']} "
            f"modes with {100 * score['high_quality']:.1f}% high quality"
        )
    return "\n".join(lines)


@dataclasses.dataclass
class GANConfig:
    """Settings of the GAN study; the defaults are the CPU scale (minutes on one thread).

    ``settings`` maps a name to the keyword arguments of
    :func:`~skmixup.mixup.discriminator_mixup` (``uniform_max`` or ``alpha``),
    or to ``None`` for no mixup. The authors' demo trains 3 hidden layers of
    512 for 20,000 generator steps on components of ``std=0.01``; the CPU
    scale keeps its depth, batch, 5 discriminator steps, Adam with learning
    rate 1e-3 and minimax loss, but narrows the networks to 64 units, trains
    2,000 steps and widens the components to ``std=0.05`` (in a pilot at 0.01
    every setting ended with 0-4 modes covered and 0-16% high-quality
    samples: too little to compare).
    """

    distributions: tuple = DISTRIBUTIONS
    settings: dict = dataclasses.field(
        default_factory=lambda: {
            "no mixup": None,
            "mixup U(0, 0.2)": {"uniform_max": 0.2},
            "mixup U(0, 1)": {"uniform_max": 1.0},
        }
    )
    n_seeds: int = 5
    n_iterations: int = 2000
    width: int = 64
    depth: int = 3
    n_latent: int = 2
    batch_size: int = 128
    d_steps: int = 5
    lr: float = 1e-3
    std: float = 0.05
    generator_loss: str = "minimax"
    pairs: str = "any"
    n_checkpoints: int = 10
    n_eval: int = 2500
    n_std: float = 3.0
    random_state: int = 0

    @classmethod
    def quick(cls, **changes):
        """A smoke run: 2 seeds, 200 steps, networks of 32 units (well under a minute)."""
        settings = dict(n_seeds=2, n_iterations=200, width=32, n_checkpoints=4, n_eval=500)
        return cls(**{**settings, **changes})


def _seed(*keys):
    return int(np.random.SeedSequence([int(k) for k in keys]).generate_state(1)[0])


def _init_stack(sizes, generators):
    """Weights ``(M, in, out)`` and biases ``(M, 1, out)``; member ``m`` from ``generators[m]``.

    torch's default for ``nn.Linear``: both uniform in +-1/sqrt(fan_in).
    """
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1.0 / math.sqrt(fan_in)
        w = torch.stack(
            [(2 * torch.rand(fan_in, fan_out, generator=g) - 1) * bound for g in generators]
        )
        b = torch.stack([(2 * torch.rand(1, fan_out, generator=g) - 1) * bound for g in generators])
        params += [w.requires_grad_(), b.requires_grad_()]
    return params


def _forward(params, x):
    """``(M, B, in) -> (M, B, out)`` through the stacked ReLU MLP."""
    n_layers = len(params) // 2
    for i in range(n_layers):
        x = torch.baddbmm(params[2 * i + 1], x, params[2 * i])
        if i < n_layers - 1:
            x = torch.relu(x)
    return x


def _adam(params, lr):
    try:
        return torch.optim.Adam(params, lr=lr, fused=True)
    except RuntimeError:  # no fused kernel here
        return torch.optim.Adam(params, lr=lr)


def train_gans(config, distribution, members):
    """Train one GAN per member on one toy problem, all at once.

    Parameters
    ----------
    config : GANConfig
    distribution : {"ring", "grid"}
    members : list of (setting name, seed)
        Setting names are keys of ``config.settings``. Runs with the same seed
        start from the same generator and discriminator weights and see the
        same real data and noise; mixing draws from a separate stream.

    Returns
    -------
    records : list of dict
        One per member and checkpoint: ``distribution``, ``setting``,
        ``seed``, ``iteration``, ``modes``, ``high_quality``.
    samples : ndarray of shape (n_members, n_eval, 2)
        Generated samples after the last iteration.
    """
    if config.generator_loss not in ("minimax", "non-saturating"):
        raise ValueError(
            f'generator_loss must be "minimax" or "non-saturating"; got {config.generator_loss!r}.'
        )
    unknown = sorted({name for name, _ in members} - set(config.settings))
    if unknown:
        raise ValueError(
            f"unknown settings {unknown}; config.settings has {list(config.settings)}."
        )
    centres = mode_centres(distribution)
    seeds = [seed for _, seed in members]
    mixing = [config.settings[name] for name, _ in members]
    init = [torch.Generator().manual_seed(_seed(s, 0)) for s in seeds]
    data = [torch.Generator().manual_seed(_seed(s, 1)) for s in seeds]
    mixers = [torch.Generator().manual_seed(_seed(s, 2)) for s in seeds]
    eval_noise = torch.stack(
        [
            torch.randn(
                config.n_eval, config.n_latent, generator=torch.Generator().manual_seed(_seed(s, 3))
            )
            for s in seeds
        ]
    )
    hidden = [config.width] * config.depth
    G = _init_stack([config.n_latent, *hidden, 2], init)
    D = _init_stack([2, *hidden, 1], init)
    opt_g, opt_d = _adam(G, config.lr), _adam(D, config.lr)
    n, bs = len(members), config.batch_size
    labels = torch.cat([torch.ones(bs), torch.zeros(bs)])
    checkpoints = set(
        np.linspace(0, config.n_iterations, config.n_checkpoints + 1).round().astype(int)[1:]
    )
    records = []

    def noise():
        return torch.stack([torch.randn(bs, config.n_latent, generator=g) for g in data])

    for iteration in range(1, config.n_iterations + 1):
        for _ in range(config.d_steps):
            real = torch.stack([sample_mixture(centres, bs, config.std, generator=g) for g in data])
            with torch.no_grad():
                fake = _forward(G, noise())
            xs, ys = [], []
            for m in range(n):
                if mixing[m] is None:
                    xs.append(torch.cat([real[m], fake[m]]))
                    ys.append(labels)
                else:
                    x, y, _, _ = discriminator_mixup(
                        real[m], fake[m], generator=mixers[m], pairs=config.pairs, **mixing[m]
                    )
                    xs.append(x)
                    ys.append(y)
            logits = _forward(D, torch.stack(xs))[..., 0]
            # Mean over each member's batch, summed over members: independent gradients.
            loss_d = (
                F.binary_cross_entropy_with_logits(logits, torch.stack(ys), reduction="none")
                .mean(1)
                .sum()
            )
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            opt_d.step()
        logits = _forward(D, _forward(G, noise()))[..., 0]
        if config.generator_loss == "minimax":
            # The authors' demo: the generator ascends the discriminator's loss on fakes.
            per_member = -F.binary_cross_entropy_with_logits(
                logits, torch.zeros_like(logits), reduction="none"
            ).mean(1)
        else:
            per_member = F.binary_cross_entropy_with_logits(
                logits, torch.ones_like(logits), reduction="none"
            ).mean(1)
        opt_g.zero_grad(set_to_none=True)
        per_member.sum().backward(inputs=G)
        opt_g.step()
        if iteration in checkpoints:
            with torch.no_grad():
                samples = _forward(G, eval_noise).numpy()
            for m, (name, seed) in enumerate(members):
                score = mode_coverage(samples[m], centres.numpy(), config.std, n_std=config.n_std)
                records.append(
                    dict(
                        distribution=distribution,
                        setting=name,
                        seed=seed,
                        iteration=iteration,
                        modes=score["modes"],
                        n_modes=len(centres),
                        high_quality=score["high_quality"],
                    )
                )
    with torch.no_grad():
        samples = _forward(G, eval_noise).numpy()
    return records, samples


def run(config=None, verbose=True):
    """Train every (distribution, setting, seed); return ``(curves, samples)``.

    ``curves`` is a DataFrame with one row per run and checkpoint (see
    :func:`train_gans`), with the training time per distribution in
    ``seconds``; ``samples`` maps ``(distribution, setting, seed)`` to the
    final generated samples, shape ``(n_eval, 2)``.
    """
    config = config or GANConfig()
    members = [
        (name, config.random_state + s) for name in config.settings for s in range(config.n_seeds)
    ]
    records, samples = [], {}
    for distribution in config.distributions:
        start = time.perf_counter()
        recs, final = train_gans(config, distribution, members)
        seconds = time.perf_counter() - start
        for r in recs:
            r["seconds"] = seconds
        records += recs
        samples.update(
            {(distribution, name, seed): final[m] for m, (name, seed) in enumerate(members)}
        )
        if verbose:
            print(
                f"gan: {distribution}, {len(members)} runs of {config.n_iterations} iterations: "
                f"{seconds:.0f} s",
                flush=True,
            )
    return pd.DataFrame(records), samples


def summarize(curves):
    """Per distribution and setting, over seeds, at the last checkpoint.

    Columns: ``modes_mean``, ``modes_std``, ``modes_min``, ``modes_max``,
    ``all_modes`` (runs that cover every mode), ``hq_mean`` and ``hq_std``
    (high-quality samples, %), ``late_min_modes`` (mean over seeds of the
    fewest modes a run covers at any checkpoint of the second half of
    training: low when coverage drops), ``n_seeds``.
    """
    last = curves[curves["iteration"] == curves["iteration"].max()]
    half = curves[curves["iteration"] > curves["iteration"].max() / 2]
    late = half.groupby(["distribution", "setting", "seed"], sort=False)["modes"].min()
    rows = []
    for (dist, setting), g in last.groupby(["distribution", "setting"], sort=False):
        rows.append(
            dict(
                distribution=dist,
                setting=setting,
                n_modes=int(g["n_modes"].iloc[0]),
                modes_mean=g["modes"].mean(),
                modes_std=g["modes"].std(ddof=1) if len(g) > 1 else 0.0,
                modes_min=int(g["modes"].min()),
                modes_max=int(g["modes"].max()),
                all_modes=int((g["modes"] == g["n_modes"]).sum()),
                hq_mean=100 * g["high_quality"].mean(),
                hq_std=100 * g["high_quality"].std(ddof=1) if len(g) > 1 else 0.0,
                late_min_modes=late.loc[dist, setting].mean(),
                n_seeds=len(g),
            )
        )
    return pd.DataFrame(rows)


def format_table(summary):
    """The summary as text: modes covered and high-quality share, mean +- std over seeds."""
    table = pd.DataFrame(
        {
            "distribution": summary["distribution"],
            "setting": summary["setting"],
            "modes covered": [
                f"{r.modes_mean:.1f} +- {r.modes_std:.1f} of {r.n_modes} "
                f"({r.modes_min}-{r.modes_max})"
                for r in summary.itertuples()
            ],
            "all modes": [f"{r.all_modes}/{r.n_seeds}" for r in summary.itertuples()],
            "high quality %": [f"{r.hq_mean:.1f} +- {r.hq_std:.1f}" for r in summary.itertuples()],
            "fewest modes, 2nd half": [f"{r.late_min_modes:.1f}" for r in summary.itertuples()],
        }
    )
    return table.to_string(index=False)


def _pyplot(path):
    import matplotlib

    if path is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_samples(samples, config, path=None):
    """Generated samples (blue) over the mode centres (red); rows: problem, setting; cols: seeds."""
    plt = _pyplot(path)
    rows = list(dict.fromkeys((d, s) for d, s, _ in samples))
    seeds = list(dict.fromkeys(seed for _, _, seed in samples))
    fig, axes = plt.subplots(
        len(rows), len(seeds), figsize=(1.7 * len(seeds) + 0.8, 1.7 * len(rows)), squeeze=False
    )
    for i, (dist, setting) in enumerate(rows):
        centres = mode_centres(dist).numpy()
        for j, seed in enumerate(seeds):
            ax = axes[i][j]
            points = samples[(dist, setting, seed)]
            score = mode_coverage(points, centres, config.std, n_std=config.n_std)
            ax.scatter(
                points[:, 0], points[:, 1], s=1, alpha=0.3, color="tab:blue", rasterized=True
            )
            ax.scatter(
                centres[:, 0], centres[:, 1], s=6, color="tab:red", marker="x", linewidths=0.8
            )
            ax.set_xlim(-1.5, 1.5)
            ax.set_ylim(-1.5, 1.5)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_aspect("equal")
            ax.set_title(
                f"{score['modes']}/{len(centres)} modes, {100 * score['high_quality']:.0f}% HQ",
                fontsize=7,
            )
            if j == 0:
                ax.set_ylabel(f"{dist}\n{setting}", fontsize=7)
            if i == len(rows) - 1:
                ax.set_xlabel(f"seed {seed}", fontsize=7)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


def plot_curves(curves, path=None):
    """Modes covered during training, mean over seeds, one panel per problem."""
    plt = _pyplot(path)
    dists = list(dict.fromkeys(curves["distribution"]))
    fig, axes = plt.subplots(1, len(dists), figsize=(4 * len(dists), 3), squeeze=False)
    for ax, dist in zip(axes[0], dists, strict=True):
        sub = curves[curves["distribution"] == dist]
        for setting, g in sub.groupby("setting", sort=False):
            mean = g.groupby("iteration")["modes"].mean()
            ax.plot(mean.index, mean.values, marker=".", label=setting)
        ax.axhline(sub["n_modes"].iloc[0], color="grey", lw=0.8, ls=":")
        ax.set_title(dist)
        ax.set_xlabel("generator step")
        ax.set_ylim(bottom=0)
    axes[0][0].set_ylabel("modes covered (mean over seeds)")
    axes[0][0].legend(fontsize="small")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


def write_results(curves, samples, config, out):
    """Write ``gan_curves.csv``, ``gan_summary.csv``, ``gan_table.txt`` and figures to ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    curves.to_csv(out / "gan_curves.csv", index=False, float_format="%.4f")
    summary = summarize(curves)
    summary.to_csv(out / "gan_summary.csv", index=False, float_format="%.4f")
    (out / "gan_table.txt").write_text(format_table(summary) + "\n" + _chance_text(config) + "\n")
    plot_samples(samples, config, out / "gan_samples.png")
    plot_curves(curves, out / "gan_curves.png")
    return out


def add_arguments(parser):
    """The command-line options of ``python -m experiments gan``."""
    gan_arguments(parser)


def config_from_args(args):
    changes = given(n_seeds=args.seeds, n_iterations=args.iterations, width=args.width)
    return GANConfig.quick(**changes) if args.quick else GANConfig(**changes)


def main(argv=None, args=None):
    """Command line entry point (also ``python -m experiments gan``); runs on one torch thread."""
    if args is None:
        args = parse_job("gan", __doc__, add_arguments, argv)
    torch.set_num_threads(1)
    config = config_from_args(args)
    curves, samples = run(config)
    print(
        f"modes covered and high-quality samples (within {config.n_std:g} std of a mode) after "
        f"{config.n_iterations} generator steps, over {config.n_seeds} seeds:"
    )
    print(format_table(summarize(curves)))
    print(_chance_text(config))
    if args.out:
        print(f"results written to {write_results(curves, samples, config, args.out)}")
    return curves, samples
