"""nn.utils.rnn (pad_sequence, pack_padded_sequence, pad_packed_sequence, pack_sequence) and
the recurrent layers on packed sequences, against torch in float64: the packed data, batch
sizes and indices, the outputs, final states and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import neuronet as nt
from neuronet import nn
from neuronet.nn.utils import rnn as nrnn

torch = pytest.importorskip("torch")
trnn = torch.nn.utils.rnn

LENGTHS = [[5, 3, 3, 1], [2, 5, 1, 4]]


def _seqs(lengths, features=3, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((n, features)) for n in lengths]
    ours = [nt.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    return ours, theirs


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_matches_torch(batch_first: bool, side: str) -> None:
    ours, theirs = _seqs([3, 1, 4])
    pn = nrnn.pad_sequence(ours, batch_first=batch_first, padding_value=-2.0, padding_side=side)
    pt = trnn.pad_sequence(theirs, batch_first=batch_first, padding_value=-2.0,
                           padding_side=side)
    np.testing.assert_array_equal(pn.detach().numpy(), pt.detach().numpy())
    w = np.random.default_rng(1).standard_normal(pt.shape)
    (pn * nt.tensor(w)).sum().backward()
    (pt * torch.tensor(w)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


@pytest.mark.parametrize("lengths", LENGTHS)
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_and_pad_round_trip_matches_torch(lengths: list, batch_first: bool) -> None:
    enforce = lengths == sorted(lengths, reverse=True)
    ours, theirs = _seqs(lengths)
    pn = nrnn.pad_sequence(ours, batch_first=batch_first)
    pt = trnn.pad_sequence(theirs, batch_first=batch_first)
    kn = nrnn.pack_padded_sequence(pn, lengths, batch_first=batch_first, enforce_sorted=enforce)
    kt = trnn.pack_padded_sequence(pt, torch.tensor(lengths), batch_first=batch_first,
                                   enforce_sorted=enforce)
    np.testing.assert_array_equal(kn.data.detach().numpy(), kt.data.detach().numpy())
    assert kn.batch_sizes.tolist() == kt.batch_sizes.tolist()
    for a, b in ((kn.sorted_indices, kt.sorted_indices),
                 (kn.unsorted_indices, kt.unsorted_indices)):
        assert (a is None and b is None) or a.tolist() == b.tolist()
    un, ln = nrnn.pad_packed_sequence(kn, batch_first=batch_first, padding_value=9.0,
                                      total_length=6)
    ut, lt = trnn.pad_packed_sequence(kt, batch_first=batch_first, padding_value=9.0,
                                      total_length=6)
    np.testing.assert_array_equal(un.detach().numpy(), ut.detach().numpy())
    assert ln.tolist() == lt.tolist()
    w = np.random.default_rng(2).standard_normal(ut.shape)
    (un * nt.tensor(w)).sum().backward()
    (ut * torch.tensor(w)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_pack_sequence_and_unpack() -> None:
    ours, theirs = _seqs([2, 4, 1])
    kn = nrnn.pack_sequence(ours, enforce_sorted=False)
    kt = trnn.pack_sequence(theirs, enforce_sorted=False)
    np.testing.assert_array_equal(kn.data.detach().numpy(), kt.data.detach().numpy())
    back = nrnn.unpack_sequence(kn)
    for a, b in zip(back, ours):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_packing_validation() -> None:
    x = nt.zeros(4, 2, 3)
    with pytest.raises(RuntimeError, match="decreasing order"):
        nrnn.pack_padded_sequence(x, [2, 3])
    with pytest.raises(RuntimeError, match="greater than 0"):
        nrnn.pack_padded_sequence(x, [2, 0])
    with pytest.raises(ValueError, match="one length per sequence"):
        nrnn.pack_padded_sequence(x, [2, 1, 1])
    with pytest.raises(ValueError, match="padding_side"):
        nrnn.pad_sequence([nt.zeros(2)], padding_side="middle")
    with pytest.raises(ValueError, match="total_length"):
        nrnn.pad_packed_sequence(nrnn.pack_padded_sequence(x, [4, 2]), total_length=2)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("lengths", LENGTHS)
@pytest.mark.parametrize("kw", [{}, {"bidirectional": True, "num_layers": 2},
                                {"batch_first": True}], ids=["plain", "bi2", "batch_first"])
def test_layers_on_packed_sequences_match_torch(name: str, lengths: list, kw: dict) -> None:
    enforce = lengths == sorted(lengths, reverse=True)
    torch.manual_seed(0)
    t = getattr(torch.nn, name)(3, 4, **kw).double()
    n = getattr(nn, name)(3, 4, **kw).double()
    n.load_state_dict({k: nt.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    bf = kw.get("batch_first", False)
    ours, theirs = _seqs(lengths)
    kn = nrnn.pack_padded_sequence(nrnn.pad_sequence(ours, batch_first=bf), lengths,
                                   batch_first=bf, enforce_sorted=enforce)
    kt = trnn.pack_padded_sequence(trnn.pad_sequence(theirs, batch_first=bf),
                                   torch.tensor(lengths), batch_first=bf,
                                   enforce_sorted=enforce)
    yn, sn = n(kn)
    yt, st = t(kt)
    assert isinstance(yn, nrnn.PackedSequence)
    np.testing.assert_allclose(yn.data.detach().numpy(), yt.data.detach().numpy(), atol=1e-12)
    assert yn.batch_sizes.tolist() == yt.batch_sizes.tolist()
    sn, st = (list(sn), list(st)) if name == "LSTM" else ([sn], [st])
    for a, b in zip(sn, st):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-12)
    pn, _ = nrnn.pad_packed_sequence(yn, batch_first=bf)
    pt, _ = trnn.pad_packed_sequence(yt, batch_first=bf)
    np.testing.assert_allclose(pn.detach().numpy(), pt.detach().numpy(), atol=1e-12)
    w = np.random.default_rng(3).standard_normal(pt.shape)
    ((pn * nt.tensor(w)).sum() + sum((s * s).sum() for s in sn)).backward()
    ((pt * torch.tensor(w)).sum() + sum((s * s).sum() for s in st)).backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-11)
    ours_p = dict(n.named_parameters())
    for key, p in t.named_parameters():
        np.testing.assert_allclose(ours_p[key].grad.numpy(), p.grad.numpy(), atol=1e-11)


def test_packed_lstm_with_initial_states_unsorted() -> None:
    torch.manual_seed(0)
    t = torch.nn.LSTM(3, 4).double()
    n = nn.LSTM(3, 4).double()
    n.load_state_dict({k: nt.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    lengths = [2, 5, 3]
    ours, theirs = _seqs(lengths)
    rng = np.random.default_rng(4)
    h, c = rng.standard_normal((1, 3, 4)), rng.standard_normal((1, 3, 4))
    yn, (hn, cn) = n(nrnn.pack_sequence(ours, enforce_sorted=False),
                     (nt.tensor(h), nt.tensor(c)))
    yt, (ht, ct) = t(trnn.pack_sequence(theirs, enforce_sorted=False),
                     (torch.tensor(h), torch.tensor(c)))
    np.testing.assert_allclose(yn.data.detach().numpy(), yt.data.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(hn.detach().numpy(), ht.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(cn.detach().numpy(), ct.detach().numpy(), atol=1e-12)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_gradcheck_on_packed_sequences(name: str) -> None:
    from neuronet.autograd import gradcheck

    nt.manual_seed(0)
    mod = getattr(nn, name)(2, 2, bidirectional=True).double()
    seqs = [nt.randn(n, 2, dtype=nt.float64, requires_grad=True) for n in (3, 1, 2)]

    def fn(a, b, c, *params):
        packed = nrnn.pack_sequence([a, b, c], enforce_sorted=False)
        out, state = mod(packed)
        return (out.data,) + (tuple(state) if isinstance(state, tuple) else (state,))

    assert gradcheck(fn, (*seqs, *mod.parameters()), eps=1e-6, atol=1e-6)
