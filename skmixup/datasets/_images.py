"""Image datasets from their original distribution files: Fashion-MNIST and CIFAR-10."""

from __future__ import annotations

import pickle
import struct
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._base import check_sha256, get_data_home, open_bytes

__all__ = ["fetch_fashion_mnist", "load_cifar10", "read_idx"]

FASHION_MNIST_CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]

# sha256 of the .gz files as stored (the Debian package dataset-fashion-mnist) and of the
# uncompressed IDX payloads, which are the same whoever gzipped them.
FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte": (
        "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ),
    "train-labels-idx1-ubyte": (
        "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    ),
    "t10k-images-idx3-ubyte": (
        "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ),
    "t10k-labels-idx1-ubyte": (
        "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ),
}

FASHION_MNIST_OPENML_ID = 40996

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path) -> np.ndarray:
    """Read an IDX file (the MNIST format), gzipped or not, into a numpy array.

    Parameters
    ----------
    path : str or path-like
        The file; a ``.gz`` suffix is decompressed on the fly.

    Returns
    -------
    ndarray
        Shaped and typed as the file's header says (uint8 for (Fashion-)MNIST).
    """
    with open_bytes(path) as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES:
        raise ValueError(f"{path} is not an IDX file: its header is {data[:4]!r}.")
    ndim = data[3]
    shape = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    dtype = np.dtype(_IDX_DTYPES[data[2]])
    count = int(np.prod(shape))
    payload = data[4 + 4 * ndim:]
    if len(payload) != count * dtype.itemsize:
        raise ValueError(
            f"{path} is truncated or corrupt: its header announces shape {shape} "
            f"({count * dtype.itemsize} bytes) but {len(payload)} bytes follow."
        )
    return np.frombuffer(payload, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def _find_idx(folder: Path, name: str) -> Path | None:
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.exists():
            return candidate
    return None


def _fetch_fashion_mnist_openml(folder: Path):  # pragma: no cover - needs the network
    """Download Fashion-MNIST from OpenML (id 40996) and cache it as IDX files in ``folder``."""
    import gzip

    from sklearn.datasets import fetch_openml

    frame = fetch_openml(data_id=FASHION_MNIST_OPENML_ID, as_frame=False, parser="liac-arff")
    X = np.asarray(frame.data, dtype=np.uint8).reshape(-1, 28, 28)
    y = np.asarray(frame.target).astype(np.uint8)
    # OpenML keeps the original order: the first 60,000 rows are the training set.
    parts = {"train-images-idx3-ubyte": X[:60000], "train-labels-idx1-ubyte": y[:60000],
             "t10k-images-idx3-ubyte": X[60000:], "t10k-labels-idx1-ubyte": y[60000:]}
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in parts.items():
        header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
        with gzip.open(folder / f"{name}.gz", "wb") as f:
            f.write(header + array.tobytes())


def fetch_fashion_mnist(data_home=None, *, subset="all", download_if_missing=True,
                        check_integrity=True, return_X_y=False):
    """Load Fashion-MNIST (Xiao et al., 2017) from its original IDX files.

    The four files ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
    ``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz`` are looked
    for in ``<data_home>/images/fashion-mnist/``, else in
    ``<data_home>/fashion-mnist/`` (uncompressed copies also work). When they
    are missing the dataset is downloaded from OpenML (id 40996) and cached in
    the first of these folders, in the same format.

    ================  ==========================
    Classes           10 (6,000 / 1,000 each)
    Samples           60,000 train, 10,000 test
    Images            28x28, one channel, uint8
    ================  ==========================

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``images/fashion-mnist/``; see
        :func:`skmixup.datasets.get_data_home` for the default.
    subset : {"train", "test", "all"}, default="all"
        Which split to return; ``"all"`` returns both, see Returns.
    download_if_missing : bool, default=True
        Download from OpenML when the files are missing; otherwise raise
        ``FileNotFoundError``.
    check_integrity : bool, default=True
        Check each file's sha256 (of the ``.gz`` file as distributed by Debian,
        or of the uncompressed payload) before reading it.
    return_X_y : bool, default=False
        Return ``(X, y)`` (for ``subset="all"``:
        ``(X_train, X_test, y_train, y_test)``, the order of
        :func:`~sklearn.model_selection.train_test_split`) instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (uint8 array of shape (n, 28, 28)), ``target`` (int64 labels),
        ``target_names``, ``DESCR``; with ``subset="all"`` the keys are
        ``data_train``, ``target_train``, ``data_test``, ``target_test``.
        uint8 images can be passed to :class:`~skmixup.MixupClassifier` as they
        are: it scales them to [0, 1].

    References
    ----------
    .. [1] Xiao, H., Rasul, K., Vollgraf, R. (2017). Fashion-MNIST: a Novel Image
       Dataset for Benchmarking Machine Learning Algorithms. :arxiv:`1708.07747`
    """
    if subset not in ("train", "test", "all"):
        raise ValueError(f"subset must be 'train', 'test' or 'all'; got {subset!r}.")
    home = get_data_home(data_home)
    # The layout of the shared data folder (images/fashion-mnist), or fashion-mnist directly.
    folder = home / "images" / "fashion-mnist"
    if not folder.exists() and (home / "fashion-mnist").exists():
        folder = home / "fashion-mnist"
    names = list(FASHION_MNIST_FILES)
    if any(_find_idx(folder, name) is None for name in names):
        if not download_if_missing:
            missing = [name for name in names if _find_idx(folder, name) is None]
            raise FileNotFoundError(
                f"Fashion-MNIST files {missing} are not in {folder}. Put the original "
                "IDX .gz files there (e.g. from the Debian package dataset-fashion-mnist), "
                "or pass download_if_missing=True to download them from OpenML."
            )
        _fetch_fashion_mnist_openml(folder)

    def load(name):
        path = _find_idx(folder, name)
        if check_integrity:
            gz_sha, raw_sha = FASHION_MNIST_FILES[name]
            if path.suffix == ".gz":
                try:
                    check_sha256(path, gz_sha)
                except ValueError:
                    _check_payload_sha256(path, raw_sha)
            else:
                check_sha256(path, raw_sha)
        return read_idx(path)

    def split(prefix):
        return load(f"{prefix}-images-idx3-ubyte"), load(f"{prefix}-labels-idx1-ubyte").astype(np.int64)

    descr = ("Fashion-MNIST: 28x28 grayscale images of 10 kinds of clothing "
             "(Xiao, Rasul & Vollgraf 2017), from the original IDX files in "
             f"{folder}.")
    if subset == "all":
        X_train, y_train = split("train")
        X_test, y_test = split("t10k")
        if return_X_y:
            return X_train, X_test, y_train, y_test
        return Bunch(data_train=X_train, target_train=y_train, data_test=X_test,
                     target_test=y_test, target_names=list(FASHION_MNIST_CLASSES), DESCR=descr)
    X, y = split("train" if subset == "train" else "t10k")
    if return_X_y:
        return X, y
    return Bunch(data=X, target=y, target_names=list(FASHION_MNIST_CLASSES), DESCR=descr)


def _check_payload_sha256(path, expected):
    import hashlib

    digest = hashlib.sha256()
    with open_bytes(path) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise ValueError(
            f"{path} does not hold the original Fashion-MNIST data (sha256 of its content "
            f"is {digest.hexdigest()}, expected {expected}). Delete it and fetch it again."
        )


def _unpickle(path):
    with open(path, "rb") as f:
        return pickle.load(f, encoding="bytes")


def _key(batch, name):
    # The original batches were pickled by Python 2: keys are bytes.
    return batch[name.encode()] if name.encode() in batch else batch[name]


def load_cifar10(path, *, return_X_y=False):
    """Load CIFAR-10 from the original python-pickle batches.

    ``path`` is the folder ``cifar-10-batches-py`` extracted from
    ``cifar-10-python.tar.gz`` (Krizhevsky, 2009), holding ``data_batch_1`` to
    ``data_batch_5``, ``test_batch`` and ``batches.meta``. Nothing is
    downloaded: get the archive from the dataset's home page.

    .. warning:: The batches are Python pickles; load only files you trust.

    Parameters
    ----------
    path : str or path-like
        The ``cifar-10-batches-py`` folder.
    return_X_y : bool, default=False
        Return ``(X_train, X_test, y_train, y_test)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data_train`` (uint8 array of shape (50000, 3, 32, 32)), ``target_train``
        (int64), ``data_test``, ``target_test``, ``target_names``, ``DESCR``.
    """
    path = Path(path)
    train_names = [f"data_batch_{i}" for i in range(1, 6)]
    missing = [n for n in [*train_names, "test_batch", "batches.meta"] if not (path / n).exists()]
    if missing:
        raise FileNotFoundError(
            f"{path} lacks the CIFAR-10 files {missing}. Pass the folder "
            "'cifar-10-batches-py' extracted from cifar-10-python.tar.gz."
        )

    def read(name):
        batch = _unpickle(path / name)
        data = np.asarray(_key(batch, "data"), dtype=np.uint8)
        labels = np.asarray(_key(batch, "labels"), dtype=np.int64)
        if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(data) != len(labels):
            raise ValueError(
                f"{path / name} is not a CIFAR-10 batch: data of shape {data.shape} "
                f"with {len(labels)} labels (expected (n, 3072) and n labels)."
            )
        return data.reshape(-1, 3, 32, 32), labels

    parts = [read(name) for name in train_names]
    X_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    X_test, y_test = read("test_batch")
    meta = _unpickle(path / "batches.meta")
    names = [n.decode() if isinstance(n, bytes) else n for n in _key(meta, "label_names")]
    if return_X_y:
        return X_train, X_test, y_train, y_test
    return Bunch(data_train=X_train, target_train=y_train, data_test=X_test, target_test=y_test,
                 target_names=names,
                 DESCR=f"CIFAR-10: 32x32 colour images of 10 classes (Krizhevsky 2009), from {path}.")
