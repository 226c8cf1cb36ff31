"""keras.layers SimpleRNN / LSTM / GRU / Bidirectional / TimeDistributed / Masking against real
Keras 3 (torch backend): weight names and shapes, parameter counts, output shapes and, with the
weights copied by get_weights/set_weights, the same outputs (float32) and gradients."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

import neuronet  # noqa: E402
from neuronet import keras as nk  # noqa: E402

if keras.backend.backend() != "torch":
    pytest.skip("the comparison needs Keras's torch backend", allow_module_level=True)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CASES = [
    ("SimpleRNN", {"units": 5}),
    ("SimpleRNN", {"units": 5, "activation": "relu", "return_sequences": True}),
    ("SimpleRNN", {"units": 4, "go_backwards": True, "return_state": True}),
    ("LSTM", {"units": 6}),
    ("LSTM", {"units": 6, "return_sequences": True, "return_state": True}),
    ("LSTM", {"units": 4, "go_backwards": True, "return_sequences": True}),
    ("LSTM", {"units": 4, "use_bias": False}),
    ("LSTM", {"units": 4, "unit_forget_bias": False, "bias_initializer": "ones"}),
    ("GRU", {"units": 5}),
    ("GRU", {"units": 5, "return_sequences": True, "return_state": True}),
    ("GRU", {"units": 3, "go_backwards": True, "use_bias": False}),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]
SHAPE = (7, 3)


def _pair(name: str, kw: dict, seed: int = 0):
    x = np.random.default_rng(seed).standard_normal((4,) + SHAPE).astype("float32")
    kl, nl = getattr(keras.layers, name)(**kw), getattr(nk.layers, name)(**kw)
    kl.build((None,) + SHAPE)
    nl.build((None,) + SHAPE)
    return x, kl, nl


def _np(value) -> list:
    values = value if isinstance(value, list | tuple) else [value]
    return [keras.ops.convert_to_numpy(v) if not isinstance(v, neuronet.Tensor)
            else v.detach().numpy() for v in values]


@pytest.mark.parametrize(("name", "kw"), CASES, ids=IDS)
def test_weights_params_shapes_outputs(name: str, kw: dict) -> None:
    x, kl, nl = _pair(name, kw)
    assert [tuple(w.shape) for w in nl.get_weights()] == [
        tuple(w.shape) for w in kl.get_weights()]
    assert [w.name for w in nl.weights] == [w.name for w in kl.weights]
    assert nl.count_params() == kl.count_params()
    want_shape = kl.compute_output_shape((None,) + SHAPE)
    got_shape = nl.compute_output_shape((None,) + SHAPE)
    assert got_shape == want_shape
    nl.set_weights(kl.get_weights())
    want, got = _np(kl(x)), _np(nl(x))
    assert len(want) == len(got)
    for g, w in zip(got, want):
        assert g.dtype == np.float32 and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("name", "kw"), CASES, ids=IDS)
def test_default_initializers_match_keras_statistics(name: str, kw: dict) -> None:
    _, kl, nl = _pair(name, kw)
    for w_n, w_k, var in zip(nl.get_weights(), kl.get_weights(), kl.weights):
        if var.name == "recurrent_kernel":
            # orthogonal recurrent kernel (units, G*units): orthonormal rows, as Keras's
            np.testing.assert_allclose(w_n @ w_n.T, np.eye(kl.units), atol=1e-5)
            np.testing.assert_allclose(w_k @ w_k.T, np.eye(kl.units), atol=1e-5)
        assert np.array_equal(w_n == 0, w_k == 0) or w_k.ndim == 2
        if w_k.ndim == 1 or w_k.shape[0] == 2:  # biases are deterministic
            np.testing.assert_array_equal(w_n, w_k)


@pytest.mark.parametrize(("name", "kw"), [c for c in CASES if c[0] != "SimpleRNN"][:4],
                         ids=IDS[3:7])
def test_gradients_match_keras(name: str, kw: dict) -> None:
    x, kl, nl = _pair(name, kw, seed=1)
    nl.set_weights(kl.get_weights())
    xt = torch.tensor(x, requires_grad=True)
    out = kl(xt)
    out = out[0] if isinstance(out, tuple) else out
    (out * out).sum().backward()
    xn = neuronet.tensor(x, requires_grad=True)
    got = nl(xn)
    got = got[0] if isinstance(got, tuple) else got
    (got * got).sum().backward()
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    for wn, wk in zip(nl.weights, kl.weights):
        np.testing.assert_allclose(wn.grad.numpy(), wk.value.grad.numpy(), rtol=1e-4,
                                   atol=1e-5, err_msg=wk.name)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave"])
@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_bidirectional_matches_keras(name: str, merge_mode: str) -> None:
    x = np.random.default_rng(2).standard_normal((4,) + SHAPE).astype("float32")
    for seq in (False, True):
        kl = keras.layers.Bidirectional(getattr(keras.layers, name)(4, return_sequences=seq),
                                        merge_mode=merge_mode)
        nl = nk.layers.Bidirectional(getattr(nk.layers, name)(4, return_sequences=seq),
                                     merge_mode=merge_mode)
        kl.build((None,) + SHAPE)
        nl.build((None,) + SHAPE)
        assert nl.count_params() == kl.count_params()
        assert [tuple(w.shape) for w in nl.get_weights()] == [
            tuple(w.shape) for w in kl.get_weights()]
        assert tuple(nl.compute_output_shape((None,) + SHAPE)) == tuple(
            kl.compute_output_shape((None,) + SHAPE))
        nl.set_weights(kl.get_weights())
        np.testing.assert_allclose(_np(nl(x))[0], _np(kl(x))[0], rtol=1e-5, atol=1e-5)


def test_bidirectional_return_state_matches_keras() -> None:
    x = np.random.default_rng(3).standard_normal((2,) + SHAPE).astype("float32")
    kl = keras.layers.Bidirectional(keras.layers.LSTM(3, return_state=True))
    nl = nk.layers.Bidirectional(nk.layers.LSTM(3, return_state=True))
    kl.build((None,) + SHAPE)
    nl.build((None,) + SHAPE)
    nl.set_weights(kl.get_weights())
    want, got = _np(kl(x)), _np(nl(x))
    assert len(got) == len(want) == 5
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


def _masked_models(make_rnn, lib, embedding: bool):
    layers = lib.layers
    if embedding:
        stack = [lib.Input(shape=(6,)), layers.Embedding(10, 3, mask_zero=True)]
    else:
        stack = [lib.Input(shape=(6, 3)), layers.Masking(mask_value=0.0)]
    return lib.Sequential(stack + [make_rnn(layers)])


MASKED = {
    "lstm": lambda layers: layers.LSTM(4),
    "lstm_seq": lambda layers: layers.LSTM(4, return_sequences=True),
    "gru_back": lambda layers: layers.GRU(4, go_backwards=True),
    "simple_seq": lambda layers: layers.SimpleRNN(4, return_sequences=True),
    "bi_lstm": lambda layers: layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
}


@pytest.mark.parametrize("embedding", [True, False], ids=["embedding", "masking"])
@pytest.mark.parametrize("case", list(MASKED))
def test_masking_matches_keras(case: str, embedding: bool) -> None:
    rng = np.random.default_rng(4)
    if embedding:
        x = rng.integers(1, 10, (3, 6))
        x[0, 4:] = 0  # padded at the end
        x[1, 1:] = 0
        x[2, 2] = 0  # a gap in the middle
    else:
        x = rng.standard_normal((3, 6, 3)).astype("float32")
        x[0, 4:] = 0
        x[1, 1:] = 0
        x[2, 2] = 0
    km = _masked_models(MASKED[case], keras, embedding)
    nm = _masked_models(MASKED[case], nk, embedding)
    nm.set_weights(km.get_weights())
    want = keras.ops.convert_to_numpy(km(x))
    got = nm(x).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    # without the mask the same weights give other numbers (the mask really is used)
    layers = nk.layers
    plain = nk.Sequential([nk.Input(shape=(6,)), layers.Embedding(10, 3)] if embedding else
                          [nk.Input(shape=(6, 3))])
    plain.add(MASKED[case](layers))
    plain.set_weights(nm.get_weights())
    assert not np.allclose(plain(x).detach().numpy(), got, atol=1e-4)


def test_embedding_mask_survives_dropout_and_predict() -> None:
    x = np.array([[3, 4, 0, 0], [5, 0, 0, 0]])
    km = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Embedding(8, 3, mask_zero=True),
                           keras.layers.Dropout(0.3), keras.layers.LSTM(2)])
    nm = nk.Sequential([nk.Input(shape=(4,)), nk.layers.Embedding(8, 3, mask_zero=True),
                        nk.layers.Dropout(0.3), nk.layers.LSTM(2)])
    nm.set_weights(km.get_weights())
    np.testing.assert_allclose(nm.predict(x, verbose=0), km.predict(x, verbose=0), rtol=1e-5,
                               atol=1e-5)


def test_functional_model_with_mask_and_states() -> None:
    def build(lib):
        inp = lib.Input(shape=(5,))
        emb = lib.layers.Embedding(9, 4, mask_zero=True)(inp)
        seq, h, c = lib.layers.LSTM(3, return_sequences=True, return_state=True)(emb)
        out = lib.layers.GRU(2)(seq)
        return lib.Model(inp, [out, h, c])

    km, nm = build(keras), build(nk)
    nm.set_weights(km.get_weights())
    x = np.array([[1, 2, 3, 0, 0], [4, 0, 0, 0, 0], [5, 6, 7, 8, 1]])
    for g, w in zip(nm.predict(x, verbose=0), km.predict(x, verbose=0)):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_initial_state_matches_keras(name: str) -> None:
    x = np.random.default_rng(5).standard_normal((2,) + SHAPE).astype("float32")
    count = 2 if name == "LSTM" else 1
    states = [np.random.default_rng(6 + i).standard_normal((2, 4)).astype("float32")
              for i in range(count)]
    kl, nl = getattr(keras.layers, name)(4), getattr(nk.layers, name)(4)
    kl.build((None,) + SHAPE)
    nl.build((None,) + SHAPE)
    nl.set_weights(kl.get_weights())
    want = keras.ops.convert_to_numpy(kl(x, initial_state=[torch.tensor(s) for s in states]))
    got = nl(x, initial_state=states).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_time_distributed_matches_keras() -> None:
    x = np.random.default_rng(7).standard_normal((2, 5, 4)).astype("float32")
    kl = keras.layers.TimeDistributed(keras.layers.Dense(3))
    nl = nk.layers.TimeDistributed(nk.layers.Dense(3))
    kl.build((None, 5, 4))
    nl.build((None, 5, 4))
    assert nl.count_params() == kl.count_params()
    assert tuple(nl.compute_output_shape((None, 5, 4))) == tuple(
        kl.compute_output_shape((None, 5, 4)))
    nl.set_weights(kl.get_weights())
    np.testing.assert_allclose(nl(x).detach().numpy(), keras.ops.convert_to_numpy(kl(x)),
                               rtol=1e-5, atol=1e-5)


def test_stateful_carries_state_and_resets() -> None:
    layer = nk.layers.GRU(3, stateful=True)
    x = np.random.default_rng(8).standard_normal((2, 4, 2)).astype("float32")
    first = layer(x).detach().numpy()
    second = layer(x).detach().numpy()
    assert not np.allclose(first, second)
    layer.reset_states()
    np.testing.assert_allclose(layer(x).detach().numpy(), first, rtol=1e-6)


def test_dropout_training_and_inference() -> None:
    layer = nk.layers.LSTM(3, dropout=0.5)
    x = np.ones((2, 4, 6), "float32")
    base = layer(x).detach().numpy()
    assert not np.allclose(layer(x, training=True).detach().numpy(), base)
    np.testing.assert_array_equal(layer(x).detach().numpy(), base)
    rec = nk.layers.LSTM(3, recurrent_dropout=0.2)
    np.testing.assert_array_equal(rec(x).detach().numpy(), rec(x).detach().numpy())
    assert not np.allclose(rec(x, training=True).detach().numpy(), rec(x).detach().numpy())


def _outputs_and_gradients_match(kl, nl, x: np.ndarray, **call_kw) -> list:
    """Every output of both layers on x, then the gradients of the sum of their squares with
    respect to x and every weight, agree; returns neuronet's outputs."""
    xt, xn = torch.tensor(x, requires_grad=True), neuronet.tensor(x, requires_grad=True)
    want, got = kl(xt, **call_kw), nl(xn, **call_kw)
    want = list(want) if isinstance(want, tuple | list) else [want]
    got = list(got) if isinstance(got, tuple | list) else [got]
    for g, w in zip(_np(got), _np(want)):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)
    sum((w * w).sum() for w in want).backward()
    sum((g * g).sum() for g in got).backward()
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    for wn, wk in zip(nl.weights, kl.weights):
        np.testing.assert_allclose(wn.grad.numpy(), wk.value.grad.numpy(), rtol=1e-4,
                                   atol=1e-5, err_msg=wk.name)
    return got


