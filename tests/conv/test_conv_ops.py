"""conv2d, conv1d, conv_transpose2d, unfold and fold against PyTorch in float64 (forward,
input/weight/bias gradients, double backward) and by finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from _conv_check import check_gradcheck, compare, randn, torch

import neuronet
import neuronet.nn.functional_conv as F

TF = torch.nn.functional

# (N, C, O, H, W, kernel, stride, padding, dilation, groups)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same.")

CONV_CASES = [
    (2, 4, 6, 7, 9, (3, 3), 1, 0, 1, 1),
    (2, 4, 6, 7, 9, (3, 2), 2, 1, 1, 2),
    (1, 3, 5, 8, 7, (2, 3), 3, (1, 2), 2, 1),
    (2, 4, 4, 6, 6, (3, 3), 1, 1, 1, 4),  # depthwise
    (2, 3, 6, 6, 5, (3, 3), 2, 1, (2, 1), 3),  # depthwise, channel multiplier 2
    (3, 5, 2, 5, 6, (1, 1), 1, 0, 1, 1),  # 1x1
    (2, 2, 3, 6, 7, (1, 1), 2, 0, 1, 1),
    (1, 2, 3, 6, 5, (4, 3), 1, "same", 1, 1),  # even kernel: asymmetric padding
    (2, 2, 4, 7, 6, (3, 2), 1, "same", 2, 2),
    (2, 3, 2, 6, 7, (3, 3), 1, "valid", 1, 1),
    (1, 1, 1, 3, 3, (3, 3), 1, 0, 1, 1),  # a single output
    (2, 4, 6, 9, 8, (3, 2), 1, 0, (2, 1), 2),  # stride 1, no padding: col2im input gradient
]


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: "-".join(map(str, c)))
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_matches_torch(case, bias, columns):
    n, c, o, h, w, k, s, p, d, g = case
    arrays = [randn(n, c, h, w), randn(o, c // g, *k, seed=1)] + ([randn(o, seed=2)] if bias
                                                                    else [])
    compare(lambda *a: F.conv2d(*a[:2], a[2] if bias else None, s, p, d, g),
            lambda *a: TF.conv2d(*a[:2], a[2] if bias else None, s, p, d, g), *arrays)


@pytest.mark.parametrize("case", [CONV_CASES[1], CONV_CASES[4], CONV_CASES[7]])
def test_conv2d_double_backward(case, columns):
    n, c, o, h, w, k, s, p, d, g = case
    compare(lambda x, wt, b: F.conv2d(x, wt, b, s, p, d, g),
            lambda x, wt, b: TF.conv2d(x, wt, b, s, p, d, g),
            randn(n, c, h, w), randn(o, c // g, *k, seed=1), randn(o, seed=2),
            second_order=True)


def test_conv2d_gradcheck(columns):
    check_gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, groups=2),
                    randn(1, 2, 5, 4), randn(2, 1, 3, 2, seed=1), randn(2, seed=2))


def test_conv2d_unbatched_input():
    compare(lambda x, w: F.conv2d(x, w, padding=1), lambda x, w: TF.conv2d(x, w, padding=1),
            randn(3, 5, 4), randn(2, 3, 3, 3, seed=1))


@pytest.mark.parametrize("s,p,d,g", [(1, 0, 1, 1), (2, 1, 1, 2), (1, "same", 2, 1),
                                     (3, 2, 1, 4)])
def test_conv1d_matches_torch(s, p, d, g, columns):
    compare(lambda x, w, b: F.conv1d(x, w, b, s, p, d, g),
            lambda x, w, b: TF.conv1d(x, w, b, s, p, d, g),
            randn(2, 4, 11), randn(8, 4 // g, 3, seed=1), randn(8, seed=2))


def test_conv1d_double_backward_and_gradcheck():
    compare(lambda x, w: F.conv1d(x, w, stride=2, padding=1),
            lambda x, w: TF.conv1d(x, w, stride=2, padding=1),
            randn(2, 3, 9), randn(4, 3, 3, seed=1), second_order=True)
    check_gradcheck(lambda x, w: F.conv1d(x, w, padding="same"), randn(1, 2, 6),
                    randn(2, 2, 4, seed=1))


# (N, C_in, C_out, H, W, kernel, stride, padding, output_padding, groups, dilation)
TRANSPOSE_CASES = [
    (2, 4, 3, 5, 6, (3, 3), 1, 0, 0, 1, 1),
    (2, 4, 6, 4, 5, (3, 2), 2, 1, 1, 2, 1),
    (1, 3, 2, 3, 4, (2, 2), 2, 0, 0, 1, 1),
    (2, 2, 4, 4, 3, (3, 3), (3, 2), (1, 2), (2, 1), 1, (1, 2)),
    (1, 4, 4, 5, 5, (3, 3), 1, 1, 0, 4, 2),
]


@pytest.mark.parametrize("case", TRANSPOSE_CASES, ids=lambda c: "-".join(map(str, c)))
def test_conv_transpose2d_matches_torch(case, columns):
    n, ci, co, h, w, k, s, p, op, g, d = case
    compare(lambda x, wt, b: F.conv_transpose2d(x, wt, b, s, p, op, g, d),
            lambda x, wt, b: TF.conv_transpose2d(x, wt, b, s, p, op, g, d),
            randn(n, ci, h, w), randn(ci, co // g, *k, seed=1), randn(co, seed=2))


def test_conv_transpose2d_double_backward_and_gradcheck(columns):
    compare(lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1),
            lambda x, w: TF.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1),
            randn(2, 3, 3, 4), randn(3, 2, 3, 3, seed=1), second_order=True)
    check_gradcheck(lambda x, w: F.conv_transpose2d(x, w, stride=2), randn(1, 2, 2, 3),
                    randn(2, 1, 2, 2, seed=1))


@pytest.mark.parametrize("k,d,p,s", [((2, 3), 1, 0, 1), (3, 2, 1, 2), ((1, 2), (1, 2), (0, 1), 3)])
def test_unfold_fold_match_torch(k, d, p, s):
    compare(lambda x: F.unfold(x, k, d, p, s), lambda x: TF.unfold(x, k, d, p, s),
            randn(2, 3, 7, 6))
    n_blocks = TF.unfold(torch.zeros(1, 1, 7, 6), k, d, p, s).shape[-1]
    kk = np.prod(k if isinstance(k, tuple) else (k, k))
    compare(lambda c: F.fold(c, (7, 6), k, d, p, s), lambda c: TF.fold(c, (7, 6), k, d, p, s),
            randn(2, 2 * int(kk), n_blocks), second_order=True)


def test_float32_stays_float32():
    x = neuronet.randn(2, 3, 6, 6, requires_grad=True)
    w = neuronet.randn(4, 3, 3, 3, requires_grad=True)
    b = neuronet.zeros(4, requires_grad=True)
    y = F.conv2d(x, w, b, padding=1)
    z = F.conv_transpose2d(y, w, stride=2)
    assert y.dtype == z.dtype == neuronet.float32
    (z * z).sum().backward()
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == neuronet.float32


def test_errors_name_the_op_and_shapes():
    x, w = neuronet.zeros(2, 3, 5, 5), neuronet.zeros(4, 3, 3, 3)
    with pytest.raises(RuntimeError, match=r"conv2d: expected a 3-D .* or 4-D .*\(5, 5\)"):
        F.conv2d(neuronet.zeros(5, 5), w)
    with pytest.raises(RuntimeError, match=r"conv2d: .*\(2, 4, 5, 5\).* 3 channels.*got 4"):
        F.conv2d(neuronet.zeros(2, 4, 5, 5), w)
    with pytest.raises(RuntimeError, match=r"conv2d: .*divisible by groups=2"):
        F.conv2d(neuronet.zeros(2, 6, 5, 5), neuronet.zeros(3, 3, 3, 3), groups=2)
    with pytest.raises(ValueError, match="not supported for strided"):
        F.conv2d(x, w, padding="same", stride=2)
    with pytest.raises(RuntimeError, match="smaller than the .*kernel"):
        F.conv2d(neuronet.zeros(1, 3, 2, 2), w)
    with pytest.raises(TypeError, match="same floating point dtype"):
        F.conv2d(x.double(), w)
    with pytest.raises(RuntimeError, match=r"conv1d: .*3-D weight"):
        F.conv1d(neuronet.zeros(1, 3, 5), w)
    with pytest.raises(ValueError, match=r"conv2d: stride must be >= 1"):
        F.conv2d(x, w, stride=0)
    with pytest.raises(RuntimeError, match=r"fold: .*expected size of input's dimension 2"):
        F.fold(neuronet.zeros(1, 4, 5), (3, 3), 2)


@pytest.mark.parametrize("use", ["bias", "weight"])
def test_conv2d_weight_and_bias_gradients_double_backward(use, columns):
    """dw and db come from one node (db summed in the weight gradient's blocks): a function
    of only one of them still differentiates right, through the upstream gradient too."""
    arrays = [randn(2, 3, 6, 5), randn(4, 3, 3, 2, seed=1), randn(4, seed=2),
              randn(2, 4, 3, 4, seed=3)]

    def run(lib, fn, make):
        x, w, b, v = (make(a) for a in arrays)
        y = fn(x, w, b, stride=(2, 1), padding=(1, 0))
        dw, db = lib.autograd.grad(y, (w, b), v, create_graph=True)
        loss = (db * db).sum() if use == "bias" else (dw * dw * dw).sum()
        grads = lib.autograd.grad(loss, (x, w, b, v), allow_unused=True)
        return [None if g is None else np.asarray(g.detach().numpy()) for g in grads]

    ours = run(neuronet, F.conv2d,
               lambda a: neuronet.tensor(a, dtype=neuronet.float64, requires_grad=True))
    ref = run(torch, TF.conv2d,
              lambda a: torch.tensor(a, dtype=torch.float64, requires_grad=True))
    for i, (a, r) in enumerate(zip(ours, ref)):
        if r is None or a is None:
            assert (a is None or not a.any()) and (r is None or not r.any()), i
        else:
            np.testing.assert_allclose(a, r, rtol=1e-9, atol=1e-10, err_msg=str(i))
