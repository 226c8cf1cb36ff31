"""Every optimizer and option combination, 50 steps against torch.optim in float64."""

from __future__ import annotations

import numpy as np
import pytest

import neuronet
import neuronet.optim as optim

torch = pytest.importorskip("torch")

from optim_helpers import (  # noqa: E402
    assert_params_close,
    assert_state_close,
    make_params,
    run_side_by_side,
)

CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "maximize": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.2,
             "maximize": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.7, "dampening": 0.3, "weight_decay": 0.1}),
    ("SGD", {}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 0.5}),
    ("Adagrad", {"lr": 0.1, "eps": 1e-3, "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.3, "centered": True, "maximize": True, "eps": 1e-3}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "maximize": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.05, "betas": (0.3, 0.4), "eps": 1e-3}),  # lerp's weight >= 0.5 branch
    ("AdamW", {}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}),
    ("AdamW", {"lr": 0.05, "maximize": True, "weight_decay": 0.0}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.5, "weight_decay": 0.1}),
    ("Adadelta", {"eps": 1e-3, "maximize": True}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adamax", {"lr": 0.05, "betas": (0.3, 0.9), "maximize": True}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("NAdam", {"lr": 0.05, "momentum_decay": 0.05, "maximize": True}),
    ("RAdam", {}),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.05, "betas": (0.6, 0.8), "maximize": True}),
]


def _ids(case):
    name, kw = case
    return name + "-" + ("-".join(f"{k}={v}" for k, v in kw.items()) or "defaults")


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_50_steps_match_torch(case):
    name, kw = case
    ours, theirs, p_ours, p_theirs = run_side_by_side(
        lambda ps: getattr(optim, name)(ps, **kw),
        lambda ps: getattr(torch.optim, name)(ps, **kw),
    )
    assert_params_close(p_ours, p_theirs)
    assert_state_close(ours, theirs, p_ours, p_theirs)
    # the parameters did move
    p0, _ = make_params()
    assert not np.allclose(p_ours[0]._data, p0[0]._data)


GROUP_CASES = [
    ("SGD", {"momentum": 0.9}, {"lr": 0.2, "weight_decay": 0.1, "nesterov": True}),
    ("Adagrad", {}, {"lr": 0.3, "lr_decay": 0.1}),
    ("RMSprop", {"centered": True}, {"lr": 0.002, "momentum": 0.5}),
    ("Adam", {"amsgrad": True}, {"lr": 0.01, "betas": (0.5, 0.9), "weight_decay": 0.1}),
    ("AdamW", {}, {"lr": 0.01, "weight_decay": 0.5}),
    ("Adadelta", {}, {"lr": 0.3, "rho": 0.8}),
    ("Adamax", {}, {"lr": 0.01, "eps": 1e-2}),
    ("NAdam", {}, {"lr": 0.01, "momentum_decay": 0.1}),
    ("RAdam", {}, {"lr": 0.01, "decoupled_weight_decay": True, "weight_decay": 0.2}),
]


@pytest.mark.parametrize("name,defaults,second", GROUP_CASES, ids=[c[0] for c in GROUP_CASES])
def test_param_groups_with_their_own_hyperparameters(name, defaults, second):
    def groups(ps):
        return [{"params": ps[:1]}, {"params": ps[1:], **second}]

    ours, theirs, p_ours, p_theirs = run_side_by_side(
        lambda ps: getattr(optim, name)(groups(ps), lr=0.05, **defaults),
        lambda ps: getattr(torch.optim, name)(groups(ps), lr=0.05, **defaults),
    )
    assert_params_close(p_ours, p_theirs)
    assert_state_close(ours, theirs, p_ours, p_theirs)
    for ga, gb in zip(ours.param_groups, theirs.param_groups):
        assert {k: v for k, v in ga.items() if k != "params"} == \
               {k: v for k, v in gb.items() if k != "params"}


def _mlp_loss(fw, params, x, y):
    """A 3-4-2 tanh MLP's mean squared error, written once for both frameworks."""
    w1, b1, w2, b2 = params
    h = fw.tanh(x @ w1 + b1)
    return ((h @ w2 + b2 - y) ** 2).mean()


@pytest.mark.parametrize("name,kw", [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("NAdam", {"lr": 0.01}),
])
def test_mlp_training_with_closure_matches_torch(name, kw):
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((16, 3)), rng.standard_normal((16, 2))
    shapes = [(3, 4), (4,), (4, 2), (2,)]
    p_ours, p_theirs = make_params(4, shapes=shapes)
    opt_ours = getattr(optim, name)(p_ours, **kw)
    opt_theirs = getattr(torch.optim, name)(p_theirs, **kw)
    xo, yo = neuronet.tensor(x, dtype=neuronet.float64), neuronet.tensor(y, dtype=neuronet.float64)
    xt, yt = torch.tensor(x), torch.tensor(y)

    def closure_ours():
        opt_ours.zero_grad()
        loss = _mlp_loss(neuronet, p_ours, xo, yo)
        loss.backward()
        return loss

    def closure_theirs():
        opt_theirs.zero_grad()
        loss = _mlp_loss(torch, p_theirs, xt, yt)
        loss.backward()
        return loss

    losses = []
    for _ in range(50):
        loss_ours = opt_ours.step(closure_ours)
        loss_theirs = opt_theirs.step(closure_theirs)
        np.testing.assert_allclose(loss_ours.item(), loss_theirs.item(), rtol=1e-6)
        losses.append(loss_ours.item())
    assert_params_close(p_ours, p_theirs)
    assert losses[-1] < 0.9 * losses[0]
