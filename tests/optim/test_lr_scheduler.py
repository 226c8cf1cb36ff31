"""Learning-rate schedulers: 100 steps of each against torch.optim.lr_scheduler (values equal
to 1e-12), composition, state_dict round trips, warnings and errors."""

from __future__ import annotations

import copy
import math
import warnings

import numpy as np
import pytest

import neuronet
import neuronet.optim as optim
from neuronet.optim import lr_scheduler

torch = pytest.importorskip("torch")


def _optimizers(kind="SGD"):
    """The same two-group optimizer in both frameworks (lrs 0.1 and 0.05)."""
    def build(module, make_leaf):
        groups = [{"params": [make_leaf()]}, {"params": [make_leaf()], "lr": 0.05}]
        if kind == "SGD":
            return module.SGD(groups, lr=0.1, momentum=0.9)
        return getattr(module, kind)(groups, lr=0.1)

    ours = build(optim, lambda: neuronet.zeros(2, requires_grad=True))
    theirs = build(torch.optim, lambda: torch.zeros(2, requires_grad=True))
    return ours, theirs


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]


def _assert_close(a, b, what):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-12,
                               atol=1e-15, err_msg=what)


def _run_both(build, kind="SGD", steps=100, epochs=None):
    """Build the scheduler in both frameworks and compare lr (and momentum) at every step."""
    ours_opt, theirs_opt = _optimizers(kind)
    ours = build(lr_scheduler, ours_opt)
    theirs = build(torch.optim.lr_scheduler, theirs_opt)
    history = [ours.get_last_lr()]
    _assert_close(ours.get_last_lr(), theirs.get_last_lr(), "initial lr")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # step(epoch) deprecation
        for i in range(steps):
            ours_opt.step(), theirs_opt.step()
            if epochs is None:
                ours.step(), theirs.step()
            else:
                ours.step(epochs[i]), theirs.step(epochs[i])
            _assert_close(ours.get_last_lr(), theirs.get_last_lr(), f"lr at step {i + 1}")
            _assert_close([g["lr"] for g in ours_opt.param_groups],
                          [g["lr"] for g in theirs_opt.param_groups], f"group lr {i + 1}")
            _assert_close(_momenta(ours_opt), _momenta(theirs_opt), f"momentum {i + 1}")
            history.append(ours.get_last_lr())
    assert getattr(ours, "last_epoch", None) == getattr(theirs, "last_epoch", None)
    return history


