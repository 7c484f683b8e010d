"""The batched ensemble trains each member as a single MixupClassifier fit would."""

import numpy as np
import pytest
import torch
from sklearn.utils import check_random_state

from skmixup import MixupClassifier
from skmixup.ensemble import BatchedAdam, StackedMLP, fit_mixup_ensemble
from skmixup.modules import MLP


def _single_fit_seed(random_state):
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


@pytest.mark.parametrize("lambda_mode", ["batch", "example"])
def test_members_follow_single_fits(iris, lambda_mode):
    # Unequal training sets: 150 and 141 rows give 10 batches of 16, 130 gives 9, so the
    # last member skips one step per epoch and must keep its own Adam step count.
    X, y = iris
    rows = [np.arange(150), np.arange(141), np.arange(130), np.arange(3, 147)]
    alphas = [0.4, 0.0, 1.0, 0.2]
    seed = _single_fit_seed(0)
    Y = np.eye(3, dtype=np.float32)[y]
    ens = fit_mixup_ensemble(torch.from_numpy(X), torch.from_numpy(Y),
                             [torch.as_tensor(r) for r in rows], alphas, [seed] * 4,
                             max_epochs=3, batch_size=16, lambda_mode=lambda_mode)
    for m, (r, alpha) in enumerate(zip(rows, alphas)):
        clf = MixupClassifier(alpha=alpha, max_epochs=3, batch_size=16, lambda_mode=lambda_mode,
                              device="cpu", random_state=0, early_stopping=False,
                              lr_schedule="constant", hidden_layer_sizes=(128, 128),
                              lr=1e-3).fit(X[r], y[r])
        single = dict(clf.net_.module_.named_parameters())
        member = dict(ens.member(m).named_parameters())
        for name, p in single.items():
            # Same data order, partners, lambdas, init and Adam: only summation order differs.
            np.testing.assert_allclose(member[name].detach(), p.detach(), atol=1e-5, rtol=0)


def test_members_differ_only_by_their_inputs(iris):
    # Same seed and rows, different alpha: different models; same alpha: identical ones.
    X, y = iris
    Y = np.eye(3, dtype=np.float32)[y]
    rows = [torch.arange(120)] * 3
    ens = fit_mixup_ensemble(torch.from_numpy(X), torch.from_numpy(Y), rows, [0.4, 0.4, 2.0],
                             [7, 7, 7], max_epochs=2, batch_size=16)
    w = ens.weights[0].detach()
    assert torch.equal(w[0], w[1])
    assert not torch.allclose(w[0], w[2])


def test_stacked_mlp_matches_its_members():
    torch.manual_seed(0)
    mlps = [MLP(5, 3, (7, 4)) for _ in range(3)]
    stacked = StackedMLP(mlps)
    x = torch.randn(3, 10, 5)
    out = stacked(x)
    assert out.shape == (3, 10, 3)
    for m, mlp in enumerate(mlps):
        torch.testing.assert_close(out[m], mlp(x[m]))
        torch.testing.assert_close(stacked.member(m)(x[m]), mlp(x[m]))
    torch.testing.assert_close(stacked(x[:2], 2), out[:2])


def test_stacked_mlp_rejects_mixed_architectures():
    with pytest.raises(ValueError, match="identical architecture"):
        StackedMLP([MLP(5, 3, (7,)), MLP(5, 3, (7, 4))])


@pytest.mark.parametrize("decoupled", [False, True])
def test_batched_adam_equals_independent_adams(decoupled):
    gen = torch.Generator().manual_seed(0)
    stacked = torch.randn(4, 6, 3, generator=gen, requires_grad=True)
    singles = [stacked.detach()[m].clone().requires_grad_() for m in range(4)]
    cls = torch.optim.AdamW if decoupled else torch.optim.Adam
    opts = [cls([p], lr=0.1, weight_decay=0.01) for p in singles]
    # Members 0-1 step every time, members 2-3 only on even steps.
    batched = BatchedAdam([stacked], groups=[(0, 2), (2, 4)], decoupled=decoupled, lr=0.1,
                          weight_decay=0.01)
    for step in range(6):
        grad = torch.randn(4, 6, 3, generator=gen)
        active = [0, 1] if step % 2 else [0, 1, 2, 3]
        batched.zero_grad()
        stacked.grad = grad.clone()
        batched.step(None if len(active) == 4 else [0])
        for m in active:
            opts[m].zero_grad()
            singles[m].grad = grad[m].clone()
            opts[m].step()
    for m in range(4):
        torch.testing.assert_close(stacked.detach()[m], singles[m].detach())


def test_fit_mixup_ensemble_checks_lengths(iris):
    X, y = iris
    Y = torch.from_numpy(np.eye(3, dtype=np.float32)[y])
    with pytest.raises(ValueError, match="same, non-zero length"):
        fit_mixup_ensemble(torch.from_numpy(X), Y, [torch.arange(10)], [0.1, 0.2], [0])
