"""nn.MultiheadAttention against torch.nn.MultiheadAttention in float64 with the state dict
copied across: outputs, attention weights, and the gradients of the inputs and of every
parameter, for every option; gradcheck on a small one; parameter names and init."""

from __future__ import annotations

import numpy as np
import pytest
from _attn_helpers import backward_both, close, copy_state, pair, same_param_grads

import neuronet as nt
import neuronet.nn as nn
import neuronet.nn.functional as F
from neuronet.autograd import gradcheck

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:Support for mismatched:UserWarning")

RNG = np.random.default_rng(5)
E, H, B, L, S = 8, 2, 3, 4, 6


def randn(*shape):
    return RNG.standard_normal(shape)


def _layout(batch_first, n, e):
    return (B, n, e) if batch_first else (n, B, e)


def run_both(kw=None, call=None, self_attention=False, masks=None, weights_in_loss=True):
    """Build both modules with the same weights, call them, compare everything."""
    kw, call = kw or {}, call or {}
    ours, theirs = nn.MultiheadAttention(E, H, **kw), torch.nn.MultiheadAttention(E, H, **kw)
    copy_state(ours, theirs)
    bf = kw.get("batch_first", False)
    q = randn(*_layout(bf, L, E))
    (qa, qb) = pair(q)
    if self_attention:
        ka, kb, va, vb = qa, qb, qa, qb
    else:
        (ka, kb) = pair(randn(*_layout(bf, S, kw.get("kdim") or E)))
        (va, vb) = pair(randn(*_layout(bf, S, kw.get("vdim") or E)))
    call_a, call_b = dict(call), dict(call)
    for name, arr in (masks or {}).items():
        call_a[name], call_b[name] = pair(arr, requires_grad=False)
    ya, wa = ours(qa, ka, va, **call_a)
    yb, wb = theirs(qb, kb, vb, **call_b)
    close(ya, yb)
    if wb is None:
        assert wa is None
    else:
        close(wa, wb)
    if weights_in_loss and wb is not None:  # gradients through the returned weights too
        ya = ya.sum() + (wa * wa).sum()
        yb = yb.sum() + (wb * wb).sum()
    backward_both(ya, yb)
    for a, b in ((qa, qb), (ka, kb), (va, vb)):
        close(a.grad, b.grad)
    same_param_grads(ours, theirs)
    return ours


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("self_attention", [False, True])
def test_plain(batch_first, self_attention):
    run_both({"batch_first": batch_first}, self_attention=self_attention)


def test_key_is_value_cross_attention():
    ours, theirs = nn.MultiheadAttention(E, H), torch.nn.MultiheadAttention(E, H)
    copy_state(ours, theirs)
    (qa, qb), (ma, mb) = pair(randn(L, B, E)), pair(randn(S, B, E))
    ya, yb = ours(qa, ma, ma)[0], theirs(qb, mb, mb)[0]
    close(ya, yb)
    backward_both(ya, yb)
    close(ma.grad, mb.grad)
    same_param_grads(ours, theirs)


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_key_padding_mask(kind):
    kpm = RNG.random((B, S)) > 0.6
    kpm[:, 0] = False
    mask = kpm if kind == "bool" else np.where(kpm, -2.5, 0.3)
    run_both(masks={"key_padding_mask": mask})


@pytest.mark.parametrize("dims", [2, 3])
@pytest.mark.parametrize("kind", ["bool", "float"])
def test_attn_mask(dims, kind):
    shape = (L, S) if dims == 2 else (B * H, L, S)
    m = RNG.random(shape) > 0.6
    m[..., 0] = False
    mask = m if kind == "bool" else randn(*shape)
    run_both({"batch_first": True}, masks={"attn_mask": mask})


def test_both_masks_together():
    kpm = RNG.random((B, S)) > 0.6
    kpm[:, 0] = False
    run_both(masks={"key_padding_mask": kpm, "attn_mask": randn(L, S)})


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("average", [True, False])
def test_need_weights_and_average(need_weights, average):
    run_both({"batch_first": True},
             {"need_weights": need_weights, "average_attn_weights": average})


def test_weights_shapes():
    mha = nn.MultiheadAttention(E, H, batch_first=True)
    x = nt.randn(B, L, E)
    assert tuple(mha(x, x, x)[1].shape) == (B, L, L)
    assert tuple(mha(x, x, x, average_attn_weights=False)[1].shape) == (B, H, L, L)
    assert mha(x, x, x, need_weights=False)[1] is None


def test_kdim_vdim_separate_weights():
    ours = run_both({"kdim": 5, "vdim": 7, "batch_first": True})
    names = [n for n, _ in ours.named_parameters()]
    assert names == ["q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias",
                     "out_proj.weight", "out_proj.bias"]
    assert ours.in_proj_weight is None and not ours._qkv_same_embed_dim


