"""The tabular benchmark suite's loader, on the project's shared copies of the KEEL files."""

import shutil

import numpy as np
import pandas as pd
import pytest

from skmixup.datasets import KEEL_DATASETS, fetch_keel

from .conftest import SHARED_DATA as DATA

pytestmark = pytest.mark.skipif(
    not (DATA / "keel").is_dir(), reason="shared KEEL files not found beside the repository"
)

# From shared/data/keel/MANIFEST.md (rows, features, text features, classes). The manifest
# counts a trailing blank line of hayes-roth as a row and a class; heart's last line has no
# newline and is not counted there. Both are corrected here.
MANIFEST = {
    "australian": (690, 14, 0, 2),
    "banana": (5300, 2, 0, 2),
    "breast": (277, 9, 8, 2),
    "chess": (3196, 36, 36, 2),
    "hayes-roth": (160, 4, 0, 3),
    "heart": (270, 13, 0, 2),
    "letter": (20000, 16, 0, 26),
    "splice": (3190, 60, 60, 3),
    "saheart": (462, 9, 1, 2),
    "abalone19": (4174, 8, 1, 2),
    "yeast4": (1484, 8, 0, 2),
}


def test_registry_has_the_whole_suite():
    groups = [group for group, _ in KEEL_DATASETS.values()]
    assert groups.count("balanced") == 28 and groups.count("imbalanced") == 9


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_shapes_and_text_columns_match_the_manifest(name):
    rows, features, text, classes = MANIFEST[name]
    bunch = fetch_keel(name, data_home=DATA, as_frame=True)
    assert bunch.data.shape == (rows, features)
    assert len(bunch.categorical_features) == text
    assert len(bunch.target_names) == classes
    assert all(
        isinstance(bunch.data[c].dtype, pd.CategoricalDtype) for c in bunch.categorical_features
    )
    X, y = fetch_keel(name, data_home=DATA, return_X_y=True)
    n_dummies = sum(len(bunch.data[c].cat.categories) for c in bunch.categorical_features)
    assert X.shape == (rows, features - text + n_dummies)
    assert X.dtype == np.float64 and np.isfinite(X).all() and len(y) == rows


def test_every_file_loads():
    for name, (group, _) in KEEL_DATASETS.items():
        X, y = fetch_keel(name, data_home=DATA, return_X_y=True)
        assert len(X) == len(y) > 100, name
        assert (len(np.unique(y)) == 2) if group == "imbalanced" else len(np.unique(y)) >= 2


def test_imbalanced_positive_counts():
    _, y = fetch_keel("yeast4", data_home=DATA, return_X_y=True)
    assert np.unique(y, return_counts=True)[1].min() == 51


def test_unknown_name_lists_the_valid_names():
    with pytest.raises(ValueError, match="Unknown KEEL dataset 'irs'.*'australian'.*'yeast4'"):
        fetch_keel("irs", data_home=DATA)


def test_corrupt_file_names_the_file_and_both_hashes(tmp_path):
    target = tmp_path / "keel" / "wine.csv.gz"
    target.parent.mkdir()
    shutil.copy(DATA / "keel" / "wine.csv.gz", target)
    payload = bytearray(target.read_bytes())
    payload[-5] ^= 0xFF
    target.write_bytes(bytes(payload))
    expected = KEEL_DATASETS["wine"][1]
    with pytest.raises(
        ValueError, match=rf"wine\.csv\.gz has sha256 [0-9a-f]{{64}}, expected {expected}"
    ):
        fetch_keel("wine", data_home=tmp_path)


def test_missing_file_says_where_to_put_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"(?s)'tae\.csv\.gz' in \S*keel\..*SKMIXUP_DATA"):
        fetch_keel("tae", data_home=tmp_path)
