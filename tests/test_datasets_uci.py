"""Loaders of the paper's UCI datasets, on the project's shared copies of the original files."""

import gzip
import hashlib
import shutil

import numpy as np
import pandas as pd
import pytest

from skmixup.datasets import UCI_DATASETS, fetch_uci
from skmixup.datasets._uci import uci_dataset_path

from .conftest import SHARED_DATA

UCI_HOME = SHARED_DATA  # the data root: fetch_uci reads <root>/uci/<name>/
needs_data = pytest.mark.skipif(
    not (SHARED_DATA / "uci" / "iris" / "bezdekIris.data").is_file(),
    reason="shared UCI files not found: set SKMIXUP_SHARED_DATA or put ../shared/data beside "
    "the repository",
)

# From shared/data/uci/MANIFEST.md.
EXPECTED = {
    "abalone": (
        4177,
        8,
        {
            1: 1,
            2: 1,
            3: 15,
            4: 57,
            5: 115,
            6: 259,
            7: 391,
            8: 568,
            9: 689,
            10: 634,
            11: 487,
            12: 267,
            13: 203,
            14: 126,
            15: 103,
            16: 67,
            17: 58,
            18: 42,
            19: 32,
            20: 26,
            21: 14,
            22: 6,
            23: 9,
            24: 2,
            25: 1,
            26: 1,
            27: 2,
            29: 1,
        },
    ),
    "arcene": (200, 10000, {-1: 112, 1: 88}),
    "arrhythmia": (
        452,
        279,
        {1: 245, 2: 44, 3: 15, 4: 15, 5: 13, 6: 25, 7: 3, 8: 2, 9: 9, 10: 50, 14: 4, 15: 5, 16: 22},
    ),
    "htru2": (17898, 8, {0: 16259, 1: 1639}),
    "iris": (150, 4, {"Iris-setosa": 50, "Iris-versicolor": 50, "Iris-virginica": 50}),
    "phishing": (11055, 30, {-1: 4898, 1: 6157}),
}


def test_registry_lists_the_paper_datasets():
    assert sorted(UCI_DATASETS) == sorted(EXPECTED)
    for name, spec in UCI_DATASETS.items():
        assert spec.name == name
        assert spec.files and all(len(h) == 64 for f in spec.files for _, h in f.forms())
        # Every dataset can be downloaded by users from somewhere.
        assert spec.openml_id is not None or spec.url is not None


@needs_data
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_loader_shape_and_class_counts(name):
    n_rows, n_features, counts = EXPECTED[name]
    bunch = fetch_uci(name, data_home=UCI_HOME, download_if_missing=False, as_frame=True)
    assert bunch.data.shape == (n_rows, n_features)
    assert isinstance(bunch.data, pd.DataFrame)
    assert list(bunch.data.columns) == bunch.feature_names
    assert bunch.target.value_counts().to_dict() == counts
    assert list(bunch.target_names) == sorted(counts)
    assert bunch.frame.shape == (n_rows, n_features + 1)
    assert name in bunch.DESCR and "local files" in bunch.source


@needs_data
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_loader_arrays(name):
    n_rows, n_features, counts = EXPECTED[name]
    X, y = fetch_uci(name, data_home=UCI_HOME, download_if_missing=False, return_X_y=True)
    assert X.dtype == np.float64 and X.shape[0] == n_rows
    # abalone's nominal Sex becomes 3 one-hot columns in the array form.
    assert X.shape[1] == n_features + (2 if name == "abalone" else 0)
    assert len(y) == n_rows and len(np.unique(y)) == len(counts)
    if name != "arrhythmia":
        assert np.isfinite(X).all()


@needs_data
def test_abalone_sex_is_categorical_then_one_hot():
    frame = fetch_uci("abalone", data_home=UCI_HOME, download_if_missing=False, as_frame=True)
    assert frame.categorical_features == ["Sex"]
    assert list(frame.data["Sex"].cat.categories) == ["F", "I", "M"]
    arrays = fetch_uci("abalone", data_home=UCI_HOME, download_if_missing=False)
    sex = [arrays.feature_names.index(f"Sex_{c}") for c in "FIM"]
    np.testing.assert_array_equal(arrays.data[:, sex].sum(axis=1), 1.0)
    np.testing.assert_array_equal(
        arrays.data[:, sex].argmax(axis=1), frame.data["Sex"].cat.codes.to_numpy()
    )


@needs_data
def test_arrhythmia_missing_values_are_nan():
    X = fetch_uci("arrhythmia", data_home=UCI_HOME, download_if_missing=False, as_frame=True).data
    per_column = X.isna().sum()
    assert per_column.sum() == 408
    assert per_column[per_column > 0].to_dict() == {
        X.columns[10]: 8,
        X.columns[11]: 22,
        X.columns[12]: 1,
        X.columns[13]: 376,
        X.columns[14]: 1,
    }
    # Imputation makes it usable by any estimator.
    from sklearn.impute import SimpleImputer

    assert np.isfinite(SimpleImputer().fit_transform(X)).all()


@needs_data
def test_iris_matches_scikit_learn():
    from sklearn.datasets import load_iris

    X, y = fetch_uci("iris", data_home=UCI_HOME, download_if_missing=False, return_X_y=True)
    reference = load_iris()
    np.testing.assert_allclose(X, reference.data)
    np.testing.assert_array_equal(np.unique(y, return_inverse=True)[1], reference.target)


