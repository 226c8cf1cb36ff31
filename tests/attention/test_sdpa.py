"""F.scaled_dot_product_attention against PyTorch in float64 (every mask kind, causal, scale,
GQA, broadcasting, dropout), by finite differences, and the fused softmax helpers."""

from __future__ import annotations

import numpy as np
import pytest
from _attn_helpers import backward_both, close, pair

import neuronet as nt
import neuronet.nn.functional as F
from neuronet.autograd import gradcheck, gradgradcheck
from neuronet.ops.attention import row_max, softmax_rows_

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(3)


def randn(*shape):
    return RNG.standard_normal(shape)


def _check(q, k, v, **kw):
    """Outputs and the gradients of q, k, v (and of a float mask) against torch."""
    (qa, qb), (ka, kb), (va, vb) = pair(q), pair(k), pair(v)
    kw_a, kw_b = dict(kw), dict(kw)
    mask = kw.get("attn_mask")
    if mask is not None:
        ma, mb = pair(mask)
        kw_a["attn_mask"], kw_b["attn_mask"] = ma, mb
    ya = F.scaled_dot_product_attention(qa, ka, va, **kw_a)
    yb = TF.scaled_dot_product_attention(qb, kb, vb, **kw_b)
    close(ya, yb)
    backward_both(ya, yb)
    for a, b in ((qa, qb), (ka, kb), (va, vb)):
        close(a.grad, b.grad)
    if mask is not None and mask.dtype != np.bool_:
        close(kw_a["attn_mask"].grad, kw_b["attn_mask"].grad)


def test_plain_and_scale():
    q, k, v = randn(2, 3, 4, 5), randn(2, 3, 6, 5), randn(2, 3, 6, 7)
    _check(q, k, v)
    _check(q, k, v, scale=0.37)


@pytest.mark.parametrize("mask_shape", [(4, 6), (2, 1, 4, 6), (3, 1, 6), (2, 3, 4, 6)])
def test_bool_mask_true_takes_part(mask_shape):
    q, k, v = randn(2, 3, 4, 5), randn(2, 3, 6, 5), randn(2, 3, 6, 5)
    mask = RNG.random(mask_shape) > 0.3
    mask[..., 0] = True  # no row fully masked here (that case has its own test)
    _check(q, k, v, attn_mask=mask)


@pytest.mark.parametrize("mask_shape", [(4, 6), (2, 3, 4, 6), (1, 4, 6)])
def test_float_mask_added_and_its_gradient(mask_shape):
    q, k, v = randn(2, 3, 4, 5), randn(2, 3, 6, 5), randn(2, 3, 6, 5)
    _check(q, k, v, attn_mask=randn(*mask_shape))


def test_float_mask_with_minus_inf():
    q, k, v = randn(2, 4, 5), randn(2, 6, 5), randn(2, 6, 5)
    mask = np.where(RNG.random((4, 6)) > 0.4, 0.0, -np.inf)
    mask[:, 0] = 0.0
    (qa, qb), (ka, kb), (va, vb) = pair(q), pair(k), pair(v)
    ya = F.scaled_dot_product_attention(qa, ka, va, attn_mask=nt.tensor(mask))
    yb = TF.scaled_dot_product_attention(qb, kb, vb, attn_mask=torch.tensor(mask))
    close(ya, yb)


@pytest.mark.parametrize("lengths", [(5, 5), (3, 7), (7, 3)])
def test_causal(lengths):
    length, source = lengths
    _check(randn(2, 2, length, 4), randn(2, 2, source, 4), randn(2, 2, source, 3),
           is_causal=True)


def test_fully_masked_row_gives_zero_output_and_gradient():
    q, k, v = randn(1, 3, 4), randn(1, 5, 4), randn(1, 5, 4)
    mask = np.ones((3, 5), bool)
    mask[1] = False
    _check(q, k, v, attn_mask=mask)
    qa = nt.tensor(q, requires_grad=True)
    y = F.scaled_dot_product_attention(qa, nt.tensor(k), nt.tensor(v), attn_mask=nt.tensor(mask))
    assert np.all(y.detach().numpy()[0, 1] == 0)
    assert np.isfinite(y.detach().numpy()).all()


def test_unbatched_and_broadcast_batch_dims():
    _check(randn(4, 5), randn(6, 5), randn(6, 3))
    _check(randn(2, 3, 4, 5), randn(1, 3, 6, 5), randn(3, 6, 5))


def test_gqa():
    _check(randn(2, 6, 4, 5), randn(2, 2, 7, 5), randn(2, 2, 7, 3), enable_gqa=True)
    with pytest.raises(RuntimeError, match="enable_gqa"):
        F.scaled_dot_product_attention(nt.randn(2, 6, 4, 5), nt.randn(2, 4, 7, 5),
                                       nt.randn(2, 4, 7, 5), enable_gqa=True)


def test_float32_is_preserved_and_matches():
    q = RNG.standard_normal((2, 3, 8, 16)).astype(np.float32)
    y = F.scaled_dot_product_attention(nt.tensor(q), nt.tensor(q), nt.tensor(q), is_causal=True)
    assert y.dtype == nt.float32
    t = torch.tensor(q)
    np.testing.assert_allclose(y.numpy(), TF.scaled_dot_product_attention(
        t, t, t, is_causal=True).numpy(), atol=1e-5)


def test_dropout_p_zero_is_exact_and_p_one_gives_zero():
    q = nt.randn(2, 4, 5)
    base = F.scaled_dot_product_attention(q, q, q)
    close(F.scaled_dot_product_attention(q, q, q, dropout_p=0.0), base)
    assert np.all(F.scaled_dot_product_attention(q, q, q, dropout_p=1.0).numpy() == 0)


