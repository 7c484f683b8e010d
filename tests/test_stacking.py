"""The stacking engine: many fits trained by one net end where their own fits end."""

import numpy as np
import pytest
import torch
from sklearn.base import clone

from skmixup import MixupClassifier
from skmixup._stacking import MemberAdam, StackedMLP, fit_members, stack_refusal
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
        # RegMixup's clean term (one more forward pass on the unmixed batch), and mixing
        # during the first half only: both stacked, each member still its own fit.
        dict(max_epochs=4, clean_weight=0.5, lambda_mode="example"),
        dict(max_epochs=4, mix_fraction=0.5, batch_size=32),
        dict(max_epochs=3, clean_weight=0.3, mix_fraction=0.7, mix_targets=False),
        dict(max_epochs=3, label_smoothing=0.1),
    ],
)
def test_members_end_where_their_own_fits_end(iris, params):
    # Unequal training sets: with batches of 16, 150 and 141 rows take 10 batches, 130 take
    # 9, so the last member skips a step per epoch and keeps its own Adam step count and lr.
    X, y = iris
    rows = [np.arange(150), np.arange(141), np.arange(130), np.arange(3, 147)]
    alphas = [0.4, 0.0, 1.0, 0.2]
    weight = np.linspace(0.5, 2.0, len(y))
    base = MixupClassifier(alpha=0.2, device="cpu", random_state=0, **params)
    assert stack_refusal(base, X, y) is None  # stacked, not refused
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


def test_members_differing_in_other_parameters_are_refused(iris):
    X, y = iris
    base = MixupClassifier(max_epochs=2, device="cpu")
    with pytest.raises(ValueError, match=r"differ only in alpha, random_state.*\['lr'\]"):
        fit_members([base, clone(base).set_params(lr=0.1)], [(X, y, None)] * 2)
    with pytest.raises(ValueError, match="clean_weight"):
        fit_members([base, clone(base).set_params(clean_weight=0.5)], [(X, y, None)] * 2)
    # alpha and random_state may differ
    fit_members([base, clone(base).set_params(alpha=1.0, random_state=3)], [(X, y, None)] * 2)


def test_a_parameter_the_engine_does_not_know_is_refused_unless_at_its_default(iris, monkeypatch):
    # What the engine implements is read from each member's net: a net parameter it does not
    # name (here clean_weight, as if it had just been added) is stacked only at MixupNet's
    # default, and refused (one fit after another) at any other value.
    from skmixup import _stacking

    X, y = iris
    base = MixupClassifier(max_epochs=2, device="cpu")
    monkeypatch.delitem(_stacking._NET_PARAMS, "clean_weight")
    assert stack_refusal(base, X, y) is None
    reason = stack_refusal(clone(base).set_params(clean_weight=0.5), X, y)
    assert "clean_weight=0.5" in reason
    with pytest.raises(_stacking.NotStackable, match="clean_weight"):
        fit_members([clone(base).set_params(clean_weight=0.5)] * 2, [(X, y, None)] * 2)


def test_what_the_stack_does_not_implement_is_refused(iris):
    from skorch.callbacks import Callback, GradientNormClipping

    class EveryEpoch(Callback):
        def on_epoch_end(self, net, **kwargs):
            pass

    X, y = iris
    base = MixupClassifier(max_epochs=2, device="cpu")
    for params, why in [
        (dict(optimizer="sgd"), "optimizer"),
        (dict(partners="same_class"), "partners"),
        (dict(mix_layer=1), "mix_layer"),
        (dict(hidden_layer_sizes=(256, 256)), "multiply-adds"),  # the CPU rule
        (dict(callbacks=[GradientNormClipping(1.0)]), "on_grad_computed"),
    ]:
        assert why in stack_refusal(clone(base).set_params(**params), X, y)
    assert stack_refusal(clone(base).set_params(callbacks=[EveryEpoch()]), X, y) is None
    # Label smoothing is stacked while the members share their classes.
    smooth = clone(base).set_params(label_smoothing=0.1)
    rows = [np.arange(150), np.flatnonzero(y < 2)]
    with pytest.raises(ValueError, match="label smoothing"):
        fit_members([smooth, clone(smooth)], [(X[r], y[r], None) for r in rows])


def test_a_members_keyboard_interrupt_stops_that_member_only(iris):
    from skorch.callbacks import Callback

    class StopStrongMixing(Callback):  # skorch's convention: raise KeyboardInterrupt to stop
        def on_epoch_end(self, net, **kwargs):
            if net.alpha > 0.5 and len(net.history) == 2:
                raise KeyboardInterrupt

    X, y = iris
    base = MixupClassifier(max_epochs=5, device="cpu", random_state=0)
    base.set_params(callbacks=[StopStrongMixing()], lr_schedule="constant")
    alphas = [0.2, 1.0]
    members = fit_members([clone(base).set_params(alpha=a) for a in alphas], [(X, y, None)] * 2)
    assert [m.n_iter_ for m in members] == [5, 2]
    for alpha, member in zip(alphas, members):
        single = clone(base).set_params(alpha=alpha).fit(X, y)
        assert member.n_iter_ == single.n_iter_
        assert _max_gap(member, single) < 1e-5


