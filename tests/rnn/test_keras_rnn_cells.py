"""SimpleRNNCell / LSTMCell / GRUCell / StackedRNNCells and the generic RNN layer against real
Keras 3 (torch backend): weight names and shapes, parameter counts, one step, whole sequences
(return_sequences, return_state, go_backwards, masking, initial_state), a user-defined cell,
gradients w.r.t. inputs and weights, configs; and RNN(LSTMCell) against neuronet's LSTM."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

import neuronet  # noqa: E402
from neuronet import keras as nk  # noqa: E402
from neuronet.keras.layers import rnn_cells as nc  # noqa: E402
from neuronet.keras.layers.rnn_layer import RNN, StackedRNNCells  # noqa: E402

if keras.backend.backend() != "torch":
    pytest.skip("the comparison needs Keras's torch backend", allow_module_level=True)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CELLS = [
    ("SimpleRNNCell", {"units": 5}),
    ("SimpleRNNCell", {"units": 4, "activation": "relu", "use_bias": False}),
    ("LSTMCell", {"units": 4}),
    ("LSTMCell", {"units": 3, "unit_forget_bias": False, "bias_initializer": "ones"}),
    ("GRUCell", {"units": 4}),
    ("GRUCell", {"units": 3, "reset_after": False}),
    ("GRUCell", {"units": 3, "use_bias": False}),
]
CELL_IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CELLS)]
FEATURES, STEPS, BATCH = 3, 6, 4


def _np(value) -> list:
    values = value if isinstance(value, list | tuple) else [value]
    out = []
    for v in values:
        if isinstance(v, list | tuple):
            out += _np(v)
        elif isinstance(v, neuronet.Tensor):
            out.append(v.detach().numpy())
        else:
            out.append(keras.ops.convert_to_numpy(v))
    return out


def _close(got, want, tol: float = 1e-5) -> None:
    got, want = _np(got), _np(want)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol)


def _x(seed: int = 0, steps: int = STEPS) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((BATCH, steps, FEATURES)).astype(
        "float32")


def _cells(name: str, kw: dict):
    return getattr(keras.layers, name)(**kw), getattr(nc, name)(**kw)


@pytest.mark.parametrize(("name", "kw"), CELLS, ids=CELL_IDS)
def test_cell_one_step_matches_keras(name: str, kw: dict) -> None:
    kc, ncell = _cells(name, kw)
    kc.build((None, FEATURES))
    ncell.build((None, FEATURES))
    assert [w.name for w in ncell.weights] == [w.name for w in kc.weights]
    assert [w.shape for w in ncell.get_weights()] == [w.shape for w in kc.get_weights()]
    assert ncell.count_params() == kc.count_params()
    assert ncell.state_size == kc.state_size and ncell.output_size == kc.output_size
    if name != "LSTMCell" or kw.get("unit_forget_bias", True):  # deterministic biases
        for wn, wk, var in zip(ncell.get_weights(), kc.get_weights(), kc.weights):
            if var.name == "bias":
                np.testing.assert_array_equal(wn, wk)
    ncell.set_weights(kc.get_weights())
    rng = np.random.default_rng(1)
    x = rng.standard_normal((BATCH, FEATURES)).astype("float32")
    count = 2 if name == "LSTMCell" else 1
    states = [rng.standard_normal((BATCH, kw["units"])).astype("float32") for _ in range(count)]
    want = kc(keras.ops.convert_to_tensor(x), [keras.ops.convert_to_tensor(s) for s in states])
    got = ncell(x, [neuronet.tensor(s) for s in states])
    assert isinstance(got[1], list) and len(got[1]) == count
    _close(list(got), list(want))


SEQ_CASES = [
    {},
    {"return_sequences": True},
    {"return_state": True},
    {"return_sequences": True, "return_state": True, "go_backwards": True},
    {"go_backwards": True},
]


@pytest.mark.parametrize("options", SEQ_CASES, ids=[str(i) for i in range(len(SEQ_CASES))])
@pytest.mark.parametrize(("name", "kw"), CELLS[::2] + [CELLS[5]],
                         ids=CELL_IDS[::2] + [CELL_IDS[5]])
def test_rnn_over_sequences_matches_keras(name: str, kw: dict, options: dict) -> None:
    kc, ncell = _cells(name, kw)
    kl, nl = keras.layers.RNN(kc, **options), RNN(ncell, **options)
    kl.build((None, STEPS, FEATURES))
    nl.build((None, STEPS, FEATURES))
    assert nl.count_params() == kl.count_params()
    assert nl.compute_output_shape((None, STEPS, FEATURES)) == kl.compute_output_shape(
        (None, STEPS, FEATURES))
    nl.set_weights(kl.get_weights())
    x = _x()
    _close(nl(x), kl(x))


@pytest.mark.parametrize("zero_output", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("name", ["SimpleRNNCell", "LSTMCell", "GRUCell"])
def test_rnn_masking_matches_keras(name: str, go_backwards: bool, zero_output: bool) -> None:
    mask = np.ones((BATCH, STEPS), bool)
    mask[0, 4:] = False  # right padding
    mask[1, :2] = False  # left padding
    mask[2, 2:4] = False  # a hole
    options = {"return_sequences": True, "return_state": True, "go_backwards": go_backwards,
               "zero_output_for_mask": zero_output}
    kc, ncell = _cells(name, {"units": 3})
    kl, nl = keras.layers.RNN(kc, **options), RNN(ncell, **options)
    kl.build((None, STEPS, FEATURES))
    nl.build((None, STEPS, FEATURES))
    nl.set_weights(kl.get_weights())
    x = _x(2)
    _close(nl(x, mask=mask), kl(x, mask=mask))
    last_k = keras.layers.RNN(kc, zero_output_for_mask=zero_output, go_backwards=go_backwards)
    last_n = RNN(ncell, zero_output_for_mask=zero_output, go_backwards=go_backwards)
    _close(last_n(x, mask=mask), last_k(x, mask=mask))


def test_rnn_takes_the_mask_of_an_embedding_like_keras() -> None:
    tokens = np.array([[3, 1, 0, 0], [2, 2, 4, 0], [0, 1, 1, 5]])
    km = keras.Sequential([keras.layers.Embedding(6, 3, mask_zero=True),
                           keras.layers.RNN(keras.layers.GRUCell(4), return_sequences=True),
                           keras.layers.RNN(keras.layers.LSTMCell(2))])
    nm = nk.Sequential([nk.layers.Embedding(6, 3, mask_zero=True),
                        RNN(nc.GRUCell(4), return_sequences=True), RNN(nc.LSTMCell(2))])
    km.build((None, 4))
    nm.build((None, 4))
    nm.set_weights(km.get_weights())
    _close(nm(tokens), km(tokens))


@pytest.mark.parametrize("name", ["SimpleRNNCell", "LSTMCell", "GRUCell"])
def test_rnn_initial_state_matches_keras(name: str) -> None:
    kc, ncell = _cells(name, {"units": 3})
    kl = keras.layers.RNN(kc, return_sequences=True, return_state=True)
    nl = RNN(ncell, return_sequences=True, return_state=True)
    kl.build((None, STEPS, FEATURES))
    nl.build((None, STEPS, FEATURES))
    nl.set_weights(kl.get_weights())
    rng = np.random.default_rng(3)
    count = 2 if name == "LSTMCell" else 1
    states = [rng.standard_normal((BATCH, 3)).astype("float32") for _ in range(count)]
    x = _x(3)
    want = kl(x, initial_state=[keras.ops.convert_to_tensor(s) for s in states])
    _close(nl(x, initial_state=[neuronet.tensor(s) for s in states]), want)
    with pytest.raises(ValueError, match="initial state"):
        nl(x, initial_state=states * 3)


def test_stacked_cells_match_keras() -> None:
    ks = keras.layers.StackedRNNCells([keras.layers.LSTMCell(4), keras.layers.GRUCell(3)])
    ns = StackedRNNCells([nc.LSTMCell(4), nc.GRUCell(3)])
    assert ns.state_size == ks.state_size and ns.output_size == ks.output_size
    options = {"return_sequences": True, "return_state": True}
    kl, nl = keras.layers.RNN(ks, **options), RNN(ns, **options)
    kl.build((None, STEPS, FEATURES))
    nl.build((None, STEPS, FEATURES))
    assert [w.shape for w in nl.get_weights()] == [w.shape for w in kl.get_weights()]
    assert nl.count_params() == kl.count_params()
    nl.set_weights(kl.get_weights())
    x = _x(4)
    got, want = nl(x), kl(x)
    assert len(got) == len(want) == 3 and len(got[1]) == 2  # output, [h1, c1], [h2]
    _close(got, want)
    # a list of cells is a StackedRNNCells
    listed = RNN([nc.LSTMCell(4), nc.GRUCell(3)])
    listed.build((None, STEPS, FEATURES))
    listed.set_weights(kl.get_weights())
    _close(listed(x), keras.layers.RNN(ks)(x))


def _custom_cell(base, tanh, matmul):
    class MinimalCell(base):
        """h_t = tanh(x_t K + h U); output 2 h_t (differs from the state)."""

        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    name="recurrent_kernel")

        def call(self, inputs, states, training=None):
            h = tanh(matmul(inputs, self.kernel) + matmul(states[0], self.recurrent_kernel))
            return 2 * h, [h]

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    return MinimalCell


def test_custom_cell_matches_keras_with_mask_and_config() -> None:
    kcls = _custom_cell(keras.layers.Layer, keras.ops.tanh, keras.ops.matmul)
    ncls = _custom_cell(nk.layers.Layer, neuronet.tanh, neuronet.matmul)
    options = {"return_sequences": True, "return_state": True}
    kl, nl = keras.layers.RNN(kcls(3), **options), RNN(ncls(3), **options)
    kl.build((None, STEPS, FEATURES))
    nl.build((None, STEPS, FEATURES))
    assert nl.count_params() == kl.count_params() == 3 * 3 + 3 * 3
    nl.set_weights(kl.get_weights())
    mask = np.ones((BATCH, STEPS), bool)
    mask[0, 3:] = False
    mask[1, :1] = False
    x = _x(5)
    _close(nl(x, mask=mask), kl(x, mask=mask))
    clone = RNN.from_config(nl.get_config(), custom_objects={"MinimalCell": ncls})
    assert isinstance(clone.cell, ncls) and clone.cell.units == 3
    clone.build((None, STEPS, FEATURES))
    clone.set_weights(nl.get_weights())
    _close(clone(x), nl(x))


@pytest.mark.parametrize(("name", "kw"), [CELLS[0], CELLS[2], CELLS[4], CELLS[5]],
                         ids=[CELL_IDS[0], CELL_IDS[2], CELL_IDS[4], CELL_IDS[5]])
def test_rnn_gradients_match_keras(name: str, kw: dict) -> None:
    kc, ncell = _cells(name, kw)
    mask = np.ones((BATCH, STEPS), bool)
    mask[0, 4:] = False
    kl = keras.layers.RNN(kc, return_sequences=True, go_backwards=True)
    nl = RNN(ncell, return_sequences=True, go_backwards=True)
    kl.build((None, STEPS, FEATURES))
    nl.build((None, STEPS, FEATURES))
    nl.set_weights(kl.get_weights())
    x = _x(6)
    xt = torch.tensor(x, requires_grad=True)
    out = kl(xt, mask=torch.tensor(mask))
    (out * out).sum().backward()
    xn = neuronet.tensor(x, requires_grad=True)
    got = nl(xn, mask=mask)
    (got * got).sum().backward()
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    for wn, wk in zip(nl.weights, kl.weights):
        np.testing.assert_allclose(wn.grad.numpy(), wk.value.grad.numpy(), rtol=1e-4,
                                   atol=1e-5, err_msg=wk.name)


@pytest.mark.parametrize(("cell", "layer"), [("LSTMCell", "LSTM"), ("GRUCell", "GRU"),
                                             ("SimpleRNNCell", "SimpleRNN")])
def test_rnn_of_cell_equals_neuronet_layer(cell: str, layer: str) -> None:
    options = {"return_sequences": True, "return_state": True, "go_backwards": True}
    fused = getattr(nk.layers, layer)(4, **options)
    generic = RNN(getattr(nc, cell)(4), **options)
    fused.build((None, STEPS, FEATURES))
    generic.build((None, STEPS, FEATURES))
    generic.set_weights(fused.get_weights())
    mask = np.ones((BATCH, STEPS), bool)
    mask[1, 3:] = False
    x = _x(7)
    _close(generic(x, mask=mask), fused(x, mask=mask))


@pytest.mark.parametrize(("name", "kw"), CELLS, ids=CELL_IDS)
def test_cell_and_rnn_configs_round_trip(name: str, kw: dict) -> None:
    kc, ncell = _cells(name, kw)
    assert set(ncell.get_config()) == set(kc.get_config())
    kl, nl = keras.layers.RNN(kc, go_backwards=True), RNN(ncell, go_backwards=True)
    assert set(nl.get_config()) == set(kl.get_config())
    clone = RNN.from_config(nl.get_config())
    assert type(clone.cell) is type(ncell) and clone.go_backwards
    assert clone.cell.get_config() == {**ncell.get_config(), "name": clone.cell.name}
    stacked = RNN([nc.GRUCell(2), getattr(nc, name)(**kw)])
    again = RNN.from_config(stacked.get_config())
    assert [type(c) for c in again.cell.cells] == [nc.GRUCell, type(ncell)]


def test_dropout_only_while_training() -> None:
    cell = nc.LSTMCell(4, dropout=0.5, recurrent_dropout=0.3)
    layer = RNN(cell, return_sequences=True)
    x = _x(8)
    reference = RNN(nc.LSTMCell(4), return_sequences=True)
    reference.build((None, STEPS, FEATURES))
    layer.build((None, STEPS, FEATURES))
    layer.set_weights(reference.get_weights())
    _close(layer(x), reference(x))  # inference: no dropout
    neuronet.manual_seed(0)
    a = layer(x, training=True).detach().numpy()
    assert not np.allclose(a, layer(x, training=True).detach().numpy())  # fresh masks per call
    assert cell._dropout_mask is None  # reset after the sequence


def test_constructors_validate() -> None:
    with pytest.raises(ValueError, match="units"):
        nc.LSTMCell(0)
    with pytest.raises(ValueError, match="dropout"):
        nc.GRUCell(2, dropout=1.5)
    with pytest.raises(ValueError, match="state_size"):
        RNN(object())
    with pytest.raises(ValueError, match="cells"):
        StackedRNNCells([])


def test_stateful_carries_states_between_calls() -> None:
    whole = RNN(nc.GRUCell(3), return_sequences=True)
    parts = RNN(nc.GRUCell(3), return_sequences=True, stateful=True)
    whole.build((None, STEPS, FEATURES))
    parts.build((None, STEPS, FEATURES))
    parts.set_weights(whole.get_weights())
    x = _x(9)
    halves = [parts(x[:, :3]), parts(x[:, 3:])]
    _close([np.concatenate(_np(halves), axis=1)], whole(x))
    parts.reset_states()
    _close(parts(x[:, :3]), whole(x[:, :3]))