class _Halving:
    """A callable object: its __dict__ goes into the state_dict."""

    def __init__(self):
        self.rate = 0.5

    def __call__(self, epoch):
        return self.rate ** (epoch // 10)


SCHEDULES = {
    "StepLR": lambda s, o: s.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda s, o: s.MultiStepLR(o, milestones=[10, 30, 30, 60], gamma=0.3),
    "ExponentialLR": lambda s, o: s.ExponentialLR(o, gamma=0.95),
    "CosineAnnealingLR": lambda s, o: s.CosineAnnealingLR(o, T_max=30, eta_min=1e-3),
    "CosineAnnealingLR-T1": lambda s, o: s.CosineAnnealingLR(o, T_max=1),
    "LambdaLR": lambda s, o: s.LambdaLR(o, lambda e: 1.0 / (1.0 + e)),
    "LambdaLR-per-group": lambda s, o: s.LambdaLR(o, [lambda e: 0.99**e, _Halving()]),
    "MultiplicativeLR": lambda s, o: s.MultiplicativeLR(o, lambda e: 0.97),
    "LinearLR": lambda s, o: s.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=20),
    "LinearLR-down": lambda s, o: s.LinearLR(o, start_factor=1.0, end_factor=0.0,
                                             total_iters=30),
    "ConstantLR": lambda s, o: s.ConstantLR(o, factor=0.5, total_iters=10),
    "PolynomialLR": lambda s, o: s.PolynomialLR(o, total_iters=50, power=2.0),
    "OneCycleLR-cos": lambda s, o: s.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=100),
    "OneCycleLR-linear": lambda s, o: s.OneCycleLR(o, max_lr=0.4, epochs=10, steps_per_epoch=10,
                                                   anneal_strategy="linear", pct_start=0.25),
    "OneCycleLR-three-phase": lambda s, o: s.OneCycleLR(o, max_lr=0.3, total_steps=100,
                                                        three_phase=True, div_factor=10.0),
    "OneCycleLR-no-momentum": lambda s, o: s.OneCycleLR(o, max_lr=0.3, total_steps=100,
                                                        cycle_momentum=False),
    "CosineAnnealingWarmRestarts": lambda s, o: s.CosineAnnealingWarmRestarts(
        o, T_0=10, T_mult=2, eta_min=1e-3),
    "CosineAnnealingWarmRestarts-T1": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=7),
    "CyclicLR-triangular": lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=7),
    "CyclicLR-triangular2": lambda s, o: s.CyclicLR(o, [0.01, 0.02], 0.1, step_size_up=5,
                                                    step_size_down=9, mode="triangular2"),
    "CyclicLR-exp_range": lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=6,
                                                  mode="exp_range", gamma=0.97),
    "SequentialLR": lambda s, o: s.SequentialLR(
        o, [s.LinearLR(o, start_factor=0.1, total_iters=5), s.ExponentialLR(o, gamma=0.9)],
        milestones=[5]),
    "SequentialLR-three": lambda s, o: s.SequentialLR(
        o, [s.ConstantLR(o, factor=0.2, total_iters=3), s.CosineAnnealingLR(o, T_max=20),
            s.StepLR(o, step_size=4, gamma=0.7)], milestones=[10, 40]),
    "ChainedScheduler": lambda s, o: s.ChainedScheduler(
        [s.ConstantLR(o, factor=0.5, total_iters=4), s.ExponentialLR(o, gamma=0.95)]),
    "ChainedScheduler-linear-cosine": lambda s, o: s.ChainedScheduler(
        [s.LinearLR(o, start_factor=0.2, total_iters=10), s.CosineAnnealingLR(o, T_max=25)],
        optimizer=o),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_100_steps_match_torch(name):
    history = _run_both(SCHEDULES[name])
    assert len({tuple(h) for h in history}) > 1  # the schedule did change the lr


@pytest.mark.parametrize("kind", ["Adam", "NAdam", "RAdam"])
def test_one_cycle_cycles_adams_beta1(kind):
    _run_both(lambda s, o: s.OneCycleLR(o, max_lr=0.01, total_steps=100), kind=kind)
    ours_opt, _ = _optimizers(kind)
    lr_scheduler.OneCycleLR(ours_opt, max_lr=0.01, total_steps=100, base_momentum=0.8)
    assert ours_opt.param_groups[0]["betas"] == (0.95, 0.999)


def test_cyclic_lr_cycles_adams_beta1():
    _run_both(lambda s, o: s.CyclicLR(o, 0.001, 0.01, step_size_up=5), kind="Adam")


def test_two_schedulers_on_one_optimizer_compose():
    def build(s, o):
        first = s.StepLR(o, step_size=5, gamma=0.5)
        second = s.ExponentialLR(o, gamma=0.98)

        class Both:
            def step(self):
                first.step(), second.step()

            def get_last_lr(self):
                return second.get_last_lr()

            last_epoch = property(lambda self: first.last_epoch)

        return Both()

    _run_both(build)


def test_deprecated_step_with_epoch_uses_the_closed_form():
    for name in ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
                 "ConstantLR", "PolynomialLR"]:
        epochs = [3, 1, 17, 17, 40, 2, 25, 60, 0, 9]
        _run_both(SCHEDULES[name], steps=len(epochs), epochs=epochs)


def test_warm_restarts_with_fractional_epochs():
    epochs = [i / 4 for i in range(100)]
    _run_both(SCHEDULES["CosineAnnealingWarmRestarts"], epochs=epochs)
    _run_both(lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=5), steps=6,
              epochs=[0.5, 4.9, 5.0, 12.3, 2.0, 31.0])


# --- ReduceLROnPlateau ---------------------------------------------------------------------
def _metrics(seed, n=100):
    rng = np.random.default_rng(seed)
    trend = np.maximum(1.0 - np.arange(n) / 40, 0.3)  # improves, then plateaus
    return trend + 0.02 * rng.standard_normal(n)


