"""Discretization, Hashing, IntegerLookup and StringLookup.

Discretization is compared with real Keras 3 (torch backend) on the same inputs: outputs in
every mode, adapted boundaries, shapes and configs. Keras's `adapt` reaches for TensorFlow only
to ask whether the data is a `tf.data.Dataset`; a stand-in module answers "no", so Keras's own
quantile code runs. Keras 3's Hashing, IntegerLookup and StringLookup cannot be built without
TensorFlow (their constructors raise ImportError), so they are checked against the expected
values written in Keras's docstrings and its own test files (keras/src/layers/preprocessing/
*_test.py), which TensorFlow produced; the hash functions also against FarmHash's C++ and the
SipHash paper's reference.
"""

from __future__ import annotations

import doctest
import os
import types

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

from neuronet import keras as nk  # noqa: E402
from neuronet.keras.layers import preprocessing_lookup  # noqa: E402
from neuronet.keras.layers.preprocessing_lookup import (  # noqa: E402
    Discretization,
    Hashing,
    IntegerLookup,
    StringLookup,
    fingerprint64,
    siphash24,
)
from neuronet.tensor import Tensor  # noqa: E402

if keras.backend.backend() != "torch":
    pytest.skip("the comparison needs Keras's torch backend", allow_module_level=True)

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]

RNG = np.random.default_rng(0)


def _np(value):
    return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)


@pytest.fixture
def keras_adapt_without_tf(monkeypatch):
    """Keras's Discretization.adapt only asks TensorFlow whether data is a tf.data.Dataset."""
    from keras.src.layers.preprocessing import discretization

    stand_in = types.SimpleNamespace(data=types.SimpleNamespace(Dataset=type("Dataset", (), {})),
                                     is_tensor=lambda x: False)
    monkeypatch.setattr(discretization, "tf", stand_in)


# --- Discretization against Keras -------------------------------------------------------------
X_2D = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])
DISCRETIZATION_INPUTS = [
    X_2D, X_2D.astype("float32"), np.array([0.1, 1.0, 2.0, -3.0, 7.5]),
    RNG.normal(1.0, 2.0, (3, 4, 2)), RNG.normal(size=(5, 1)).astype("float32"),
    np.array([[-1, 1, 3, 0], [2, 2, 5, -4]]), np.array(0.5),
    np.array([np.nan, np.inf, -np.inf, 16777217.0, 0.099999999]), np.array([True, False])]


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("index", range(len(DISCRETIZATION_INPUTS)))
def test_discretization_matches_keras(mode, index):
    x = DISCRETIZATION_INPUTS[index]
    kwargs = {"bin_boundaries": [0.0, 0.1, 1.0, 2.0], "output_mode": mode}
    theirs = _np(keras.layers.Discretization(**kwargs)(x))
    ours = Discretization(**kwargs)(x).numpy()
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("data, num_bins, epsilon", [
    (X_2D, 4, 0.01), (RNG.normal(size=(1000, 3)), 5, 0.001), (RNG.normal(size=(1000,)), 5, 0.01),
    (RNG.exponential(size=(257, 2)), 7, 0.05), (np.arange(10.0), 3, 0.01),
    (np.array([1.0, 1.0, 1.0, 2.0, 2.0, 3.0]), 2, 0.01), (RNG.integers(0, 5, (400,)), 4, 0.01)])
def test_discretization_adapt_matches_keras(keras_adapt_without_tf, data, num_bins, epsilon):
    theirs = keras.layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    ours = Discretization(num_bins=num_bins, epsilon=epsilon)
    theirs.adapt(data)
    ours.adapt(data)
    assert ours.bin_boundaries == theirs.bin_boundaries
    x = RNG.normal(size=(6, 3)) * 2
    np.testing.assert_array_equal(ours(x).numpy(), _np(theirs(x)))


