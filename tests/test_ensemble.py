"""fit_members: many fits trained by one net end where their own fits end."""

import numpy as np
import pytest
import torch
from sklearn.base import clone

from skmixup import MixupClassifier
from skmixup._ensemble import MemberAdam, StackedMLP, fit_members
from skmixup.modules import MLP


def _max_gap(a, b):
    return max(
        float((p - q).detach().abs().max())
        for p, q in zip(a.net_.module_.parameters(), b.net_.module_.parameters())
    )


@pytest.mark.parametrize(
    "params",
    [
        dict(max_epochs=4),  # the defaults: cosine lr, batch "auto", one 256-wide layer
        dict(
            max_epochs=3,
            batch_size=16,
            lr_schedule="constant",
            hidden_layer_sizes=(32, 16),
            lambda_mode="example",
            class_weight="balanced",
        ),
        dict(
            max_epochs=3,
            batch_size=8,
            optimizer="adamw",
            weight_decay=0.01,
            optimizer_params={"betas": (0.8, 0.99)},
        ),
    ],
)
def test_members_end_where_their_own_fits_end(iris, params):
    # Unequal training sets: with batches of 16, 150 and 141 rows take 10 batches, 130 take
    # 9, so the last member skips a step per epoch and keeps its own Adam step count and lr.
    X, y = iris
    rows = [np.arange(150), np.arange(141), np.arange(130), np.arange(3, 147)]
    alphas = [0.4, 0.0, 1.0, 0.2]
    weight = np.linspace(0.5, 2.0, len(y))
    base = MixupClassifier(device="cpu", random_state=0, **params)
    members = fit_members(
        [clone(base).set_params(alpha=a) for a in alphas], [(X[r], y[r], weight[r]) for r in rows]
    )
    for r, alpha, member in zip(rows, alphas, members):
        single = clone(base).set_params(alpha=alpha).fit(X[r], y[r], sample_weight=weight[r])
        # Same init, data order, partners, lambdas, Adam and lr: only summation order differs.
        assert _max_gap(member, single) < 1e-5
        np.testing.assert_allclose(member.loss_curve_, single.loss_curve_, rtol=1e-5)
        assert member.n_iter_ == single.n_iter_ == params["max_epochs"]
        np.testing.assert_allclose(member.predict_proba(X), single.predict_proba(X), atol=1e-5)


def test_a_member_missing_a_class_is_its_own_fit(iris):
    # A split without class 2 has two outputs; stacked beside three-class members it gets a
    # constant -1e9 logit for the third, and must still train exactly as its own fit.
    X, y = iris
    rows = [np.arange(150), np.flatnonzero(y < 2)]
    base = MixupClassifier(max_epochs=3, batch_size=16, device="cpu", random_state=1)
    members = fit_members(
        [clone(base).set_params(alpha=0.4) for _ in rows], [(X[r], y[r], None) for r in rows]
    )
    single = clone(base).set_params(alpha=0.4).fit(X[rows[1]], y[rows[1]])
    assert list(members[1].classes_) == [0, 1]
    assert members[1].net_.module_.layers[-1].out_features == 2
    assert _max_gap(members[1], single) < 1e-5


def test_stacked_mlp_matches_its_members():
    torch.manual_seed(0)
    mlps = [MLP(5, 3, (7, 4)) for _ in range(2)] + [MLP(5, 2, (7, 4))]
    stacked = StackedMLP(mlps)
    x = torch.randn(3, 10, 5)
    out = stacked(x)
    assert out.shape == (3, 10, 3)
    for m, mlp in enumerate(mlps):
        k = mlp.layers[-1].out_features
        torch.testing.assert_close(out[m, :, :k], mlp(x[m]))
        copy = stacked.copy_member_to(m, MLP(5, k, (7, 4)))
        torch.testing.assert_close(copy(x[m]), mlp(x[m]))
    assert torch.all(out[2, :, 2] < -1e8)  # the output member 2 lacks
    torch.testing.assert_close(stacked(x[:2]), out[:2])