@pytest.mark.parametrize("kw", [
    {},
    {"patience": 3},
    {"patience": 2, "factor": 0.5, "cooldown": 3},
    {"mode": "max", "patience": 2, "threshold": 0.01},
    {"threshold_mode": "abs", "threshold": 0.01, "patience": 1},
    {"mode": "max", "threshold_mode": "abs", "threshold": 0.0, "patience": 0, "factor": 0.9},
    {"patience": 1, "min_lr": [0.02, 0.001], "factor": 0.5},
    {"patience": 0, "factor": 0.5, "min_lr": 0.01, "eps": 1e-3},
])
def test_reduce_on_plateau_matches_torch(kw):
    ours_opt, theirs_opt = _optimizers()
    ours = lr_scheduler.ReduceLROnPlateau(ours_opt, **kw)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_opt, **kw)
    metrics = _metrics(0) if kw.get("mode") != "max" else -_metrics(0)
    lrs = []
    for i, m in enumerate(metrics):
        ours.step(neuronet.tensor(m) if i % 2 else float(m))  # Tensors and numbers both work
        theirs.step(float(m))
        _assert_close(ours.get_last_lr(), theirs.get_last_lr(), f"step {i}")
        assert ours.num_bad_epochs == theirs.num_bad_epochs
        assert ours.cooldown_counter == theirs.cooldown_counter
        lrs.append(ours.get_last_lr()[0])
    assert lrs[-1] < lrs[0]


def test_reduce_on_plateau_errors():
    opt, _ = _optimizers()
    with pytest.raises(ValueError, match="factor should be < 1.0"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="'median' is unknown"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="median")
    with pytest.raises(ValueError, match="threshold mode 'pct'"):
        lr_scheduler.ReduceLROnPlateau(opt, threshold_mode="pct")
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 3"):
        lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0, 0, 0])


# --- state_dict ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "OneCycleLR-cos",
                                  "LambdaLR-per-group", "SequentialLR-three", "LinearLR",
                                  "CosineAnnealingWarmRestarts", "CyclicLR-triangular2",
                                  "ChainedScheduler"])
def test_scheduler_state_dict_round_trip_continues_identically(name):
    build = SCHEDULES[name]
    ref_opt, _ = _optimizers()
    ref = build(lr_scheduler, ref_opt)
    reference = []
    for _ in range(60):
        ref_opt.step(), ref.step()
        reference.append(ref.get_last_lr())

    opt_a, _ = _optimizers()
    sched_a = build(lr_scheduler, opt_a)
    for _ in range(30):
        opt_a.step(), sched_a.step()
    saved_sched = copy.deepcopy(sched_a.state_dict())
    saved_opt = copy.deepcopy(opt_a.state_dict())
    assert "optimizer" not in saved_sched

    opt_b, _ = _optimizers()
    sched_b = build(lr_scheduler, opt_b)
    sched_b.load_state_dict(saved_sched)
    opt_b.load_state_dict(saved_opt)
    resumed = reference[:30]
    for _ in range(30):
        opt_b.step(), sched_b.step()
        resumed.append(sched_b.get_last_lr())
    assert resumed == reference


def test_scheduler_state_dict_keys_match_torch():
    ours_opt, theirs_opt = _optimizers()
    for name in ["StepLR", "CosineAnnealingLR", "OneCycleLR-cos", "ExponentialLR"]:
        ours = SCHEDULES[name](lr_scheduler, ours_opt)
        theirs = SCHEDULES[name](torch.optim.lr_scheduler, theirs_opt)
        assert set(ours.state_dict()) <= set(theirs.state_dict()) | {"_is_initial"}
        assert {"base_lrs", "last_epoch", "_step_count", "_last_lr"} <= set(ours.state_dict())