def test_discretization_adapt_on_batches_matches_keras(keras_adapt_without_tf):
    batches = [RNG.normal(size=(300,)).astype("float32") for _ in range(4)] + [np.arange(5.0)]
    for data in (batches, [[1.0, 2.0], [3.0, 4.0], [0.5, 9.0]]):  # a list is its batches
        theirs, ours = keras.layers.Discretization(num_bins=6), Discretization(num_bins=6)
        theirs.adapt(data)
        ours.adapt(data)
        assert ours.bin_boundaries == theirs.bin_boundaries
    ours_gen, ours_tensor = Discretization(num_bins=6), Discretization(num_bins=6)
    ours_gen.adapt(iter(batches), steps=2)
    theirs = keras.layers.Discretization(num_bins=6)
    theirs.adapt(batches[:2])
    assert ours_gen.bin_boundaries == theirs.bin_boundaries
    ours_tensor.adapt(Tensor(batches[0]))
    theirs.adapt(batches[0])
    assert ours_tensor.bin_boundaries == theirs.bin_boundaries


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("shape", [(None, 4), (None, 1), (None, 3, 2), (None, 2, 3, 1)])
def test_discretization_output_shape_matches_keras(mode, shape):
    kwargs = {"bin_boundaries": [0.0, 1.0], "output_mode": mode}
    ours = Discretization(**kwargs)
    assert ours.compute_output_shape(shape) == tuple(
        keras.layers.Discretization(**kwargs).compute_output_shape(shape))
    eager = ours(np.zeros([2 if d is None else d for d in shape])).numpy()
    assert eager.shape[1:] == ours.compute_output_shape(shape)[1:]
    symbolic = ours(nk.Input(shape[1:]))
    assert symbolic.shape == ours.compute_output_shape(shape)
    assert symbolic.dtype == ("int32" if mode == "int" else "float32")


@pytest.mark.parametrize("kwargs", [
    {"bin_boundaries": [0.0, 1.0, 2.0]}, {"num_bins": 5, "epsilon": 0.05},
    {"bin_boundaries": [-1.0], "output_mode": "count", "name": "bins"}])
def test_discretization_config_matches_keras_and_round_trips(kwargs):
    ours, theirs = Discretization(**kwargs).get_config(), keras.layers.Discretization(
        **kwargs).get_config()
    assert set(ours) == set(theirs)
    for key in set(theirs) - {"name"}:
        assert ours[key] == theirs[key], key
    assert Discretization.from_config(ours).get_config() == ours


def test_discretization_adapted_config_round_trips():
    layer = Discretization(num_bins=4)
    layer.adapt(RNG.normal(size=(100,)))
    clone = Discretization.from_config(layer.get_config())
    assert clone.bin_boundaries == layer.bin_boundaries and clone.num_bins == 4
    x = RNG.normal(size=(4, 5))
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())


@pytest.mark.parametrize("kwargs, message", [
    ({}, "either `num_bins` or `bin_boundaries`"),
    ({"num_bins": 3, "bin_boundaries": [1.0]}, "should not be set"),
    ({"num_bins": -1}, "greater than or equal to 0"),
    ({"num_bins": 3, "output_mode": "tf_idf"}, "Unknown value for `output_mode`"),
    ({"num_bins": 3, "sparse": True}, "sparse=True")])
def test_discretization_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Discretization(**kwargs)
    if "sparse" not in kwargs:  # Keras's own message for the same mistake
        with pytest.raises(ValueError, match=message):
            keras.layers.Discretization(**kwargs)


def test_discretization_use_before_adapt_and_adapt_with_boundaries():
    with pytest.raises(ValueError, match="call `adapt"):
        Discretization(num_bins=3)(np.ones(3))
    with pytest.raises(ValueError, match="Cannot adapt"):
        Discretization(bin_boundaries=[1.0]).adapt(np.ones(3))


# --- hash functions ---------------------------------------------------------------------------
def _pattern(n):
    return bytes((i * 7 + 3) % 256 for i in range(n))


# Fingerprint64 and SipHash-2-4 (key bytes 0..15) of _pattern(n), from FarmHash's C++ and a
# reference SipHash: every length class of FarmHash (0-16, 17-32, 33-64, the 64-byte loop).
HASH_VECTORS = [
    (5, 1540533402979949747, 730302214532276087),
    (12, 567769801253413308, 7128241761391953840),
    (20, 9055401396212531348, 5676571203778061762),
    (40, 12941229458084698938, 8305479095152993435),
    (64, 389040666157116578, 2711167846708528555),
    (65, 8638051931306504420, 2427840919437785349),
    (100, 11391788667801836296, 18315146097072241955),
    (300, 16122021424968347411, 7752962683634304919)]
SIP_KEY = (0x0706050403020100, 0x0F0E0D0C0B0A0908)


@pytest.mark.parametrize("n, farm, sip", HASH_VECTORS)
def test_hash_functions_match_reference_values(n, farm, sip):
    assert fingerprint64(_pattern(n)) == farm
    assert siphash24(SIP_KEY, _pattern(n)) == sip


