"""The demo: what it prints, and the effect it claims, on one seed."""

import argparse

import pytest

from skmixup import _demo as demo


@pytest.mark.slow  # over 5 s on 2 cores
def test_demo_shows_mixup_fitting_fewer_wrong_labels(capsys):
    results = demo.main(argparse.Namespace(alpha=1.0, noise=0.4, seeds=1))
    out = capsys.readouterr().out
    assert out.startswith("digits (scikit-learn, 1797 rows x 64 features, 10 classes)")
    assert max(len(line) for line in out.splitlines()) <= 120
    assert "seed 1/1, fit 4/4" in out and "What this shows" in out
    results = demo.summary(results)
    fixed_erm, fixed_mixup = results.iloc[0], results.iloc[1]
    # The claim the demo prints: with fixed epochs, mixup fits far fewer wrong labels
    # and has the lower test error.
    assert fixed_mixup["memorized"] < 0.75 * fixed_erm["memorized"]
    assert fixed_mixup["test_error"] < fixed_erm["test_error"]


def test_demo_checks_its_arguments():
    with pytest.raises(ValueError, match="noise"):
        demo.run(noise=1.0)
    with pytest.raises(ValueError, match="seeds"):
        demo.run(seeds=0)