@needs_data
def test_plain_hashes_match_gzipped_content():
    # The registry accepts each big file plain or gzipped; both hashes must describe the same bytes.
    for spec in UCI_DATASETS.values():
        for data_file in spec.files:
            if data_file.gz_sha256:
                stored = uci_dataset_path(spec.name, UCI_HOME) / (data_file.name + ".gz")
                with gzip.open(stored, "rb") as f:
                    assert hashlib.sha256(f.read()).hexdigest() == data_file.sha256


@needs_data
def test_plain_copy_of_gzipped_file_is_read(tmp_path):
    folder = tmp_path / "uci" / "htru2"
    folder.mkdir(parents=True)
    with gzip.open(UCI_HOME / "uci" / "htru2" / "HTRU_2.csv.gz", "rb") as f:
        (folder / "HTRU_2.csv").write_bytes(f.read())
    X, y = fetch_uci("htru2", data_home=tmp_path, download_if_missing=False, return_X_y=True)
    assert X.shape == (17898, 8) and np.bincount(y).tolist() == [16259, 1639]


@needs_data
def test_checksum_mismatch_is_rejected(tmp_path):
    folder = tmp_path / "uci" / "iris"
    folder.mkdir(parents=True)
    target = folder / "bezdekIris.data"
    shutil.copy(UCI_HOME / "uci" / "iris" / "bezdekIris.data", target)
    # An unaltered copy loads...
    assert fetch_uci("iris", data_home=tmp_path, download_if_missing=False).data.shape == (150, 4)
    # ...one changed value does not.
    target.chmod(0o644)
    target.write_bytes(target.read_bytes().replace(b"5.1,3.5,1.4,0.2", b"5.1,3.5,1.4,0.3", 1))
    with pytest.raises(ValueError, match="sha256"):
        fetch_uci("iris", data_home=tmp_path, download_if_missing=False)
    # Skipping the check is the user's explicit choice.
    assert fetch_uci(
        "iris", data_home=tmp_path, download_if_missing=False, check_checksum=False
    ).data.shape == (150, 4)


def test_offline_error_says_where_to_put_which_file(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        fetch_uci("abalone", data_home=tmp_path, download_if_missing=False)
    message = str(info.value)
    assert "'abalone.data'" in message
    assert str(tmp_path / "uci" / "abalone") in message
    assert "SKMIXUP_DATA" in message


def test_offline_error_names_every_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="arcene_valid.labels"):
        fetch_uci("arcene", data_home=tmp_path, download_if_missing=False)


def test_env_var_is_the_default_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SKMIXUP_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        fetch_uci("iris", download_if_missing=False)


def test_unknown_name():
    with pytest.raises(ValueError, match="choose one of"):
        fetch_uci("mnist")


# --- the download paths, with the network replaced by fakes (no test touches the network) ---
def _fake_openml(monkeypatch, frame, target):
    import sys
    import types

    calls = {}

    class Dataset:
        default_target_attribute = target

        def get_data(self, target, dataset_format):
            return frame.drop(columns=target), frame[target], None, None

    def get_dataset(data_id, **kwargs):
        calls["data_id"] = data_id
        return Dataset()

    fake = types.ModuleType("openml")
    fake.config = types.SimpleNamespace(
        set_root_cache_directory=lambda path: calls.setdefault("cache", path)
    )
    fake.datasets = types.SimpleNamespace(get_dataset=get_dataset)
    monkeypatch.setitem(sys.modules, "openml", fake)
    return calls


def test_download_from_openml_gives_the_local_layout(tmp_path, monkeypatch):
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True)
    # OpenML's iris (data_id 61): its own column names, string labels in "class".
    frame = iris.data.set_axis(["sepallength", "sepalwidth", "petallength", "petalwidth"], axis=1)
    frame["class"] = pd.Categorical(
        np.array(["Iris-setosa", "Iris-versicolor", "Iris-virginica"])[iris.target]
    )
    calls = _fake_openml(monkeypatch, frame, "class")
    bunch = fetch_uci("iris", data_home=tmp_path, as_frame=True)
    assert calls["data_id"] == 61 and str(tmp_path) in calls["cache"]
    assert bunch.source == "OpenML data_id 61"
    assert list(bunch.data.columns) == [
        "sepal_length",
        "sepal_width",
        "petal_length",
        "petal_width",
    ]
    assert bunch.target.value_counts().to_dict() == EXPECTED["iris"][2]


def test_download_from_openml_recodes_arcene_labels(tmp_path, monkeypatch):
    frame = pd.DataFrame(np.arange(12).reshape(4, 3), columns=["V1", "V2", "V3"])
    frame["Class"] = pd.Categorical(["1", "2", "2", "1"])  # OpenML codes -1/+1 as 1/2
    _fake_openml(monkeypatch, frame, "Class")
    X, y = fetch_uci("arcene", data_home=tmp_path, return_X_y=True)
    assert X.shape == (4, 3) and y.tolist() == [-1, 1, 1, -1]


def test_download_failure_says_where_to_put_the_files(tmp_path, monkeypatch):
    from urllib.error import URLError

    def offline(*args, **kwargs):
        raise URLError("no network")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    with pytest.raises(FileNotFoundError, match="(?s)HTRU_2.csv.*download failed"):
        fetch_uci("htru2", data_home=tmp_path)


def test_downloaded_archive_with_wrong_checksum_is_rejected(tmp_path, monkeypatch):
    import io
    import zipfile

    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as zf:
        zf.writestr("HTRU_2.csv", "1,2,3,4,5,6,7,8,0\r")

    class Response(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: Response(payload.getvalue()))
    with pytest.raises(ValueError, match="sha256"):
        fetch_uci("htru2", data_home=tmp_path)
