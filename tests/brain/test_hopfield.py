"""Classical Hopfield network (storage, recall, energy, capacity) and the modern layer."""

import numpy as np
import pytest

import neuronet as nt
from neuronet.autograd import gradcheck
from neuronet.brain.hopfield import (
    Hopfield,
    HopfieldLayer,
    HopfieldNetwork,
    capacity_curve,
    corrupt,
)


def _patterns(p, n, seed=0):
    return np.random.default_rng(seed).choice([-1.0, 1.0], size=(p, n))


def test_hebbian_storage_is_the_outer_product_rule():
    xi = _patterns(3, 10)
    net = HopfieldNetwork(10)
    net.store(xi)
    want = sum(np.outer(x, x) for x in xi) / 10
    np.fill_diagonal(want, 0)
    np.testing.assert_allclose(net.weight, want)
    np.testing.assert_allclose(net.weight, net.weight.T)


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_recall_from_20_percent_corrupted_cues(mode):
    xi = _patterns(5, 200)
    net = HopfieldNetwork(200)
    net.store(xi)
    cues = corrupt(xi, 0.2, np.random.default_rng(1))
    assert np.all((cues != xi).sum(1) == 40)
    out = net.recall(cues, mode=mode, generator=np.random.default_rng(2))
    np.testing.assert_array_equal(out, xi)
    assert np.all(net.energy(out) < net.energy(cues))


def test_energy_never_increases_during_asynchronous_recall():
    for seed in range(3):
        xi = _patterns(15, 60, seed)  # overloaded: spurious states, long descents
        net = HopfieldNetwork(60)
        net.store(xi)
        rng = np.random.default_rng(seed)
        cues = rng.choice([-1.0, 1.0], size=(8, 60))
        _, energies = net.recall(cues, generator=rng, record_energy=True)
        steps = np.diff(energies, axis=0)
        assert steps.max() <= 1e-12 and steps.min() < 0
    # the energy of one flip: dE = -(s_i' - s_i) h_i <= 0 when s_i' = sign(h_i)


def test_synchronous_update_can_oscillate_but_async_cannot():
    w = np.array([[0.0, -1.0], [-1.0, 0.0]])
    net = HopfieldNetwork(2)
    net.weight = w
    for sweeps, want in [(1, -1.0), (2, 1.0), (7, -1.0)]:  # a 2-cycle: (1,1) <-> (-1,-1)
        s = net.recall([[1.0, 1.0]], mode="sync", max_sweeps=sweeps)
        np.testing.assert_array_equal(s, [[want, want]])
    a = net.recall([[1.0, 1.0]], mode="async", generator=np.random.default_rng(0))
    assert a[0, 0] == -a[0, 1]  # a stable state


def test_capacity_drops_near_0_14_n():
    r = capacity_curve(100, loads=[5, 8, 20, 30], trials=4, seed=0)
    acc = dict(zip(r["n_patterns"].tolist(), r["accuracy"]))
    assert acc[5] >= 0.95 and acc[8] >= 0.8
    assert acc[20] <= 0.3 and acc[30] <= 0.05
    np.testing.assert_allclose(r["load"], [0.05, 0.08, 0.2, 0.3])


def test_classical_errors():
    with pytest.raises(ValueError, match="n_units=0"):
        HopfieldNetwork(0)
    with pytest.raises(ValueError, match=r"-1/\+1 with shape \(P, 4\), received shape \(1, 3\)"):
        HopfieldNetwork(4).store(np.ones(3))
    with pytest.raises(ValueError, match="-1/"):
        HopfieldNetwork(2).recall([[0.5, 1.0]])
    with pytest.raises(ValueError, match="mode='both'"):
        HopfieldNetwork(2).recall([[1.0, 1.0]], mode="both")


def test_modern_hopfield_retrieves_the_nearest_pattern():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 32))
    query = X[7] + 0.3 * rng.normal(size=32)
    out = Hopfield(beta=8.0)(nt.tensor(query[None]), nt.tensor(X)).numpy()[0]
    np.testing.assert_allclose(out, X[7], atol=1e-3)


def test_modern_hopfield_is_attention_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    q, x = rng.normal(size=(2, 3, 5, 8)), rng.normal(size=(2, 3, 7, 8))
    qt, xt = torch.tensor(q, requires_grad=True), torch.tensor(x, requires_grad=True)
    ref = torch.nn.functional.scaled_dot_product_attention(qt, xt, xt)  # beta = 1 / sqrt(d)
    w = torch.tensor(rng.normal(size=ref.shape))
    (ref * w).sum().backward()
    qn, xn = nt.tensor(q, requires_grad=True), nt.tensor(x, requires_grad=True)
    out = Hopfield()(qn, xn)
    (out * nt.tensor(w.numpy())).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(qn.grad.numpy(), qt.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_modern_hopfield_gradcheck_and_layer():
    rng = np.random.default_rng(2)
    q = nt.tensor(rng.normal(size=(3, 4)), requires_grad=True)
    x = nt.tensor(rng.normal(size=(5, 4)), requires_grad=True)
    assert gradcheck(Hopfield(beta=0.7, update_steps=2), (q, x))
    layer = HopfieldLayer(4, 6)
    out = layer(nt.randn(2, 3, 4))
    assert tuple(out.shape) == (2, 3, 4) and out.dtype == nt.float32
    out.sum().backward()
    assert layer.patterns.grad is not None and tuple(layer.patterns.grad.shape) == (6, 4)
    layer = layer.double()
    assert gradcheck(lambda a, p: layer(a), (nt.tensor(rng.normal(size=(2, 4)),
                                                       requires_grad=True), layer.patterns))
    with pytest.raises(ValueError, match="share d"):
        Hopfield()(nt.ones(2, 3), nt.ones(4, 5))
    with pytest.raises(ValueError, match="beta=-1"):
        Hopfield(beta=-1)
    with pytest.raises(ValueError, match="num_patterns=0"):
        HopfieldLayer(3, 0)