def test_hash_functions_match_published_values():
    # TensorFlow's Fingerprint64 test values, and the SipHash paper's vectors (messages 0..n-1)
    assert [fingerprint64(c) for c in (b"a", b"b", b"c")] == [
        12917804110809363939, 11795596070477164822, 11430444447143000872]
    assert fingerprint64(b"") == 0x9AE16A3B2F90404F
    assert siphash24(SIP_KEY, b"") == 0x726FDB47DD0E0E31
    assert siphash24(SIP_KEY, bytes(range(15))) == 0xA129CA6149BE45E5


# --- Hashing (Keras's documented and tested bucket numbers) -----------------------------------
LETTERS = [["A"], ["B"], ["C"], ["D"], ["E"]]
WORDS = ["omar", "stringer", "marlo", "wire", "skywalker"]


@pytest.mark.parametrize("kwargs, inputs, expected", [
    ({"num_bins": 3}, LETTERS, [[1], [0], [1], [1], [2]]),
    ({"num_bins": 3, "mask_value": ""}, [["A"], ["B"], [""], ["C"], ["D"]],
     [[1], [1], [0], [2], [2]]),
    ({"num_bins": 3, "salt": [133, 137]}, LETTERS, [[1], [2], [1], [0], [2]]),
    ({"num_bins": 3, "salt": 133}, LETTERS, [[0], [0], [2], [1], [0]]),
    ({"num_bins": 1}, np.asarray(LETTERS), [[0]] * 5),
    ({"num_bins": 2}, np.asarray([[w] for w in WORDS]), [[0], [0], [1], [0], [0]]),
    ({"num_bins": 2}, WORDS, [0, 0, 1, 0, 0]),
    ({"num_bins": 3, "mask_value": ""}, np.asarray([[w] for w in WORDS]),
     [[1], [1], [2], [1], [1]]),
    ({"num_bins": 3, "mask_value": "omar"}, np.asarray([[w] for w in WORDS]),
     [[0], [1], [2], [1], [1]]),
    ({"num_bins": 3}, np.asarray([[0], [1], [2], [3], [4]]), [[1], [0], [1], [0], [2]]),
    ({"num_bins": 3}, (0, 1, 2, 3, 4), [1, 0, 1, 0, 2]),
    ({"num_bins": 2, "salt": [133, 137]}, np.asarray(WORDS), [0, 1, 0, 1, 0]),
    ({"num_bins": 2, "salt": [211, 137]}, np.asarray(WORDS), [1, 0, 1, 0, 1]),
    ({"num_bins": 3, "salt": [133, 137]}, np.asarray([[0], [1], [2], [3], [4]]),
     [[1], [1], [2], [0], [1]]),
    ({"num_bins": 2}, [[[1], [2]], [[2], [3]], [[3], [4]]], [[[1], [1]], [[1], [1]], [[1], [1]]]),
])
def test_hashing_matches_keras_expected_buckets(kwargs, inputs, expected):
    out = Hashing(**kwargs)(inputs).numpy()
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, expected)


def test_hashing_accepts_bytes_object_float_and_tensor_inputs():
    layer = Hashing(num_bins=3)
    np.testing.assert_array_equal(layer(np.array([b"A", b"B"])).numpy(), [1, 0])
    np.testing.assert_array_equal(layer(np.array(["A", b"B"], dtype=object)).numpy(), [1, 0])
    np.testing.assert_array_equal(layer(np.array([0.0, 1.9, 4.2])).numpy(), [1, 0, 2])
    np.testing.assert_array_equal(layer(Tensor(np.array([0, 1, 4]))).numpy(), [1, 0, 2])
    assert Hashing(num_bins=3, dtype="int32")(["A"]).numpy().dtype == np.int32


@pytest.mark.parametrize("mode, inputs, expected", [
    ("one_hot", np.array([0, 1, 2, 3, 4]),
     [[0, 1, 0], [1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]]),
    ("one_hot", np.array([[0], [1], [4]]), [[0, 1, 0], [1, 0, 0], [0, 0, 1]]),
    ("multi_hot", np.array([[0, 1, 2, 3, 4]]), [[1, 1, 1]]),
    ("count", np.array([0, 1, 2, 3, 4]), [2, 2, 1]),
    ("count", np.array([[0, 1, 2, 3, 4]]), [[2, 2, 1]])])
def test_hashing_output_modes_match_keras_expected(mode, inputs, expected):
    layer = Hashing(num_bins=3, output_mode=mode)
    out = layer(inputs).numpy()
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, expected)
    assert layer.compute_output_shape(inputs.shape) == out.shape


