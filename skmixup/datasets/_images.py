"""Image datasets from their original distribution files: Fashion-MNIST and CIFAR-10."""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import pickle
import struct
import zlib
from pathlib import Path

import numpy as np
from sklearn.datasets import fetch_openml
from sklearn.utils import Bunch

from ._base import (
    ChecksumError,
    check_sha256,
    download_failed,
    get_data_home,
    missing_files_message,
    open_bytes,
)

__all__ = ["fetch_fashion_mnist", "load_cifar10", "read_idx"]

FASHION_MNIST_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
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

    The header's dimensions are checked against the file's size before the
    data is read, and every error names the file.

    Parameters
    ----------
    path : str or path-like
        The file; a ``.gz`` suffix is decompressed on the fly.

    Returns
    -------
    ndarray
        Shaped and typed as the file's header says (uint8 for (Fashion-)MNIST).

    Raises
    ------
    ValueError
        When the file is not a well-formed IDX file (bad header, truncated,
        trailing bytes, corrupt compression).
    """
    path = Path(path)
    try:
        with open_bytes(path) as f:
            head = f.read(4)
            if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in _IDX_DTYPES:
                raise ValueError(f"{path} is not an IDX file: its header is {head!r}.")
            ndim = head[3]
            dims = f.read(4 * ndim)
            if len(dims) != 4 * ndim:
                raise ValueError(
                    f"{path} is truncated: its header announces {ndim} dimensions "
                    "but ends before listing them."
                )
            shape = struct.unpack(f">{ndim}I", dims)
            dtype = np.dtype(_IDX_DTYPES[head[2]])
            nbytes = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
            size = path.stat().st_size
            # What the file can hold: its size, or what deflate can expand it to (< 1032x).
            room = 1032 * size if path.suffix == ".gz" else size - 4 - 4 * ndim
            if nbytes > room:
                raise ValueError(
                    f"{path} is truncated or corrupt: its header announces shape {shape} "
                    f"({nbytes} bytes) "
                    f"but the file has only {size} bytes."
                )
            payload = f.read(nbytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ValueError(f"{path} is corrupt or not gzip data ({exc}).") from None
    if len(payload) != nbytes:
        raise ValueError(
            f"{path} is truncated or corrupt: its header announces shape {shape} "
            f"({nbytes} bytes) but {'more' if len(payload) > nbytes else len(payload)} "
            "bytes follow."
        )
    return np.frombuffer(payload, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def _find_idx(folder: Path, name: str) -> Path | None:
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.exists():
            return candidate
    return None


def _fetch_fashion_mnist_openml(folder: Path):  # pragma: no cover - needs the network
    """Download Fashion-MNIST from OpenML (id 40996) and cache it as IDX files in ``folder``."""

    frame = fetch_openml(data_id=FASHION_MNIST_OPENML_ID, as_frame=False, parser="liac-arff")
    X = np.asarray(frame.data, dtype=np.uint8).reshape(-1, 28, 28)
    y = np.asarray(frame.target).astype(np.uint8)
    # OpenML keeps the original order: the first 60,000 rows are the training set.
    parts = {
        "train-images-idx3-ubyte": X[:60000],
        "train-labels-idx1-ubyte": y[:60000],
        "t10k-images-idx3-ubyte": X[60000:],
        "t10k-labels-idx1-ubyte": y[60000:],
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in parts.items():
        header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
        with gzip.open(folder / f"{name}.gz", "wb") as f:
            f.write(header + array.tobytes())


def fetch_fashion_mnist(
    data_home=None,
    *,
    subset="all",
    download_if_missing=True,
    check_integrity=True,
    return_X_y=False,
):
    """Load Fashion-MNIST (Xiao et al., 2017) from its original IDX files.

    The four files ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
    ``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz`` are looked
    for in ``<data_home>/images/fashion-mnist/`` (uncompressed copies also
    work). When they are missing the dataset is downloaded from OpenML (id
    40996) and cached in that folder, in the same format.

    ================  ==========================
    Classes           10 (6,000 / 1,000 each)
    Samples           60,000 train, 10,000 test
    Images            28x28, one channel, uint8
    ================  ==========================

    Parameters
    ----------
    data_home : str or path-like, default=None
        The data root, holding ``images/fashion-mnist/``; see
        :func:`skmixup.datasets.get_data_home` for the default.
    subset : {"train", "test", "all"}, default="all"
        Which split to return; ``"all"`` returns both, see Returns.
    download_if_missing : bool, default=True
        Download from OpenML when the files are missing; otherwise raise
        ``FileNotFoundError``. Either way, a missing file that is not
        obtained raises ``FileNotFoundError`` naming the files looked for,
        the folder and the data root's layout (a failed download is its
        ``__cause__``).
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
    folder = get_data_home(data_home) / "images" / "fashion-mnist"
    names = list(FASHION_MNIST_FILES)
    missing = [f"{name}.gz" for name in names if _find_idx(folder, name) is None]
    if missing:
        call = "fetch_fashion_mnist()"
        if not download_if_missing:
            raise FileNotFoundError(
                missing_files_message(
                    call,
                    missing,
                    folder,
                    data_home,
                    reason="The original IDX .gz files (e.g. from the Debian package "
                    "dataset-fashion-mnist) or uncompressed copies both work. Nothing was "
                    "downloaded (download_if_missing=False); with download_if_missing=True "
                    f"they come from OpenML (id {FASHION_MNIST_OPENML_ID}, network access).",
                )
            )
        message = missing_files_message(
            call,
            missing,
            folder,
            data_home,
            reason=f"So they were downloaded from OpenML (id {FASHION_MNIST_OPENML_ID}).",
        )
        try:
            _fetch_fashion_mnist_openml(folder)
        except ChecksumError:
            raise
        except Exception as exc:  # URLError without network; the cause is kept
            raise download_failed(message, exc) from exc

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
        return load(f"{prefix}-images-idx3-ubyte"), load(f"{prefix}-labels-idx1-ubyte").astype(
            np.int64
        )

    descr = (
        "Fashion-MNIST: 28x28 grayscale images of 10 kinds of clothing "
        "(Xiao, Rasul & Vollgraf 2017), from the original IDX files in "
        f"{folder}."
    )
    if subset == "all":
        X_train, y_train = split("train")
        X_test, y_test = split("t10k")
        if return_X_y:
            return X_train, X_test, y_train, y_test
        return Bunch(
            data_train=X_train,
            target_train=y_train,
            data_test=X_test,
            target_test=y_test,
            target_names=list(FASHION_MNIST_CLASSES),
            DESCR=descr,
        )
    X, y = split("train" if subset == "train" else "t10k")
    if return_X_y:
        return X, y
    return Bunch(data=X, target=y, target_names=list(FASHION_MNIST_CLASSES), DESCR=descr)