def test_dropout_statistics_and_gradient_uses_the_same_mask():
    # value = identity rows: output row i is the dropped weight row, so its entries are 0 or
    # p_ij / (1 - p); the mean over many draws is p_ij (dropout is unbiased)
    nt.manual_seed(0)
    n, p = 64, 0.3
    q = nt.zeros(1, 200, 4, dtype=nt.float64)
    k = nt.zeros(1, n, 4, dtype=nt.float64)
    v = nt.tensor(np.eye(n)[None], requires_grad=True)
    y = F.scaled_dot_product_attention(q, k, v, dropout_p=p)
    vals = y.detach().numpy()
    zero_frac = (vals == 0).mean()
    assert abs(zero_frac - p) < 0.02, zero_frac
    np.testing.assert_allclose(vals[vals != 0], 1.0 / n / (1 - p))
    assert abs(vals.mean() - 1.0 / n) < 0.1 / n
    # dL/dV = Pd^T g: with g = 1, column sums of the dropped weights
    y.sum().backward()
    np.testing.assert_allclose(v.grad.numpy()[0], np.repeat(vals[0].sum(0)[:, None], n, 1))


def test_gradcheck_and_gradgradcheck():
    def f(q, k, v, m):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=0.7)

    args = [nt.tensor(randn(*s), requires_grad=True)
            for s in ((2, 3, 4), (2, 5, 4), (2, 5, 3), (3, 5))]
    assert gradcheck(f, args)
    assert gradgradcheck(f, args)

    def causal(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)

    assert gradcheck(causal, args[:3])


def test_errors_name_the_problem():
    q = nt.randn(2, 4, 5)
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=nt.ones(4, 4, dtype=nt.bool),
                                       is_causal=True)
    with pytest.raises(RuntimeError, match=r"\(2, 4, 5\).*\(2, 4, 6\)"):
        F.scaled_dot_product_attention(q, nt.randn(2, 4, 6), q)
    with pytest.raises(RuntimeError, match="attn_mask of shape"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=nt.ones(3, 4, dtype=nt.bool))
    with pytest.raises(RuntimeError, match="dtype"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=nt.zeros(4, 4, dtype=nt.float64))
    with pytest.raises(ValueError, match="dropout_p"):
        F.scaled_dot_product_attention(q, q, q, dropout_p=1.5)
    with pytest.raises(TypeError, match="floating"):
        F.scaled_dot_product_attention(q, q, nt.ones(2, 4, 5, dtype=nt.int64))


@pytest.mark.parametrize("n", [1, 7, 8, 9, 16, 17, 100, 128, 129])
def test_row_max_equals_max(n):
    x = RNG.standard_normal((3, 4, n)).astype(np.float32)
    np.testing.assert_array_equal(row_max(x), x.max(-1, keepdims=True))


def test_softmax_rows_matches_and_handles_masked_rows():
    x = RNG.standard_normal((5, 9))
    x[2] = -np.inf
    want = np.exp(x - x[[0]].max())  # any row's shift works; compare per row below
    got = softmax_rows_(x.copy())
    assert np.all(got[2] == 0)
    for i in (0, 1, 3, 4):
        np.testing.assert_allclose(got[i], want[i] / want[i].sum())


@pytest.fixture(params=[1, 3], ids=["1-thread", "3-threads"])
def attention_blocks(request, monkeypatch):
    """Every (batch, head) pair its own block of the flattened batch, on 1 or 3 threads."""
    from neuronet.ops import _blocks

    monkeypatch.setattr(_blocks, "WORKSPACE_BYTES", 1)
    monkeypatch.setattr(_blocks, "SMALL_BYTES", 0)
    monkeypatch.setattr(_blocks, "block_threads", lambda: request.param)


@pytest.mark.parametrize("kw", [{}, {"scale": 0.4}, {"is_causal": True},
                                {"attn_mask": "bool-shared"}, {"attn_mask": "float-full"},
                                {"attn_mask": "float-broadcast"}],
                         ids=["plain", "scale", "causal", "bool-shared", "float-full",
                              "float-broadcast"])
def test_blocks_on_threads_match_torch(kw, attention_blocks):
    q, k, v = randn(2, 3, 4, 5), randn(2, 3, 6, 5), randn(2, 3, 6, 7)
    kind = kw.get("attn_mask")
    if kind == "bool-shared":
        mask = RNG.random((4, 6)) > 0.3
        mask[..., 0] = True
        kw = {"attn_mask": mask}
    elif kind == "float-full":
        kw = {"attn_mask": randn(2, 3, 4, 6)}
    elif kind == "float-broadcast":  # broadcast over heads only: the whole-array path
        kw = {"attn_mask": randn(2, 1, 4, 6)}
    _check(q, k, v, **kw)


def test_blocks_agree_with_whole_arrays_with_dropout_and_weights(attention_blocks,
                                                                  monkeypatch):
    """Dropout masks and the returned weights, blocked against the whole-array path."""
    from neuronet.ops import attention as A

    q, k, v = (nt.tensor(randn(2, 3, 4, 5), requires_grad=True) for _ in range(3))
    results = []
    for blocked in (True, False):
        if not blocked:
            monkeypatch.setattr(A._BatchBlocks, "of", classmethod(lambda *a: None))
        nt.manual_seed(7)
        o, w = A.attention(q, k, v, scale=0.5, keep=(RNG_KEEP > 0.3) / 0.7,
                           return_weights=True, raw_weights=True)
        g = nt.autograd.grad((o * 1.5).sum() + (w * w).sum(), (q, k, v))
        results.append([o, w, *g])
    for a, b in zip(*results):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12,
                                   atol=1e-12)


RNG_KEEP = np.random.default_rng(9).random((2, 3, 4, 4))