@pytest.mark.parametrize("shape, expected", [
    ((4,), {"int": (None, 4), "one_hot": (None, 4, 5), "multi_hot": (None, 5),
            "count": (None, 5)}),
    ((4, 1), {"int": (None, 4, 1), "one_hot": (None, 4, 5), "multi_hot": (None, 1, 5),
              "count": (None, 1, 5)}),
    ((), {"int": (None,), "one_hot": (None, 5), "multi_hot": (5,), "count": (5,)})])
def test_hashing_symbolic_shapes_are_the_eager_shapes(shape, expected):
    for mode, want in expected.items():
        layer = Hashing(num_bins=5, output_mode=mode)
        out = layer(nk.Input(shape, dtype="str"))
        assert out.shape == want
        assert out.dtype == ("int64" if mode == "int" else "float32")
        eager = layer(np.full((2,) + shape, "x")).numpy()
        assert eager.shape == tuple(2 if d is None else d for d in want)


def test_hashing_config_round_trips():
    layer = Hashing(num_bins=8, mask_value="", salt=7, output_mode="count", name="hash")
    config = layer.get_config()
    assert {k: config[k] for k in ("num_bins", "salt", "mask_value", "output_mode", "sparse")} == {
        "num_bins": 8, "salt": [7, 7], "mask_value": "", "output_mode": "count", "sparse": False}
    clone = Hashing.from_config(config)
    assert clone.get_config() == config and clone.name == "hash"
    np.testing.assert_array_equal(clone([["a", "b", ""]]).numpy(), layer([["a", "b", ""]]).numpy())


@pytest.mark.parametrize("kwargs, message", [
    ({"num_bins": None}, "cannot be `None` or non-positive"),
    ({"num_bins": 0}, "cannot be `None` or non-positive"),
    ({"num_bins": 2, "salt": "string"}, "can only be a tuple of size 2"),
    ({"num_bins": 2, "salt": [1]}, "can only be a tuple of size 2"),
    ({"num_bins": 1, "salt": [133, 137, 177]}, "can only be a tuple of size 2"),
    ({"num_bins": 3, "output_mode": "unsupported"}, "Invalid value for argument `output_mode`"),
    ({"num_bins": 3, "dtype": "float32"}, 'When `output_mode="int"`, `dtype` should be'),
    ({"num_bins": 3, "sparse": True}, "`sparse` may only be true")])
def test_hashing_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Hashing(**kwargs)


# --- IntegerLookup (Keras's documented and tested outputs) ------------------------------------
VOCAB = [12, 36, 1138, 42]
DOCS = np.array([[12, 1138, 42, 42], [42, 7, 36, 7]])


@pytest.mark.parametrize("kwargs, inputs, expected", [
    ({}, [[12, 1138, 42], [42, 1000, 36]], [[1, 3, 4], [4, 0, 2]]),
    ({"num_oov_indices": 2}, [[12, 1138, 42], [37, 1000, 36]], [[2, 4, 5], [1, 0, 3]]),
    ({"output_mode": "one_hot"}, [12, 36, 1138, 42, 7],
     [[0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [1, 0, 0, 0, 0]]),
    ({"output_mode": "multi_hot"}, DOCS, [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]),
    ({"output_mode": "count"}, DOCS, [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]),
    ({"output_mode": "tf_idf", "idf_weights": [0.25, 0.75, 0.6, 0.4]}, DOCS,
     [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]]),
    ({"vocabulary": [-1] + VOCAB, "output_mode": "tf_idf",
      "idf_weights": [0.9, 0.25, 0.75, 0.6, 0.4]}, DOCS,
     [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]]),
    ({"invert": True}, [[1, 3, 4], [4, 0, 2]], [[12, 1138, 42], [42, -1, 36]]),
    ({"vocabulary": [10, 20, 30], "num_oov_indices": 4, "oov_method": "farmhash"},
     [100, 300, 700, 1100, 1700, 2000], [3, 3, 2, 2, 0, 1]),
    ({"vocabulary": [10, 20, 30], "num_oov_indices": 4, "oov_method": "farmhash"},
     [100, 200, 300, 400], [3, 1, 3, 1]),
    ({"vocabulary": [10, 20, 30], "num_oov_indices": 4}, [100, 300, 700, 1100, 1700, 2000],
     [0, 0, 0, 0, 0, 0]),
    ({"vocabulary": [1, 2, 3], "mask_token": 0}, [0, 1, 2, 3], [0, 2, 3, 4]),
    ({"vocabulary": [1, 2, 3], "num_oov_indices": 0}, [1, 2, 3], [0, 1, 2]),
    ({"vocabulary": [10, 20, 30], "invert": True}, [1, 2, 3, 0], [10, 20, 30, -1]),
    ({"vocabulary": [1, 2], "output_mode": "multi_hot", "max_tokens": 5,
      "pad_to_max_tokens": True, "mask_token": 0}, [1, 2], [0, 1, 1, 0, 0]),
    ({"vocabulary": [1, 2, 3], "output_mode": "one_hot"}, [[[1, 2], [3, 0]]],
     [[[[0, 1, 0, 0], [0, 0, 1, 0]], [[0, 0, 0, 1], [1, 0, 0, 0]]]]),
])
def test_integer_lookup_matches_keras_expected(kwargs, inputs, expected):
    kwargs = {"vocabulary": VOCAB, **kwargs}
    layer = IntegerLookup(**kwargs)
    out = layer(inputs).numpy()
    assert out.dtype == (np.int64 if kwargs.get("output_mode", "int") == "int" else np.float32)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert layer.compute_output_shape(np.shape(inputs)) == out.shape