RECURRENT_DROPOUT = [
    ("SimpleRNN", {"units": 5, "return_sequences": True}),
    ("GRU", {"units": 4, "reset_after": False, "return_sequences": True}),
    ("LSTM", {"units": 5, "return_sequences": True, "return_state": True}),
    ("LSTM", {"units": 4, "go_backwards": True, "use_bias": False}),
    ("GRU", {"units": 5, "return_sequences": True, "return_state": True}),
    ("GRU", {"units": 4, "go_backwards": True}),
]


@pytest.mark.parametrize("input_dropout", [0.0, 0.25], ids=["rec-only", "both"])
@pytest.mark.parametrize(("name", "kw"), RECURRENT_DROPOUT,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(RECURRENT_DROPOUT)])
def test_recurrent_dropout_matches_keras(monkeypatch, name: str, kw: dict,
                                         input_dropout: float) -> None:
    """Training with recurrent_dropout: Keras's per-gate masks (implementation=1), the same
    masks given to both sides; outputs, states and gradients agree."""
    from keras.src.layers.rnn import dropout_rnn_cell

    kw = {**kw, "dropout": input_dropout, "recurrent_dropout": 0.4}
    x, kl, nl = _pair(name, kw, seed=2)
    nl.set_weights(kl.get_weights())
    rng = np.random.default_rng(3)
    count = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[name]
    masks = {rate: [((rng.random(shape) >= rate) / (1 - rate)).astype("float32")
                    for _ in range(count)]
             for rate, shape in ((0.4, (4, kl.units)), (input_dropout, (4, SHAPE[1])))}

    def keras_masks(cell, step_input, rate):
        made = [keras.ops.convert_to_tensor(m) for m in masks[rate]]
        return made[0] if getattr(cell, "dropout_mask_count", None) is None else made

    monkeypatch.setattr(dropout_rnn_cell.DropoutRNNCell, "_create_dropout_mask", keras_masks)
    monkeypatch.setattr(nl, "_dropout_masks", lambda rate, shape, n: [
        neuronet.from_numpy(m) for m in masks[rate]])
    got = _outputs_and_gradients_match(kl, nl, x, training=True)
    # the masks matter: with all units kept the outputs differ
    monkeypatch.setattr(nl, "_dropout_masks", lambda rate, shape, n: [
        neuronet.ones(*shape) for _ in range(count)])
    kept = nl(x, training=True)
    kept = kept[0] if isinstance(kept, tuple | list) else kept
    assert not np.allclose(kept.detach().numpy(), _np(got)[0], atol=1e-4)


