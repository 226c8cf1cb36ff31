"""keras.layers.GCNConv / GraphSageConv on [features, adjacency]."""

import numpy as np
import pytest

import neuronet as nt
from neuronet import keras
from neuronet.nn.graph import GCNConv as TorchGCNConv

RNG = np.random.default_rng(0)
A = (RNG.random((7, 7)) < 0.35).astype("float32")
A = np.maximum(A, A.T)
np.fill_diagonal(A, 0)
A[6, :] = A[:, 6] = 0  # an isolated node
X = RNG.standard_normal((7, 3)).astype("float32")


def test_parameter_counts():
    layer = keras.layers.GCNConv(16)
    layer.build([(None, 34), (None, 34)])
    assert layer.count_params() == 34 * 16 + 16
    sage = keras.layers.GraphSageConv(8, use_bias=False)
    sage.build([(None, 5), (None, 10)])
    assert sage.count_params() == 2 * 5 * 8


def test_gcn_matches_nn_gcnconv_and_batch_mode():
    layer = keras.layers.GCNConv(4)
    out = layer([X, A]).detach().numpy()
    ref = TorchGCNConv(3, 4)
    with nt.no_grad():
        ref.lin.weight.copy_(nt.tensor(layer.kernel.numpy().T.copy()))
    np.testing.assert_allclose(out, ref(nt.tensor(X), nt.tensor(A)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    ei = np.stack(np.nonzero(A)).astype(np.int64)
    np.testing.assert_allclose(layer([X, ei]).detach().numpy(), out, rtol=1e-5, atol=1e-6)
    both = layer([np.stack([X, X[::-1]]), np.stack([A, A[::-1, ::-1]])]).detach().numpy()
    assert both.shape == (2, 7, 4)
    np.testing.assert_allclose(both[0], out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(both[1], out[::-1], rtol=1e-5, atol=1e-6)


def test_graph_sage_matches_mean_formula():
    layer = keras.layers.GraphSageConv(2)
    out = layer([X, A]).detach().numpy()
    deg = A.sum(0)
    mean = (A / np.where(deg == 0, 1, deg)[None, :]).T @ X
    want = X @ layer.root_kernel.numpy() + mean @ layer.neighbour_kernel.numpy()
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)


def test_functional_model_fits_in_single_mode():
    nt.manual_seed(0)
    x_in, a_in = keras.Input(shape=(3,)), keras.Input(shape=(7,))
    h = keras.layers.GCNConv(8, activation="relu")([x_in, a_in])
    out = keras.layers.GCNConv(2, activation="softmax")([h, a_in])
    model = keras.Model([x_in, a_in], out)
    assert model.count_params() == (3 * 8 + 8) + (8 * 2 + 2)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy")
    y = (X[:, 0] > 0).astype("int64")
    history = model.fit([X, A], y, batch_size=7, shuffle=False, epochs=30, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict([X, A], batch_size=7, verbose=0).shape == (7, 2)


def test_bad_inputs():
    with pytest.raises(ValueError, match="units"):
        keras.layers.GCNConv(0)
    layer = keras.layers.GCNConv(2)
    with pytest.raises(ValueError, match=r"\[features, adjacency\]"):
        layer(X)
    with pytest.raises(ValueError, match="batch mode"):
        layer([np.stack([X]), A])
