"""Transformer encoder/decoder layers, stacks and nn.Transformer against torch.nn in float64
with the state dict copied across (eval mode, so dropout is off): outputs and the gradients
of the inputs and of every parameter; masks; the causal mask; positional encoding."""

from __future__ import annotations

import numpy as np
import pytest
from _attn_helpers import backward_both, close, copy_state, pair, same_param_grads

import neuronet as nt
import neuronet.nn as nn
import neuronet.nn.functional as F

torch = pytest.importorskip("torch")
tnn = torch.nn
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

RNG = np.random.default_rng(11)
D_MODEL, NHEAD, FF, B, S, T = 8, 2, 12, 3, 5, 4


def randn(*shape):
    return RNG.standard_normal(shape)


def _pad_mask(n):
    m = RNG.random((B, n)) > 0.6
    m[:, 0] = False
    return m


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer(norm_first, activation, batch_first):
    kw = dict(dim_feedforward=FF, dropout=0.1, activation=activation, batch_first=batch_first,
              norm_first=norm_first)
    ours = nn.TransformerEncoderLayer(D_MODEL, NHEAD, **kw).eval()
    theirs = tnn.TransformerEncoderLayer(D_MODEL, NHEAD, **kw).eval()
    copy_state(ours, theirs)
    (xa, xb) = pair(randn(*((B, S, D_MODEL) if batch_first else (S, B, D_MODEL))))
    kpm = _pad_mask(S)
    mask = np.triu(np.full((S, S), -np.inf), 1)
    ya = ours(xa, src_mask=nt.tensor(mask), src_key_padding_mask=nt.tensor(kpm))
    yb = theirs(xb, src_mask=torch.tensor(mask), src_key_padding_mask=torch.tensor(kpm))
    close(ya, yb)
    backward_both(ya, yb)
    close(xa.grad, xb.grad)
    same_param_grads(ours, theirs)


def test_encoder_layer_callable_activation_no_bias_and_dropout_zero_in_training():
    kw = dict(dim_feedforward=FF, dropout=0.0, activation=F.silu, bias=False)
    ours = nn.TransformerEncoderLayer(D_MODEL, NHEAD, **kw)
    theirs = tnn.TransformerEncoderLayer(D_MODEL, NHEAD, **{**kw, "activation":
                                                            torch.nn.functional.silu})
    copy_state(ours, theirs)
    (xa, xb) = pair(randn(S, B, D_MODEL))
    ya, yb = ours(xa), theirs(xb)
    close(ya, yb)
    backward_both(ya, yb)
    same_param_grads(ours, theirs)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_with_all_masks(norm_first):
    kw = dict(dim_feedforward=FF, activation="gelu", norm_first=norm_first, batch_first=True)
    ours = nn.TransformerDecoderLayer(D_MODEL, NHEAD, **kw).eval()
    theirs = tnn.TransformerDecoderLayer(D_MODEL, NHEAD, **kw).eval()
    copy_state(ours, theirs)
    (ta, tb), (ma, mb) = pair(randn(B, T, D_MODEL)), pair(randn(B, S, D_MODEL))
    masks = {"tgt_mask": np.triu(np.full((T, T), -np.inf), 1),
             "memory_mask": RNG.random((T, S)) > 0.8,
             "tgt_key_padding_mask": _pad_mask(T), "memory_key_padding_mask": _pad_mask(S)}
    masks["memory_mask"][:, 0] = False
    ka = {k: nt.tensor(v) for k, v in masks.items()}
    kb = {k: torch.tensor(v) for k, v in masks.items()}
    ya, yb = ours(ta, ma, **ka), theirs(tb, mb, **kb)
    close(ya, yb)
    backward_both(ya, yb)
    close(ta.grad, tb.grad)
    close(ma.grad, mb.grad)
    same_param_grads(ours, theirs)


def test_encoder_and_decoder_stacks_with_norm():
    enc_o = nn.TransformerEncoder(nn.TransformerEncoderLayer(D_MODEL, NHEAD, FF), 2,
                                  nn.LayerNorm(D_MODEL)).eval()
    enc_t = tnn.TransformerEncoder(tnn.TransformerEncoderLayer(D_MODEL, NHEAD, FF), 2,
                                   tnn.LayerNorm(D_MODEL), enable_nested_tensor=False).eval()
    copy_state(enc_o, enc_t)
    (xa, xb) = pair(randn(S, B, D_MODEL))
    mask = nn.Transformer.generate_square_subsequent_mask(S, dtype=nt.float64)
    ya = enc_o(xa, mask=mask, is_causal=True)
    yb = enc_t(xb, mask=torch.tensor(mask.numpy()), is_causal=True)
    close(ya, yb)
    backward_both(ya, yb)
    close(xa.grad, xb.grad)
    same_param_grads(enc_o, enc_t)
    # the layers are independent copies
    p0 = enc_o.layers[0].linear1.weight
    assert p0 is not enc_o.layers[1].linear1.weight

    dec_o = nn.TransformerDecoder(nn.TransformerDecoderLayer(D_MODEL, NHEAD, FF), 2).eval()
    dec_t = tnn.TransformerDecoder(tnn.TransformerDecoderLayer(D_MODEL, NHEAD, FF), 2).eval()
    copy_state(dec_o, dec_t)
    (ta, tb), (ma, mb) = pair(randn(T, B, D_MODEL)), pair(randn(S, B, D_MODEL))
    tmask = nn.Transformer.generate_square_subsequent_mask(T, dtype=nt.float64)
    ya = dec_o(ta, ma, tgt_mask=tmask)
    yb = dec_t(tb, mb, tgt_mask=torch.tensor(tmask.numpy()))
    close(ya, yb)
    backward_both(ya, yb)
    close(ma.grad, mb.grad)
    same_param_grads(dec_o, dec_t)


