"""The UCI experiment: splits, paired tests, and the quick setting end to end."""

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from experiments._report import PAPER_TABLE_4, paired_tests, summarize
from experiments._resume import ResumeError
from experiments.uci import (
    UCIConfig,
    _inner_cv,
    format_table,
    load_dataset,
    make_splits,
    run,
    write_results,
)
from skmixup import MixupClassifier

# The tuned protocol names its mixup model after the default alpha.
DEFAULT = f"mixup a={MixupClassifier().alpha}"  # "mixup a=auto"


def test_splits_are_stratified_and_pool_singleton_classes():
    # abalone-like labels: some classes have a single example.
    y = np.repeat([0, 1, 2, 3, 4], [50, 30, 20, 1, 1])
    splits = make_splits(y, n_splits=10, test_size=0.2, random_state=0)
    assert len(splits) == 10
    for train, test in splits:
        assert len(np.intersect1d(train, test)) == 0 and len(train) + len(test) == len(y)
        assert np.bincount(y[test], minlength=5)[:3].tolist() == [10, 6, 4]
    # Different splits, same seed reproduces them.
    assert not np.array_equal(splits[0][1], splits[1][1])
    again = make_splits(y, n_splits=10, test_size=0.2, random_state=0)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(splits, again))


def test_max_train_rows_subsamples_training_rows_only():
    y = np.repeat([0, 1], [600, 400])
    for train, test in make_splits(y, 3, 0.2, 0, max_train_rows=100):
        assert len(train) == 100 and len(test) == 200
        assert np.bincount(y[train]).tolist() == [60, 40]


def test_inner_cv_auto_uses_folds_on_small_and_a_holdout_on_large_sets():
    config = UCIConfig()
    small = _inner_cv(np.repeat([0, 1], 100), config, 0)
    large = _inner_cv(np.repeat([0, 1], 1500), config, 0)
    assert len(small) == 3 and len(large) == 1
    assert len(large[0][1]) == 1000


def _records():
    rows = []
    for split in range(10):
        rows.append(
            dict(
                protocol="paper",
                dataset="iris",
                model="ERM",
                split=split,
                error=10.0 + split,
                fit_s=1.0,
                alpha=np.nan,
                n_epochs=10,
            )
        )
        rows.append(
            dict(
                protocol="paper",
                dataset="iris",
                model="mixup a=1",
                split=split,
                error=8.0 + split,
                fit_s=1.0,
                alpha=1.0,
                n_epochs=10,
            )
        )
        rows.append(
            dict(
                protocol="paper",
                dataset="iris",
                model="mixup CV-a",
                split=split,
                error=10.0 + split,
                fit_s=1.0,
                alpha=0.0,
                n_epochs=10,
            )
        )
    return pd.DataFrame(rows)


def test_paired_tests_and_summary():
    paired = paired_tests(_records()).set_index("model")
    better = paired.loc["mixup a=1"]
    assert better["diff_mean"] == pytest.approx(2.0)
    assert (better["wins"], better["ties"], better["losses"]) == (10, 0, 0)
    assert better["p_wilcoxon"] == pytest.approx(2 / 2**10)  # exact two-sided, all 10 positive
    same = paired.loc["mixup CV-a"]
    assert same["diff_mean"] == 0 and same["p_wilcoxon"] == 1.0
    summary = summarize(_records()).set_index("model")
    assert summary.loc["ERM", "mean"] == pytest.approx(14.5)
    assert summary.loc["ERM", "std"] == pytest.approx(np.std(np.arange(10), ddof=1))
    assert summary.loc["ERM", "paper_erm"] == PAPER_TABLE_4["iris"][0]


def test_iris_falls_back_to_scikit_learn(tmp_path):
    X, y, source = load_dataset("iris", data_home=tmp_path)
    assert X.shape == (150, 4) and source == "sklearn.datasets.load_iris"
    with pytest.raises(FileNotFoundError, match="abalone.data"):
        load_dataset("abalone", data_home=tmp_path)


