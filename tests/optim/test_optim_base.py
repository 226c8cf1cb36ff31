"""Optimizer base semantics: param groups, validation, zero_grad, closures, state_dict, dtypes,
repr, and the cost of a step."""

from __future__ import annotations

import copy
import doctest
import importlib
import tracemalloc

import numpy as np
import pytest

import neuronet
import neuronet.optim as optim
from neuronet.optim.optimizer import Optimizer

torch = pytest.importorskip("torch")

from optim_helpers import (  # noqa: E402
    assert_params_close,
    assert_state_close,
    grad_sequence,
    make_params,
    set_grads,
)

ALL = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax", "NAdam", "RAdam"]
# Options that make every state entry appear (momentum buffers, centered averages, ...).
RICH = {
    "SGD": {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    "Adagrad": {"lr": 0.05, "lr_decay": 0.01},
    "RMSprop": {"lr": 0.01, "momentum": 0.5, "centered": True},
    "Adam": {"lr": 0.05, "amsgrad": True},
    "AdamW": {"lr": 0.05, "amsgrad": True},
    "Adadelta": {"lr": 0.5},
    "Adamax": {"lr": 0.05},
    "NAdam": {"lr": 0.05, "weight_decay": 0.1},
    "RAdam": {"lr": 0.05},
}


def _leaf(values, dtype=neuronet.float64):
    return neuronet.tensor(values, dtype=dtype, requires_grad=True)


# --- construction and param groups ---------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_defaults_and_group_keys_match_torch(name):
    ours = getattr(optim, name)([_leaf([1.0])])
    theirs = getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)])
    assert ours.defaults == theirs.defaults
    assert sorted(ours.param_groups[0]) == sorted(theirs.param_groups[0])
    assert repr(ours) == repr(theirs)


def test_sgd_default_lr_is_torch_2_13s():
    assert optim.SGD([_leaf([1.0])]).defaults["lr"] == 1e-3


def test_param_groups_fill_defaults_and_keep_their_own():
    a, b = _leaf([1.0]), _leaf([2.0])
    opt = optim.Adam([{"params": [a]}, {"params": b, "lr": 0.5, "betas": (0.8, 0.9)}], lr=0.1)
    g0, g1 = opt.param_groups
    assert g0["lr"] == 0.1 and g0["betas"] == (0.9, 0.999) and g0["params"] == [a]
    assert g1["lr"] == 0.5 and g1["betas"] == (0.8, 0.9) and g1["params"][0] is b
    assert g1["eps"] == 1e-8 and g1["amsgrad"] is False


def test_add_param_group_and_named_params():
    a, b = _leaf([1.0]), _leaf([2.0])
    opt = optim.SGD([("w", a)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["w"]
    opt.add_param_group({"params": [("v", b)], "momentum": 0.9})
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.1
    with pytest.raises(ValueError, match="with/without names"):
        opt.add_param_group({"params": [_leaf([3.0])]})


def test_bad_params_raise_clear_errors():
    a = _leaf([1.0])
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [a]}, {"params": [a]}])
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([a, a])
    with pytest.raises(TypeError, match="only optimize Tensors.*parameter 1.*ndarray"):
        optim.SGD([a, np.ones(2)])
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(a)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD({a})
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([a * 2])
    with pytest.raises(TypeError, match="floating-point"):
        optim.SGD([neuronet.tensor([1, 2])])


@pytest.mark.parametrize("name,kw,match", [
    ("SGD", {"lr": -1.0}, "lr=-1.0"),
    ("SGD", {"momentum": -0.1}, "momentum=-0.1"),
    ("SGD", {"nesterov": True}, "Nesterov"),
    ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "dampening=0.1"),
    ("Adam", {"betas": (1.0, 0.9)}, "beta parameter at index 0"),
    ("Adam", {"betas": (0.9, -0.1)}, "index 1"),
    ("Adam", {"eps": -1e-8}, "eps"),
    ("AdamW", {"weight_decay": -1}, "weight_decay=-1"),
    ("Adam", {"capturable": True}, "capturable"),
    ("RMSprop", {"differentiable": True}, "differentiable"),
    ("Adadelta", {"rho": 1.5}, "rho=1.5"),
    ("Adagrad", {"lr_decay": -1}, "lr_decay"),
    ("Adagrad", {"initial_accumulator_value": -1}, "initial_accumulator_value"),
    ("NAdam", {"momentum_decay": -1}, "momentum_decay"),
])
def test_bad_hyperparameters_name_the_value(name, kw, match):
    with pytest.raises(ValueError, match=match):
        getattr(optim, name)([_leaf([1.0])], **kw)