def test_members_run_their_own_callbacks(iris):
    from skorch.callbacks import Callback

    class Count(Callback):
        def on_train_begin(self, net, **kwargs):
            self.calls = ["begin"]

        def on_epoch_end(self, net, **kwargs):
            self.calls.append(len(net.history))
            net.history.record("weight_norm", float(net.module_.layers[0].weight.detach().norm()))

        def on_train_end(self, net, **kwargs):
            self.calls.append("end")

    X, y = iris
    base = MixupClassifier(max_epochs=3, device="cpu", random_state=0, callbacks=[Count()])
    members = fit_members([clone(base).set_params(alpha=a) for a in (0.0, 0.4)], [(X, y, None)] * 2)
    for alpha, member in zip((0.0, 0.4), members):
        counter = dict(member.net_.callbacks_)["Count"]
        assert counter.calls == ["begin", 1, 2, 3, "end"]
        single = clone(base).set_params(alpha=alpha).fit(X, y)
        # The callback saw the member's own weights at each epoch: those of its own fit.
        np.testing.assert_allclose(
            member.net_.history[:, "weight_norm"], single.net_.history[:, "weight_norm"], rtol=1e-5
        )
        assert (
            member.net_.history[-1, "train_loss_best"] == single.net_.history[-1, "train_loss_best"]
        )


def test_a_diverging_member_raises_its_own_error(iris):
    # Members differ only in their data: one on features near 1e37 (its loss overflows in
    # the first epoch), one on the standardised table.
    from sklearn.datasets import load_iris

    X, y = iris
    huge = (load_iris().data * 3e37).astype(np.float32)
    base = MixupClassifier(max_epochs=3, device="cpu", random_state=0)
    with pytest.raises(ValueError) as single:
        clone(base).fit(huge, y)
    assert "training loss became inf at epoch 1" in str(single.value)
    members = [clone(base), clone(base)]
    with pytest.raises(ValueError) as stacked:
        fit_members(members, [(huge, y, None), (X, y, None)])
    assert str(stacked.value) == str(single.value)
    assert not any(hasattr(m, "net_") for m in members)  # nothing half-fitted
    # errors="keep": the member's error in its place, the other member trained on.
    members = [clone(base), clone(base)]
    fitted = fit_members(members, [(huge, y, None), (X, y, None)], errors="keep")
    assert isinstance(fitted[0], ValueError) and str(fitted[0]) == str(single.value)
    assert fitted[1] is members[1] and fitted[1].n_iter_ == 3
    assert not hasattr(members[0], "net_")
    alone = clone(base).fit(X, y)
    assert _max_gap(fitted[1], alone) < 1e-5


def test_on_a_cpu_only_small_steps_of_enough_members_are_stacked(monkeypatch):
    # Rows per step, multiply-adds per member step and members, against the thresholds
    # measured with benchmarks/bench_cv.py.
    from skmixup import _stacking

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(4096, 10)).astype(np.float32), rng.integers(0, 3, 4096)
    base = MixupClassifier(device="cpu", hidden_layer_sizes=(256,))
    weights = 10 * 256 + 256 + 256 * 3 + 3
    for rows in (32, 128, 256, 512):
        reason = stack_refusal(clone(base).set_params(batch_size=rows), X, y, n_members=5)
        small = rows <= _stacking.CPU_STACK_ROWS and rows * weights <= _stacking.CPU_STACK_STEP
        assert (reason is None) == small, reason
    assert "rows" in stack_refusal(clone(base).set_params(batch_size=256), X, y)
    wide = clone(base).set_params(batch_size=128, hidden_layer_sizes=(256, 256))
    assert "multiply-adds" in stack_refusal(wide, X, y)
    assert "2 members" in stack_refusal(clone(base).set_params(batch_size=32), X, y, n_members=2)
    monkeypatch.setattr(_stacking, "CPU_STACK_ROWS", 512)
    monkeypatch.setattr(_stacking, "CPU_STACK_STEP", 512 * weights)
    assert stack_refusal(clone(base).set_params(batch_size=512), X, y) is None


def test_members_of_the_auto_recipe_are_their_own_fits(iris):
    # alpha="auto" resolves in each member's net (Beta(2, 2) mixing for the first half of
    # the epochs, then ERM): the stack reads what the nets were given, each member its own.
    X, y = iris
    base = MixupClassifier(alpha="auto", mix_fraction="auto", max_epochs=4, device="cpu")
    members = [clone(base).set_params(random_state=s) for s in (0, 1, 2)]
    fit_members(members, [(X, y, None)] * 3)
    for member in members:
        assert member.net_.alpha > 0 and member.net_.mix_fraction < 1
        single = clone(member).fit(X, y)
        assert _max_gap(member, single) < 1e-5
        np.testing.assert_allclose(member.loss_curve_, single.loss_curve_, rtol=1e-5)
