"""Fashion-MNIST and CIFAR-10 loaders (skmixup.datasets._images)."""

import gzip
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest

from skmixup.datasets import fetch_fashion_mnist, load_cifar10
from skmixup.datasets._images import read_idx

ROOT = Path(__file__).resolve().parents[1]


FASHION_MNIST = "images/fashion-mnist/train-images-idx3-ubyte.gz"


def write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def write_cifar10(folder, n_per_batch=6, seed=0):
    """A small dataset in the original CIFAR-10 python format (Python-2 style bytes keys)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    batches = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, (n_per_batch, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, n_per_batch)]
        batches[name] = (data, labels)
        with open(folder / name, "wb") as f:
            pickle.dump(
                {
                    b"batch_label": name.encode(),
                    b"labels": labels,
                    b"data": data,
                    b"filenames": [b"x.png"] * n_per_batch,
                },
                f,
            )
    names = [
        "airplane",
        "automobile",
        "bird",
        "cat",
        "deer",
        "dog",
        "frog",
        "horse",
        "ship",
        "truck",
    ]
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump(
            {
                b"label_names": [n.encode() for n in names],
                b"num_cases_per_batch": n_per_batch,
                b"num_vis": 3072,
            },
            f,
        )
    return batches


def test_fetch_fashion_mnist_from_the_shared_files(shared_data):
    home = shared_data(FASHION_MNIST)
    data = fetch_fashion_mnist(home, download_if_missing=False)
    assert data.data_train.shape == (60000, 28, 28) and data.data_train.dtype == np.uint8
    assert data.data_test.shape == (10000, 28, 28)
    assert data.target_train.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(data.target_train), np.full(10, 6000))
    np.testing.assert_array_equal(np.bincount(data.target_test), np.full(10, 1000))
    # Pixel means from the data's MANIFEST.md.
    assert data.data_train.mean() == pytest.approx(72.94, abs=0.01)
    assert data.data_test.mean() == pytest.approx(73.15, abs=0.01)
    assert data.target_names[9] == "Ankle boot"


def test_fetch_fashion_mnist_subsets_and_return_X_y(shared_data):
    home = shared_data(FASHION_MNIST)
    X, y = fetch_fashion_mnist(home, subset="test", return_X_y=True, download_if_missing=False)
    assert X.shape == (10000, 28, 28) and y.shape == (10000,)
    with pytest.raises(ValueError, match="subset"):
        fetch_fashion_mnist(home, subset="validation")


def _fake_fashion(folder, n=5):
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True)
    for prefix in ("train", "t10k"):
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28)))
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", rng.integers(0, 10, n))


def test_fetch_fashion_mnist_checks_integrity(tmp_path):
    _fake_fashion(tmp_path / "images" / "fashion-mnist")
    with pytest.raises(ValueError, match="original Fashion-MNIST"):
        fetch_fashion_mnist(tmp_path, download_if_missing=False)
    X_train, X_test, y_train, y_test = fetch_fashion_mnist(
        tmp_path, download_if_missing=False, check_integrity=False, return_X_y=True
    )
    assert X_train.shape == (5, 28, 28) and y_test.shape == (5,)


def test_fetch_fashion_mnist_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="download_if_missing=True"):
        fetch_fashion_mnist(tmp_path, download_if_missing=False)


def test_read_idx_round_trip_and_errors(tmp_path):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    for name in ("a.idx", "a.idx.gz"):
        write_idx(tmp_path / name, array)
        np.testing.assert_array_equal(read_idx(tmp_path / name), array)
    (tmp_path / "bad").write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "bad")
    (tmp_path / "short").write_bytes((tmp_path / "a.idx").read_bytes()[:-3])
    with pytest.raises(ValueError, match="truncated"):
        read_idx(tmp_path / "short")


def test_load_cifar10_from_python_batches(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    batches = write_cifar10(folder)
    data = load_cifar10(folder)
    assert data.data_train.shape == (30, 3, 32, 32) and data.data_train.dtype == np.uint8
    assert data.data_test.shape == (6, 3, 32, 32)
    assert data.target_train.dtype == np.int64
    assert data.target_names[0] == "airplane" and len(data.target_names) == 10
    # Row layout: 1024 red, then green, then blue values, each row-major 32x32.
    first = batches["data_batch_1"][0][0]
    np.testing.assert_array_equal(data.data_train[0, 1], first[1024:2048].reshape(32, 32))
    np.testing.assert_array_equal(data.target_test, batches["test_batch"][1])
    X_train, X_test, y_train, y_test = load_cifar10(folder, return_X_y=True)
    np.testing.assert_array_equal(y_train[6:12], batches["data_batch_2"][1])


def test_load_cifar10_errors(tmp_path):
    folder = tmp_path / "cifar"
    write_cifar10(folder)
    (folder / "data_batch_3").unlink()
    with pytest.raises(FileNotFoundError, match="data_batch_3"):
        load_cifar10(folder)
    with open(folder / "data_batch_3", "wb") as f:
        pickle.dump({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}, f)
    with pytest.raises(ValueError, match="not a CIFAR-10 batch"):
        load_cifar10(folder)
