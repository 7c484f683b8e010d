"""
==============================
Images: mixup on digit tensors
==============================

:class:`~skmixup.MixupClassifier` takes image tensors as well as tables: an
array of shape ``(n_samples, channels, height, width)``, or
``(n_samples, height, width)`` for one channel. For such input it builds a small
convolutional network (:class:`~skmixup.modules.SmallCNN`) instead of an MLP.

This example uses the 8x8 handwritten digits that ship with scikit-learn,
shows what mixed training images look like, and compares the network trained
with and without mixup.
"""

# %%
# Digits as a tensor of shape (n, 1, 8, 8)
# ----------------------------------------
# Pixel values run from 0 to 16; scale them to [0, 1] and add the channel axis.
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

digits = load_digits()
images = (digits.images / 16.0).astype(np.float32)[:, None]  # (1797, 1, 8, 8)
X_train, X_test, y_train, y_test = train_test_split(
    images, digits.target, test_size=0.5, stratify=digits.target, random_state=0
)
print("training tensor:", X_train.shape, X_train.dtype)

# %%
# What the network sees during training
# -------------------------------------
# The mixing itself is a pure torch function, :func:`skmixup.mixup.mixup_batch`:
# it pairs each image with a random partner from the same batch and mixes the
# images and their one-hot labels with the same coefficient. Below, eight mixed
# images drawn with ``alpha=1`` and the two largest entries of each soft label.
import matplotlib.pyplot as plt
import torch

from skmixup.mixup import mixup_batch, one_hot, sample_lambda

generator = torch.Generator().manual_seed(0)
x = torch.from_numpy(X_train[:8])
y_soft = one_hot(torch.from_numpy(y_train[:8]), n_classes=10)
lam = sample_lambda(1.0, size=8, generator=generator)  # one coefficient per image
x_mixed, y_mixed, partner = mixup_batch(x, y_soft, lam, generator=generator)

fig, axes = plt.subplots(1, 8, figsize=(12, 2.2), layout="constrained")
for ax, image, target in zip(axes, x_mixed, y_mixed):
    ax.imshow(image[0], cmap="gray_r", vmin=0, vmax=1)
    top = torch.argsort(target, descending=True)[:2]
    ax.set_title(
        "\n".join(f"{int(k)}: {target[k]:.2f}" for k in top if target[k] >= 0.005), fontsize=9
    )
    ax.set_axis_off()
plt.show()

# %%
# Training: the same CNN with and without mixup
# ---------------------------------------------
# ``alpha=0.2`` mixes gently, the range the paper's authors suggest for small
# networks. Everything else, including the initial weights, is shared.
from skmixup import MixupClassifier

models = {
    "ERM (alpha=0)": MixupClassifier(alpha=0.0, max_epochs=15, batch_size=64, random_state=0),
    "mixup (alpha=0.2)": MixupClassifier(alpha=0.2, max_epochs=15, batch_size=64, random_state=0),
}
for name, model in models.items():
    model.fit(X_train, y_train)
    proba = model.predict_proba(X_test)
    print(
        f"{name:18}  test accuracy {model.score(X_test, y_test):.3f}   "
        f"mean confidence {proba.max(axis=1).mean():.3f}"
    )

print(
    type(models["ERM (alpha=0)"].net_.module_).__name__,
    "built for input shape",
    models["ERM (alpha=0)"].input_shape_,
)

# %%
# Training curves
# ---------------
# ``loss_curve_`` is the mean training loss of each epoch. With mixup it is
# measured on mixed batches, whose soft targets cannot be fitted to zero loss,
# so it stays higher than the ERM curve: compare the models on held-out data,
# not by this curve.
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
for name, model in models.items():
    ax.plot(range(1, model.n_iter_ + 1), model.loss_curve_, marker="o", label=name)
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.set_yscale("log")
ax.legend()
plt.show()

# %%
# The test digits the mixup network gets wrong
# --------------------------------------------
mixup_model = models["mixup (alpha=0.2)"]
predicted = mixup_model.predict(X_test)
wrong = np.flatnonzero(predicted != y_test)[:8]
if len(wrong):
    fig, axes = plt.subplots(
        1, len(wrong), figsize=(1.5 * len(wrong), 2), layout="constrained", squeeze=False
    )
    for ax, k in zip(axes[0], wrong):
        ax.imshow(X_test[k, 0], cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"true {y_test[k]}, said {predicted[k]}", fontsize=9)
        ax.set_axis_off()
    plt.show()

# %%
# Larger images work the same way; pass your own network with ``module=`` (a
# :class:`torch.nn.Module` class or instance returning logits) when the small
# CNN is not enough, and a GPU with ``device="cuda"`` (the default ``"auto"``
# picks one when present).