def test_integer_lookup_adapt_matches_keras_expected():
    data = np.array([[12, 1138, 42], [42, 1000, 36]])
    layer = IntegerLookup()
    layer.adapt(data)
    assert layer.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]  # by count, ties high-first
    np.testing.assert_array_equal(layer(data).numpy(), [[5, 2, 1], [1, 3, 4]])
    adapt_data = [1, 1, 1, 2, 2, 3]
    expected = {"int": [1, 2, 0], "one_hot": [[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0]],
                "multi_hot": [1, 1, 1, 0], "tf_idf": [1.133732, 0.916291, 1.098612, 0.0]}
    for mode, want in expected.items():
        layer = IntegerLookup(output_mode=mode)
        layer.adapt(adapt_data)
        np.testing.assert_allclose(layer([1, 2, 4]).numpy(), want, rtol=1e-5)
    layer = IntegerLookup(output_mode="count")
    layer.adapt(adapt_data)
    np.testing.assert_array_equal(layer([1, 2, 3, 4, 1, 2, 1]).numpy(), [1, 3, 2, 1])
    layer = IntegerLookup(max_tokens=4)
    layer.adapt([1, 2, 3, 4, 5, 6, 1, 1, 2, 2])
    assert layer.get_vocabulary() == [-1, 2, 1, 6]  # 1 and 2 seen 3 times: the larger first


def test_integer_lookup_special_tokens_and_masks():
    kwargs = {"max_tokens": 7, "mask_token": 0, "oov_token": -1}
    for vocabulary in ([1, 2, 3], [0, -1, 1, 2, 3]):  # with or without the special tokens
        layer = IntegerLookup(vocabulary=vocabulary, **kwargs)
        assert layer.get_vocabulary() == [0, -1, 1, 2, 3]
        assert layer.get_vocabulary(include_special_tokens=False) == [1, 2, 3]
        assert layer.vocabulary_size() == 5
        np.testing.assert_array_equal(layer([1, 2, 4, 0]).numpy(), [2, 3, 1, 0])
    layer = IntegerLookup(**kwargs)
    layer.adapt([1, 1, 1, 2, 2, 3, 0, 0, 0, 0, -1, -1, -1, -1])  # special tokens never learned
    assert layer.get_vocabulary() == [0, -1, 1, 2, 3]
    layer = IntegerLookup(max_tokens=4, mask_token=0)
    layer.adapt([1, 1, 1, 2, 2, 3])
    assert layer.get_vocabulary() == [0, -1, 1, 2]
    np.testing.assert_array_equal(layer([1, 2, 3, 4]).numpy(), [2, 3, 1, 1])
    multi = IntegerLookup(vocabulary=[1, 2], mask_token=0, output_mode="multi_hot")
    np.testing.assert_array_equal(multi([[0, 1, 0], [0, 0, 5]]).numpy(), [[0, 1, 0], [1, 0, 0]])
    invert = IntegerLookup(vocabulary=[5, 6], mask_token=0, invert=True)
    np.testing.assert_array_equal(invert([0, 1, 2, 3, 9, -2]).numpy(), [0, -1, 5, 6, -1, -1])
    with pytest.raises(ValueError, match="found OOV values"):
        IntegerLookup(vocabulary=[1, 2], num_oov_indices=0)([1, 7])


