"""Small tables: a default MixupClassifier fit against MLPClassifier(), idle and on a busy machine.

For iris and breast cancer (standardised), times ``fit`` of ``MixupClassifier()``
(defaults) and of ``MLPClassifier()``, alternately, ``--repeats``
times each, and prints the median times and their ratio: once with nothing else
running, once with another CPU-bound process spinning beside it (a second core's
worth of load on a 2-core machine). The ratio is what counts; the absolute times
depend on the machine.

    python benchmarks/bench_small.py --repeats 5 [--threads 1]

``--threads`` sets torch's thread count for the whole run; without it torch
keeps its default (one per core), as a user's session would.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import time
import warnings


def _spin(stop):
    x = 0
    while not stop.is_set():
        x = (x * 31 + 7) % 1_000_003


def _time_fits(make, X, y, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        make().fit(X, y)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    args = parser.parse_args()

    import torch
    from sklearn.datasets import load_breast_cancer, load_iris
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    from skmixup import MixupClassifier

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    print(f"torch threads: {torch.get_num_threads()}")
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    data = {
        name: loader(return_X_y=True)
        for name, loader in (("iris", load_iris), ("breast_cancer", load_breast_cancer))
    }
    data = {name: (StandardScaler().fit_transform(X), y) for name, (X, y) in data.items()}
    MixupClassifier(max_epochs=1).fit(*data["iris"])  # first-use imports out of the timings
    print(
        f"{'load':<8} {'dataset':<14} {'MixupClassifier s':>18} {'MLPClassifier s':>16} "
        f"{'ratio':>6}"
    )
    for load in ("idle", "busy"):
        stop = mp.Event()
        spinner = mp.Process(target=_spin, args=(stop,)) if load == "busy" else None
        if spinner is not None:
            spinner.start()
        try:
            for name, (X, y) in data.items():
                ours = _time_fits(lambda: MixupClassifier(random_state=0), X, y, args.repeats)
                peer = _time_fits(lambda: MLPClassifier(random_state=0), X, y, args.repeats)
                print(f"{load:<8} {name:<14} {ours:>18.3f} {peer:>16.3f} {ours / peer:>6.2f}")
        finally:
            if spinner is not None:
                stop.set()
                spinner.join()


if __name__ == "__main__":
    main()
