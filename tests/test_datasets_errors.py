"""Every loader's missing-data error says which files it looked for, where, and the layout.

A wrong ``data_home`` (here the data root's ``uci/`` folder instead of the root, a natural
mistake) is the case the messages are for. With ``download_if_missing=True`` and no network
or no ``openml``, the error is the same one, with the failed download as its ``__cause__``.
"""

import sys
import types
from urllib.error import URLError

import pytest

from skmixup.datasets import fetch_fashion_mnist, fetch_keel, fetch_uci, load_cifar10

LAYOUT_LINE = "<data root>/images/fashion-mnist/*.gz"


def _says_where(message, files, folder):
    for name in files:
        assert repr(name) in message, message
    assert f"in {folder}." in message, message
    assert LAYOUT_LINE in message and "<data root>/uci/<name>/" in message, message
    assert "SKMIXUP_DATA" in message and "data_home=" in message, message


@pytest.fixture
def no_network(monkeypatch):
    """urllib and openml both fail as they do offline."""

    def offline(*args, **kwargs):
        raise URLError("no network")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    fake = types.ModuleType("openml")
    fake.config = types.SimpleNamespace(set_root_cache_directory=lambda path: None)
    fake.datasets = types.SimpleNamespace(get_dataset=offline)
    monkeypatch.setitem(sys.modules, "openml", fake)
    monkeypatch.setattr("skmixup.datasets._images.fetch_openml", offline)


@pytest.mark.parametrize("download", [False, True])
def test_fetch_uci_with_the_uci_folder_as_data_home(tmp_path, download, no_network):
    wrong = tmp_path / "uci"
    with pytest.raises(FileNotFoundError) as info:
        fetch_uci("abalone", data_home=wrong, download_if_missing=download)
    message = str(info.value)
    _says_where(message, ["abalone.data"], wrong / "uci" / "abalone")
    assert f"pass its parent (data_home={str(tmp_path)!r})" in message
    if download:
        assert "The download failed: URLError" in message
        assert isinstance(info.value.__cause__, URLError)
    else:
        assert "Nothing was downloaded (download_if_missing=False)" in message


def test_fetch_uci_without_openml_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openml", None)  # import openml raises ImportError
    with pytest.raises(FileNotFoundError) as info:
        fetch_uci("arcene", data_home=tmp_path)
    message = str(info.value)
    _says_where(message, ["arcene_train.data", "arcene_valid.labels"], tmp_path / "uci" / "arcene")
    assert "pip install openml" in message
    assert isinstance(info.value.__cause__, ImportError)


def test_fetch_uci_htru2_download_failure_is_the_cause(tmp_path, no_network):
    with pytest.raises(FileNotFoundError) as info:
        fetch_uci("htru2", data_home=tmp_path)
    _says_where(str(info.value), ["HTRU_2.csv"], tmp_path / "uci" / "htru2")
    assert isinstance(info.value.__cause__, URLError)


@pytest.mark.parametrize("download", [False, True])
def test_fetch_fashion_mnist_with_a_wrong_data_home(tmp_path, download, no_network):
    wrong = tmp_path / "images"
    with pytest.raises(FileNotFoundError) as info:
        fetch_fashion_mnist(wrong, download_if_missing=download)
    message = str(info.value)
    _says_where(
        message,
        ["train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"],
        wrong / "images" / "fashion-mnist",
    )
    assert "looks like a folder inside the data root" in message
    if download:
        assert isinstance(info.value.__cause__, URLError)
        assert "The download failed: URLError" in message
    else:
        assert info.value.__cause__ is None


def test_fetch_keel_with_a_wrong_data_home(tmp_path):
    wrong = tmp_path / "keel"
    with pytest.raises(FileNotFoundError) as info:
        fetch_keel("wine", data_home=wrong)
    message = str(info.value)
    _says_where(message, ["wine.csv.gz"], wrong / "keel")
    assert "downloads nothing" in message and "pass its parent" in message


def test_the_environment_variable_is_named_as_the_origin_of_the_data_root(tmp_path, monkeypatch):
    monkeypatch.setenv("SKMIXUP_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"The data root is \S+ \(from \$SKMIXUP_DATA\)"):
        fetch_keel("wine")
    monkeypatch.delenv("SKMIXUP_DATA")
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="neither data_home= nor"):
        fetch_uci("iris", download_if_missing=False)


def test_load_cifar10_names_the_files_and_the_folder(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_cifar10(tmp_path / "cifar-10-batches-py")
    message = str(info.value)
    assert str(tmp_path / "cifar-10-batches-py") in message and "data_batch_1" in message
    assert "cifar-10-python.tar.gz" in message