def test_foreach_and_fused_are_accepted():
    a = _leaf([1.0])
    opt = optim.Adam([a], foreach=True, fused=False)
    assert opt.defaults["foreach"] is True


def test_required_hyperparameter():
    class Plain(Optimizer):
        def __init__(self, params, lr=optim.required):
            super().__init__(params, {"lr": lr})

    with pytest.raises(ValueError, match="required optimization parameter lr"):
        Plain([_leaf([1.0])])
    assert Plain([{"params": [_leaf([1.0])], "lr": 0.1}]).param_groups[0]["lr"] == 0.1


def test_custom_optimizer_written_like_pytorch():
    class PlainSGD(Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, {"lr": lr})

        @neuronet.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.sub_(p.grad * group["lr"])
                        self.state[p]["seen"] = self.state[p].get("seen", 0) + 1

    a = _leaf([1.0, 2.0])
    opt = PlainSGD([a])
    a.grad = neuronet.tensor([1.0, 1.0], dtype=neuronet.float64)
    opt.step()
    np.testing.assert_allclose(a._data, [0.9, 1.9])
    assert opt.state_dict()["state"] == {0: {"seen": 1}}


# --- stepping semantics --------------------------------------------------------------------
def test_zero_grad_semantics():
    a, b = _leaf([1.0, 2.0]), _leaf([3.0])
    opt = optim.SGD([a, b], lr=0.1)
    a.grad = neuronet.tensor([1.0, 1.0], dtype=neuronet.float64)
    opt.zero_grad(set_to_none=False)
    assert b.grad is None
    grad = a.grad
    assert grad is not None and np.array_equal(grad._data, [0.0, 0.0])
    (a * a).sum().backward()  # accumulates into the zeroed grad
    np.testing.assert_allclose(a.grad._data, [2.0, 4.0])
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_zero_grad_detaches_a_grad_with_history():
    a = _leaf([1.0])
    a.grad = _leaf([2.0]) * 3  # a grad that has a graph (create_graph-like)
    optim.SGD([a]).zero_grad(set_to_none=False)
    assert a.grad.grad_fn is None and not a.grad.requires_grad
    assert a.grad.item() == 0.0


def test_zero_grad_vs_none_grad_differ_like_torch():
    """A zero gradient still moves a parameter under weight decay; a None one does not."""
    for set_to_none in (True, False):
        a = _leaf([1.0])
        ta = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
        opt = optim.SGD([a], lr=0.1, weight_decay=0.5)
        topt = torch.optim.SGD([ta], lr=0.1, weight_decay=0.5)
        a.grad = neuronet.tensor([1.0], dtype=neuronet.float64)
        ta.grad = torch.ones(1, dtype=torch.float64)
        opt.step(), topt.step()
        opt.zero_grad(set_to_none), topt.zero_grad(set_to_none)
        opt.step(), topt.step()
        np.testing.assert_allclose(a._data, ta.detach().numpy())
        assert (a.item() == 1.0 - 0.1 * 1.5) == set_to_none


def test_params_without_grad_are_skipped_and_get_no_state():
    a, b = _leaf([1.0]), _leaf([2.0])
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = neuronet.tensor([1.0], dtype=neuronet.float64)
    opt.step()
    assert b.item() == 2.0 and b not in opt.state and opt.state[a]["step"].item() == 1


def test_closure_runs_with_grad_enabled_and_its_loss_is_returned():
    a = _leaf([3.0])
    opt = optim.SGD([a], lr=0.25)
    seen = []

    def closure():
        seen.append(neuronet.is_grad_enabled())
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    with neuronet.no_grad():
        loss = opt.step(closure)
    assert seen == [True] and loss.item() == 9.0
    assert a.item() == 3.0 - 0.25 * 6.0
    assert opt.step() is None


