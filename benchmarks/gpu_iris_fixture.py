"""Write tests/data/gpu_fitted_iris.pkl and its predictions from a fit on a GPU.

Run on a machine with CUDA, from the repository root::

    PYTHONPATH=. python benchmarks/gpu_iris_fixture.py OUTDIR

tests/test_gpu.py checks that the pickle loads and predicts the same labels on
a machine without a GPU.
"""

import pickle
import sys
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from skmixup import MixupClassifier

if not torch.cuda.is_available():
    sys.exit("needs CUDA")
out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data")
X, y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X).astype(np.float32)
clf = MixupClassifier(max_epochs=2, random_state=0).fit(X, y)
assert next(clf.net_.module_.parameters()).device.type == "cuda"
with open(out / "gpu_fitted_iris.pkl", "wb") as f:
    pickle.dump(clf, f)
np.save(out / "gpu_fitted_iris_pred.npy", clf.predict(X))
print("train accuracy", clf.score(X, y), "torch", torch.__version__, torch.cuda.get_device_name())