@pytest.fixture(scope="module")
def quick_results(shared_data):
    home = shared_data("uci/arrhythmia/arrhythmia.data", "uci/iris")
    config = UCIConfig.quick(
        datasets=("iris", "arrhythmia"), data_home=str(home), n_splits=2, n_jobs=1, progress=False
    )
    return run(config)


@pytest.mark.slow  # over 5 s on 2 cores
def test_quick_run_records(quick_results):
    records = quick_results["records"]
    paper_models = {"ERM", "mixup a=1", "mixup CV-a"}
    tuned_models = {
        "ERM",
        DEFAULT,
        "mixup CV-a",
        "MLPClassifier",
        "LogisticRegression",
        "HistGradientBoosting",
    }
    assert set(records.query("protocol == 'paper'")["model"]) == paper_models
    assert set(records.query("protocol == 'tuned'")["model"]) == tuned_models
    assert len(records) == 2 * 2 * (len(paper_models) + len(tuned_models))
    assert records["error"].between(0, 100).all() and (records["fit_s"] > 0).all()
    # At most 300 training rows, a fifth of the rows for testing.
    arrhythmia = records.query("dataset == 'arrhythmia'")
    assert (arrhythmia["n_train"] == 300).all() and (arrhythmia["n_test"] == 91).all()
    # The inner cross-validation chose one of the grid's alphas.
    chosen = records.query("model == 'mixup CV-a'")["alpha"]
    assert chosen.isin([0.0, 0.4]).all()


@pytest.mark.slow  # over 5 s on 2 cores
def test_quick_run_numbers_are_sane(quick_results):
    summary = quick_results["summary"].set_index(["protocol", "dataset", "model"])["mean"]
    # iris is easy with standardised features; arrhythmia's majority class is 54% of rows.
    for model in ["ERM", DEFAULT, "LogisticRegression"]:
        assert summary["tuned", "iris", model] < 15
        assert summary["tuned", "arrhythmia", model] < 46
    paired = quick_results["paired"]
    assert set(paired["reference"]) == {"ERM", "MLPClassifier"}
    assert paired["p_wilcoxon"].between(0, 1).all()
    assert quick_results["skipped"] == {}


@pytest.mark.slow  # over 5 s on 2 cores
def test_quick_run_outputs(quick_results, tmp_path):
    write_results(quick_results, tmp_path)
    for name in [
        "records.csv",
        "summary.csv",
        "paired.csv",
        "results.json",
        "table.txt",
        "uci.png",
    ]:
        assert (tmp_path / name).stat().st_size > 0
    payload = json.loads((tmp_path / "results.json").read_text())
    assert payload["config"]["n_splits"] == 2
    assert {r["dataset"] for r in payload["summary"]} == {"iris", "arrhythmia"}
    assert payload["paper_table_4"]["iris"] == {"erm": 21.3, "mixup": 17.3}
    assert len(pd.read_csv(tmp_path / "records.csv")) == len(quick_results["records"])
    table = format_table(quick_results)
    assert "paper ERM" in table and "arrhythmia" in table and f"ERM - {DEFAULT} (p)" in table


