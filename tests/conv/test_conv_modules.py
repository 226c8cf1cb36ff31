"""Conv/pool modules: parameter names and shapes, default init bounds, state_dict loaded
from torch gives torch's outputs, repr as PyTorch's."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _conv_check import randn, torch

import neuronet
from neuronet.nn.modules import conv as C
from neuronet.nn.modules import pooling as P

LAYERS = [
    (lambda m: m.Conv2d(4, 6, 3, stride=2, padding=1, groups=2), (2, 4, 7, 6)),
    (lambda m: m.Conv2d(3, 5, (2, 3), padding="same", dilation=2, bias=False), (2, 3, 6, 7)),
    (lambda m: m.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), (1, 2, 5, 5)),
    (lambda m: m.Conv1d(3, 4, 5, padding=2, stride=2), (2, 3, 11)),
    (lambda m: m.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1), (2, 4, 3, 4)),
    (lambda m: m.MaxPool2d(3, 2, 1, ceil_mode=True), (2, 3, 7, 6)),
    (lambda m: m.MaxPool1d(2), (2, 3, 7)),
    (lambda m: m.AvgPool2d(3, 2, 1, count_include_pad=False), (2, 3, 7, 6)),
    (lambda m: m.AvgPool1d(3, 2, 1), (2, 3, 8)),
    (lambda m: m.AdaptiveAvgPool2d((2, 3)), (2, 3, 7, 6)),
    (lambda m: m.AdaptiveMaxPool2d(2), (2, 3, 7, 6)),
    (lambda m: m.Unfold(2, padding=1), (2, 3, 4, 4)),
    (lambda m: m.Fold((4, 5), 2), (2, 8, 12)),
]


class _Ours:
    """The layer factories' namespace for neuronet (nn.__init__ is another engineer's)."""

    def __getattr__(self, name):
        return getattr(C, name, None) or getattr(P, name)


@pytest.mark.parametrize("make,shape", LAYERS, ids=lambda v: getattr(v, "__name__", str(v)))
def test_layer_loads_torch_state_and_matches(make, shape):
    torch.manual_seed(0)
    ref = make(torch.nn).double()
    ours = make(_Ours())
    state = {k: neuronet.tensor(v.detach().numpy()) for k, v in ref.state_dict().items()}
    assert list(ours.state_dict()) == list(ref.state_dict())
    ours.load_state_dict(state)
    ours = ours.double() if hasattr(ours, "double") else ours
    x = randn(*shape)
    xt = neuronet.tensor(x, requires_grad=True)
    tt = torch.tensor(x, requires_grad=True)
    y, ty = ours(xt), ref(tt)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-9, atol=1e-10)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(xt.grad.numpy(), tt.grad.numpy(), rtol=1e-9, atol=1e-10)
    for (name, p), (_, tp) in zip(ours.named_parameters(), ref.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-9, atol=1e-9,
                                   err_msg=name)
    assert repr(ours) == repr(ref)


@pytest.mark.parametrize("make", [lambda m: m.Conv2d(8, 16, (3, 2), groups=2),
                                  lambda m: m.ConvTranspose2d(6, 4, 3, groups=2),
                                  lambda m: m.Conv1d(5, 3, 4)])
def test_default_init_shapes_and_bounds(make):
    neuronet.manual_seed(0)  # the "max > bound / 2" check is statistical: fix the draw
    ours, ref = make(_Ours()), make(torch.nn)
    assert ours.weight.shape == tuple(ref.weight.shape)
    assert ours.weight.dtype == neuronet.float32 and ours.bias.dtype == neuronet.float32
    fan_in = ref.weight.shape[1] * math.prod(ref.weight.shape[2:])
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform(a=sqrt(5)) gives the same bound
    for p in (ours.weight, ours.bias):
        assert np.abs(p.detach().numpy()).max() <= bound
    assert np.abs(ours.weight.detach().numpy()).max() > 0.5 * bound  # >= 24 draws


def test_constructor_errors_name_the_value():
    with pytest.raises(ValueError, match="divisible by groups=3"):
        C.Conv2d(4, 6, 3, groups=3)
    with pytest.raises(ValueError, match="padding_mode"):
        C.Conv2d(4, 6, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="in_channels must be a positive integer"):
        C.Conv2d(0, 6, 3)
    with pytest.raises(ValueError, match="not supported for strided"):
        C.Conv2d(2, 2, 3, stride=2, padding="same")


def test_dropout2d_module_modes():
    m = neuronet.nn.Dropout2d(0.5)
    x = neuronet.ones(4, 8, 2, 2)
    assert m.eval()(x) is x
    assert repr(m) == repr(torch.nn.Dropout2d(0.5))
