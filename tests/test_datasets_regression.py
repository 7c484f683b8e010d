"""The regression suite's loader, on the project's shared copies of the files."""

import gzip
import shutil

import numpy as np
import pandas as pd
import pytest

from skmixup.datasets import REGRESSION_DATASETS, fetch_regression
from skmixup.datasets._regression import regression_path

from .conftest import SHARED_DATA as DATA

needs_data = pytest.mark.skipif(
    not (DATA / "regression").is_dir(),
    reason="shared regression files not found beside the repository",
)

# From shared/data/regression/MANIFEST.md: rows, features, text features.
MANIFEST = {
    "bwght": (1388, 11, 0),
    "card": (3010, 31, 0),
    "k401k": (1534, 6, 0),
    "meap93": (408, 11, 0),
    "attend": (680, 9, 0),
    "smoke": (807, 7, 0),
    "sleep75": (706, 32, 0),
    "computers": (6259, 9, 3),
    "caschool": (420, 12, 2),
    "cigar": (1380, 8, 0),
    "wages1": (3294, 3, 1),
    "babies": (1236, 6, 0),
    "bdims": (507, 24, 0),
    "evals": (463, 20, 9),
    "ncbirths": (1000, 11, 6),
    "diamonds": (53940, 9, 3),
    "mpg": (234, 8, 5),
    "ais": (202, 8, 2),
    "saratoga": (1728, 15, 6),
    "galton": (928, 1, 0),
}


def test_registry_is_the_manifests_suite():
    assert sorted(REGRESSION_DATASETS) == sorted(MANIFEST)


@needs_data
def test_recorded_hashes_are_those_of_sha256sums():
    lines = (DATA / "regression" / "SHA256SUMS").read_text().split("\n")
    sums = {file: digest for digest, file in (line.split() for line in lines if line.strip())}
    assert sums == {f"{name}.csv.gz": spec[2] for name, spec in REGRESSION_DATASETS.items()}


@needs_data
@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_shapes_and_text_columns_match_the_manifest(name):
    rows, features, text = MANIFEST[name]
    bunch = fetch_regression(name, data_home=DATA, as_frame=True)
    assert bunch.data.shape == (rows, features)
    assert len(bunch.categorical_features) == text
    assert all(
        isinstance(bunch.data[c].dtype, pd.CategoricalDtype) for c in bunch.categorical_features
    )
    numeric = [c for c in bunch.data.columns if c not in bunch.categorical_features]
    assert all(bunch.data[c].dtype == np.float64 for c in numeric)
    assert bunch.target.dtype == np.float64 and np.isfinite(bunch.target).all()
    assert bunch.source.endswith(f"regression/{name}.csv.gz")
    X, y = fetch_regression(name, data_home=DATA, return_X_y=True)
    n_dummies = sum(len(bunch.data[c].cat.categories) for c in bunch.categorical_features)
    assert X.shape == (rows, features - text + n_dummies)
    assert X.dtype == np.float64 and y.shape == (rows,)
    np.testing.assert_array_equal(y, bunch.target.to_numpy())


@needs_data
def test_empty_fields_are_missing_values_not_text():
    # ncbirths: fage is empty on some rows (a number column), marital on one (a text column).
    X = fetch_regression("ncbirths", data_home=DATA, as_frame=True).data
    assert X["fage"].dtype == np.float64 and X["fage"].isna().sum() > 0
    assert "" not in list(X["marital"].cat.categories)
    # sleep75: number columns with empty fields stay numbers.
    X = fetch_regression("sleep75", data_home=DATA, as_frame=True).data
    assert not fetch_regression("sleep75", data_home=DATA).categorical_features
    assert X.isna().any().any()


@needs_data
def test_the_log_targets_are_logs():
    _, y = fetch_regression("diamonds", data_home=DATA, return_X_y=True)
    assert 5 < y.min() < y.max() < 10  # log(326 $) to log(18823 $)


def test_unknown_name_lists_the_valid_names():
    with pytest.raises(ValueError, match="Unknown regression dataset 'galtn'.*'ais'.*'wages1'"):
        fetch_regression("galtn", data_home=DATA)


def test_a_name_that_is_not_a_string_is_a_type_error():
    with pytest.raises(TypeError, match="name must be a str"):
        fetch_regression(3, data_home=DATA)


@needs_data
def test_corrupt_file_names_the_file_and_both_hashes(tmp_path):
    target = tmp_path / "regression" / "galton.csv.gz"
    target.parent.mkdir()
    shutil.copy(DATA / "regression" / "galton.csv.gz", target)
    payload = bytearray(target.read_bytes())
    payload[-5] ^= 0xFF
    target.write_bytes(bytes(payload))
    expected = REGRESSION_DATASETS["galton"][2]
    with pytest.raises(
        ValueError, match=rf"galton\.csv\.gz has sha256 [0-9a-f]{{64}}, expected {expected}"
    ):
        fetch_regression("galton", data_home=tmp_path)


def test_a_file_with_other_bytes_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    # A well-formed CSV with the right name but other contents: the hash refuses it.
    target = tmp_path / "regression" / "galton.csv.gz"
    target.parent.mkdir()
    with gzip.open(target, "wt") as f:
        f.write("parent,target\n1,2\n")
    parsed = []
    monkeypatch.setattr("skmixup.datasets._regression._parse", lambda path: parsed.append(path))
    with pytest.raises(ValueError, match="sha256"):
        fetch_regression("galton", data_home=tmp_path)
    assert not parsed


def test_missing_file_says_what_where_and_the_layout(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        fetch_regression("mpg", data_home=tmp_path)
    message = str(info.value)
    assert "fetch_regression('mpg') could not find 'mpg.csv.gz'" in message
    assert f"in {tmp_path / 'regression'}." in message
    assert "<data root>/regression/<name>.csv.gz" in message
    assert "<data root>/keel/<name>.csv.gz" in message and "SKMIXUP_DATA" in message
    assert "downloads nothing" in message


def test_a_data_home_inside_the_root_is_noticed(tmp_path):
    wrong = tmp_path / "regression"
    with pytest.raises(FileNotFoundError, match="pass its parent") as info:
        fetch_regression("mpg", data_home=wrong)
    assert f"in {wrong / 'regression'}." in str(info.value)


def test_path_is_below_the_data_root(tmp_path):
    assert regression_path("ais", tmp_path) == tmp_path / "regression" / "ais.csv.gz"
