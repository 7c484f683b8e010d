"""The GAN study on 2-D toy problems, at a tiny size."""

import numpy as np
import pandas as pd
import pytest
import torch

from experiments.gan import (
    GANConfig,
    chance_level,
    format_table,
    mode_centres,
    mode_coverage,
    run,
    sample_mixture,
    summarize,
    train_gans,
    write_results,
)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def tiny(**changes):
    settings = dict(
        n_seeds=2,
        n_iterations=6,
        width=8,
        depth=2,
        batch_size=16,
        d_steps=2,
        n_checkpoints=2,
        n_eval=200,
    )
    return GANConfig(**{**settings, **changes})


def test_mode_centres():
    ring, grid = mode_centres("ring"), mode_centres("grid")
    assert ring.shape == (8, 2) and grid.shape == (25, 2)
    torch.testing.assert_close(ring.norm(dim=1), torch.ones(8))
    assert len({tuple(p) for p in grid.tolist()}) == 25
    assert grid.min() == -1 and grid.max() == 1
    with pytest.raises(ValueError, match="ring"):
        mode_centres("spiral")


@pytest.mark.parametrize("distribution", ["ring", "grid"])
def test_real_data_covers_every_mode_with_high_quality(distribution):
    centres = mode_centres(distribution)
    x = sample_mixture(centres, 20000, 0.01, generator=gen())
    score = mode_coverage(x, centres, 0.01)
    assert score["modes"] == len(centres)
    # P(|x - mu| <= 3 std) for a 2-D isotropic Gaussian is 1 - exp(-4.5).
    assert abs(score["high_quality"] - (1 - np.exp(-4.5))) < 0.005
    assert score["counts"].sum() == round(score["high_quality"] * 20000)


def test_collapsed_generator_covers_one_mode():
    centres = mode_centres("ring")
    x = centres[2] + 0.01 * torch.randn(1000, 2, generator=gen())
    score = mode_coverage(x, centres, 0.01)
    assert score["modes"] == 1 and score["counts"].argmax() == 2 and score["high_quality"] > 0.95


def test_samples_between_modes_are_not_high_quality():
    centres = mode_centres("grid")
    between = (centres[:-1] + centres[1:]) / 2  # midpoints, 0.25 or more from every centre
    score = mode_coverage(between[:20], centres, 0.01)
    assert score["modes"] == 0 and score["high_quality"] == 0.0
    nan = mode_coverage(np.full((5, 2), np.nan), centres, 0.01)
    assert nan["modes"] == 0 and nan["high_quality"] == 0.0


def test_a_mode_needs_a_tenth_of_its_fair_share():
    centres = mode_centres("ring")
    # 800 samples: a fair share is 100, the threshold 10. Mode 0 gets 9, mode 1 gets 10.
    x = torch.cat([centres[0].expand(9, 2), centres[1].expand(10, 2), centres[2].expand(781, 2)])
    score = mode_coverage(x, centres, 0.01)
    assert score["modes"] == 2 and score["counts"][:3].tolist() == [9, 10, 781]


@pytest.mark.parametrize("distribution, n_modes", [("ring", 8), ("grid", 25)])
def test_chance_level_is_the_area_of_the_discs(distribution, n_modes):
    # Every disc of radius 3 std lies inside the square [-1 - 3 std, 1 + 3 std]^2.
    std = 0.05
    expected = n_modes * np.pi * (3 * std) ** 2 / (2 + 6 * std) ** 2
    score = chance_level(distribution, std, n=40000)
    assert abs(score["high_quality"] - expected) < 0.01
    if distribution == "grid":  # a third of the square lies within 3 std of a mode: all are covered
        assert score["modes"] == n_modes
    # Tight modes: a uniform filler has almost no high-quality samples.
    assert chance_level(distribution, 0.002, n=40000)["high_quality"] < 0.01


def test_mode_coverage_rejects_bad_samples():
    with pytest.raises(ValueError, match="shape"):
        mode_coverage(np.zeros((4, 3)), mode_centres("ring"), 0.01)
    with pytest.raises(ValueError, match="shape"):
        mode_coverage(np.zeros((0, 2)), mode_centres("ring"), 0.01)


