"""Spiking neurons against a hand-written step-by-step simulation, PyTorch and gradcheck."""

import numpy as np
import pytest
from _torch_surrogate import torch_spike

import neuronet as nt
from neuronet.autograd import gradcheck
from neuronet.brain import AdaptiveLeaky, Leaky, Surrogate, Synaptic


def simulate(x, beta, thr, reset, alpha=None, rho=None, adapt=None):
    """Plain-Python reference: loops over time and over every neuron."""
    T = x.shape[0]
    flat = x.reshape(T, -1)
    spk = np.zeros_like(flat)
    mems = np.zeros_like(flat)
    for j in range(flat.shape[1]):
        mem = syn = a = 0.0
        for t in range(T):
            inp = flat[t, j]
            if alpha is not None:
                syn = alpha * syn + inp
                inp = syn
            mem = beta * mem + inp
            theta = thr + (adapt * a if adapt is not None else 0.0)
            s = 1.0 if mem - theta > 0 else 0.0
            if reset == "subtract":
                mem -= s * theta
            elif reset == "zero":
                mem *= 1 - s
            if adapt is not None:
                a = rho * a + s
            spk[t, j], mems[t, j] = s, mem
    return spk.reshape(x.shape), mems.reshape(x.shape)


X = np.random.default_rng(0).uniform(-0.2, 0.9, size=(12, 3, 4))


@pytest.mark.parametrize("reset", ["subtract", "zero", "none"])
def test_leaky_matches_hand_simulation(reset):
    lif = Leaky(beta=0.8, threshold=1.1, reset_mechanism=reset, output="both")
    spk, mem = lif(nt.tensor(X))
    ref_spk, ref_mem = simulate(X, 0.8, 1.1, reset)
    assert ref_spk.sum() > 5
    np.testing.assert_array_equal(spk.numpy(), ref_spk)
    np.testing.assert_allclose(mem.numpy(), ref_mem, rtol=1e-12)


def test_synaptic_and_adaptive_match_hand_simulation():
    spk, mem = Synaptic(alpha=0.6, beta=0.7, output="both")(nt.tensor(X))
    ref_spk, ref_mem = simulate(X, 0.7, 1.0, "subtract", alpha=0.6)
    np.testing.assert_array_equal(spk.numpy(), ref_spk)
    np.testing.assert_allclose(mem.numpy(), ref_mem, rtol=1e-12)
    spk, mem = AdaptiveLeaky(rho=0.9, adaptation=0.5, beta=0.85, output="both")(nt.tensor(X))
    ref_spk, ref_mem = simulate(X, 0.85, 1.0, "subtract", rho=0.9, adapt=0.5)
    no_adapt, _ = simulate(X, 0.85, 1.0, "subtract")
    assert ref_spk.sum() < no_adapt.sum()  # adaptation lowers the firing rate
    np.testing.assert_array_equal(spk.numpy(), ref_spk)
    np.testing.assert_allclose(mem.numpy(), ref_mem, rtol=1e-12)


@pytest.mark.parametrize("cls", [Leaky, Synaptic, AdaptiveLeaky])
def test_single_step_mode_equals_sequence_mode(cls):
    multi = cls(output="both")
    single = cls(step_mode="single", output="both")
    spk, mem = multi(nt.tensor(X, dtype=nt.float32))
    assert spk.dtype == nt.float32 and mem.dtype == nt.float32
    for _ in range(2):  # reset() makes the second pass identical
        single.reset()
        steps = [single(nt.tensor(X[t], dtype=nt.float32)) for t in range(len(X))]
        np.testing.assert_array_equal(np.stack([s.numpy() for s, _ in steps]), spk.numpy())
        np.testing.assert_allclose(np.stack([m.numpy() for _, m in steps]), mem.numpy())
    state = None
    for t in range(3):
        s, state = multi.step(nt.tensor(X[t], dtype=nt.float32), state)
    np.testing.assert_array_equal(s.numpy(), spk.numpy()[2])


def _smooth(cls, **kw):
    layer = cls(spike_grad=Surrogate("atan", 2.0, smooth_forward=True), detach_reset=False,
                **kw)
    return layer.double()