def test_integer_lookup_forward_inverse_pair_and_set_vocabulary(tmp_path):
    data = np.array([[12, 1138, 42], [42, 1000, 36]])
    layer = IntegerLookup(vocabulary=VOCAB)
    inverse = IntegerLookup(vocabulary=layer.get_vocabulary(), invert=True)
    np.testing.assert_array_equal(inverse(layer(data)).numpy(), [[12, 1138, 42], [42, -1, 36]])
    layer = IntegerLookup()
    layer.set_vocabulary([1, 2, 3, 4])
    np.testing.assert_array_equal(layer([2, 3, 4, 5]).numpy(), [2, 3, 4, 0])
    path = tmp_path / "vocab.txt"
    path.write_text("10\n20\n30\n")
    np.testing.assert_array_equal(IntegerLookup(vocabulary=str(path))([10, 20, 30, 999]).numpy(),
                                  [1, 2, 3, 0])


@pytest.mark.parametrize("kwargs", [
    {"vocabulary": [1, 2, 3], "oov_token": 1, "mask_token": 0},
    {"vocabulary": [4, 5], "output_mode": "tf_idf", "idf_weights": [0.5, 0.25]},
    {"vocabulary": [4, 5], "num_oov_indices": 3, "oov_method": "farmhash", "salt": 9},
    {"max_tokens": 6, "output_mode": "count", "pad_to_max_tokens": True}])
def test_integer_lookup_config_round_trips(kwargs):
    layer = IntegerLookup(**kwargs)
    config = layer.get_config()
    assert config["vocabulary"] == kwargs.get("vocabulary")
    clone = IntegerLookup.from_config(config)
    assert clone.get_config() == config
    x = np.array([[1, 4, 5, 9]])
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())


@pytest.mark.parametrize("mode", ["int", "multi_hot", "tf_idf"])
def test_adapted_integer_lookup_config_keeps_the_vocabulary(mode):
    layer = IntegerLookup(output_mode=mode, max_tokens=10, pad_to_max_tokens=mode != "int")
    layer.adapt(np.array([[3, 3, 7], [7, 1, 3], [9, 9, 9]]))
    clone = IntegerLookup.from_config(layer.get_config())
    assert clone.get_vocabulary() == layer.get_vocabulary() == [-1, 9, 3, 7, 1]
    x = np.array([[3, 1, 2, 9]])
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())


@pytest.mark.parametrize("kwargs, error, message", [
    ({"max_tokens": 1}, ValueError, "must be greater than 1"),
    ({"num_oov_indices": -1}, ValueError, "must >= 0"),
    ({"vocabulary_dtype": "int32"}, ValueError, "Only `vocabulary_dtype='int64'`"),
    ({"oov_method": "invalid"}, ValueError, "Unknown value for `oov_method`"),
    ({"output_mode": "bad"}, ValueError, "Unknown value for `output_mode`"),
    ({"invert": True, "output_mode": "count"}, ValueError, "must be `'int'` when `invert`"),
    ({"salt": 3}, ValueError, "`salt` can only be used when `oov_method='farmhash'`"),
    ({"pad_to_max_tokens": True}, ValueError, "must set `max_tokens`"),
    ({"idf_weights": [1.0]}, ValueError, "`idf_weights` should only be set"),
    ({"vocabulary": [1], "output_mode": "tf_idf"}, ValueError, "must also be provided"),
    ({"vocabulary": []}, ValueError, "Cannot set an empty vocabulary"),
    ({"vocabulary": [1, 2, 1]}, ValueError, "repeated term"),
    ({"vocabulary": [1, 0], "mask_token": 0}, ValueError, "reserved mask token"),
    ({"vocabulary": [1, -1], "invert": True}, ValueError, "reserved OOV token"),
    ({"vocabulary": [1, 2, 3], "max_tokens": 3}, ValueError, "larger than the maximum"),
    ({"vocabulary": "/no/such/vocab.txt"}, ValueError, "does not exist"),
    ({"sparse": True}, ValueError, "sparse=True")])
def test_integer_lookup_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        IntegerLookup(**kwargs)


def test_lookup_state_errors():
    with pytest.raises(RuntimeError, match="must set the layer's vocabulary"):
        IntegerLookup(output_mode="multi_hot")([1, 2])
    layer = IntegerLookup(output_mode="multi_hot")
    layer.adapt([1, 2])
    with pytest.raises(RuntimeError, match="vocabulary size cannot be changed"):
        layer.set_vocabulary([1, 2, 3])
    with pytest.raises(ValueError, match="Cannot adapt layer"):
        IntegerLookup(vocabulary=[1]).adapt([1, 2])
    with pytest.raises(TypeError, match="expected integers"):
        IntegerLookup(vocabulary=[1])(["a"])
    with pytest.raises(TypeError, match="expected strings"):
        StringLookup(vocabulary=["a"])(np.array([1.5]))