@pytest.mark.parametrize("batch_first", [False, True])
def test_full_transformer_with_masks(batch_first):
    kw = dict(d_model=D_MODEL, nhead=NHEAD, num_encoder_layers=2, num_decoder_layers=1,
              dim_feedforward=FF, batch_first=batch_first)
    ours, theirs = nn.Transformer(**kw).eval(), tnn.Transformer(**kw).eval()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    copy_state(ours, theirs)
    src = randn(B, S, D_MODEL) if batch_first else randn(S, B, D_MODEL)
    tgt = randn(B, T, D_MODEL) if batch_first else randn(T, B, D_MODEL)
    (sa, sb), (ta, tb) = pair(src), pair(tgt)
    tmask = nn.Transformer.generate_square_subsequent_mask(T, dtype=nt.float64)
    spm = _pad_mask(S)
    ya = ours(sa, ta, tgt_mask=tmask, src_key_padding_mask=nt.tensor(spm),
              memory_key_padding_mask=nt.tensor(spm))
    yb = theirs(sb, tb, tgt_mask=torch.tensor(tmask.numpy()),
                src_key_padding_mask=torch.tensor(spm),
                memory_key_padding_mask=torch.tensor(spm))
    close(ya, yb)
    backward_both(ya, yb)
    close(sa.grad, sb.grad)
    close(ta.grad, tb.grad)
    same_param_grads(ours, theirs)


def test_transformer_init_and_counts():
    ours, theirs = nn.Transformer(16, 2, 2, 2, 32), tnn.Transformer(16, 2, 2, 2, 32)
    assert sum(p.numel() for p in ours.parameters()) == sum(
        p.numel() for p in theirs.parameters())
    w = ours.encoder.layers[0].linear1.weight.detach().numpy()
    assert np.abs(w).max() <= np.sqrt(6.0 / (16 + 32)) + 1e-7  # xavier_uniform bound
    assert ours.encoder.layers[0].linear1.weight is not ours.encoder.layers[1].linear1.weight


def test_generate_square_subsequent_mask_matches_torch():
    ours = nn.Transformer.generate_square_subsequent_mask(5)
    theirs = tnn.Transformer.generate_square_subsequent_mask(5)
    assert ours.dtype == nt.float32
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_sinusoidal_positional_encoding_formula():
    length, d = 20, 10
    pe = F.sinusoidal_positional_encoding(length, d).numpy()
    assert pe.dtype == np.float32 and pe.shape == (length, d)
    pos, i = 7, 3
    np.testing.assert_allclose(pe[pos, 2 * i], np.sin(pos / 10000 ** (2 * i / d)), rtol=1e-6)
    np.testing.assert_allclose(pe[pos, 2 * i + 1], np.cos(pos / 10000 ** (2 * i / d)),
                               rtol=1e-6)
    odd = F.sinusoidal_positional_encoding(4, 5, dtype=nt.float64).numpy()
    assert odd.dtype == np.float64
    np.testing.assert_allclose(odd[2, 2], np.sin(2 / 10000 ** (2 / 5)))
    np.testing.assert_allclose(odd[2, 3], np.cos(2 / 10000 ** (2 / 5)))
    np.testing.assert_allclose(odd[3, 4], np.sin(3 / 10000 ** (4 / 5)))


def test_positional_encoding_module():
    pe = nn.PositionalEncoding(8, dropout=0.0, max_len=50, batch_first=True)
    x = nt.randn(2, 6, 8)
    close(pe(x), x + F.sinusoidal_positional_encoding(6, 8))
    seq = nn.PositionalEncoding(8, dropout=0.0, max_len=50)
    close(seq(x.transpose(0, 1)), (x + F.sinusoidal_positional_encoding(6, 8)).transpose(0, 1))
    assert "pe" in seq.state_dict()
    with pytest.raises(ValueError, match="PositionalEncoding"):
        pe(nt.randn(2, 51, 8))


def test_layer_errors():
    with pytest.raises(RuntimeError, match="relu/gelu"):
        nn.TransformerEncoderLayer(8, 2, activation="tanhh")
    with pytest.raises(ValueError, match="dim_feedforward"):
        nn.TransformerDecoderLayer(8, 2, dim_feedforward=0)
    model = nn.Transformer(8, 2, 1, 1, 16)
    with pytest.raises(RuntimeError, match="batch number"):
        model(nt.randn(5, 2, 8), nt.randn(4, 3, 8))
    with pytest.raises(RuntimeError, match="d_model"):
        model(nt.randn(5, 2, 6), nt.randn(4, 2, 6))
