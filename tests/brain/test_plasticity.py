"""Local learning rules: the checks that say they learn what the theory says."""

import math

import numpy as np
import pytest

import neuronet as nt
from neuronet.brain.experiments import stdp_pattern_experiment
from neuronet.brain.plasticity import BCM, STDP, Hebbian, Oja, Sanger


def _data(seed=0, n=4000):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    x = (rng.normal(size=(n, 6)) * np.sqrt([9, 4, 2, 0.6, 0.3, 0.1])) @ q.T
    _, _, vt = np.linalg.svd(x - x.mean(0), full_matrices=False)
    return x, vt


def _train(rule_cls, k, x, epochs=3, **kw):
    layer = nt.nn.Linear(x.shape[1], k, bias=False).double()
    rule = rule_cls(layer, lr=0.01, **kw)
    for _ in range(epochs):
        for i in range(0, len(x), 20):
            rule.step(nt.tensor(x[i:i + 20]))
    return layer.weight.detach().numpy()


def _cos(a, b):
    return abs(a @ b) / (np.linalg.norm(a) * np.linalg.norm(b))


@pytest.mark.parametrize("rule_cls", [Oja, Hebbian])
def test_oja_and_normalized_hebb_find_the_first_principal_component(rule_cls):
    x, vt = _data()
    w = _train(rule_cls, 1, x)
    assert _cos(w[0], vt[0]) >= 0.99
    assert abs(np.linalg.norm(w[0]) - 1) < 0.02  # Oja's decay term normalises the weight


def test_sanger_recovers_the_top_k_components_in_order():
    x, vt = _data(1)
    w = _train(Sanger, 3, x)
    for i in range(3):
        assert _cos(w[i], vt[i]) >= 0.99, i
    np.testing.assert_allclose(w @ w.T, np.eye(3), atol=0.06)  # near-orthonormal rows


def test_one_step_updates_match_the_formulas():
    rng = np.random.default_rng(2)
    w0 = rng.normal(size=(3, 4))
    x = rng.normal(size=(5, 4))
    y = x @ w0.T
    expected = {
        Oja: w0 + 0.1 / 5 * (y.T @ x - (y * y).sum(0)[:, None] * w0),
        Sanger: w0 + 0.1 / 5 * (y.T @ x - np.tril(y.T @ y) @ w0),
        BCM: w0 + 0.1 / 5 * ((y * (y - 0.5)).T @ x),
    }
    for cls, want in expected.items():
        w = nt.tensor(w0.copy())
        rule = cls(w, lr=0.1, theta=0.5) if cls is BCM else cls(w, lr=0.1)
        rule.step(x)
        np.testing.assert_allclose(w.numpy(), want, rtol=1e-12)
    w = nt.tensor(w0.copy())
    Hebbian(w, lr=0.1, normalize=False).step(x, y)
    np.testing.assert_allclose(w.numpy(), w0 + 0.1 / 5 * y.T @ x, rtol=1e-12)


def test_bcm_makes_a_neuron_selective_to_one_of_two_patterns():
    patterns = np.array([[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]], float)
    for seed in range(3):
        rng = np.random.default_rng(seed)
        w = nt.tensor(rng.uniform(0.1, 0.3, size=(1, 6)))
        rule = BCM(w, lr=0.01, tau=5)
        for _ in range(3000):
            rule.step(patterns[rng.integers(2)][None])
        r = np.sort((patterns @ w.numpy().T).ravel())
        assert r[0] < 0.05 and r[1] > 1.0, r  # preferred ~ 1 / p(pattern) = 2, other ~ 0


@pytest.mark.parametrize("lag", [1, 3, 10])
def test_stdp_pair_window(lag):
    """One pre/post pair: dw = a_plus exp(-lag/tau_plus) (pre first), -a_minus exp(-lag/tau_minus)
    (post first)."""
    for pre_first in (True, False):
        w = nt.tensor([[0.5]], dtype=nt.float64)
        rule = STDP(w, a_plus=0.1, a_minus=0.05, tau_plus=5.0, tau_minus=8.0)
        for t in range(lag + 2):
            pre = float(t == (0 if pre_first else lag))
            post = float(t == (lag if pre_first else 0))
            rule.step([[pre]], [[post]])
        want = 0.1 * math.exp(-lag / 5) if pre_first else -0.05 * math.exp(-lag / 8)
        np.testing.assert_allclose(w.item() - 0.5, want, rtol=1e-12)


def test_stdp_nearest_trace_and_bounds():
    w = nt.tensor([[0.99]], dtype=nt.float64)
    rule = STDP(w, a_plus=0.1, tau_plus=5.0, trace="nearest")
    for t, pre in enumerate([1, 1, 0]):
        rule.step([[pre]], [[float(t == 2)]])
    assert w.item() == 1.0  # clipped at w_max
    assert rule.pre_trace[0, 0] == pytest.approx(math.exp(-1 / 5))  # reset to 1, not summed


def test_stdp_makes_a_neuron_selective_to_a_hidden_pattern_with_shrinking_latency():
    r = stdp_pattern_experiment(n_presentations=700, seed=1)
    lat, fa = r["latency"], r["false_alarms"]
    early, late = slice(100, 200), slice(600, 700)
    assert fa[:100].sum() > 40 and fa[late].sum() <= 3  # fires at noise first, then not
    assert np.mean(~np.isnan(lat[late])) >= 0.95  # ... and at every pattern presentation
    assert np.nanmean(lat[late]) < np.nanmean(lat[early]) - 10  # earlier and earlier
    w, inside = r["weights_final"], r["in_pattern"]
    assert w[inside].mean() > 2 * w[~inside].mean()


def test_rule_errors():
    with pytest.raises(ValueError, match="2-D floating-point weight"):
        Oja(nt.nn.Conv2d(1, 1, 3))
    with pytest.raises(ValueError, match="lr=0"):
        Oja(nt.zeros(2, 3), lr=0)
    with pytest.raises(ValueError, match=r"pre activity \(N, 3\).*received shape \(2, 4\)"):
        Oja(nt.zeros(2, 3)).step(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"post activity \(2, 2\)"):
        Hebbian(nt.zeros(2, 3)).step(np.ones((2, 3)), np.ones((2, 5)))
    with pytest.raises(ValueError, match="needs both"):
        STDP(nt.zeros(2, 3)).step(np.ones((1, 3)))
    with pytest.raises(ValueError, match="trace='pairs'"):
        STDP(nt.zeros(2, 3), trace="pairs")
