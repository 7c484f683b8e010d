import os
from pathlib import Path

import numpy as np
import pytest
import torch

REPO = Path(__file__).resolve().parents[1]

#: The project's shared data root (uci/, keel/, images/: the layout of ``SKMIXUP_DATA``):
#: $SKMIXUP_SHARED_DATA, else ../shared/data beside the repository. Module-level skip marks
#: read it; tests take the ``shared_data`` fixture.
SHARED_DATA = Path(os.environ.get("SKMIXUP_SHARED_DATA") or REPO.parent / "shared" / "data")


@pytest.fixture(scope="session")
def shared_data():
    """``shared_data(*paths)``: the shared data root, skipping the test when a path is missing.

    ``paths`` are relative to the root, e.g. ``shared_data("uci/iris/bezdekIris.data")``.
    """

    def root(*paths):
        missing = [p for p in paths if not (SHARED_DATA / p).exists()]
        if missing:
            pytest.skip(
                f"shared data {missing} not found under {SHARED_DATA}: set "
                "SKMIXUP_SHARED_DATA to the data root (uci/, keel/, images/)"
            )
        return SHARED_DATA

    return root


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs CUDA; none on this machine")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def iris():
    """Standardised iris as float32."""
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X).astype(np.float32), y


@pytest.fixture
def blobs():
    """A small, easy 3-class float32 problem."""
    rng = np.random.default_rng(0)
    centers = np.array([[0, 0], [4, 4], [0, 4]], dtype=np.float32)
    y = rng.integers(0, 3, 240)
    X = centers[y] + rng.normal(size=(240, 2)).astype(np.float32)
    return X.astype(np.float32), y


# Tiny networks run fastest on one thread, and the suite may run in two processes
# (pytest -n 2) on a 2-core machine: avoid oversubscription.
torch.set_num_threads(1)
