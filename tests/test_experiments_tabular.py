"""The tabular benchmark suite at a tiny size: records, resuming, the report, the CLI."""

import numpy as np
import pandas as pd
import pytest

from experiments import tabular
from experiments.tabular import TabularConfig, make_model, report, run

from .conftest import SHARED_DATA as DATA

pytestmark = pytest.mark.skipif(
    not (DATA / "keel").is_dir(), reason="shared KEEL files not found beside the repository"
)


def _config(**changes):
    base = dict(
        datasets=("wine", "tae"),
        models=("logreg", "mixup:max_epochs=3"),
        n_splits=2,
        max_train_rows=100,
        n_jobs=1,
        progress=False,
        data_home=str(DATA),
    )
    return TabularConfig(**{**base, **changes})


def test_records_resume_and_report(tmp_path):
    records, notes = run(_config(), out=tmp_path)
    assert len(records) == 2 * 2 * 2  # datasets x splits x models
    assert set(records["model"]) == {"logreg", "mixup:max_epochs=3"}
    assert records["error"].between(0, 100).all() and (records["fit_s"] > 0).all()
    assert (records.loc[records["model"] != "logreg", "n_epochs"] == 3).all()
    assert any("wine: training rows subsampled from 134 to 100" in n for n in notes)
    on_disk = pd.read_csv(tmp_path / "records.csv")
    assert len(on_disk) == len(records)
    # A second run with the same folder fits nothing new.
    again, _ = run(_config(), out=tmp_path)
    assert len(again) == len(records) and len(pd.read_csv(tmp_path / "records.csv")) == 8

    per_dataset, overall = report(records, reference="logreg")
    assert list(per_dataset.index) == ["tae", "wine"]
    assert set(overall.index) == {"logreg", "mixup:max_epochs=3"}
    ranks = per_dataset.rank(axis=1).mean()
    assert np.allclose(overall.loc[ranks.index, "mean_rank"], ranks)
    assert overall["mean_rank"].sum() == pytest.approx(3.0)  # ranks 1..2 averaged


def test_model_specs():
    model = make_model("mixup:alpha=0.4,hidden_layer_sizes=(16, 8),optimizer=adamw", seed=3)
    assert (model.alpha, model.hidden_layer_sizes, model.optimizer) == (0.4, (16, 8), "adamw")
    assert model.random_state == 3
    twin = make_model("erm:alpha=0.4,batch_size=64", seed=0)
    assert twin.alpha == 0.0 and twin.batch_size == 64
    seeds = make_model("mixup-seeds:alpha=0.4", seed=2)
    assert seeds.n_estimators == 5
    assert (seeds.estimator.alpha, seeds.estimator.random_state) == (0.4, 2)
    with pytest.raises(ValueError, match="Unknown model 'xgb'"):
        make_model("xgb", seed=0)
    with pytest.raises(ValueError, match="expected key=value"):
        make_model("mixup:alpha", seed=0)


def test_unknown_dataset_is_refused():
    with pytest.raises(ValueError, match="Unknown suite dataset 'nope'"):
        tabular.load_suite_dataset("nope", DATA)


def test_cli_writes_the_report(tmp_path, capsys):
    from experiments.__main__ import main

    main(
        [
            "tabular",
            "--datasets",
            "wine",
            "--models",
            "logreg",
            "mlp:max_iter=50",
            "--splits",
            "1",
            "--n-jobs",
            "1",
            "--data-home",
            str(DATA),
            "--out",
            str(tmp_path),
            "--no-progress",
            "--reference",
            "logreg",
        ]
    )
    printed = capsys.readouterr().out
    assert "Overall, 1 datasets" in printed
    assert all(len(line) <= 120 for line in printed.splitlines())
    for name in ("records.csv", "per_dataset.csv", "overall.csv", "report.txt", "ranks.png"):
        assert (tmp_path / name).is_file(), name


def test_selection_and_confirmation_split_the_suite_by_name():
    names = sorted(tabular.DATASETS)
    assert len(names) == 43 and len(set(names)) == 43
    assert set(tabular.SELECTION) | set(tabular.CONFIRMATION) == set(names)
    assert not set(tabular.SELECTION) & set(tabular.CONFIRMATION)
    assert tabular.CONFIRMATION == tuple(names[2::3])  # every third, by the rule in the code


def test_flip_labels_moves_the_share_asked_to_other_classes():
    y = np.repeat(np.array(["a", "b", "c"]), 100)
    flipped = tabular.flip_labels(y, 0.2, seed=5)
    changed = flipped != y
    assert changed.sum() == 60  # exactly the share, and never to the row's own class
    assert set(flipped) == {"a", "b", "c"}
    np.testing.assert_array_equal(tabular.flip_labels(y, 0.2, seed=5), flipped)  # seeded
    assert not np.array_equal(tabular.flip_labels(y, 0.2, seed=6), flipped)
    np.testing.assert_array_equal(tabular.flip_labels(y, 0.0, seed=5), y)


