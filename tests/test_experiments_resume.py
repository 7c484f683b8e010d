"""Resuming a study: the settings compared, and a rerun with other ones refused."""

import json

import pandas as pd
import pytest

from experiments._resume import (
    ResumeError,
    check_resume,
    describe_estimator,
    differences,
    run_settings,
    save_settings,
    settings_path,
    start_or_resume,
)
from skmixup import MixupClassifier


def test_settings_hold_the_data_root_datasets_version_and_models(tmp_path):
    settings = run_settings(
        {"n_splits": 3},
        data_home=tmp_path,
        sources={"iris": "local files: x"},
        models={"mixup": MixupClassifier(alpha=0.3)},
    )
    assert settings["data home"] == str(tmp_path.resolve())
    assert settings["datasets found"] == ["iris"]
    assert settings["sources"]["iris"] == "local files: x"
    assert settings["skmixup"] and settings["n_splits"] == 3
    assert settings["models"]["mixup"]["alpha"] == 0.3
    assert settings["models"]["mixup"]["class"] == "skmixup._classifier.MixupClassifier"
    # JSON data, the same in every run (no memory addresses, NaN written as text).
    assert json.loads(json.dumps(settings)) == settings
    assert run_settings({"n_splits": 3}, data_home=tmp_path) == run_settings(
        {"n_splits": 3}, data_home=str(tmp_path)
    )


def test_nested_estimators_are_described():
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    search = GridSearchCV(make_pipeline(StandardScaler(), MixupClassifier()), {"x": [1]})
    description = describe_estimator(search)
    steps = description["estimator"]["steps"]
    assert steps[1][1]["class"].endswith("MixupClassifier") and description["error_score"] == "nan"


def test_differences_name_each_changed_setting():
    old = {"data home": "/a", "models": {"ERM": {"alpha": 0.0}}, "n_splits": 2}
    new = {"data home": "/b", "models": {"ERM": {"alpha": 0.4}, "mlp": {"class": "M"}}}
    lines = differences(old, new)
    assert lines == [
        'data home: "/a" then, "/b" now',
        "n_splits: 2 then, (not set) now",
        "models.ERM.alpha: 0.0 then, 0.4 now",
        'models.mlp: (not set) then, {"class": "M"} now',
    ]
    assert differences(old, old) == []


def test_check_resume(tmp_path):
    records = tmp_path / "uci.csv"
    assert settings_path(records) == tmp_path / "uci.settings.json"
    settings = {"data home": "/a"}
    assert check_resume(records, settings) is False  # nothing to resume
    records.write_text("dataset,split\niris,0\n")
    with pytest.raises(ResumeError, match="settings they were made with, is missing.*--fresh"):
        check_resume(records, settings)
    save_settings(records, settings)
    assert check_resume(records, settings) is True
    with pytest.raises(ResumeError, match='data home: "/a" then, "/b" now'):
        check_resume(records, {"data home": "/b"})
    # --fresh: the records are discarded and the new settings kept.
    assert start_or_resume(records, {"data home": "/b"}, fresh=True) is False
    assert not records.exists()
    assert json.loads(settings_path(records).read_text()) == {"data home": "/b"}


@pytest.fixture
def ablation_run(tmp_path, shared_data):
    from experiments.ablation import run_uci

    home = shared_data("uci/iris/bezdekIris.data")
    out = tmp_path / "uci.csv"
    variants = {"ERM": {"alpha": 0}}
    run_uci(out, datasets=("iris",), variants=variants, data_home=home)
    return run_uci, out, variants, home


def test_ablation_refuses_to_resume_with_other_variants_or_data(ablation_run, tmp_path):
    run_uci, out, variants, home = ablation_run
    before = out.read_text()
    assert len(pd.read_csv(out)) == 5
    run_uci(out, datasets=("iris",), variants=variants, data_home=home)  # the same: nothing to do
    assert out.read_text() == before
    with pytest.raises(ResumeError, match=r"models\.ERM\.alpha: 0 then, 0\.4 now"):
        run_uci(out, datasets=("iris",), variants={"ERM": {"alpha": 0.4}}, data_home=home)
    copy = tmp_path / "copy"
    (copy / "uci" / "iris").mkdir(parents=True)
    (copy / "uci" / "iris" / "bezdekIris.data").write_bytes(
        (home / "uci" / "iris" / "bezdekIris.data").read_bytes()
    )
    with pytest.raises(ResumeError, match=r"data home(.|\n)*sources\.iris"):
        run_uci(out, datasets=("iris",), variants=variants, data_home=copy)
    assert out.read_text() == before


def test_ablation_command_refuses_with_a_message_naming_fresh(ablation_run):
    from experiments.__main__ import main

    _, out, _, home = ablation_run
    # The command line runs every variant: other models than the stored run's.
    with pytest.raises(SystemExit) as info:
        main(["ablation", "uci", "--data-home", str(home), "--out", str(out.parent)])
    message = str(info.value)
    assert message.startswith("python -m experiments ablation: ") and "--fresh" in message
    assert "models.inputs only" in message