def test_add_bias_kv_and_add_zero_attn_with_masks():
    kpm = RNG.random((B, S)) > 0.6
    m = RNG.random((L, S)) > 0.7
    run_both({"add_bias_kv": True, "add_zero_attn": True},
             masks={"key_padding_mask": kpm, "attn_mask": m})
    run_both({"add_bias_kv": True})
    run_both({"add_zero_attn": True, "batch_first": True})


def test_no_bias():
    ours = run_both({"bias": False})
    assert ours.in_proj_bias is None and ours.out_proj.bias is None


def test_unbatched():
    ours, theirs = nn.MultiheadAttention(E, H), torch.nn.MultiheadAttention(E, H)
    copy_state(ours, theirs)
    (qa, qb), (ka, kb) = pair(randn(L, E)), pair(randn(S, E))
    kpm = RNG.random(S) > 0.5
    kpm[0] = False
    ma, mb = pair(kpm)
    ya, wa = ours(qa, ka, ka, key_padding_mask=ma, average_attn_weights=False)
    yb, wb = theirs(qb, kb, kb, key_padding_mask=mb, average_attn_weights=False)
    close(ya, yb)
    close(wa, wb)
    backward_both(ya, yb)
    close(ka.grad, kb.grad)


def test_is_causal_hint_uses_the_mask():
    mask = nn.Transformer.generate_square_subsequent_mask(L, dtype=nt.float64).numpy()
    run_both({"batch_first": True}, {"is_causal": True, "need_weights": False},
             self_attention=True, masks={"attn_mask": mask})
    mha = nn.MultiheadAttention(E, H)
    x = nt.randn(L, B, E)
    with pytest.raises(RuntimeError, match="is_causal"):
        mha(x, x, x, is_causal=True)


def test_dropout_in_eval_is_identity_and_in_training_changes_output():
    mha = nn.MultiheadAttention(E, H, dropout=0.5, batch_first=True)
    x = nt.randn(B, L, E)
    mha.eval()
    close(mha(x, x, x)[0], mha(x, x, x)[0])
    mha.train()
    w = mha(x, x, x, average_attn_weights=False)[1].detach().numpy()
    assert (w == 0).mean() > 0.3  # the returned weights are the dropped ones, as in PyTorch


def test_functional_form_matches_module():
    mha = nn.MultiheadAttention(E, H).double()
    q, k = nt.tensor(randn(L, B, E)), nt.tensor(randn(S, B, E))
    want = mha(q, k, k)
    got = F.multi_head_attention_forward(
        q, k, k, E, H, mha.in_proj_weight, mha.in_proj_bias, None, None, False, 0.0,
        mha.out_proj.weight, mha.out_proj.bias, training=False)
    close(got[0], want[0])
    close(got[1], want[1])


def test_gradcheck_small():
    mha = nn.MultiheadAttention(4, 2, add_bias_kv=True, batch_first=True).double()
    params = list(mha.parameters())

    def f(x, m, *ps):
        return mha(x, m, m, attn_mask=None)[0]

    x = nt.tensor(randn(2, 3, 4), requires_grad=True)
    m = nt.tensor(randn(2, 5, 4), requires_grad=True)
    assert gradcheck(f, [x, m] + params)


def test_float32_default_and_init():
    mha = nn.MultiheadAttention(16, 4, batch_first=True)
    assert mha.in_proj_weight.dtype == nt.float32 and mha(nt.randn(2, 3, 16), nt.randn(
        2, 3, 16), nt.randn(2, 3, 16))[0].dtype == nt.float32
    assert np.all(mha.in_proj_bias.detach().numpy() == 0) and np.all(
        mha.out_proj.bias.detach().numpy() == 0)
    bound = np.sqrt(6.0 / (16 + 48))  # xavier_uniform on the (3E, E) matrix
    assert np.abs(mha.in_proj_weight.detach().numpy()).max() <= bound
    assert list(mha.state_dict()) == list(torch.nn.MultiheadAttention(16, 4).state_dict())


def test_errors():
    with pytest.raises(ValueError, match="divisible"):
        nn.MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="num_heads"):
        nn.MultiheadAttention(8, 0)
    mha = nn.MultiheadAttention(E, H)
    x = nt.randn(L, B, E)
    with pytest.raises(RuntimeError, match="key_padding_mask"):
        mha(x, x, x, key_padding_mask=nt.zeros(B, L + 1, dtype=nt.bool))
    with pytest.raises(RuntimeError, match="2D attn_mask"):
        mha(x, x, x, attn_mask=nt.zeros(L, L + 1))
    with pytest.raises(RuntimeError, match="3D attn_mask"):
        mha(x, x, x, attn_mask=nt.zeros(B, L, L))
    with pytest.raises(RuntimeError, match=r"\(\.\.\., 8\)"):
        mha(x, x, nt.randn(L, B, 5))