# --- StringLookup (Keras's documented and tested outputs) -------------------------------------
LETTER_VOCAB = ["a", "b", "c", "d"]
LETTER_DOCS = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]


@pytest.mark.parametrize("kwargs, inputs, expected", [
    ({}, [["a", "c", "d"], ["d", "z", "b"]], [[1, 3, 4], [4, 0, 2]]),
    ({}, np.array([["a", "c", "d"], ["d", "z", "b"]], dtype=object), [[1, 3, 4], [4, 0, 2]]),
    ({}, np.array([[b"a", b"c", b"d"], [b"d", b"z", b"b"]]), [[1, 3, 4], [4, 0, 2]]),
    ({"num_oov_indices": 2}, [["a", "c", "d"], ["m", "z", "b"]], [[2, 4, 5], [0, 1, 3]]),
    ({"output_mode": "one_hot"}, ["a", "b", "c", "d", "z"],
     [[0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [1, 0, 0, 0, 0]]),
    ({"output_mode": "multi_hot"}, LETTER_DOCS, [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]),
    ({"output_mode": "count"}, LETTER_DOCS, [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]),
    ({"output_mode": "tf_idf", "idf_weights": [0.25, 0.75, 0.6, 0.4]}, LETTER_DOCS,
     [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]]),
    ({"vocabulary": ["[UNK]"] + LETTER_VOCAB, "output_mode": "tf_idf",
      "idf_weights": [0.9, 0.25, 0.75, 0.6, 0.4]}, LETTER_DOCS,
     [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]]),
    ({"vocabulary": ["a", "b", "c"], "oov_token": "[OOV]"}, ["a", "b", "[OOV]", "d"],
     [1, 2, 0, 0]),
    ({"vocabulary": ["one", "two", "three"], "mask_token": "", "oov_token": "[OOV]",
      "output_mode": "tf_idf", "idf_weights": np.array([0.1, 0.2, 0.3])},
     [["one", "two", "four", "two"]], [[0.2, 0.1, 0.4, 0.0]]),
])
def test_string_lookup_matches_keras_expected(kwargs, inputs, expected):
    layer = StringLookup(**{"vocabulary": LETTER_VOCAB, **kwargs})
    np.testing.assert_allclose(layer(inputs).numpy(), expected, rtol=1e-6)


def test_string_lookup_adapt_and_invert_match_keras_expected():
    data = [["a", "c", "d"], ["d", "z", "b"]]
    layer = StringLookup()
    layer.adapt(data)
    assert layer.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    np.testing.assert_array_equal(layer(data).numpy(), [[5, 3, 1], [1, 2, 4]])
    inverse = StringLookup(vocabulary=LETTER_VOCAB, invert=True)
    out = inverse(StringLookup(vocabulary=LETTER_VOCAB)(data))
    assert isinstance(out, np.ndarray) and out.dtype.kind == "U"
    np.testing.assert_array_equal(out, [["a", "c", "d"], ["d", "[UNK]", "b"]])
    masked = StringLookup(vocabulary=["x"], mask_token="[M]", num_oov_indices=0, invert=True)
    np.testing.assert_array_equal(masked([0, 1, 5]), ["[M]", "x", "[UNK]"])
    kwargs = {"max_tokens": 7, "mask_token": "", "oov_token": "[OOV]"}
    layer = StringLookup(**kwargs)
    layer.adapt(np.array(["one", "one", "one", "two", "two", "three", "", "[OOV]"]))
    assert layer.get_vocabulary() == ["", "[OOV]", "one", "two", "three"]
    np.testing.assert_array_equal(layer(["one", "two", "four", ""]).numpy(), [2, 3, 1, 0])


def test_string_lookup_adapt_with_generator_and_tf_idf():
    def batches():
        yield ["cat", "dog"]
        yield ["bird", "cat"]

    layer = StringLookup()
    layer.adapt(batches())
    assert layer.get_vocabulary() == ["[UNK]", "cat", "dog", "bird"]
    layer = StringLookup(output_mode="tf_idf")
    layer.adapt(iter([np.array([["a", "a", "b"], ["b", "c", "c"]]), np.array([["a", "d", "d"]])]))
    # idf = log(1 + documents / (1 + documents containing the token)); OOV: their mean
    idf = np.log(1 + 3 / (1 + np.array([2, 1, 1, 2])))
    assert layer.get_vocabulary() == ["[UNK]", "a", "d", "c", "b"]
    np.testing.assert_allclose(layer.idf_weights, np.r_[idf.mean(), idf], rtol=1e-6)
    np.testing.assert_allclose(layer([["a", "a", "z"]]).numpy(),
                               [np.r_[idf.mean(), 2 * idf[0], 0, 0, 0]], rtol=1e-6)


