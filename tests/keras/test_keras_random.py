"""`keras.random`: shapes and dtypes as real Keras 3 (torch backend) gives them, ranges and
moments of each distribution, and Keras's seed semantics (an int seed repeats, a SeedGenerator
advances, None follows neuronet.manual_seed)."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

import neuronet  # noqa: E402
from neuronet import keras as nk  # noqa: E402
from neuronet.tensor import Tensor  # noqa: E402

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]

LOGITS = np.log(np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]], "float32"))
CALLS = [
    ("normal", ((3, 4),), {}), ("normal", ((2,),), {"dtype": "float64", "mean": 2.0}),
    ("uniform", ((3, 4),), {"minval": -1.0, "maxval": 3.0}), ("uniform", ((),), {}),
    ("truncated_normal", ((5, 2),), {"stddev": 0.5}), ("randint", ((4, 3), 0, 10), {}),
    ("randint", ((2,), -5, 5), {"dtype": "int64"}), ("categorical", (LOGITS, 6), {}),
    ("dropout", (np.ones((3, 4), "float32"), 0.5), {}),
    ("dropout", (np.ones((3, 4), "float32"), 0.5), {"noise_shape": (None, 1)}),
    ("shuffle", (np.arange(12.0).reshape(4, 3),), {}),
    ("gamma", ((3, 2), 2.0), {}), ("beta", ((3,), 2.0, 3.0), {}),
    ("binomial", ((4,), 10, 0.3), {}),
]


@pytest.mark.parametrize("name, args, kwargs", CALLS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CALLS)])
def test_shape_and_dtype_match_keras(name, args, kwargs):
    torch_args = [torch.as_tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    theirs = getattr(keras.random, name)(*torch_args, **kwargs, seed=1)
    ours = getattr(nk.random, name)(*args, **kwargs, seed=1)
    assert isinstance(ours, Tensor)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")


N = 40_000


def test_normal_and_uniform_moments():
    z = nk.random.normal((N,), mean=1.5, stddev=2.0, seed=3).numpy()
    assert abs(z.mean() - 1.5) < 0.05 and abs(z.std() - 2.0) < 0.05
    u = nk.random.uniform((N,), minval=-2.0, maxval=4.0, seed=3).numpy()
    assert u.min() >= -2.0 and u.max() < 4.0 and abs(u.mean() - 1.0) < 0.05
    assert abs(u.var() - 36 / 12) < 0.1


def test_truncated_normal_stays_within_two_stddevs():
    z = nk.random.truncated_normal((N,), mean=-1.0, stddev=0.5, seed=4).numpy()
    assert z.min() > -2.0 and z.max() < 0.0
    # the standard normal truncated to (-2, 2) has standard deviation 0.8796
    assert abs(z.mean() + 1.0) < 0.02 and abs(z.std() - 0.5 * 0.8796) < 0.02


def test_randint_and_categorical_frequencies():
    k = nk.random.randint((N,), 3, 8, seed=5).numpy()
    assert k.min() == 3 and k.max() == 7
    np.testing.assert_allclose(np.bincount(k - 3) / N, 0.2, atol=0.01)
    draws = nk.random.categorical(LOGITS, N, seed=6).numpy()
    for row, probs in zip(draws, np.exp(LOGITS)):
        np.testing.assert_allclose(np.bincount(row, minlength=3) / N, probs, atol=0.01)


def test_gamma_beta_binomial_means():
    assert abs(nk.random.gamma((N,), 3.0, seed=7).numpy().mean() - 3.0) < 0.05
    assert abs(nk.random.beta((N,), 2.0, 6.0, seed=7).numpy().mean() - 0.25) < 0.01
    assert abs(nk.random.binomial((N,), 10, 0.3, seed=7).numpy().mean() - 3.0) < 0.05


def test_dropout_keeps_expectation_and_passes_gradients():
    x = neuronet.tensor(np.ones((200, 100), "float32"), requires_grad=True)
    y = nk.random.dropout(x, 0.25, seed=8)
    kept = y.detach().numpy() != 0
    assert abs(kept.mean() - 0.75) < 0.02
    np.testing.assert_allclose(y.detach().numpy()[kept], 1 / 0.75)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept / 0.75)
    shared = nk.random.dropout(np.ones((50, 6), "float32"), 0.5, noise_shape=(None, 1),
                               seed=9).numpy()
    assert (shared == shared[:, :1]).all()
    assert nk.random.dropout(x, 0.0) is x
    assert not nk.random.dropout(x, 1.0).detach().numpy().any()


def test_shuffle_permutes_along_an_axis():
    x = np.arange(30.0).reshape(10, 3)
    rows = nk.random.shuffle(x, seed=10).numpy()
    assert sorted(map(tuple, rows)) == sorted(map(tuple, x)) and not (rows == x).all()
    cols = nk.random.shuffle(x, axis=1, seed=10).numpy()
    np.testing.assert_array_equal(np.sort(cols, axis=1), x)
    t = neuronet.tensor(x, requires_grad=True)
    (nk.random.shuffle(t, seed=11) * neuronet.tensor(np.arange(30.0).reshape(10, 3))).sum(
    ).backward()
    np.testing.assert_array_equal(np.sort(t.grad.numpy().ravel()), np.arange(30.0))


@pytest.mark.parametrize("name, args", [("normal", ((3,),)), ("uniform", ((3,),)),
                                        ("truncated_normal", ((3,),)),
                                        ("randint", ((3,), 0, 100)),
                                        ("categorical", (LOGITS, 5)),
                                        ("dropout", (np.ones(20, "float32"), 0.5)),
                                        ("shuffle", (np.arange(10),))])
def test_seed_semantics(name, args):
    op = getattr(nk.random, name)

    def draw(seed):
        return op(*args, seed=seed).numpy()

    np.testing.assert_array_equal(draw(42), draw(42))  # an int seed repeats
    assert not np.array_equal(draw(42), draw(43)) or name == "dropout"
    gen_a, gen_b = nk.random.SeedGenerator(42), nk.random.SeedGenerator(42)
    first, second = draw(gen_a), draw(gen_a)
    assert not np.array_equal(first, second)  # a SeedGenerator advances
    np.testing.assert_array_equal(first, draw(42))  # its first draw is seed=42's
    np.testing.assert_array_equal(second, (draw(gen_b), draw(gen_b))[1])
    neuronet.manual_seed(5)
    a = draw(None)
    neuronet.manual_seed(5)
    np.testing.assert_array_equal(a, draw(None))  # None follows neuronet's global generator


def test_seed_generator_state_config_and_errors():
    gen = nk.random.SeedGenerator(7, name="noise")
    assert gen.state.numpy().tolist() == [7, 0]
    gen.next()
    assert gen.state.numpy().tolist() == [7, 1] and not gen.state.requires_grad
    clone = nk.random.SeedGenerator.from_config(gen.get_config())
    assert clone.get_config() == {"seed": 7, "name": "noise"}
    neuronet.manual_seed(0)
    s1 = nk.random.SeedGenerator().state.numpy()[0]
    neuronet.manual_seed(0)
    assert nk.random.SeedGenerator().state.numpy()[0] == s1
    with pytest.raises(ValueError, match="seed must be an integer"):
        nk.random.SeedGenerator(1.5)
    with pytest.raises(ValueError, match="SeedGenerator or None"):
        nk.random.normal((2,), seed="x")
    with pytest.raises(ValueError, match="floating point dtype"):
        nk.random.uniform((2,), dtype="int32")
    with pytest.raises(ValueError, match="integer dtype"):
        nk.random.randint((2,), 0, 3, dtype="float32")
    with pytest.raises(ValueError, match="2-D"):
        nk.random.categorical(LOGITS[0], 3)


def test_layer_with_seed_generator_trains():
    class NoisyDense(nk.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.seed_generator = nk.random.SeedGenerator(1337)

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units))

        def call(self, x, training=None):
            if training:
                x = nk.random.dropout(x, 0.2, seed=self.seed_generator)
            return nk.ops.matmul(x, self.kernel)

    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    model = nk.Sequential([nk.Input((4,)), NoisyDense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, x.sum(1, keepdims=True), epochs=2, batch_size=8, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.layers[0].seed_generator.state.numpy()[1] == 8  # one draw per batch