def test_step_bumps_the_version_so_stale_graphs_fail_loudly():
    a = _leaf([1.0, 2.0])
    y = (a * a).sum()  # saves `a` for backward
    a.grad = neuronet.tensor([1.0, 1.0], dtype=neuronet.float64)
    version = a._version
    optim.SGD([a], lr=0.1).step()
    assert a._version > version
    with pytest.raises(RuntimeError, match="inplace|in-place"):
        y.backward()


def test_step_does_not_record_a_graph_and_keeps_the_array():
    a = _leaf([1.0, 2.0])
    array = a._data
    a.grad = neuronet.tensor([1.0, 1.0], dtype=neuronet.float64)
    optim.Adam([a], lr=0.1).step()
    assert a._data is array and a.is_leaf and a.requires_grad and a.grad_fn is None


def test_gradient_shape_mismatch_is_reported():
    a = _leaf([1.0, 2.0])
    a.grad = neuronet.tensor([1.0, 1.0, 1.0], dtype=neuronet.float64)
    with pytest.raises(RuntimeError, match=r"Adam.step.*\(2,\).*\(3,\)"):
        optim.Adam([a]).step()


def test_noncontiguous_parameter_is_updated_in_place():
    base = np.arange(12.0).reshape(3, 4)
    a = neuronet.tensor(base, dtype=neuronet.float64, requires_grad=True)
    a._data = a._data.T  # a transposed, non-contiguous view
    ta = torch.tensor(base, requires_grad=True)
    with torch.no_grad():
        ta.set_(ta.detach().t())
    opt, topt = optim.Adam([a], lr=0.1), torch.optim.Adam([ta], lr=0.1)
    rng = np.random.default_rng(0)
    for _ in range(5):
        g = rng.standard_normal((4, 3))
        a.grad, ta.grad = neuronet.tensor(g, dtype=neuronet.float64), torch.tensor(g)
        opt.step(), topt.step()
    assert not a._data.flags.c_contiguous
    np.testing.assert_allclose(a._data, ta.detach().numpy(), rtol=1e-12)


# --- dtypes --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_float32_params_and_state_stay_float32(name):
    shapes = [(4, 3), (5,), ()]
    p_ours, p_theirs = make_params(0, "float32", shapes)
    opt = getattr(optim, name)(p_ours, **RICH[name])
    topt = getattr(torch.optim, name)(p_theirs, **RICH[name])
    for grads in grad_sequence(10, 1, "float32", shapes):
        set_grads(p_ours, p_theirs, grads)
        opt.step(), topt.step()
    for p in p_ours:
        assert p._data.dtype == np.float32
        for key, value in opt.state[p].items():
            # step and mu_product follow torch: float32 scalars (the default dtype)
            assert value._data.dtype == np.float32, key
    assert_params_close(p_ours, p_theirs, rtol=1e-4, atol=1e-5)
    assert_state_close(opt, topt, p_ours, p_theirs, rtol=1e-4, atol=1e-5)


# --- state_dict ----------------------------------------------------------------------------
def _groups(ps):
    return [{"params": ps[:1]}, {"params": ps[1:], "lr": 0.02}]


