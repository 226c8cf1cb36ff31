"""Spike encoders and spiking losses."""

import numpy as np
import pytest

import neuronet as nt
from neuronet.autograd import gradcheck
from neuronet.brain import encoding as E
from neuronet.brain import losses as L


def test_rate_fires_with_the_given_probability():
    x = nt.tensor([0.0, 0.25, 0.5, 1.0])
    s = E.rate(x, 4000, generator=np.random.default_rng(0))
    assert tuple(s.shape) == (4000, 4) and s.dtype == nt.float32
    np.testing.assert_allclose(s.numpy().mean(0), [0, 0.25, 0.5, 1.0], atol=0.02)
    g = E.rate(x, 4000, gain=0.5, generator=np.random.default_rng(0)).numpy().mean(0)
    np.testing.assert_allclose(g, [0, 0.125, 0.25, 0.5], atol=0.02)
    p = E.poisson(x, 4000, f_max=200, dt=1e-3, generator=np.random.default_rng(1))
    np.testing.assert_allclose(p.numpy().mean(0), [0, 0.05, 0.1, 0.2], atol=0.015)
    a = E.rate(x, 5, generator=np.random.default_rng(3)).numpy()
    b = E.rate(x, 5, generator=np.random.default_rng(3)).numpy()
    np.testing.assert_array_equal(a, b)


def test_latency_one_spike_stronger_earlier():
    x = nt.tensor([[0.9, 0.5, 0.2, 0.005]])
    s = E.latency(x, 50, tau=5.0, threshold=0.01).numpy()
    assert s.shape == (50, 1, 4)
    times = [int(np.argmax(s[:, 0, j])) for j in range(3)]
    expected = [round(5 * np.log(v / (v - 0.01))) for v in (0.9, 0.5, 0.2)]
    assert times == expected and s[:, 0, 3].sum() == 0  # below threshold: silent
    s = E.latency(x, 10, normalize=True).numpy()[:, 0]
    assert s[0, 0] == 1 and s[9, 2] == 1 and s.sum() == 3
    lin = E.latency(nt.tensor([1.0, 0.0]), 5, linear=True).numpy()
    np.testing.assert_array_equal(lin[:, 0], [1, 0, 0, 0, 0])
    np.testing.assert_array_equal(lin[:, 1], [0, 0, 0, 0, 1])


def test_delta_on_and_off_spikes():
    sig = nt.tensor([[0.0], [0.2], [0.7], [0.7], [0.1]])
    np.testing.assert_array_equal(E.delta(sig, 0.3).numpy()[:, 0], [0, 0, 1, 0, 0])
    np.testing.assert_array_equal(E.delta(sig, 0.3, off_spike=True).numpy()[:, 0],
                                  [0, 0, 1, 0, -1])
    np.testing.assert_array_equal(E.delta(nt.tensor([0.5, 0.5]), 0.3).numpy(), [1, 0])
    np.testing.assert_array_equal(E.delta(nt.tensor([0.5, 0.5]), 0.3, padding=True).numpy(),
                                  [0, 0])


def test_encoder_errors():
    with pytest.raises(ValueError, match="num_steps=0"):
        E.rate(nt.ones(3), 0)
    with pytest.raises(ValueError, match="f_max"):
        E.poisson(nt.ones(3), 5, f_max=2000, dt=1e-3)
    with pytest.raises(ValueError, match=r"shape \(\)"):
        E.delta(nt.tensor(1.0))


def test_losses_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    out = rng.normal(size=(6, 4, 3))
    y = np.array([0, 2, 1, 2])
    yt = torch.tensor(y)
    F = torch.nn.functional
    target = 0.2 + 0.6 * F.one_hot(yt, 3).double()
    for fn, ref in [
        (L.ce_count_loss, lambda o: F.cross_entropy(o.sum(0), yt)),
        (L.ce_membrane_loss, lambda o: sum(F.cross_entropy(o[t], yt) for t in range(6)) / 6),
        (L.mse_rate_loss, lambda o: ((o.mean(0) - target) ** 2).mean()),
    ]:
        ot = torch.tensor(out, requires_grad=True)
        ref(ot).backward()
        x = nt.tensor(out, requires_grad=True)
        loss = fn(x, y)
        loss.backward()
        np.testing.assert_allclose(loss.item(), ref(ot).item(), rtol=1e-10)
        np.testing.assert_allclose(x.grad.numpy(), ot.grad.numpy(), rtol=1e-10, atol=1e-14)
    x = nt.tensor(out[:, :2], requires_grad=True)
    assert gradcheck(lambda o: L.ce_membrane_loss(o, y[:2]), (x,))
    assert L.ce_count_loss(nt.tensor(out, dtype=nt.float32), y).dtype == nt.float32


def test_decoders_and_loss_errors():
    spk = nt.tensor([[[1.0, 0.0]], [[1.0, 1.0]], [[0.0, 1.0]], [[0.0, 1.0]]])
    np.testing.assert_array_equal(L.spike_count(spk).numpy(), [[2, 3]])
    np.testing.assert_array_equal(L.spike_rate(spk).numpy(), [[0.5, 0.75]])
    assert L.predict(spk).tolist() == [1]
    with pytest.raises(ValueError, match=r"\(T, N, C\)"):
        L.ce_count_loss(nt.ones(3, 2), [0])
    with pytest.raises(ValueError, match=r"targets of shape \(1,\) in \[0, 2\)"):
        L.ce_count_loss(spk, [2])
    with pytest.raises(ValueError, match="correct_rate=1.5"):
        L.mse_rate_loss(spk, [0], correct_rate=1.5)
