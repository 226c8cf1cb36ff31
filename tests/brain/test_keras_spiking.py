"""The Keras spiking layers: same dynamics as neuronet.brain, gradients, training, saving."""

import numpy as np
import pytest

import neuronet as nt
from neuronet import keras
from neuronet.autograd import gradcheck
from neuronet.brain import AdaptiveLeaky, Leaky, Surrogate, Synaptic

L = keras.layers
X = np.random.default_rng(0).uniform(-0.2, 0.9, size=(3, 12, 4))  # (batch, T, features)


@pytest.mark.parametrize("layer,module", [
    (L.LIF(beta=0.8, threshold=0.9, reset_mechanism="zero"),
     Leaky(beta=0.8, threshold=0.9, reset_mechanism="zero")),
    (L.SynapticLIF(alpha=0.5, beta=0.7), Synaptic(alpha=0.5, beta=0.7)),
    (L.AdaptiveLIF(rho=0.9, adaptation=0.4), AdaptiveLeaky(rho=0.9, adaptation=0.4)),
])
def test_keras_layers_match_the_brain_modules(layer, module):
    out = layer(X.astype("float32"))
    assert tuple(out.shape) == X.shape and out.dtype == nt.float32
    ref = module(nt.tensor(X.transpose(1, 0, 2), dtype=nt.float32)).numpy().transpose(1, 0, 2)
    np.testing.assert_array_equal(out.numpy(), ref)


def test_membrane_output_and_learned_weights_gradcheck():
    layer = L.LIF(beta=0.8, learn_beta=True, learn_threshold=True, reset_mechanism="subtract",
                  spike_grad=Surrogate("sigmoid", 3.0, smooth_forward=True),
                  detach_reset=False)
    x = nt.tensor(X[:2, :5, :2], requires_grad=True)
    layer(x)
    for w in layer.weights:  # float64 weights for gradcheck
        w._data = w._data.astype(np.float64)
    assert [w.name for w in layer.trainable_weights] == ["beta", "threshold"]
    assert gradcheck(lambda x, b, t: layer(x), (x, layer.beta, layer.threshold))
    mem = L.LIF(beta=0.5, output="membrane", reset_mechanism="none")(np.ones((1, 3, 1)))
    np.testing.assert_allclose(mem.numpy().ravel(), [1.0, 1.5, 1.75])


def test_encoding_and_decoding_layers():
    enc = L.RateEncoding(200, seed=0)
    s = enc(np.array([[0.0, 0.5, 1.0]], "float32"))
    assert tuple(s.shape) == (1, 200, 3)
    np.testing.assert_allclose(s.numpy().mean(1), [[0, 0.5, 1]], atol=0.08)
    spk = np.array([[[1, 0], [1, 1], [0, 1], [0, 1]]], "float32")
    np.testing.assert_array_equal(L.SpikeCount()(spk).numpy(), [[2, 3]])
    np.testing.assert_array_equal(L.SpikeRate()(spk).numpy(), [[0.5, 0.75]])


def test_snn_sequential_trains_and_saves(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 256)
    x = np.clip(rng.normal(0.3 + 0.4 * y[:, None] * (np.arange(8) < 4), 0.1, (256, 8)), 0, 1)
    x = x.astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), L.RateEncoding(10, seed=1), L.Dense(16),
                              L.LIF(), L.Dense(2), L.LIF(), L.SpikeCount(),
                              L.Activation("softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=6, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] >= 0.9
    path = tmp_path / "snn.keras"
    model.save(path)
    again = keras.models.load_model(path)
    assert [type(layer).__name__ for layer in again.layers] == \
        [type(layer).__name__ for layer in model.layers]
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_keras_spiking_errors():
    with pytest.raises(ValueError, match="beta=2"):
        L.LIF(beta=2)
    with pytest.raises(ValueError, match="output='rate'"):
        L.LIF(output="rate")
    with pytest.raises(ValueError, match=r"\(batch, time, ...\)"):
        L.LIF()(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="num_steps=0"):
        L.RateEncoding(0)
    with pytest.raises(ValueError, match="unknown surrogate"):
        L.LIF(spike_grad="relu")