@pytest.mark.parametrize("cls,kw", [
    (Leaky, {"learn_beta": True, "learn_threshold": True}),
    (Leaky, {"reset_mechanism": "zero", "learn_beta": True}),
    (Synaptic, {"learn_alpha": True, "learn_beta": True}),
    (AdaptiveLeaky, {"learn_threshold": True}),
])
def test_gradcheck_float64_with_smooth_surrogate(cls, kw):
    layer = _smooth(cls, output="both", **kw)
    lin = nt.nn.Linear(3, 2).double()
    x = nt.tensor(np.random.default_rng(1).normal(size=(5, 2, 3)), requires_grad=True)
    params = list(lin.parameters()) + list(layer.parameters())

    def f(x, *ps):
        spk, mem = layer(lin(x))
        return spk.sum(0) + mem.mean(0)

    assert gradcheck(f, (x, *params))


def test_gradients_against_torch_reference():
    torch = pytest.importorskip("torch")
    k = 25.0

    FastSig = torch_spike("fast_sigmoid", k)

    rng = np.random.default_rng(2)
    xs = rng.uniform(0, 1, size=(10, 4, 5))
    w = rng.normal(size=(3, 5)) * 0.8
    # PyTorch: the same LIF written out
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(0.9, dtype=torch.float64, requires_grad=True)
    mem, out = None, []
    for t in range(10):
        cur = torch.tensor(xs[t]) @ wt.T
        mem = cur if mem is None else bt.clamp(0, 1) * mem + cur
        s = FastSig.apply(mem - 1.0)
        mem = mem - s.detach() * 1.0
        out.append(s)
    (torch.stack(out).sum(0) * torch.arange(1.0, 4.0, dtype=torch.float64)).sum().backward()
    lin = nt.nn.Linear(5, 3, bias=False).double()
    lin.weight.data.copy_(nt.tensor(w))
    lif = Leaky(beta=0.9, learn_beta=True, spike_grad="fast_sigmoid").double()
    lif.beta.data.fill_(0.9)  # the float32 0.9 widened is not 0.9
    spk = lif(lin(nt.tensor(xs)))
    (spk.sum(0) * nt.arange(1.0, 4.0, dtype=nt.float64)).sum().backward()
    np.testing.assert_array_equal(spk.detach().numpy(), torch.stack(out).detach().numpy())
    np.testing.assert_allclose(lin.weight.grad.numpy(), wt.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(lif.beta.grad.numpy(), bt.grad.numpy(), rtol=1e-10)


def test_in_sequential_and_edge_cases():
    net = nt.nn.Sequential(nt.nn.Linear(4, 6), Leaky(), nt.nn.Linear(6, 2), Leaky())
    out = net(nt.rand(7, 3, 4))
    assert tuple(out.shape) == (7, 3, 2) and out.dtype == nt.float32
    assert tuple(Leaky()(nt.zeros(0, 3)).shape) == (0, 3)  # zero time steps
    assert tuple(Leaky()(nt.ones(1, 1)).shape) == (1, 1)
    nc = nt.tensor(X).permute(0, 2, 1)  # non-contiguous
    np.testing.assert_array_equal(Leaky()(nc).numpy(), Leaky()(nc.contiguous()).numpy())


def test_bad_arguments():
    with pytest.raises(ValueError, match="beta=1.5"):
        Leaky(beta=1.5)
    with pytest.raises(ValueError, match="threshold=0"):
        Leaky(threshold=0)
    with pytest.raises(ValueError, match="reset_mechanism='half'"):
        Leaky(reset_mechanism="half")
    with pytest.raises(ValueError, match="step_mode='all'"):
        Leaky(step_mode="all")
    with pytest.raises(ValueError, match="output='rate'"):
        Synaptic(output="rate")
    with pytest.raises(ValueError, match=r"\(T, N, ...\), received shape \(3,\)"):
        Leaky()(nt.ones(3))
    with pytest.raises(TypeError, match="floating-point"):
        Leaky()(nt.ones(3, 2, dtype=nt.int64))
