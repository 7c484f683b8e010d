"""Grid search and cross-validation on a Dask cluster, through joblib's dask backend."""

import os

import joblib
import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV, cross_validate

from skmixup import MixupClassifier

distributed = pytest.importorskip("distributed")


def _probe(_):
    return os.getpid(), torch.get_num_threads()


class PidClassifier(MixupClassifier):
    """Records which process fitted it."""

    def fit(self, X, y):
        self.fit_pid_ = os.getpid()
        return super().fit(X, y)


@pytest.fixture(scope="module")
def client():
    # Two worker processes with one thread each: the layout docs/distributed.rst recommends.
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            yield client


def test_grid_search_on_a_dask_cluster_matches_the_local_one(client, blobs):
    X, y = blobs
    params = dict(max_epochs=3, device="cpu", random_state=0)
    grid = {"alpha": [0.0, 0.4]}
    with joblib.parallel_backend("dask"):
        remote = GridSearchCV(MixupClassifier(**params), grid, cv=2).fit(X, y)
    local = GridSearchCV(MixupClassifier(**params), grid, cv=2, n_jobs=1).fit(X, y)
    # Seeded fits on CPUs are bit-for-bit reproducible, wherever they run.
    np.testing.assert_array_equal(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert remote.best_params_ == local.best_params_


def test_cross_validation_runs_on_the_workers_with_one_thread_each(client, blobs):
    X, y = blobs
    workers = client.run(os.getpid)
    with joblib.parallel_backend("dask"):
        result = cross_validate(
            PidClassifier(max_epochs=3, device="cpu", random_state=0),
            X,
            y,
            cv=4,
            return_estimator=True,
        )
        probes = joblib.Parallel()(joblib.delayed(_probe)(i) for i in range(4))
    pids = {est.fit_pid_ for est in result["estimator"]}
    assert pids <= set(workers.values()) and os.getpid() not in pids
    assert (result["test_score"] > 0.8).all()
    # The nanny starts workers with OMP_NUM_THREADS=1: no oversubscription of the cores.
    assert {threads for _, threads in probes} == {1}


@pytest.mark.slow
def test_loky_workers_share_the_cores_out():
    # GridSearchCV(n_jobs=2) runs on joblib's loky processes, which joblib starts with
    # OMP_NUM_THREADS = cores // n_jobs: torch in each worker uses its share, not every core.
    threads = {t for _, t in joblib.Parallel(n_jobs=2)(joblib.delayed(_probe)(i) for i in range(4))}
    assert max(threads) <= max(1, joblib.cpu_count() // 2)
