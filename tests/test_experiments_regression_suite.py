"""The regression suite job: the held-out split, the model specs, the records and resuming."""

import numpy as np
import pandas as pd
import pytest

from experiments import regression_suite as suite
from experiments.__main__ import build_parser
from experiments._resume import ResumeError
from skmixup import MixupRegressor

from .conftest import SHARED_DATA as DATA

needs_data = pytest.mark.skipif(
    not (DATA / "regression").is_dir(),
    reason="shared regression files not found beside the repository",
)
QUICK = ("mixup:max_epochs=2", "erm:max_epochs=2", "ridge")


def test_the_split_is_every_third_table_in_name_order():
    assert len(suite.DATASETS) == 20
    assert suite.CONFIRMATION == ("babies", "card", "computers", "galton", "mpg", "sleep75")
    assert set(suite.SELECTION).isdisjoint(suite.CONFIRMATION)
    assert sorted(suite.SELECTION + suite.CONFIRMATION) == sorted(suite.DATASETS)


def test_specs():
    erm = suite.make_model("erm:alpha=0.4,lr=0.01", 3)
    assert isinstance(erm, MixupRegressor) and erm.alpha == 0.0 and erm.lr == 0.01
    assert erm.random_state == 3 and erm.device == "cpu"
    assert suite.make_model("mixup:partners='label_kernel'", 0).partners == "label_kernel"
    assert suite.make_model("mlp", 1).random_state == 1
    with pytest.raises(ValueError, match="Unknown model 'lasso'.*mixup, erm, mlp, hgb or ridge"):
        suite.make_model("lasso", 0)
    with pytest.raises(ValueError, match="expected key=value"):
        suite.make_model("mixup:alpha", 0)
    with pytest.raises(TypeError):
        suite.make_model("mixup:no_such_parameter=1", 0)


def test_config_refuses_unknown_tables_and_bad_options():
    with pytest.raises(ValueError, match="Unknown regression tables \\['nope'\\]"):
        suite.RegressionSuiteConfig(datasets=("galton", "nope"))
    with pytest.raises(ValueError, match="n_splits must be at least 1"):
        suite.RegressionSuiteConfig(n_splits=0)
    with pytest.raises(ValueError, match="max_train_rows must be at least 10"):
        suite.RegressionSuiteConfig(max_train_rows=3)
    with pytest.raises(ValueError, match="Unknown model"):
        suite.RegressionSuiteConfig(models=("mixup", "svr"))


def test_splits_are_75_25_seeded_and_capped():
    y = np.arange(1000.0)
    splits = suite.make_splits(y, 3, 0, None)
    assert all(len(train) == 750 and len(test) == 250 for train, test in splits)
    assert all(np.intersect1d(train, test).size == 0 for train, test in splits)
    again = suite.make_splits(y, 3, 0, None)
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(splits, again, strict=True))
    capped = suite.make_splits(y, 3, 0, 100)
    for (train, test), (full, same_test) in zip(capped, splits, strict=True):
        assert len(train) == 100 and np.isin(train, full).all()
        assert np.array_equal(test, same_test)  # the test rows are never subsampled


@needs_data
def test_run_records_normalised_rmse_and_resumes(tmp_path, monkeypatch):
    config = suite.RegressionSuiteConfig(
        datasets=("galton", "mpg"), models=QUICK, data_home=DATA, n_splits=1, progress=False
    )
    path = tmp_path / "records.csv"
    records = suite.run(config, path)
    assert len(records) == 6 and set(records["model"]) == set(QUICK)
    assert np.isfinite(records["nrmse"]).all() and (records["seconds"] >= 0).all()
    # nRMSE = RMSE / std of the test target, so 1 - nRMSE^2 is the test R^2.
    np.testing.assert_allclose(records["r2"], 1 - records["nrmse"] ** 2, rtol=1e-9)
    ridge = records[records["model"] == "ridge"].set_index("dataset")["nrmse"]
    assert ridge["galton"] == pytest.approx(0.86, abs=0.05)  # child height: a weak linear fit
    assert len(pd.read_csv(path)) == 6

    def no_fit(*args, **kwargs):
        raise AssertionError("a fit already recorded ran again")

    monkeypatch.setattr(suite, "_fit_one", no_fit)
    again = suite.run(config, path)
    pd.testing.assert_frame_equal(again, records.astype(again.dtypes.to_dict()))
    monkeypatch.undo()
    # A new model is added to the same records; other settings are refused.
    more = suite.RegressionSuiteConfig(
        datasets=("galton", "mpg"),
        models=QUICK + ("hgb",),
        data_home=DATA,
        n_splits=1,
        progress=False,
    )
    assert len(suite.run(more, path)) == 8
    other = suite.RegressionSuiteConfig(
        datasets=("galton",), models=QUICK, data_home=DATA, n_splits=2, progress=False
    )
    with pytest.raises(ResumeError, match="n_splits: 1 then, 2 now"):
        suite.run(other, path)
    changed = suite.RegressionSuiteConfig(
        datasets=("galton",), models=("ridge:cv=3",), data_home=DATA, n_splits=1, progress=False
    )
    assert len(suite.run(changed, path)) == 1  # a new spec is a new model


@needs_data
def test_report_counts_only_complete_tables(tmp_path):
    config = suite.RegressionSuiteConfig(
        datasets=("galton", "ais"),
        models=("ridge", "hgb"),
        data_home=DATA,
        n_splits=2,
        progress=False,
    )
    records = suite.run(config, tmp_path / "records.csv")
    partial = records.drop(records.index[(records["dataset"] == "ais")][:1])
    per_table, table = suite.summary(partial, ["ridge", "hgb"])
    assert list(per_table.index) == ["galton"]
    text = suite.report(records, ["ridge", "hgb"])
    assert "2 tables, 2 splits" in text and "ridge better/worse" in text


def test_missing_files_stop_before_any_fit(tmp_path):
    config = suite.RegressionSuiteConfig(datasets=("galton",), models=QUICK, data_home=tmp_path)
    with pytest.raises(FileNotFoundError, match="galton.csv.gz"):
        suite.run(config, tmp_path / "out" / "records.csv")
    assert not (tmp_path / "out" / "records.csv").exists()


def test_command_line():
    args = build_parser().parse_args(
        ["regression-suite", "--part", "confirmation", "--models", "mixup:alpha=1.0", "ridge"]
    )
    assert args.part == "confirmation" and args.models == ["mixup:alpha=1.0", "ridge"]
    assert args.splits == 3 and args.n_jobs == 1 and args.max_train_rows == 10000
    assert args.func.__name__ == "regression_suite"