def test_training_is_reproducible_and_members_are_independent():
    config = tiny()
    members = [("no mixup", 0), ("mixup U(0, 1)", 0), ("no mixup", 1)]
    records, samples = train_gans(config, "ring", members)
    again, samples_again = train_gans(config, "ring", members)
    assert records == again and np.array_equal(samples, samples_again)
    assert samples.shape == (3, 200, 2) and np.isfinite(samples).all()
    assert len(records) == 3 * 2 and {r["iteration"] for r in records} == {3, 6}
    # A run alone follows the same trajectory as in the batch (up to batched-matmul rounding).
    _, alone = train_gans(config, "ring", [("mixup U(0, 1)", 0)])
    np.testing.assert_allclose(alone[0], samples[1], atol=1e-4)
    # Mixing changes the discriminator, hence the generator; another seed changes everything.
    assert not np.allclose(samples[0], samples[1])
    assert not np.allclose(samples[0], samples[2])


def test_training_rejects_bad_settings():
    with pytest.raises(ValueError, match="unknown settings"):
        train_gans(tiny(), "ring", [("mixup", 0)])
    with pytest.raises(ValueError, match="generator_loss"):
        train_gans(tiny(generator_loss="wasserstein"), "ring", [("no mixup", 0)])


def test_non_saturating_loss_and_beta_weights_run():
    config = tiny(generator_loss="non-saturating", settings={"beta": {"alpha": 0.2}}, pairs="cross")
    _, samples = train_gans(config, "grid", [("beta", 0)])
    assert np.isfinite(samples).all()


def test_summary_over_seeds():
    rows = []
    # Setting "a": seed 0 keeps 8 modes; seed 1 covers 2 at step 20, 3 at step 30 and ends at 5.
    for seed, modes in [(0, [8, 8, 8, 8]), (1, [8, 2, 3, 5])]:
        for step, m in zip([10, 20, 30, 40], modes):
            rows.append(
                dict(
                    distribution="ring",
                    setting="a",
                    seed=seed,
                    iteration=step,
                    modes=m,
                    n_modes=8,
                    high_quality=0.5 + 0.1 * seed,
                )
            )
    summary = summarize(pd.DataFrame(rows)).iloc[0]
    assert summary["modes_mean"] == 6.5 and summary["modes_min"] == 5 and summary["modes_max"] == 8
    assert summary["modes_std"] == pytest.approx(np.std([8, 5], ddof=1))
    assert summary["all_modes"] == 1 and summary["n_seeds"] == 2
    assert summary["hq_mean"] == pytest.approx(55.0)
    # The second half of training is steps 30 and 40 (step 20 is not): fewest modes 8 and 3.
    assert summary["late_min_modes"] == 5.5
    assert "6.5 +- 2.1 of 8 (5-8)" in format_table(summarize(pd.DataFrame(rows)))


def test_run_writes_tables_and_figures(tmp_path):
    config = tiny(settings={"no mixup": None, "mixup U(0, 0.2)": {"uniform_max": 0.2}})
    curves, samples = run(config, verbose=False)
    assert len(curves) == 2 * 2 * 2 * 2  # problems x settings x seeds x checkpoints
    assert len(samples) == 2 * 2 * 2
    write_results(curves, samples, config, tmp_path)
    for name in [
        "gan_curves.csv",
        "gan_summary.csv",
        "gan_table.txt",
        "gan_samples.png",
        "gan_curves.png",
    ]:
        assert (tmp_path / name).stat().st_size > 0
    assert len(pd.read_csv(tmp_path / "gan_summary.csv")) == 4


def test_command_line(tmp_path, capsys):
    from experiments.__main__ import main

    main(
        [
            "gan",
            "--quick",
            "--seeds",
            "1",
            "--iterations",
            "4",
            "--width",
            "8",
            "--out",
            str(tmp_path),
        ]
    )
    out = capsys.readouterr().out
    assert "modes covered" in out and "mixup U(0, 0.2)" in out
    assert (tmp_path / "gan_table.txt").exists()
