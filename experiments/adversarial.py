"""Robustness to adversarial examples (the mixup paper's Table 3), on Fashion-MNIST.

An ERM network and a mixup network (same small CNN, same data) are attacked
with FGSM and iterative FGSM (10 steps) over a range of L-infinity budgets
``eps`` (in grey levels out of 255):

* white-box: the examples are crafted on the attacked network itself;
* black-box: they are crafted on a third network, a separately trained ERM
  model (another seed), and fed to both.

The paper (ImageNet, ResNet-101, eps = 4) found mixup 2.7 times more robust
to white-box FGSM in top-1 error, and about 40% more robust to black-box
I-FGSM.

Run ``python -m experiments adversarial`` (CPU scale, a few minutes), ``--quick``
for a smoke run; or ``python -m experiments adversarial``.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pandas as pd
import torch

from skmixup import MixupClassifier
from skmixup.modules import SmallCNN

from ._arguments import adversarial_arguments, given, parse_job
from ._attacks import fgsm, iterative_fgsm
from ._images_common import fashion_mnist_subset

__all__ = ["AdversarialConfig", "attack_error", "format_table", "plot_errors", "run"]


@dataclasses.dataclass
class AdversarialConfig:
    """Settings of the adversarial experiment; the defaults are the CPU scale."""

    alpha: float = 1.0
    epsilons: tuple = (0, 2, 4, 8, 16, 32)
    n_iter: int = 10
    n_train: int | None = 5000
    n_test: int | None = 1000
    max_epochs: int = 15
    batch_size: int = 64
    lr: float = 1e-3
    width: int = 16
    device: str = "cpu"
    data_home: str | None = None
    random_state: int = 0

    @classmethod
    def quick(cls, **changes):
        """A smoke run: 1,000 training images, 3 epochs, 300 test images."""
        settings = dict(n_train=1000, n_test=300, max_epochs=3, epsilons=(0, 4, 16))
        return cls(**{**settings, **changes})

    @classmethod
    def full(cls, **changes):
        """All 60,000 training images and the whole test set, a wider CNN: for a GPU."""
        settings = dict(
            n_train=None, n_test=None, max_epochs=50, batch_size=128, width=32, device="auto"
        )
        return cls(**{**settings, **changes})


def attack_error(model, attack, X, y, eps, *, source=None, batch_size=500, **kwargs):
    """Top-1 error of ``model`` (or of each of a dict of models) on adversarial ``(X, y)``.

    Parameters
    ----------
    model : torch.nn.Module or dict of str to torch.nn.Module
        The attacked network (put in eval mode here); with a dict and a
        ``source``, the same examples are fed to every network and a dict of
        errors is returned.
    attack : callable
        :func:`experiments._attacks.fgsm` or :func:`experiments._attacks.iterative_fgsm`.
    X, y : tensors
        Clean inputs in [0, 1] and their labels (class indices).
    eps : float
        Budget, in the units of ``X``.
    source : torch.nn.Module, default=None
        Network on which to craft the examples (black-box); ``None``: ``model`` (white-box).
    """
    models = model if isinstance(model, dict) else {"model": model}
    if source is None and len(models) != 1:
        raise ValueError(
            "White-box attacks take one model; pass a source to attack several at once."
        )
    for m in models.values():
        m.eval()
    source = next(iter(models.values())) if source is None else source.eval()
    device = next(source.parameters()).device
    wrong = dict.fromkeys(models, 0)
    for start in range(0, len(X), batch_size):
        xb, yb = X[start : start + batch_size].to(device), y[start : start + batch_size].to(device)
        x_adv = attack(source, xb, yb, eps, **kwargs)
        with torch.inference_mode():
            for name, m in models.items():
                wrong[name] += int((m(x_adv).argmax(1) != yb).sum())
    errors = {name: w / len(X) for name, w in wrong.items()}
    return errors if isinstance(model, dict) else errors["model"]


def _train(config, alpha, seed, X_train, y_train):
    clf = MixupClassifier(
        alpha=alpha,
        module=SmallCNN,
        module_params={"width": config.width},
        max_epochs=config.max_epochs,
        batch_size=config.batch_size,
        lr=config.lr,
        device=config.device,
        random_state=seed,
        early_stopping=False,
        lr_schedule="constant",
    )
    return clf.fit(X_train, y_train)


def run(config=None, verbose=True):
    """Train ERM, mixup and a black-box source ERM model; attack; return a DataFrame.

    One row per (setting, attack, model, eps) with the top-1 ``error``
    (fraction); ``eps`` in grey levels out of 255.
    """

    config = config or AdversarialConfig()
    X_train, X_test, y_train, y_test = fashion_mnist_subset(
        config.n_train, config.n_test, random_state=config.random_state, data_home=config.data_home
    )
    start = time.perf_counter()
    seed = config.random_state
    models = {}
    for name, alpha, s in [
        ("ERM", 0.0, seed),
        (f"mixup alpha={config.alpha:g}", config.alpha, seed),
        ("source ERM", 0.0, seed + 1),
    ]:
        clf = _train(config, alpha, s, X_train, y_train)
        models[name] = clf.net_.module_
        if verbose:
            print(
                f"trained {name}: clean test error {100 * (1 - clf.score(X_test, y_test)):.1f}% "
                f"({time.perf_counter() - start:.0f} s)",
                flush=True,
            )
    source = models.pop("source ERM")
    X = torch.from_numpy(X_test)
    y = torch.from_numpy(y_test)  # Fashion-MNIST labels are 0..9, the class indices
    attacks = {"FGSM": (fgsm, {}), "I-FGSM": (iterative_fgsm, {"n_iter": config.n_iter})}
    rows = []
    for attack_name, (attack, kwargs) in attacks.items():
        for eps in config.epsilons:
            for name, model in models.items():
                err = attack_error(model, attack, X, y, eps / 255, **kwargs)
                rows.append(
                    dict(setting="white-box", attack=attack_name, model=name, eps=eps, error=err)
                )
            # Black-box: the same examples, crafted once on the source model, for every model.
            errors = attack_error(models, attack, X, y, eps / 255, source=source, **kwargs)
            rows += [
                dict(setting="black-box", attack=attack_name, model=name, eps=eps, error=err)
                for name, err in errors.items()
            ]
    rows.sort(key=lambda r: r["setting"] != "white-box")  # white-box rows first, stable otherwise
    if verbose:
        print(f"done in {time.perf_counter() - start:.0f} s", flush=True)
    return pd.DataFrame(rows)


def format_table(results):
    """Top-1 error % with rows (setting, attack, eps) and one column per model."""
    table = results.pivot_table(
        index=["setting", "attack", "eps"], columns="model", values="error", sort=False
    )
    return (100 * table).round(1)


def plot_errors(results, path=None):
    """Top-1 error against eps, one panel per (setting, attack); saved to ``path`` when given."""
    import matplotlib

    if path is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = list(dict.fromkeys(zip(results["setting"], results["attack"], strict=True)))
    fig, axes = plt.subplots(
        1, len(panels), figsize=(3.2 * len(panels), 3.3), sharey=True, squeeze=False
    )
    for ax, (setting, attack) in zip(axes[0], panels, strict=True):
        sub = results[(results["setting"] == setting) & (results["attack"] == attack)]
        for model, g in sub.groupby("model", sort=False):
            ax.plot(g["eps"], 100 * g["error"], marker="o", label=model)
        ax.set_title(f"{setting} {attack}")
        ax.set_xlabel("eps (grey levels / 255)")
        ax.set_xscale("symlog", linthresh=1)
    axes[0][0].set_ylabel("top-1 test error (%)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize="small")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def write_results(results, out):
    """Write ``adversarial_results.csv``, ``adversarial_table.txt`` and a figure into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results.to_csv(out / "adversarial_results.csv", index=False)
    (out / "adversarial_table.txt").write_text(format_table(results).to_string() + "\n")
    plot_errors(results, out / "adversarial_errors.png")
    return out


def add_arguments(parser):
    """Add this job's command-line options to ``parser``."""
    adversarial_arguments(parser)


def config_from_args(args):
    changes = given(
        alpha=args.alpha,
        max_epochs=args.epochs,
        n_train=args.n_train,
        device=args.device,
        data_home=args.data_home,
    )
    if args.quick:
        return AdversarialConfig.quick(**changes)
    if args.full:
        return AdversarialConfig.full(**changes)
    return AdversarialConfig(**changes)


def main(argv=None, args=None):
    """Command line entry point (also ``python -m experiments adversarial``)."""
    if args is None:
        args = parse_job("adversarial", __doc__, add_arguments, argv)
    results = run(config_from_args(args))
    print("top-1 test error % under attack (eps in grey levels / 255):")
    print(format_table(results).to_string())
    if args.out:
        print(f"results written to {write_results(results, args.out)}")
    return results