def test_string_lookup_oov_buckets_hash_with_salt():
    vocab = ["a", "b"]
    words = np.array(["m", "z", "q", "longer than sixteen bytes", "é"])
    plain = StringLookup(vocabulary=vocab, num_oov_indices=3)(words).numpy()
    np.testing.assert_array_equal(plain, [fingerprint64(w.encode()) % 3 for w in words])
    salted = StringLookup(vocabulary=vocab, num_oov_indices=3, salt=[5, 6])(words).numpy()
    np.testing.assert_array_equal(salted, [siphash24((5, 6), w.encode()) % 3 for w in words])


def test_string_lookup_config_round_trips(tmp_path):
    layer = StringLookup(vocabulary=["a", "b", "c"], oov_token="[OOV]", mask_token="[MASK]")
    config = layer.get_config()
    assert config["vocabulary"] == ["a", "b", "c"] and "vocabulary_dtype" not in config
    assert config["encoding"] == "utf-8"
    assert StringLookup.from_config(config).get_config() == config
    path = tmp_path / "vocab.txt"
    path.write_text("a\nb\nc\n")
    from_file = StringLookup(vocabulary=str(path), oov_token="[OOV]", mask_token="[MASK]")
    assert from_file.get_vocabulary() == ["[MASK]", "[OOV]", "a", "b", "c"]
    path.unlink()  # the config carries the vocabulary itself
    clone = StringLookup.from_config(from_file.get_config())
    assert clone.get_vocabulary() == ["[MASK]", "[OOV]", "a", "b", "c"]
    with pytest.raises(ValueError, match="`output_mode` must be `'int'`"):
        StringLookup(invert=True, output_mode="one_hot")


# --- in models ----------------------------------------------------------------------------------
def test_lookup_layers_in_models_survive_save_and_load(tmp_path):
    ids = np.array([[1, 2, 3], [3, 3, 9]])
    lookup = IntegerLookup(output_mode="multi_hot")
    lookup.adapt(ids)
    model = nk.Sequential([nk.Input((3,), dtype="int64"), lookup, nk.layers.Dense(2)])
    path = str(tmp_path / "ints.keras")
    model.save(path)
    loaded = nk.models.load_model(path, custom_objects={"IntegerLookup": IntegerLookup})
    np.testing.assert_allclose(loaded.predict(ids, verbose=0), model.predict(ids, verbose=0))
    assert loaded.layers[0].get_vocabulary() == [-1, 3, 9, 2, 1]

    words = np.array([["a", "b"], ["c", "z"]])
    inputs = nk.Input((2,), dtype="str")
    counts = StringLookup(vocabulary=["a", "b", "c"], output_mode="count")(inputs)
    bins = Hashing(num_bins=4, output_mode="multi_hot")(inputs)
    outputs = nk.layers.Dense(1)(nk.layers.Concatenate()([counts, bins]))
    model = nk.Model(inputs, outputs)
    path = str(tmp_path / "strings.keras")
    model.save(path)
    loaded = nk.models.load_model(path, custom_objects={"StringLookup": StringLookup,
                                                        "Hashing": Hashing})
    np.testing.assert_allclose(loaded.predict(words, verbose=0), model.predict(words, verbose=0),
                               rtol=1e-6)

    bins = Discretization(num_bins=3)
    bins.adapt(np.arange(10.0))
    model = nk.Sequential([nk.Input((2,)), bins, nk.layers.Dense(1)])
    path = str(tmp_path / "bins.keras")
    model.save(path)
    loaded = nk.models.load_model(path, custom_objects={"Discretization": Discretization})
    x = np.array([[1.0, 8.0], [4.0, 5.0]])
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_docstring_examples_run():
    from neuronet.keras.layers import discretization, hashing, index_lookup, lookups

    modules = (preprocessing_lookup, discretization, hashing, index_lookup, lookups)
    for module in modules:
        failed, attempted = doctest.testmod(module)
        assert failed == 0, module.__name__
    assert sum(doctest.testmod(m).attempted for m in modules)
