"""max/avg pooling (1-D and 2-D), adaptive pooling and dropout2d against PyTorch in float64
(forward, gradients, double backward, indices) and by finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from _conv_check import check_gradcheck, compare, randn, torch

import neuronet
import neuronet.nn.functional_conv as F

TF = torch.nn.functional

# (H, W, kernel, stride, padding, dilation, ceil_mode)
MAX_CASES = [
    (6, 6, 2, None, 0, 1, False),
    (7, 5, 2, None, 0, 1, False),  # odd sizes: the last row/column is dropped
    (7, 5, 2, None, 0, 1, True),  # ceil_mode keeps them
    (7, 8, (3, 2), (2, 1), (1, 0), 1, False),
    (9, 7, 3, 2, 1, 2, True),
    (5, 6, 3, 1, 1, 1, False),  # overlapping windows
    (8, 8, (2, 3), 3, (1, 1), (2, 1), True),
]


def _dedupe(x: np.ndarray) -> np.ndarray:
    """Distinct values, so that the argmax (and the gradient) is unambiguous."""
    return x + np.arange(x.size).reshape(x.shape) * 1e-3


@pytest.mark.parametrize("case", MAX_CASES, ids=lambda c: "-".join(map(str, c)))
def test_max_pool2d_matches_torch(case):
    h, w, k, s, p, d, ceil = case
    x = _dedupe(randn(2, 3, h, w))
    compare(lambda t: F.max_pool2d(t, k, s, p, d, ceil),
            lambda t: TF.max_pool2d(t, k, s, p, d, ceil), x)
    ours = F.max_pool2d(neuronet.tensor(x), k, s, p, d, ceil, return_indices=True)[1]
    ref = TF.max_pool2d(torch.tensor(x), k, s, p, d, ceil, return_indices=True)[1]
    assert ours.dtype == neuronet.int64
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())


def test_max_pool2d_double_backward_and_gradcheck():
    x = _dedupe(randn(2, 2, 6, 5))
    compare(lambda t: F.max_pool2d(t, 3, 2, 1), lambda t: TF.max_pool2d(t, 3, 2, 1), x,
            second_order=True)
    check_gradcheck(lambda t: F.max_pool2d(t, 2, 1), _dedupe(randn(1, 2, 4, 3)))


def test_max_pool2d_ties_pick_the_first_and_nan_propagates():
    x = np.zeros((1, 1, 2, 4))
    x[0, 0, 1, 3] = np.nan
    y, idx = F.max_pool2d(neuronet.tensor(x), 2, return_indices=True)
    ty, tidx = TF.max_pool2d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    np.testing.assert_array_equal(y.numpy(), ty.numpy())


@pytest.mark.parametrize("k,s,p,d,ceil", [(2, None, 0, 1, False), (3, 2, 1, 1, True),
                                          (2, 1, 1, 2, False)])
def test_max_pool1d_matches_torch(k, s, p, d, ceil):
    x = _dedupe(randn(2, 3, 9))
    compare(lambda t: F.max_pool1d(t, k, s, p, d, ceil),
            lambda t: TF.max_pool1d(t, k, s, p, d, ceil), x)
    ours = F.max_pool1d(neuronet.tensor(x), k, s, p, d, ceil, return_indices=True)[1]
    ref = TF.max_pool1d(torch.tensor(x), k, s, p, d, ceil, return_indices=True)[1]
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())


# (H, W, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
AVG_CASES = [
    (6, 6, 2, None, 0, False, True, None),
    (7, 5, 2, None, 0, True, True, None),
    (7, 5, 3, 2, 1, True, True, None),
    (7, 5, 3, 2, 1, True, False, None),
    (8, 7, (3, 2), (2, 3), (1, 1), False, False, None),
    (6, 7, 3, 2, 1, False, True, 4),
    (5, 5, 3, 1, 1, False, False, None),
]


@pytest.mark.parametrize("case", AVG_CASES, ids=lambda c: "-".join(map(str, c)))
def test_avg_pool2d_matches_torch(case):
    h, w, k, s, p, ceil, inc, div = case
    compare(lambda t: F.avg_pool2d(t, k, s, p, ceil, inc, div),
            lambda t: TF.avg_pool2d(t, k, s, p, ceil, inc, div), randn(2, 3, h, w))


def test_avg_pool2d_double_backward_and_gradcheck():
    compare(lambda t: F.avg_pool2d(t, 3, 2, 1, True, False),
            lambda t: TF.avg_pool2d(t, 3, 2, 1, True, False), randn(2, 2, 6, 5),
            second_order=True)
    check_gradcheck(lambda t: F.avg_pool2d(t, 2, 1, 1, count_include_pad=False),
                    randn(1, 2, 3, 4))


@pytest.mark.parametrize("k,s,p,ceil,inc", [(2, None, 0, False, True), (3, 2, 1, True, False)])
def test_avg_pool1d_matches_torch(k, s, p, ceil, inc):
    compare(lambda t: F.avg_pool1d(t, k, s, p, ceil, inc),
            lambda t: TF.avg_pool1d(t, k, s, p, ceil, inc), randn(2, 3, 8))


@pytest.mark.parametrize("shape,out", [((2, 3, 7, 5), (3, 2)), ((1, 2, 6, 6), 3),
                                       ((2, 2, 5, 7), (1, 1)), ((2, 2, 4, 5), (None, 7)),
                                       ((3, 4, 4), 2)])
def test_adaptive_avg_pool2d_matches_torch(shape, out):
    compare(lambda t: F.adaptive_avg_pool2d(t, out),
            lambda t: TF.adaptive_avg_pool2d(t, out), randn(*shape), second_order=True)


@pytest.mark.parametrize("shape,out", [((2, 3, 7, 5), (3, 2)), ((1, 2, 6, 6), 3),
                                       ((2, 2, 5, 7), (4, 5)), ((2, 4, 4), 1)])
def test_adaptive_max_pool2d_matches_torch(shape, out):
    x = _dedupe(randn(*shape))
    compare(lambda t: F.adaptive_max_pool2d(t, out),
            lambda t: TF.adaptive_max_pool2d(t, out), x)
    ours = F.adaptive_max_pool2d(neuronet.tensor(x), out, return_indices=True)[1]
    ref = TF.adaptive_max_pool2d(torch.tensor(x), out, return_indices=True)[1]
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())


def test_adaptive_pools_gradcheck():
    check_gradcheck(lambda t: F.adaptive_avg_pool2d(t, (2, 3)), randn(1, 2, 5, 4))
    check_gradcheck(lambda t: F.adaptive_max_pool2d(t, (2, 3)), _dedupe(randn(1, 2, 5, 4)))


def test_pooling_keeps_float32_and_channels_last_input():
    x = neuronet.randn(2, 4, 6, 6, requires_grad=True)
    cl = neuronet.from_numpy(np.ascontiguousarray(x.detach().numpy().transpose(0, 2, 3, 1))
                             .transpose(0, 3, 1, 2))  # same values, channels-last memory
    for fn in (lambda t: F.max_pool2d(t, 2), lambda t: F.avg_pool2d(t, 3, 2, 1)):
        y = fn(x)
        assert y.dtype == neuronet.float32
        np.testing.assert_array_equal(fn(cl).numpy(), y.detach().numpy())
        y.sum().backward()
        assert x.grad.dtype == neuronet.float32


def test_dropout2d_zeroes_whole_channels():
    neuronet.manual_seed(0)
    x = neuronet.ones(8, 16, 3, 3, requires_grad=True)
    y = F.dropout2d(x, 0.5)
    per_channel = y.detach().numpy().reshape(8, 16, 9)
    assert np.all((per_channel == 0) | (per_channel == 2.0))
    assert np.all(per_channel.min(-1) == per_channel.max(-1))  # one draw per channel
    assert 0.25 < (per_channel[..., 0] == 0).mean() < 0.75
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())
    assert F.dropout2d(x, 0.5, training=False) is x


def test_pool_errors_name_the_op_and_shapes():
    with pytest.raises(RuntimeError, match=r"max_pool2d: expected a 3-D .*\(2, 3\)"):
        F.max_pool2d(neuronet.zeros(2, 3), 2)
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        F.max_pool2d(neuronet.zeros(1, 1, 5, 5), 2, padding=2)
    with pytest.raises(RuntimeError, match=r"avg_pool2d: .*output size .* too small"):
        F.avg_pool2d(neuronet.zeros(1, 1, 2, 2), 3)
    with pytest.raises(ValueError, match="kernel_size must be >= 1"):
        F.max_pool1d(neuronet.zeros(1, 1, 5), 0)
    with pytest.raises(ValueError, match="dropout probability"):
        F.dropout2d(neuronet.zeros(1, 1, 2, 2), 1.5)


@pytest.mark.parametrize("case", MAX_CASES, ids=lambda c: "-".join(map(str, c)))
def test_max_pool_of_relu_matches_torch(case):
    """max_pool2d(relu(a)) runs as relu(max_pool2d(a)) (same values and gradients, the ReLU's
    backward on the small pooled tensor): checked against torch's pool-of-relu, with ties at
    zero (windows that are all negative) and ties at positive maxima, to second order."""
    h, w, k, s, p, d, c = case
    a = np.round(randn(2, 3, h, w), 0)  # many equal values: ties at 0 and above
    a[0, 0] = -1.0  # whole planes negative: every window ties at relu's 0

    def ours(t):
        out = F.max_pool2d(neuronet.relu(t), k, s, p, d, c)
        assert type(out.grad_fn).__name__ == "Relu"  # the pooled-first form ran
        return out

    compare(ours, lambda t: TF.max_pool2d(TF.relu(t), k, s, p, d, c), a, second_order=True)
    compare(ours, lambda t: TF.max_pool2d(TF.relu(t), k, s, p, d, c), randn(2, 3, h, w))


def test_max_pool_of_relu_keeps_the_plain_path_where_it_must():
    """return_indices (indices of relu(a)'s maxima), unbatched input, a relu output changed
    in place, and no recorded graph take the plain max_pool2d of the relu output."""
    a = neuronet.tensor(np.round(randn(2, 3, 6, 6), 0), requires_grad=True)
    y, idx = F.max_pool2d(neuronet.relu(a), 2, return_indices=True)
    ty, tidx = TF.max_pool2d(TF.relu(torch.tensor(a.detach().numpy())), 2, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    assert type(y.grad_fn).__name__ == "MaxPool2d"
    assert type(F.max_pool2d(neuronet.relu(a[0]), 2).grad_fn).__name__ != "Relu"
    r = neuronet.relu(a)
    with neuronet.no_grad():
        r.mul_(2.0)  # the data is no longer relu(a)
    out = F.max_pool2d(r, 2)
    np.testing.assert_allclose(out.detach().numpy(), TF.max_pool2d(
        2 * TF.relu(torch.tensor(a.detach().numpy())), 2).numpy())
    with neuronet.no_grad():
        assert F.max_pool2d(neuronet.relu(a), 2).grad_fn is None


def test_keras_conv_relu_pool_takes_the_pooled_relu_and_matches_torch():
    """Keras's channels-last Conv2D(activation='relu') -> MaxPooling2D pools the permuted
    pre-activation (relu after the pool): outputs and input gradients as torch's pool of
    relu, ties at zero included."""
    from neuronet import keras

    x = np.round(randn(2, 7, 6, 3), 0).astype(np.float32)
    conv = keras.layers.Conv2D(4, 3, activation="relu", padding="same")
    pool = keras.layers.MaxPooling2D(2)
    xt = neuronet.tensor(x, requires_grad=True)
    hidden = conv(xt)
    out = pool(hidden)
    assert hidden.grad_fn is not None and "Relu" in {
        type(out.grad_fn).__name__, type(out.grad_fn.inputs[0].grad_fn).__name__}
    out.sum().backward()
    kernel, bias = (torch.tensor(w.numpy()) for w in conv.weights)
    tx = torch.tensor(x, requires_grad=True)
    y = TF.conv2d(tx.permute(0, 3, 1, 2), kernel.permute(3, 2, 0, 1), bias, padding="same")
    ty = TF.max_pool2d(TF.relu(y), 2).permute(0, 2, 3, 1)
    ty.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(xt.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-4)