def test_stacked_mlp_rejects_mixed_architectures():
    with pytest.raises(ValueError, match="same hidden sizes"):
        StackedMLP([MLP(5, 3, (7,)), MLP(5, 3, (7, 4))])


@pytest.mark.parametrize("decoupled", [False, True])
def test_member_adam_equals_independent_adams(decoupled):
    gen = torch.Generator().manual_seed(0)
    stacked = torch.randn(4, 6, 3, generator=gen, requires_grad=True)
    singles = [stacked.detach()[m].clone().requires_grad_() for m in range(4)]
    cls = torch.optim.AdamW if decoupled else torch.optim.Adam
    opts = [cls([p], lr=0.1, weight_decay=0.01) for p in singles]
    # Members 0-1 step every time, members 2-3 only on even steps.
    adam = MemberAdam(
        [stacked],
        ranges=[(0, 2), (2, 4)],
        lr=0.1,
        weight_decay=0.01,
        decoupled_weight_decay=decoupled,
    )
    for step in range(6):
        grad = torch.randn(4, 6, 3, generator=gen)
        active = [0, 1] if step % 2 else [0, 1, 2, 3]
        adam.zero_grad()
        stacked.grad = grad.clone()
        adam.n_active = len(active)
        adam.step()
        for m in active:
            opts[m].zero_grad()
            singles[m].grad = grad[m].clone()
            opts[m].step()
    for m in range(4):
        torch.testing.assert_close(stacked.detach()[m], singles[m].detach())


@pytest.mark.parametrize("weighted", [False, True])
def test_members_stop_early_as_their_own_fits(iris, weighted):
    # Each member holds out its own rows (the split its fit would draw), scores them after
    # every epoch and stops through its own skorch EarlyStopping; the best epoch's weights
    # are restored, as at the end of a single fit. Patience 2 stops some members early.
    X, y = iris
    rows = [np.arange(150), np.arange(10, 140), np.arange(150)]
    alphas = [0.0, 1.0, 8.0]
    weight = np.linspace(0.5, 2.0, len(y)) if weighted else np.ones(len(y))
    base = MixupClassifier(
        early_stopping=True,
        n_iter_no_change=2,
        max_epochs=40,
        lr=0.05,
        device="cpu",
        random_state=3,
    )
    members = fit_members(
        [clone(base).set_params(alpha=a) for a in alphas], [(X[r], y[r], weight[r]) for r in rows]
    )
    n_iter = []
    for r, alpha, member in zip(rows, alphas, members):
        single = clone(base).set_params(alpha=alpha).fit(X[r], y[r], sample_weight=weight[r])
        assert member.n_iter_ == single.n_iter_
        np.testing.assert_allclose(
            member.validation_loss_curve_, single.validation_loss_curve_, rtol=1e-4
        )
        assert _max_gap(member, single) < 1e-4
        n_iter.append(member.n_iter_)
    assert min(n_iter) < 40  # the stopping was exercised


def test_fit_members_refuses_warm_starts(iris):
    X, y = iris
    est = MixupClassifier(warm_start=True, max_epochs=2, device="cpu").fit(X, y)
    with pytest.raises(ValueError, match="warm starts"):
        fit_members([est], [(X, y, None)])


def test_wide_networks_are_not_stacked_on_a_cpu():
    # On a CPU a stack pays only for small networks (see stackable's docstring); the
    # default hidden layer of 256 crosses the limit between 200 and 300 input columns.
    from skmixup._ensemble import _CPU_STACK_MEMBER, stackable

    assert (255 * 256 + 256) <= _CPU_STACK_MEMBER < (257 * 256 + 256)
    narrow, wide = np.zeros((4, 255), np.float32), np.zeros((4, 257), np.float32)
    assert stackable(narrow, MixupClassifier(device="cpu"))
    assert not stackable(wide, MixupClassifier(device="cpu"))
    assert not stackable(narrow, MixupClassifier(device="cpu", hidden_layer_sizes=(256, 256)))
    assert not stackable(narrow, MixupClassifier(device="cpu", optimizer="sgd"))