@pytest.mark.parametrize("name", ALL)
def test_state_dict_layout_matches_torch(name):
    p_ours, p_theirs = make_params()
    opt = getattr(optim, name)(_groups(p_ours), **RICH[name])
    topt = getattr(torch.optim, name)(_groups(p_theirs), **RICH[name])
    for grads in grad_sequence(4):
        set_grads(p_ours, p_theirs, grads)
        opt.step(), topt.step()
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sd["param_groups"] == tsd["param_groups"]
    assert sorted(sd["state"]) == sorted(tsd["state"]) == [0, 1, 2]
    for i, entry in tsd["state"].items():
        assert sorted(sd["state"][i]) == sorted(entry)
        for key, value in entry.items():
            ours = sd["state"][i][key]
            assert isinstance(ours, neuronet.Tensor)
            assert ours.shape == tuple(value.shape) and ours.dtype.name == str(value.dtype)[6:]
            np.testing.assert_allclose(ours._data, value.numpy(), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name", ALL)
def test_state_dict_round_trip_continues_identically(name):
    steps = grad_sequence(40)
    # uninterrupted run
    p_ref, _ = make_params()
    ref = getattr(optim, name)(_groups(p_ref), **RICH[name])
    for grads in steps:
        _set(p_ref, grads)
        ref.step()
    # 20 steps, save, rebuild from copies, load, 20 more
    p_a, _ = make_params()
    opt_a = getattr(optim, name)(_groups(p_a), **RICH[name])
    for grads in steps[:20]:
        _set(p_a, grads)
        opt_a.step()
    saved = copy.deepcopy(opt_a.state_dict())
    p_b = [_leaf(p._data.copy()) for p in p_a]
    opt_b = getattr(optim, name)(_groups(p_b), lr=123.0)  # hyperparameters come from the dict
    opt_b.load_state_dict(saved)
    assert opt_b.param_groups[1]["lr"] == 0.02 and opt_b.param_groups[0]["params"][0] is p_b[0]
    for grads in steps[20:]:
        _set(p_b, grads)
        opt_b.step()
    for a, b in zip(p_ref, p_b):
        np.testing.assert_array_equal(a._data, b._data)
    # loading copies: stepping opt_b never touched the saved dict's arrays
    assert all(
        value._data is not opt_b.state[p_b[i]][key]._data
        for i, entry in saved["state"].items() for key, value in entry.items()
    )


def _set(params, grads):
    for p, g in zip(params, grads):
        p.grad = None if g is None else neuronet.tensor(g, dtype=neuronet.float64)


@pytest.mark.parametrize("name", ["SGD", "Adam", "NAdam", "RMSprop"])
def test_loading_a_torch_state_dict_continues_like_torch(name):
    """torch's state_dict, converted tensor by tensor, loads into ours and continues."""
    p_ours, p_theirs = make_params()
    topt = getattr(torch.optim, name)(_groups(p_theirs), **RICH[name])
    steps = grad_sequence(30)
    for grads in steps[:15]:
        _set_torch(p_theirs, grads)
        topt.step()
    tsd = topt.state_dict()
    converted = {
        "state": {i: {k: neuronet.tensor(v.numpy()) for k, v in e.items()}
                  for i, e in tsd["state"].items()},
        "param_groups": tsd["param_groups"],
    }
    for a, b in zip(p_ours, p_theirs):
        a._data[...] = b.detach().numpy()
    opt = getattr(optim, name)(_groups(p_ours))
    opt.load_state_dict(converted)
    for grads in steps[15:]:
        set_grads(p_ours, p_theirs, grads)
        opt.step(), topt.step()
    assert_params_close(p_ours, p_theirs, rtol=1e-10)
    # floating state is cast to the parameter's dtype, the counters keep their own
    for key, value in opt.state[p_ours[0]].items():
        expected = np.float32 if key in ("step", "mu_product") else np.float64
        assert value._data.dtype == expected, key


def _set_torch(params, grads):
    for p, g in zip(params, grads):
        p.grad = None if g is None else torch.tensor(g)


def test_load_state_dict_validates():
    a, b = _leaf([1.0, 2.0]), _leaf([3.0])
    opt = optim.Adam([a, b])
    a.grad = neuronet.tensor([1.0, 1.0], dtype=neuronet.float64)
    opt.step()
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="parameter groups"):
        optim.Adam([{"params": [a]}, {"params": [b]}]).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size"):
        optim.Adam([a]).load_state_dict(sd)
    c, d = _leaf([1.0, 2.0, 3.0]), _leaf([4.0])
    with pytest.raises(ValueError, match=r"state\[0\]\['exp_avg'\] has shape \(2,\)"):
        optim.Adam([c, d]).load_state_dict(sd)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        opt.load_state_dict({"state": {}})


def test_load_state_dict_accepts_plain_number_steps():
    a = _leaf([1.0, 2.0])
    opt = optim.Adam([a], lr=0.1)
    a.grad = neuronet.tensor([1.0, -1.0], dtype=neuronet.float64)
    opt.step()
    sd = copy.deepcopy(opt.state_dict())
    sd["state"][0]["step"] = 1  # as older checkpoints stored it
    again = optim.Adam([a], lr=0.1)
    again.load_state_dict(sd)
    again.step()
    assert again.state[a]["step"].item() == 2.0
    assert again.state[a]["step"]._data.dtype == np.float32