def test_log_loss_counts_a_class_the_model_never_saw():
    class Model:
        classes_ = np.array(["a", "b"])

        def predict_proba(self, X):
            return np.array([[0.5, 0.5], [1.0, 0.0]])

    loss = tabular.test_log_loss(Model(), None, np.array(["a", "c"]))
    assert loss == pytest.approx(-(np.log(0.5) + np.log(1e-15)) / 2)


def test_label_noise_runs_are_recorded_apart(tmp_path):
    config = _config(datasets=("wine",), models=("logreg",), n_splits=1)
    clean, _ = run(config, out=tmp_path)
    noisy, _ = run(_config(**{**config.__dict__, "label_noise": 0.4}), out=tmp_path)
    assert len(noisy) == 1 and noisy["label_noise"].tolist() == [0.4]  # not resumed from clean
    assert noisy["error"].iloc[0] > clean["error"].iloc[0]
    assert clean["log_loss"].iloc[0] > 0
    on_disk = pd.read_csv(tmp_path / "records.csv")
    assert sorted(on_disk["label_noise"]) == [0.0, 0.4]


def test_resume_refuses_other_settings_and_adds_new_models(tmp_path):
    from experiments._resume import ResumeError

    run(_config(datasets=("wine",), n_splits=1), out=tmp_path)
    # Another data root, other parameters of a model already there, another subsample size.
    other_home = tmp_path / "data"
    (other_home / "keel").mkdir(parents=True)
    for name in ("wine.csv.gz",):
        (other_home / "keel" / name).write_bytes((DATA / "keel" / name).read_bytes())
    with pytest.raises(ResumeError, match="data home"):
        run(_config(datasets=("wine",), n_splits=1, data_home=str(other_home)), out=tmp_path)
    with pytest.raises(ResumeError, match="max_train_rows"):
        run(_config(datasets=("wine",), n_splits=1, max_train_rows=50), out=tmp_path)
    with pytest.raises(ResumeError, match="--fresh"):
        run(_config(datasets=("wine",), n_splits=1, random_state=1), out=tmp_path)
    # A new model and a new dataset are added to the same records.
    more, _ = run(
        _config(
            datasets=("wine", "tae"),
            models=("logreg", "mixup:max_epochs=3", "mlp:max_iter=5"),
            n_splits=1,
        ),
        out=tmp_path,
    )
    assert len(more) == 2 * 3
    # Records whose settings file is gone are refused, and --fresh starts again.
    (tmp_path / "records.settings.json").unlink()
    with pytest.raises(ResumeError, match="missing"):
        run(_config(datasets=("wine",), n_splits=1), out=tmp_path)
    again, _ = run(_config(datasets=("wine",), n_splits=1), out=tmp_path, fresh=True)
    assert len(again) == 2 and len(pd.read_csv(tmp_path / "records.csv")) == 2


def test_a_named_dataset_that_is_missing_stops_before_any_fit(tmp_path):
    empty = tmp_path / "empty"
    (empty / "keel").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="nothing was fitted"):
        run(_config(datasets=("wine",), data_home=str(empty)), out=tmp_path, required=("wine",))
    assert not (tmp_path / "records.csv").exists()


def test_where_it_pays_groups_datasets_by_size_and_tests_the_pairs():
    # Mixup better by 2 points on the two small tables, worse by 1 on the larger one.
    rows = []
    for name, diff in (("iris", -2.0), ("wine", -2.0), ("contraceptive", 1.0)):
        for split in range(2):
            rows.append(dict(dataset=name, model="erm", split=split, error=10.0, log_loss=0.5))
            rows.append(
                dict(dataset=name, model="mixup", split=split, error=10 + diff, log_loss=0.4)
            )
    records = pd.DataFrame(rows)
    traits = tabular.dataset_traits(["iris", "wine", "contraceptive"], DATA)
    assert traits.loc["contraceptive", "rows"] == 1473 and traits.loc["iris", "classes"] == 3
    table = tabular.paired_by_group(records, "mixup", "erm", traits).set_index("group")
    assert table.loc["all datasets", "datasets"] == 3
    assert table.loc["all datasets", "mean_diff"] == pytest.approx(-1.0)
    assert (table.loc["< 600 rows", "better"], table.loc["< 600 rows", "worse"]) == (2, 0)
    assert (table.loc["600-2,500 rows", "better"], table.loc["600-2,500 rows", "worse"]) == (0, 1)
    text = tabular.where_it_pays(records, "mixup", "erm", DATA)
    assert "test error" in text and "test log loss" in text


def test_the_alpha_recorded_is_the_one_trained():
    from types import SimpleNamespace

    assert tabular._trained_alpha(SimpleNamespace(alpha_=0.0)) == 0.0  # a search that chose ERM
    assert tabular._trained_alpha(make_model("mixup", seed=0)) == 2.0  # "auto" resolved
    assert tabular._trained_alpha(make_model("mixup:alpha=0.4", seed=0)) == 0.4
    assert tabular._trained_alpha(make_model("mixup-seeds", seed=0)) == 2.0
