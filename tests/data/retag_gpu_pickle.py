"""How gpu_fitted_iris.pkl was made from an H100 pickle written before a pickling fix.

The H100 run (benchmarks/gpu_iris_fixture.py) pickled a MixupClassifier whose skorch net
held its module under two names, ``module`` and ``module_``; skorch maps only the second
to the CPU on a machine without CUDA, so that pickle could not be loaded there (the bug
the test caught, fixed in MixupNet.initialize). With no GPU time left to refit, the
H100-trained object was loaded here with its storages mapped to the CPU, given the fix,
and pickled again with every storage tagged "cuda:0", as a GPU pickle tags them. The
weights and predictions are the H100's. Rerunning benchmarks/gpu_iris_fixture.py on a GPU
replaces the file with a plain GPU pickle.

The same script re-tags the file when a module of skmixup is renamed (``RENAMED``:
``skmixup.net`` became ``skmixup._net``): the classes are looked up under their new
names, the weights and predictions stay the H100's.

Usage: python tests/data/retag_gpu_pickle.py OLD.pkl NEW.pkl
"""

import io
import pickle
import sys
import warnings

import torch
import torch.serialization
import torch.storage

RENAMED = {"skmixup.net": "skmixup._net", "skmixup.ensemble": "skmixup._ensemble"}


class _Renaming(pickle.Unpickler):
    def find_class(self, module, name):
        return super().find_class(RENAMED.get(module, module), name)


def main(old, new):
    warnings.simplefilter("ignore")
    original = torch.storage._load_from_bytes
    torch.storage._load_from_bytes = lambda b: torch.load(
        io.BytesIO(b), map_location="cpu", weights_only=False
    )
    with open(old, "rb") as f:
        clf = _Renaming(f).load()
    torch.storage._load_from_bytes = original
    clf.net_.device = "cuda"
    clf.net_.cuda_dependent_attributes_ = clf.net_.cuda_dependent_attributes_ + ["module"]
    registry = torch.serialization._package_registry
    torch.serialization._package_registry = [(p, (lambda s: "cuda:0"), d) for p, _, d in registry]
    try:
        data = pickle.dumps(clf)
    finally:
        torch.serialization._package_registry = registry
    with open(new, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main(*sys.argv[1:3])