def test_command_runs_on_iris_without_data_and_says_what_it_skipped(tmp_path, monkeypatch, capsys):
    from experiments.__main__ import main

    monkeypatch.setenv("SKMIXUP_DATA", str(tmp_path / "empty"))
    argv = ["uci", "--quick", "--protocols", "tuned", "--splits", "2", "--n-jobs", "1"]
    main([*argv, "--no-progress", "--out", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    # The skipped datasets are named before the first fit, and again under the table.
    start = printed.index("skipping 5 of the datasets")
    assert start < printed.index("== tuned") < printed.index("skipped (files not found):")
    assert f"abalone: 'abalone.data' not in {tmp_path / 'empty' / 'uci' / 'abalone'}" in printed
    assert "SKMIXUP_DATA" in printed and "total time" in printed
    records = pd.read_csv(tmp_path / "out" / "records.csv")
    assert set(records["dataset"]) == {"iris"} and set(records["split"]) == {0, 1}
    assert not (tmp_path / "out" / "records.partial.csv").exists()


def test_command_fails_before_any_fit_when_a_named_dataset_is_missing(tmp_path, monkeypatch):
    from experiments.__main__ import main

    monkeypatch.setenv("SKMIXUP_DATA", str(tmp_path / "empty"))
    with pytest.raises(SystemExit) as info:
        main(["uci", "--quick", "--datasets", "iris", "abalone", "--out", str(tmp_path / "out")])
    message = str(info.value)
    assert info.value.code != 0 and "nothing was fitted" in message
    assert str(tmp_path / "empty" / "uci" / "abalone") in message and "iris" not in message
    assert not (tmp_path / "out" / "records.partial.csv").exists()


def test_unknown_protocol():
    with pytest.raises(ValueError, match="Unknown protocols"):
        run(UCIConfig(protocols=("best",), datasets=(), progress=False))


def _full_results(n_splits=10):
    """Records of every protocol, dataset and model (random errors), as run() returns them."""
    from experiments.uci import DATASETS, paper_models, tuned_models

    rng = np.random.default_rng(0)
    config = UCIConfig()
    rows = []
    for protocol, make in (("paper", paper_models), ("tuned", tuned_models)):
        for model in make(config, 0, cv=3):
            for dataset in DATASETS:
                for split in range(n_splits):
                    alpha = rng.choice([0.0, 0.2, 0.4, 1.0]) if model == "mixup CV-a" else np.nan
                    rows.append(
                        dict(
                            protocol=protocol,
                            dataset=dataset,
                            model=model,
                            split=split,
                            error=100 * rng.random(),
                            fit_s=1.0,
                            alpha=alpha,
                            n_epochs=10.0,
                        )
                    )
    records = pd.DataFrame(rows)
    return {
        "records": records,
        "summary": summarize(records),
        "paired": paired_tests(records),
        "skipped": {"phishing": "missing"},
        "sources": {},
        "elapsed_s": 1.0,
        "config": {"protocols": ("paper", "tuned"), "n_splits": n_splits, "data_home": "/nowhere"},
    }


def test_tables_fit_120_columns_and_show_the_chosen_alphas():
    results = _full_results()
    text = format_table(results)
    width = max(len(line) for line in text.splitlines())
    assert width <= 120, text
    assert text.count("alphas chosen by CV-a") == 4  # a legend and a column per protocol
    cv = (
        results["records"]
        .query("protocol == 'paper' and dataset == 'iris' and model == 'mixup CV-a'")["alpha"]
        .value_counts()
    )
    line = next(line for line in text.splitlines() if line.startswith("iris") and " x" in line)
    assert line.endswith(", ".join(f"{a:g} x{n}" for a, n in cv.sort_index().items()))
    assert "phishing: 'Training Dataset.arff' not in /nowhere/uci/phishing" in text
    wide = format_table(results, wide=True)
    assert max(len(line) for line in wide.splitlines()) > 120
    assert "alphas chosen by CV-a" in wide and "ERM - mixup a=1 (p)" in wide


def test_eta_comes_from_the_measured_cost_of_each_group():
    from experiments._progress import TaskProgress, format_seconds

    now = [0.0]
    progress = TaskProgress(
        [("big", 10.0)] * 2 + [("small", 1.0)] * 4, n_workers=2, disable=True, clock=lambda: now[0]
    )
    with progress:
        assert progress.eta() is None
        now[0] = 20.0
        # The first big task took 20 s: 2 s per unit of guess, so small tasks ~2 s each.
        # The second big one has been running for 20 s of its 20: nothing left.
        progress.done("big", 20.0)
        assert progress.eta() == pytest.approx((0.0 + 4 * 2.0) / 2)
        now[0] = 21.0
        progress.done("small", 1.0)  # small tasks measured: 1 s each; the next starts at 21 s
        assert progress.eta() == pytest.approx((0.0 + 3 * 1.0) / 2)
        now[0] = 30.0  # the running ones are overdue: the two waiting small ones are left
        assert progress.eta() == pytest.approx(2 * 1.0 / 2)
        for _ in range(3):
            progress.done("small", 1.0)
        progress.done("big", 30.0)
        assert progress.eta() == 0
    assert format_seconds(59.6) == "1 min 00 s" and format_seconds(3725) == "1 h 02 min"


def test_eta_waits_for_the_longest_running_task():
    from experiments._progress import TaskProgress

    now = [0.0]
    progress = TaskProgress(
        [("a", 1.0), ("b", 1.0), ("b", 1.0)], n_workers=2, disable=True, clock=lambda: now[0]
    )
    with progress:
        now[0] = 100.0
        progress.done("a", 100.0)  # 100 s per unit of guess; "b" 0 started at 0 s
        now[0] = 110.0
        # b0 needs 0 more (100 - 110 < 0); b1 started at 100 s and needs 90 more, alone.
        assert progress.eta() == pytest.approx(90.0)


def test_run_resumes_from_partial_results(tmp_path, capsys):
    partial = tmp_path / "records.partial.csv"
    config = UCIConfig.quick(
        datasets=("iris",),
        protocols=("tuned",),
        baselines=False,
        n_splits=2,
        n_jobs=1,
        progress=False,
        data_home=str(tmp_path),
    )
    first = run(config, partial_path=partial)
    assert first["resumed"] == 0 and len(pd.read_csv(partial)) == len(first["records"])
    # As if interrupted after the first task: keep split 0 only.
    kept = pd.read_csv(partial).query("split == 0")
    kept.to_csv(partial, index=False)
    again = run(config, partial_path=partial, resume=True)
    assert (
        again["resumed"] == 1
        and "resuming: 1 (dataset, split) task already done" in capsys.readouterr().out
    )
    columns = ["protocol", "dataset", "model", "split", "error"]
    pd.testing.assert_frame_equal(again["records"][columns], first["records"][columns])
    # Other settings: the partial results are not mixed in, and nothing is overwritten.
    before = partial.read_text()
    with pytest.raises(ResumeError, match=r"n_splits: 2 then, 1 now(.|\n)*--fresh"):
        run(UCIConfig.quick(**{**vars(config), "n_splits": 1}), partial_path=partial, resume=True)
    assert partial.read_text() == before


def _interrupted_run(tmp_path, **changes):
    """A quick iris run into records.partial.csv, cut after its first task."""
    partial = tmp_path / "out" / "records.partial.csv"
    partial.parent.mkdir(exist_ok=True)
    config = UCIConfig.quick(
        **{
            "datasets": ("iris",),
            "protocols": ("tuned",),
            "baselines": False,
            "n_splits": 2,
            "n_jobs": 1,
            "progress": False,
            "data_home": str(tmp_path / "first"),
            "tuned_params": {"max_epochs": 2},
            **changes,
        }
    )
    run(config, partial_path=partial)
    pd.read_csv(partial).query("split == 0").to_csv(partial, index=False)
    return config, partial


def test_resume_refuses_another_data_home(tmp_path):
    config, partial = _interrupted_run(tmp_path)
    other = tmp_path / "second"
    with pytest.raises(ResumeError) as info:
        run(replace(config, data_home=str(other)), partial_path=partial, resume=True)
    message = str(info.value)
    # Long values are cut in the middle; the folders' names, at the end, stay.
    assert "data home" in message and "first" in message and "second" in message, message
    assert "--fresh" in message


def test_resume_refuses_another_list_of_datasets_found(tmp_path, shared_data):
    # The first run found abalone; the second, with another data root, only iris.
    home = shared_data("uci/abalone/abalone.data")
    config, partial = _interrupted_run(
        tmp_path, datasets=("iris", "abalone"), data_home=str(home), max_train_rows=60
    )
    with pytest.raises(ResumeError, match=r"datasets found(.|\n)*--fresh"):
        run(replace(config, data_home=str(tmp_path)), partial_path=partial, resume=True)
    # The list asked for is compared too.
    with pytest.raises(ResumeError, match=r"datasets"):
        run(replace(config, datasets=("iris",)), partial_path=partial, resume=True)


def test_resume_refuses_other_model_parameters(tmp_path):
    config, partial = _interrupted_run(tmp_path)
    changed = replace(config, tuned_params={"max_epochs": 2, "hidden_layer_sizes": (8,)})
    with pytest.raises(ResumeError, match=r"models\.tuned: ERM\.hidden_layer_sizes"):
        run(changed, partial_path=partial, resume=True)


def test_resume_refuses_another_package_version(tmp_path, monkeypatch):
    import experiments._resume

    config, partial = _interrupted_run(tmp_path)
    monkeypatch.setattr(experiments._resume, "__version__", "9.9.9")
    with pytest.raises(ResumeError, match=r'skmixup: "[^"]+" then, "9\.9\.9" now'):
        run(config, partial_path=partial, resume=True)


def test_command_refuses_to_resume_another_run_and_fresh_starts_again(tmp_path, capsys):
    from experiments.__main__ import main

    config, partial = _interrupted_run(tmp_path)
    argv = [
        "uci", "--quick", "--datasets", "iris", "--protocols", "tuned", "--splits", "1",
        "--n-jobs", "1", "--no-progress", "--out", str(partial.parent),
        "--data-home", str(tmp_path / "first"),
    ]  # fmt: skip
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert "n_splits: 2 then, 1 now" in str(info.value) and "--fresh" in str(info.value)
    main([*argv, "--fresh"])
    assert "resuming" not in capsys.readouterr().out
    assert set(pd.read_csv(partial.parent / "records.csv")["split"]) == {0}


def test_table_marks_datasets_with_fewer_splits_than_its_header():
    results = _full_results()
    records = results["records"]
    records = records[~((records["dataset"] == "abalone") & (records["split"] >= 2))]
    results.update(records=records, summary=summarize(records), paired=paired_tests(records))
    text = format_table(results)
    assert "NOT every dataset has 10 splits" in text and "splits per dataset: abalone 2" in text
    assert "abalone (2 of 10 splits)" in text
    # No mean over the datasets: one of them has fewer splits than the header says.
    mean_line = next(line for line in text.splitlines() if line.startswith("mean"))
    assert len(mean_line.split()) == 3  # "mean", then the paper's two means only
    assert "NOT every" not in format_table(_full_results())


def test_tasks_run_in_rounds_largest_first_within_a_round():
    from experiments.uci import _ordered_tasks

    def dataset(n_rows, n_features, n_splits=2):
        X = pd.DataFrame(np.zeros((n_rows, n_features)))
        return X, None, [(np.arange(n_rows - 10), np.arange(10))] * n_splits

    data = {"small": dataset(50, 4), "wide": dataset(100, 10_000), "long": dataset(5000, 8)}
    order = [(name, split) for name, split, _, _ in _ordered_tasks(data)]
    assert order == [("long", 0), ("wide", 0), ("small", 0), ("long", 1), ("wide", 1), ("small", 1)]
    assert [t[:2] for t in _ordered_tasks(data, done={("long", 0)})][0] == ("wide", 0)


def test_a_split_with_a_rare_class_fits_without_warnings():
    """sklearn's "least populated class" warning would break the progress bar's line."""
    import warnings

    from experiments.uci import _fit_split

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(62, 3)))
    y = np.repeat([0, 1, 2], [30, 30, 2])
    config = UCIConfig.quick(
        protocols=("tuned",), baselines=False, tuned_params={"max_epochs": 1}, progress=False
    )
    train, test = make_splits(y, 1, 0.2, 0)[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records = _fit_split("rare", X, y, 0, train, test, config)
    assert len(records) == 3
    assert not [w for w in caught if "least populated" in str(w.message)]
