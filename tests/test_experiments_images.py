"""The image experiments end to end at a tiny scale: memorization, adversarial, CIFAR-10 recipe."""

import numpy as np
import pytest
import torch

from experiments.memorization import MemorizationConfig, corrupt_labels

from .test_datasets_images import FASHION_MNIST, write_cifar10


@pytest.mark.parametrize("fraction", [0.0, 0.2, 0.5, 0.8, 1.0])
def test_corrupt_labels_replaces_an_exact_fraction(fraction):
    y = np.arange(1000) % 10
    y_noisy, corrupted = corrupt_labels(y, fraction, 10, np.random.default_rng(0))
    assert corrupted.sum() == round(fraction * 1000)
    np.testing.assert_array_equal(y_noisy != y, corrupted)  # wrong exactly where corrupted
    assert y_noisy.min() >= 0 and y_noisy.max() <= 9
    np.testing.assert_array_equal(y, np.arange(1000) % 10)  # input untouched


def test_corrupt_labels_is_seeded_and_uniform_over_wrong_classes():
    y = np.zeros(20000, dtype=int)
    a, mask_a = corrupt_labels(y, 0.5, 5, 42)
    b, mask_b = corrupt_labels(y, 0.5, 5, np.random.default_rng(42))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(mask_a, mask_b)
    c, _ = corrupt_labels(y, 0.5, 5, 43)
    assert not np.array_equal(a, c)
    counts = np.bincount(a[mask_a], minlength=5)
    assert counts[0] == 0
    np.testing.assert_allclose(counts[1:] / mask_a.sum(), 0.25, atol=0.02)


def test_corrupt_labels_validates():
    with pytest.raises(ValueError, match="fraction"):
        corrupt_labels(np.zeros(3, int), 1.5, 2, 0)
    with pytest.raises(ValueError, match="n_classes"):
        corrupt_labels(np.zeros(3, int), 0.5, 1, 0)
    with pytest.raises(ValueError, match="labels in"):
        corrupt_labels(np.array([0, 5]), 0.5, 3, 0)


def test_memorization_runs_end_to_end(tmp_path, shared_data):
    from experiments import memorization

    home = shared_data(FASHION_MNIST)
    config = MemorizationConfig(
        corruptions=(0.0, 0.5),
        methods={"ERM": (0.0, 0.0), "mixup alpha=8": (8.0, 0.0)},
        n_train=300,
        n_test=200,
        max_epochs=3,
        width=4,
        n_jobs=1,
        data_home=str(home),
    )
    results, curves = memorization.run(config, verbose=False)
    assert len(results) == 4 and len(curves) == 4 * 3
    assert set(results["method"]) == {"ERM", "mixup alpha=8"}
    for _, row in results.iterrows():
        curve = curves[(curves.corruption == row.corruption) & (curves.method == row.method)][
            "test_error"
        ]
        assert row.best_error == pytest.approx(curve.min()) and row.last_error == pytest.approx(
            curve.iloc[-1]
        )
        assert 0 <= row.best_error <= row.last_error <= 1
    assert results.loc[results.corruption == 0.0, "memorized"].isna().all()
    assert results.loc[results.corruption == 0.5, "memorized"].between(0, 1).all()
    table = memorization.format_table(results)
    assert table.shape == (2, 2) and "/" in table.iloc[0, 0]
    out = memorization.write_results(results, curves, tmp_path)
    assert (out / "memorization_curves.png").stat().st_size > 0
    # Seeded: the same configuration gives the same numbers.
    again, _ = memorization.run(config, verbose=False)
    np.testing.assert_array_equal(results["last_error"], again["last_error"])


def test_adversarial_runs_end_to_end(tmp_path, shared_data):
    from experiments import adversarial

    home = shared_data(FASHION_MNIST)
    config = adversarial.AdversarialConfig(
        n_train=600,
        n_test=100,
        max_epochs=3,
        batch_size=32,
        width=4,
        epsilons=(0, 8, 64),
        n_iter=3,
        data_home=str(home),
    )
    results = adversarial.run(config, verbose=False)
    assert len(results) == 2 * 2 * 3 * 2  # settings x attacks x eps x models
    clean = results[results.eps == 0]
    assert (clean.groupby("model")["error"].nunique() == 1).all()  # eps 0: each model's clean error
    assert clean["error"].max() < 0.6  # the models learned something, so attacks have a target
    white = results[(results.setting == "white-box") & (results.attack == "FGSM")]
    for _model, g in white.groupby("model"):
        assert g.sort_values("eps")["error"].is_monotonic_increasing
        assert g["error"].iloc[-1] > g["error"].iloc[0]
    assert adversarial.format_table(results).shape == (12, 2)
    assert (adversarial.write_results(results, tmp_path) / "adversarial_errors.png").exists()


def test_cifar10_recipe_runs_one_tiny_epoch(tmp_path):
    from skorch.callbacks import LRScheduler

    from experiments import cifar10
    from skmixup.modules import PreActResNet18

    folder = tmp_path / "cifar-10-batches-py"
    write_cifar10(folder, n_per_batch=8)
    clf, error = cifar10.run(folder, 1.0, max_epochs=1, width=4, device="cpu", verbose=False)
    assert 0 <= error <= 1 and clf.n_iter_ == 1
    assert isinstance(clf.net_.module_, PreActResNet18)
    assert clf.augment == "crop_flip" and clf.alpha == 1.0 and clf.batch_size == 128
    optimizer = clf.net_.optimizer_
    assert isinstance(optimizer, torch.optim.SGD)
    group = optimizer.param_groups[0]
    assert group["momentum"] == 0.9 and group["weight_decay"] == 1e-4 and group["lr"] == 0.1
    schedule = dict(clf.callbacks)["lr_schedule"]
    assert isinstance(schedule, LRScheduler) and schedule.kwargs["milestones"] == [100, 150]
    assert len(clf.net_.history[:, "test_error"]) == 1


def test_cli_knows_the_image_commands(capsys):
    from experiments.__main__ import main

    for command in ("memorization", "adversarial", "cifar10"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "--" in capsys.readouterr().out