def test_reduce_on_plateau_state_dict_round_trip():
    metrics = _metrics(1)
    opt, _ = _optimizers()
    ref = lr_scheduler.ReduceLROnPlateau(opt, patience=2, cooldown=1)
    reference = []
    for m in metrics:
        ref.step(m)
        reference.append(ref.get_last_lr())
    opt_a, _ = _optimizers()
    a = lr_scheduler.ReduceLROnPlateau(opt_a, patience=2, cooldown=1)
    for m in metrics[:50]:
        a.step(m)
    opt_b, _ = _optimizers()
    b = lr_scheduler.ReduceLROnPlateau(opt_b, patience=2, cooldown=1)
    b.load_state_dict(copy.deepcopy(a.state_dict()))
    opt_b.load_state_dict(copy.deepcopy(opt_a.state_dict()))
    resumed = reference[:50]
    for m in metrics[50:]:
        b.step(m)
        resumed.append(b.get_last_lr())
    assert resumed == reference


# --- protocol, warnings and errors ---------------------------------------------------------
def test_initial_lr_and_base_lrs_are_set_once():
    opt, _ = _optimizers()
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05] == sched.base_lrs
    opt.step(), sched.step()
    second = lr_scheduler.ExponentialLR(opt, gamma=0.9)  # keeps the first initial_lr
    assert second.base_lrs == [0.1, 0.05]
    assert [g["lr"] for g in opt.param_groups] == [0.05, 0.025]


def test_resuming_needs_initial_lr():
    opt, _ = _optimizers()
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(opt, step_size=3, last_epoch=5)
    lr_scheduler.StepLR(opt, step_size=3)
    sched = lr_scheduler.StepLR(opt, step_size=3, last_epoch=5)
    assert sched.last_epoch == 6


def test_scheduler_step_before_optimizer_step_warns():
    opt, _ = _optimizers()
    sched = lr_scheduler.StepLR(opt, step_size=3)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt2, _ = _optimizers()
    sched2 = lr_scheduler.StepLR(opt2, step_size=3)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched2.step()


def test_get_lr_outside_step_warns():
    opt, _ = _optimizers()
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()


def test_scheduler_errors_name_the_problem():
    opt, _ = _optimizers()
    with pytest.raises(TypeError, match="is not an Optimizer"):
        lr_scheduler.StepLR(object(), step_size=2)
    with pytest.raises(ValueError, match="total_steps"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1)
    with pytest.raises(ValueError, match="pct_start"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10, pct_start=1.5)
    with pytest.raises(ValueError, match="max_lr must have the same length"):
        lr_scheduler.OneCycleLR(opt, max_lr=[0.1, 0.2, 0.3], total_steps=10)
    adagrad = optim.Adagrad([neuronet.zeros(1, requires_grad=True)])
    with pytest.raises(ValueError, match="momentum or beta1.*Adagrad"):
        lr_scheduler.OneCycleLR(adagrad, max_lr=0.1, total_steps=10)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        for _ in range(4):
            opt.step(), sched.step()
    with pytest.raises(ValueError, match="factor"):
        lr_scheduler.ConstantLR(opt, factor=2.0)
    with pytest.raises(ValueError, match="start_factor"):
        lr_scheduler.LinearLR(opt, start_factor=0.0)
    with pytest.raises(ValueError, match="T_0"):
        lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(ValueError, match="number of milestone"):
        lr_scheduler.SequentialLR(opt, [lr_scheduler.StepLR(opt, 2)], milestones=[3])
    plateau = lr_scheduler.ReduceLROnPlateau(opt)
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        lr_scheduler.ChainedScheduler([plateau])
    other, _ = _optimizers()
    with pytest.raises(ValueError, match="same optimizer"):
        lr_scheduler.SequentialLR(opt, [lr_scheduler.StepLR(opt, 2),
                                        lr_scheduler.StepLR(other, 2)], milestones=[3])


def test_the_scheduled_lr_drives_the_optimizer():
    """StepLR halves SGD's steps: the parameter moves by lr * grad with the scheduled lr."""
    w = neuronet.tensor([0.0], dtype=neuronet.float64, requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(4):
        w.grad = neuronet.tensor([-1.0], dtype=neuronet.float64)
        opt.step()
        sched.step()
    assert math.isclose(w.item(), 1.0 + 0.5 + 0.25 + 0.125)