def _check_payload_sha256(path, expected):
    digest = hashlib.sha256()
    try:
        with open_bytes(path) as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(
            f"{path} is corrupt or not gzip data ({exc}): it does not hold the original "
            "Fashion-MNIST data. Delete it and fetch it again."
        ) from None
    if digest.hexdigest() != expected:
        raise ValueError(
            f"{path} does not hold the original Fashion-MNIST data (sha256 of its content "
            f"is {digest.hexdigest()}, expected {expected}). Delete it and fetch it again."
        )


class _BatchUnpickler(pickle.Unpickler):
    """Unpickles only what a CIFAR-10 batch holds: dicts, lists, bytes, str, ints and
    numpy arrays. Any other global (a function, a class) is refused, so a crafted
    file cannot run code."""

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),
    }

    def __init__(self, file, path):
        super().__init__(file, encoding="bytes")
        self.path = path

    def find_class(self, module, name):
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(
                f"{self.path} asks to load {module}.{name}, which a CIFAR-10 batch does not "
                "hold; refused (the file is not an original CIFAR-10 batch)."
            )
        if name == "_reconstruct":
            core = getattr(np, "_core", None) or np.core
            return core.multiarray._reconstruct
        if name == "encode":
            return self._latin1
        return getattr(np, name)

    def _latin1(self, text, encoding="utf-8"):
        # Python 3 writes bytes in protocol-2 pickles as codecs.encode(text, "latin1").
        if encoding not in ("latin1", "latin-1") or not isinstance(text, str):
            raise pickle.UnpicklingError(f"{self.path} asks to encode with {encoding!r}; refused.")
        return text.encode("latin1")


def _unpickle(path):
    """A CIFAR-10 batch file through the restricted unpickler; errors name the file."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        batch = _BatchUnpickler(io.BytesIO(raw), path).load()
    except pickle.UnpicklingError as exc:
        raise ValueError(str(exc) if str(path) in str(exc) else f"{path}: {exc}") from None
    except Exception as exc:  # truncated or malformed pickle data
        raise ValueError(
            f"{path} is not a readable CIFAR-10 batch ({type(exc).__name__}: {exc})."
        ) from None
    if not isinstance(batch, dict):
        raise ValueError(
            f"{path} is not a CIFAR-10 batch: it holds a {type(batch).__name__}, not a dict."
        )
    return batch


def _key(batch, name, path):
    # The original batches were pickled by Python 2: keys are bytes.
    for key in (name.encode(), name):
        if key in batch:
            return batch[key]
    raise ValueError(f"{path} is not a CIFAR-10 batch: it has no {name!r} entry.")


def load_cifar10(path, *, return_X_y=False):
    """Load CIFAR-10 from the original python-pickle batches.

    ``path`` is the folder ``cifar-10-batches-py`` extracted from
    ``cifar-10-python.tar.gz`` (Krizhevsky, 2009), holding ``data_batch_1`` to
    ``data_batch_5``, ``test_batch`` and ``batches.meta``. Nothing is
    downloaded: get the archive from the dataset's home page.

    The batches are Python pickles: they are read by a restricted unpickler
    that accepts only the dicts, lists, strings, numbers and numpy arrays the
    format holds, so a crafted file cannot run code. No sha256 is checked (the
    distribution publishes none for the extracted batches).

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
        data, labels = _key(batch, "data", path / name), _key(batch, "labels", path / name)
        if (
            not isinstance(data, np.ndarray)
            or data.dtype != np.uint8
            or not isinstance(labels, list)
        ):
            raise ValueError(
                f"{path / name} is not a CIFAR-10 batch: 'data' must be a uint8 array and "
                "'labels' a list."
            )
        try:
            labels = np.asarray(labels, dtype=np.int64)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(
                f"{path / name} is not a CIFAR-10 batch: its labels are not integers."
            ) from None
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
    names = [
        n.decode() if isinstance(n, bytes) else str(n)
        for n in _key(meta, "label_names", path / "batches.meta")
    ]
    if return_X_y:
        return X_train, X_test, y_train, y_test
    return Bunch(
        data_train=X_train,
        target_train=y_train,
        data_test=X_test,
        target_test=y_test,
        target_names=names,
        DESCR=f"CIFAR-10: 32x32 colour images of 10 classes (Krizhevsky 2009), from {path}.",
    )