def test_deepcopy_and_pickle_keep_params_and_state_consistent():
    import pickle

    a = _leaf([1.0, 2.0])
    opt = optim.Adam([a], lr=0.1)
    a.grad = neuronet.tensor([1.0, -1.0], dtype=neuronet.float64)
    opt.step()
    for clone in (copy.deepcopy(opt), pickle.loads(pickle.dumps(opt))):
        (p,) = clone.param_groups[0]["params"]
        assert p is not a and np.array_equal(p._data, a._data)
        assert clone.state[p]["step"].item() == 1
        p.grad = neuronet.tensor([1.0, -1.0], dtype=neuronet.float64)
        clone.step()
        assert clone.state[p]["step"].item() == 2 and opt.state[a]["step"].item() == 1


def test_adagrad_creates_state_eagerly_like_torch():
    a = _leaf([1.0, 2.0])
    opt = optim.Adagrad([a], initial_accumulator_value=0.5)
    assert opt.state[a]["step"].item() == 0.0
    np.testing.assert_array_equal(opt.state[a]["sum"]._data, [0.5, 0.5])


# --- cost ----------------------------------------------------------------------------------
def _mlp_params(dtype=np.float32):
    rng = np.random.default_rng(0)
    shapes = [(784, 128), (128,), (128, 128), (128,), (128, 10), (10,)]
    params = [neuronet.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True)
              for s in shapes]
    for p, s in zip(params, shapes):
        p.grad = neuronet.tensor(rng.standard_normal(s).astype(dtype))
    return params


@pytest.mark.parametrize("name", ALL)
def test_step_allocates_no_array_sized_temporaries(name):
    params = _mlp_params()
    opt = getattr(optim, name)(params, **RICH[name])
    opt.step()  # state and scratch buffers are created here
    opt.step()
    tracemalloc.start()
    try:
        opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the smallest parameter with a temporary would already show 10 * 4 bytes per op;
    # the big layer's temporaries would be 400 kB each.
    assert peak < 16_000, peak


# --- docstring examples --------------------------------------------------------------------
@pytest.mark.parametrize("module", [
    "optimizer", "sgd", "adam", "adagrad", "rmsprop", "adadelta", "adamax", "nadam", "radam",
    "lr_scheduler.multiplicative", "lr_scheduler.cosine", "lr_scheduler.composite",
    "lr_scheduler.plateau",
])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(f"neuronet.optim.{module}"))
    assert result.attempted > 0 and result.failed == 0


# --- the shared per-parameter loop (Optimizer._params_with_grad) ---------------------------
@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("options", [{}, "rich"], ids=["defaults", "rich"])
def test_state_entries_and_versions_only_for_params_with_a_grad(name, options):
    """Which parameters get a state entry matches torch (SGD without momentum keeps none,
    Adagrad fills all in its constructor); only stepped parameters change version."""
    kwargs = RICH[name] if options == "rich" else {}
    p_ours, p_theirs = make_params()
    ours = getattr(optim, name)(p_ours, **kwargs)
    theirs = getattr(torch.optim, name)(p_theirs, **kwargs)
    grads = [np.ones(p.shape) for p in p_ours]
    grads[0] = None
    set_grads(p_ours, p_theirs, grads)
    versions = [p._version for p in p_ours]
    ours.step()
    theirs.step()
    assert sorted(ours.state_dict()["state"]) == sorted(theirs.state_dict()["state"])
    assert len(ours.state) == len(theirs.state)
    assert p_ours[0]._version == versions[0]
    assert all(p._version > v for p, v in zip(p_ours[1:], versions[1:]))
    assert_params_close(p_ours, p_theirs)


@pytest.mark.parametrize("name", ALL)
def test_grad_of_the_wrong_shape_names_the_optimizer(name):
    a = _leaf([1.0, 2.0])
    opt = getattr(optim, name)([a], lr=0.1)
    a.grad = neuronet.tensor([1.0, 2.0, 3.0], dtype=neuronet.float64)
    with pytest.raises(RuntimeError, match=rf"^{name}\.step: .*shape \(2,\).*\(3,\)"):
        opt.step()
    np.testing.assert_array_equal(a._data, [1.0, 2.0])
