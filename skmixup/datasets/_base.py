"""Where dataset files live, and checking them: shared by every loader."""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

ENV_VAR = "SKMIXUP_DATA"


def get_data_home(data_home=None) -> Path:
    """The folder that holds (or will cache) dataset files.

    Order: the ``data_home`` argument, then the ``SKMIXUP_DATA`` environment
    variable, then ``~/skmixup_data``.
    """
    if data_home is None:
        data_home = os.environ.get(ENV_VAR) or Path.home() / "skmixup_data"
    return Path(data_home).expanduser()


def sha256(path) -> str:
    """Hex sha256 of a file's bytes as stored."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_sha256(path, expected: str) -> None:
    """Raise ``ValueError`` when ``path`` does not have the expected sha256."""
    actual = sha256(path)
    if actual != expected:
        raise ValueError(
            f"{path} has sha256 {actual}, expected {expected}: the file is corrupt or "
            "is not the original distribution file. Delete it and download it again."
        )


def open_bytes(path):
    """Open a file for reading bytes, decompressing ``.gz`` transparently."""
    path = Path(path)
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")