@pytest.mark.parametrize("kw", [
    {"units": 4},
    {"units": 5, "return_sequences": True, "return_state": True},
    {"units": 3, "go_backwards": True, "use_bias": False},
], ids=["plain", "sequences-state", "backwards-nobias"])
def test_gru_reset_after_false_matches_keras(kw: dict) -> None:
    """reset_after=False (one bias, the reset gate before the recurrent product): weights,
    outputs and gradients as Keras's, and with masking."""
    kw = {**kw, "reset_after": False}
    x, kl, nl = _pair("GRU", kw, seed=7)
    assert [tuple(w.shape) for w in nl.get_weights()] == [
        tuple(w.shape) for w in kl.get_weights()]
    assert nl.count_params() == kl.count_params()
    nl.set_weights(kl.get_weights())
    _outputs_and_gradients_match(kl, nl, x)
    mask = np.ones((4, SHAPE[0]), bool)
    mask[0, 4:] = mask[1, 1:] = False
    want = _np(kl(x, mask=keras.ops.convert_to_tensor(mask)))
    got = _np(nl(x, mask=mask))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)
    assert nk.layers.GRU.from_config(nl.get_config()).reset_after is False


def test_recurrent_dropout_with_masking() -> None:
    """The step-by-step path skips masked steps like the fused one (checked with all units
    kept, where both paths compute the same function)."""
    x = np.random.default_rng(6).standard_normal((3, 6, 3)).astype("float32")
    mask = np.ones((3, 6), bool)
    mask[0, 4:] = mask[1, 1:] = mask[2, 2] = False
    for name in ("SimpleRNN", "LSTM", "GRU"):
        for zero in (False, True):
            layer = getattr(nk.layers, name)(4, recurrent_dropout=0.3, return_sequences=True,
                                             zero_output_for_mask=zero)
            fused = layer(x, mask=mask).detach().numpy()
            layer._dropout_masks = lambda rate, shape, n: [neuronet.ones(*shape)] * (n or 1)
            stepped = layer(x, mask=mask, training=True).detach().numpy()
            np.testing.assert_allclose(stepped, fused, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("make", "match"), [
    (lambda: nk.layers.LSTM(0), "units"),
    (lambda: nk.layers.LSTM(3, activation="sigmoid"), "activation"),
    (lambda: nk.layers.GRU(3, recurrent_activation="hard_sigmoid"), "recurrent_activation"),
    (lambda: nk.layers.SimpleRNN(3, activation="softmax"), "activation"),
    (lambda: nk.layers.SimpleRNN(3, dropout=2.0), "dropout"),
    (lambda: nk.layers.Bidirectional(nk.layers.Dense(3)), "recurrent layer"),
    (lambda: nk.layers.Bidirectional(nk.layers.LSTM(3), merge_mode="max"), "merge_mode"),
])
def test_constructor_validation(make, match) -> None:
    with pytest.raises(ValueError, match=match):
        make()


def test_call_validation() -> None:
    layer = nk.layers.LSTM(3)
    with pytest.raises(ValueError, match="timesteps"):
        layer(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="initial state"):
        layer(np.zeros((2, 4, 3), "float32"), initial_state=[np.zeros((2, 3), "float32")])


def test_sequential_lstm_summary_counts_and_saving(tmp_path) -> None:
    model = nk.Sequential([nk.Input(shape=(28, 28)), nk.layers.LSTM(128),
                           nk.layers.Dense(10, activation="softmax")])
    assert model.count_params() == 80384 + 1290
    path = tmp_path / "lstm.keras"
    model.save(path)
    loaded = nk.models.load_model(path)
    x = np.random.default_rng(9).standard_normal((2, 28, 28)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_bidirectional_and_time_distributed_save_and_load(tmp_path) -> None:
    model = nk.Sequential([nk.Input(shape=(6,)), nk.layers.Embedding(9, 4, mask_zero=True),
                           nk.layers.Bidirectional(nk.layers.GRU(3, return_sequences=True)),
                           nk.layers.TimeDistributed(nk.layers.Dense(2))])
    path = tmp_path / "bi.keras"
    model.save(path)
    loaded = nk.models.load_model(path)
    x = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 1]])
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
