import os
from pathlib import Path

import numpy as np
import pytest
import torch

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir():
    """../shared/data beside the repository, or $SKMIXUP_DATA's parent layout."""
    return Path(os.environ.get("SKMIXUP_SHARED_DATA", REPO.parent / "shared" / "data"))


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
