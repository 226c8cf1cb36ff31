"""nn.init statistics and orthogonality; nn.utils clipping and vector conversion vs torch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import neuronet as nt
import neuronet.nn as nn
from neuronet.nn import init
from neuronet.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    parameters_to_vector,
    vector_to_parameters,
)

torch = pytest.importorskip("torch")


def _big(*shape):
    return nt.empty(*shape)


def test_fan_and_gain_match_torch():
    for shape in [(30, 20), (8, 4, 3, 3), (5, 6, 7)]:
        assert init._calculate_fan_in_and_fan_out(nt.empty(*shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    for nl, param in [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                      ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None),
                      ("conv2d", None)]:
        assert init.calculate_gain(nl, param) == pytest.approx(
            torch.nn.init.calculate_gain(nl, param))
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swishy")
    with pytest.raises(ValueError, match="fewer than 2"):
        init.xavier_uniform_(nt.empty(5))


def test_uniform_normal_constant_family():
    t = init.uniform_(_big(400, 500), -2.0, 3.0)
    a = t.numpy()
    assert a.dtype == np.float32 and a.min() >= -2 and a.max() <= 3
    assert abs(a.mean() - 0.5) < 0.02 and abs(a.std() - 5 / math.sqrt(12)) < 0.02
    a = init.normal_(_big(400, 500), 1.0, 2.0).numpy()
    assert abs(a.mean() - 1.0) < 0.02 and abs(a.std() - 2.0) < 0.02
    assert np.all(init.constant_(_big(3, 3), 0.5).numpy() == 0.5)
    assert np.all(init.zeros_(_big(3)).numpy() == 0) and np.all(init.ones_(_big(3)).numpy() == 1)
    np.testing.assert_array_equal(init.eye_(_big(3, 4)).numpy(), np.eye(3, 4))
    a = init.trunc_normal_(_big(400, 500), mean=0.5, std=1.0, a=-1.0, b=1.5).numpy()
    assert a.min() >= -1.0 and a.max() <= 1.5
    ref = torch.nn.init.trunc_normal_(torch.empty(400, 500), mean=0.5, std=1.0, a=-1.0, b=1.5)
    assert abs(a.mean() - ref.mean().item()) < 0.01 and abs(a.std() - ref.std().item()) < 0.01


def test_xavier_kaiming_statistics():
    fan_in, fan_out = 400, 300
    a = init.xavier_uniform_(_big(fan_out, fan_in), gain=2.0).numpy()
    bound = 2.0 * math.sqrt(6 / (fan_in + fan_out))
    assert np.abs(a).max() <= bound and np.abs(a).max() > 0.99 * bound
    a = init.xavier_normal_(_big(fan_out, fan_in)).numpy()
    assert abs(a.std() - math.sqrt(2 / (fan_in + fan_out))) < 0.002
    a = init.kaiming_uniform_(_big(fan_out, fan_in), a=math.sqrt(5)).numpy()
    assert np.abs(a).max() <= 1 / math.sqrt(fan_in)
    a = init.kaiming_normal_(_big(fan_out, fan_in), mode="fan_out", nonlinearity="relu").numpy()
    assert abs(a.std() - math.sqrt(2 / fan_out)) < 0.002 and abs(a.mean()) < 0.002
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_normal_(_big(3, 3), mode="fan_avg")


@pytest.mark.parametrize("shape", [(6, 10), (10, 6), (4, 2, 3)])
def test_orthogonal(shape):
    q = init.orthogonal_(_big(*shape), gain=1.5).numpy().reshape(shape[0], -1).astype(np.float64)
    small = min(q.shape)
    gram = q @ q.T if q.shape[0] == small else q.T @ q
    np.testing.assert_allclose(gram, 1.5**2 * np.eye(small), atol=1e-5)


def test_generator_and_inplace_no_graph():
    g1, g2 = nt.Generator().manual_seed(3), nt.Generator().manual_seed(3)
    a = init.normal_(_big(5), generator=g1).numpy().copy()
    b = init.normal_(_big(5), generator=g2).numpy()
    np.testing.assert_array_equal(a, b)
    p = nn.Parameter(nt.zeros(3, 3))
    out = init.kaiming_uniform_(p)
    assert out is p and p.is_leaf and p.requires_grad and p.grad_fn is None
    assert init.dirac_(_big(2, 2, 3)).numpy()[1, 1, 1] == 1


def _pairs(n_params=3, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (2, 2)][:n_params]
    ours, theirs = [], []
    for s in shapes:
        w, g = rng.standard_normal(s), rng.standard_normal(s)
        p = nn.Parameter(nt.tensor(w))
        p.grad = nt.tensor(g)
        q = torch.nn.Parameter(torch.tensor(w))
        q.grad = torch.tensor(g)
        ours.append(p)
        theirs.append(q)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ours, theirs = _pairs()
    na = clip_grad_norm_(ours, max_norm, norm_type)
    nb = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert isinstance(na, nt.Tensor) and na.ndim == 0
    np.testing.assert_allclose(na.item(), nb.item(), rtol=1e-10)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10)


def test_clip_grad_nonfinite_and_value():
    ours, theirs = _pairs()
    ours[0].grad.numpy()[0, 0] = np.inf
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    ours, theirs = _pairs()
    clip_grad_value_(ours, 0.3)
    torch.nn.utils.clip_grad_value_(theirs, 0.3)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy())
    f32 = nn.Parameter(nt.zeros(2))
    f32.grad = nt.tensor([3.0, 4.0])
    assert clip_grad_norm_(f32, 1.0).dtype == nt.float32 and f32.grad.dtype == nt.float32


def test_parameters_vector_round_trip():
    ours, theirs = _pairs()
    va = parameters_to_vector(ours)
    vb = torch.nn.utils.parameters_to_vector(theirs)
    np.testing.assert_array_equal(va.detach().numpy(), vb.detach().numpy())
    va.sum().backward()  # differentiable
    assert np.all(ours[0].grad.numpy() != 0)
    vector_to_parameters(nt.arange(20, dtype=nt.float64), ours)
    np.testing.assert_array_equal(ours[1].detach().numpy(), np.arange(12, 16))
    with pytest.raises(ValueError, match="20 elements"):
        vector_to_parameters(nt.zeros(5), ours)
