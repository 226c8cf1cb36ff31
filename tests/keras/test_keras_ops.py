"""`keras.ops` against real Keras 3 (torch backend): the same inputs through both give equal
values, shapes and dtypes; gradients of a weighted sum of each differentiable op's output
match torch autograd through Keras's op; a custom layer written with keras.ops trains."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

import neuronet  # noqa: E402
from neuronet import keras as nk  # noqa: E402
from neuronet.autograd import gradcheck  # noqa: E402
from neuronet.tensor import Tensor  # noqa: E402

if keras.backend.backend() != "torch":
    pytest.skip("the comparison needs Keras's torch backend", allow_module_level=True)

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::RuntimeWarning")]

R = np.random.default_rng(0)
A = R.normal(size=(3, 4)).astype("float32")
B = R.normal(size=(3, 4)).astype("float32")
V = R.normal(size=(4,)).astype("float32")
P = R.uniform(0.5, 2.0, size=(3, 4)).astype("float32")
U = R.uniform(0.1, 0.9, size=(3, 4)).astype("float32")
T3 = R.normal(size=(2, 3, 4)).astype("float32")
M = R.normal(size=(4, 5)).astype("float32")
SQ = R.normal(size=(4, 4)).astype("float32")
I32 = np.array([[3, -1, 0, 2], [1, 1, -4, 5], [0, 2, 2, 7]], "int32")
IDX = np.array([[2, 0], [1, 3]])
LABELS = np.array([0, 3, 1])
ONEHOT = np.eye(4, dtype="float32")[[0, 3, 1]]
IMG = R.normal(size=(2, 7, 6, 3)).astype("float32")
SEQ = R.normal(size=(2, 9, 3)).astype("float32")
Q = R.normal(size=(2, 5, 4, 8)).astype("float32")
KV = R.normal(size=(2, 6, 2, 8)).astype("float32")
MASK = R.uniform(size=(2, 4, 5, 6)) > 0.3


def _dtype(value) -> str:
    return str(value.dtype).replace("torch.", "")


def _same(ours, theirs, rtol=1e-5, atol=1e-6):
    if isinstance(theirs, list | tuple):
        assert isinstance(ours, list | tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _same(o, t, rtol, atol)
        return
    if not hasattr(theirs, "dtype"):  # a Python value (shape, dtype name, bool)
        assert ours == theirs
        return
    assert isinstance(ours, Tensor), type(ours)
    want = keras.ops.convert_to_numpy(theirs)
    assert ours.dtype.name == _dtype(theirs)
    assert tuple(ours.shape) == tuple(want.shape)
    if want.dtype.kind == "f":
        np.testing.assert_allclose(ours.detach().numpy(), want, rtol=rtol, atol=atol)
    else:
        np.testing.assert_array_equal(ours.detach().numpy(), want)


def _torch(value):
    """NumPy arrays (also inside lists) as torch tensors, for Keras ops that need tensors."""
    if isinstance(value, np.ndarray):
        return torch.as_tensor(value)
    if isinstance(value, list):
        return [_torch(v) for v in value]
    return value


def _both(name, *args, **kwargs):
    theirs_args = [_torch(a) for a in args] if name in TORCH_ARGS else args
    return (getattr(nk.ops, name)(*args, **kwargs),
            getattr(keras.ops, name)(*theirs_args, **kwargs))


TORCH_ARGS = {"stop_gradient"}


VALUE_CASES = [
    # core
    ("convert_to_tensor", (A,), {}), ("convert_to_tensor", ([1, 2, 3],), {}),
    ("convert_to_tensor", ([1.0, 2],), {}), ("convert_to_tensor", (3,), {}),
    ("convert_to_tensor", (2.5,), {}), ("convert_to_tensor", (True,), {}),
    ("convert_to_tensor", (A,), {"dtype": "float64"}), ("cast", (A, "int32"), {}),
    ("cast", (I32, "float16"), {}), ("shape", (T3,), {}), ("dtype", (I32,), {}),
    ("stop_gradient", (A,), {}), ("slice", (T3, (0, 1, 1), (2, 2, 3)), {}),
    ("slice_update", (A, (1, 1), B[:2, :2]), {}),
    ("scatter", (IDX, np.array([1.0, 2.0], "float32"), (4, 4)), {}),
    ("scatter", (np.array([[1], [3], [1]]), R.normal(size=(3, 5)).astype("float32"), (4, 5)),
     {}),
    ("scatter_update", (SQ, IDX, np.array([7.0, 8.0], "float32")), {}),
    ("where", (A > 0, A, B), {}), ("where", (A > 0, A, 0.5), {}), ("where", (A > 0,), {}),
    # arithmetic and functions of reals
    ("add", (A, B), {}), ("add", (A, V), {}), ("add", (A, 2), {}), ("subtract", (A, V), {}),
    ("multiply", (A, B), {}), ("divide", (A, P), {}), ("true_divide", (I32, 4), {}),
    ("floor_divide", (I32, 3), {}), ("floor_divide", (A, P), {}), ("power", (P, B), {}),
    ("power", (A, 2), {}), ("power", (I32, 2), {}), ("negative", (A,), {}),
    ("abs", (A,), {}), ("absolute", (I32,), {}), ("square", (A,), {}), ("sqrt", (P,), {}),
    ("exp", (A,), {}), ("log", (P,), {}), ("log1p", (P,), {}), ("expm1", (A,), {}),
    ("sin", (A,), {}), ("cos", (A,), {}), ("tan", (A,), {}), ("tanh", (A,), {}),
    ("sign", (A,), {}), ("sign", (I32,), {}), ("floor", (A * 3,), {}), ("ceil", (A * 3,), {}),
    ("round", (A * 3,), {}), ("round", (A * 30, 1), {}), ("round", (I32,), {}),
    ("clip", (A, -0.5, 0.5), {}), ("clip", (I32, 0, 2), {}), ("maximum", (A, B), {}),
    ("minimum", (A, 0.0), {}), ("maximum", (I32, 1), {}), ("erf", (A,), {}),
    # reductions
    ("mean", (A,), {}), ("mean", (T3,), {"axis": (0, 2), "keepdims": True}),
    ("sum", (T3,), {"axis": 1}), ("sum", (I32,), {"axis": 0}), ("prod", (P,), {"axis": 1}),
    ("max", (T3,), {"axis": -1}), ("max", (A,), {}), ("min", (A,), {"axis": 0,
                                                                      "keepdims": True}),
    ("max", (A,), {"initial": 0.5, "axis": 1}), ("std", (T3,), {"axis": 1}), ("std", (A,), {}),
    ("var", (T3,), {"axis": (0, 1)}), ("argmax", (A,), {"axis": 1}), ("argmax", (A,), {}),
    ("argmin", (T3,), {"axis": 0, "keepdims": True}), ("argsort", (A,), {}),
    ("argsort", (A,), {"axis": 0}), ("sort", (A,), {}), ("sort", (A,), {"axis": None}),
    ("cumsum", (A,), {"axis": 1}), ("cumsum", (I32,), {}), ("any", (A > 1,), {"axis": 0}),
    ("all", (I32,), {"axis": 1}), ("count_nonzero", (I32,), {"axis": 1}),
    ("count_nonzero", (I32,), {}), ("logsumexp", (T3,), {"axis": -1}),
    ("logsumexp", (A,), {}), ("norm", (A,), {}), ("norm", (A,), {"axis": 1}),
    ("norm", (T3,), {"ord": 1, "axis": -1, "keepdims": True}), ("norm", (SQ,), {"ord": "fro"}),
    ("norm", (SQ,), {"ord": 1}), ("norm", (SQ,), {"ord": np.inf}),
    ("norm", (V,), {"ord": 3}), ("average", (A,), {"axis": 1, "weights": P}),
    ("norm", (SQ,), {"ord": 2}), ("norm", (M,), {"ord": -2}),
    ("norm", (T3,), {"ord": "nuc", "axis": (1, 2), "keepdims": True}),
    ("norm", (T3,), {"ord": 2, "axis": (2, 0)}),
    ("average", (A,), {"axis": -1, "weights": V}), ("average", (T3,), {}),
    ("trace", (SQ,), {}), ("trace", (T3,), {"offset": 1, "axis1": 1, "axis2": 2}),
    # comparisons and logic
    ("equal", (I32, 2), {}), ("not_equal", (A, B), {}), ("greater", (A, B), {}),
    ("greater_equal", (I32, 1), {}), ("less", (A, 0.0), {}), ("less_equal", (A, B), {}),
    ("logical_and", (A > 0, B > 0), {}), ("logical_or", (A > 0, I32), {}),
    ("logical_not", (I32,), {}),
    ("isnan", (np.array([1.0, np.nan, np.inf], "float32"),), {}),
    ("isinf", (np.array([1.0, np.nan, -np.inf], "float32"),), {}),
    ("isfinite", (np.array([1.0, np.nan, np.inf], "float32"),), {}),
    # products
    ("matmul", (A, M), {}), ("matmul", (T3, M), {}), ("matmul", (V, M), {}),
    ("matmul", (I32, np.ones((4, 2), "int32")), {}), ("dot", (A, M), {}), ("dot", (V, V), {}),
    ("dot", (A, 2.0), {}), ("tensordot", (T3, M), {"axes": 1}),
    ("tensordot", (T3, A), {"axes": ([1, 2], [0, 1])}), ("einsum", ("bij,jk->bik", T3, M), {}),
    ("einsum", ("ij,ij->i", A, B), {}), ("outer", (V, A[0]), {}),
    # shapes and indexing
    ("transpose", (T3,), {}), ("transpose", (T3, (1, 0, 2)), {}), ("reshape", (T3, (4, -1)), {}),
    ("reshape", (A, 12), {}), ("expand_dims", (A, 1), {}), ("expand_dims", (A, (0, -1)), {}),
    ("squeeze", (A[None, :, None],), {}), ("squeeze", (A[None],), {"axis": 0}),
    ("concatenate", ([A, B],), {"axis": 1}), ("concatenate", ([A, I32],), {}),
    ("stack", ([A, B],), {"axis": -1}), ("split", (np.arange(12.0), 3), {}),
    ("split", (A, [1, 3]), {"axis": 1}), ("tile", (V, (2, 2)), {}), ("tile", (A, 2), {}),
    ("repeat", (A, 2), {"axis": 0}),
    ("take", (A, IDX), {"axis": 1}), ("take", (A, np.array([1, 0, 5])), {}),
    ("take", (M, np.array([3, 0, 3])), {"axis": 0}),
    ("take_along_axis", (A, np.argsort(A, axis=1)), {"axis": 1}),
    ("take_along_axis", (A, np.array([[0, 2, 1, 0]])), {"axis": 0}),
    ("take_along_axis", (A, np.array([3, 11])), {}), ("flip", (A,), {}),
    ("flip", (T3,), {"axis": (0, 2)}), ("roll", (A, 2), {}), ("roll", (A, -1), {"axis": 1}),
    ("pad", (A, ((1, 2), (0, 1))), {}), ("pad", (A, ((1, 1), (2, 2))), {"mode": "reflect"}),
    ("pad", (A, ((1, 0), (0, 3))), {"constant_values": 7.0}), ("broadcast_to", (V, (3, 4)), {}),
    ("moveaxis", (T3, 0, -1), {}), ("swapaxes", (T3, 0, 2), {}), ("ravel", (T3,), {}),
    ("nonzero", (I32,), {}), ("unique", (I32,), {}),
    ("unique", (np.array([3, 1, 3, 2, 1]),), {"return_inverse": True, "return_counts": True}),
    ("tril", (SQ,), {}), ("triu", (SQ, 1), {}), ("tril", (T3, -1), {}), ("diag", (V,), {}),
    ("diag", (SQ, -1), {}),
    # creation
    ("zeros", ((2, 3),), {}), ("ones", (4,), {"dtype": "int32"}), ("zeros_like", (I32,), {}),
    ("ones_like", (A,), {"dtype": "float64"}), ("full", ((2, 2), 3), {}),
    ("full", ((2, 3), V[:3]), {}), ("full_like", (I32, 7), {}),
    ("full_like", (A, 0.5), {"dtype": "float64"}), ("arange", (5,), {}),
    ("arange", (1, 7, 2), {}), ("arange", (0.0, 1.0, 0.25), {}),
    ("linspace", (0, 1), {"num": 7}), ("linspace", (-1.0, 2.0, 5), {"endpoint": False}),
    ("eye", (3,), {}), ("eye", (3, 4, 1), {}), ("identity", (3,), {"dtype": "int32"}),
    ("tri", (3, 4), {"k": -1}),
    # nn
    ("relu", (A,), {}), ("relu6", (A * 8,), {}), ("sigmoid", (A,), {}), ("softplus", (A,), {}),
    ("softsign", (A,), {}), ("silu", (A,), {}), ("swish", (A,), {}), ("gelu", (A,), {}),
    ("gelu", (A,), {"approximate": False}), ("elu", (A,), {}), ("elu", (A,), {"alpha": 0.5}),
    ("selu", (A,), {}), ("leaky_relu", (A,), {}), ("leaky_relu", (A, 0.1), {}),
    ("hard_sigmoid", (A * 4,), {}), ("hard_silu", (A * 4,), {}), ("log_sigmoid", (A,), {}),
    ("softmax", (T3,), {}), ("softmax", (T3,), {"axis": 0}), ("softmax", (T3,), {"axis": (1, 2)}),
    ("log_softmax", (T3,), {"axis": 1}), ("one_hot", (LABELS, 4), {}),
    ("one_hot", (np.array([[1, -1], [0, 2]]), 3), {"axis": 0}),
    ("one_hot", (LABELS, 4), {"dtype": "int32"}), ("multi_hot", (IDX, 4), {}),
    ("multi_hot", (np.array([0, 2]), 4), {}),
    ("categorical_crossentropy", (ONEHOT, U), {}),
    ("categorical_crossentropy", (ONEHOT, A), {"from_logits": True}),
    ("categorical_crossentropy", (ONEHOT.T, A.T), {"from_logits": True, "axis": 0}),
    ("sparse_categorical_crossentropy", (LABELS, U), {}),
    ("sparse_categorical_crossentropy", (LABELS[:, None], A), {"from_logits": True}),
    ("binary_crossentropy", ((B > 0).astype("float32"), U), {}),
    ("binary_crossentropy", ((B > 0).astype("float32"), A * 5), {"from_logits": True}),
    ("moments", (T3, (0, 1)), {}), ("moments", (T3, [2]), {"keepdims": True}),
    ("batch_normalization", (T3, V, P[0], -1), {}),
    ("batch_normalization", (T3, V[:3], P[0, :3], 1), {"offset": V[:3], "scale": U[0, :3],
                                                       "epsilon": 0.1}),
    ("normalize", (A,), {}), ("normalize", (A,), {"axis": 0, "order": 1}),
    ("conv", (IMG, R.normal(size=(3, 2, 3, 4)).astype("float32")), {}),
    ("conv", (IMG, R.normal(size=(3, 3, 3, 4)).astype("float32")),
     {"strides": 2, "padding": "same"}),
    ("conv", (IMG, R.normal(size=(2, 2, 3, 5)).astype("float32")),
     {"padding": "same", "dilation_rate": 2}),
    ("conv", (IMG, R.normal(size=(3, 3, 1, 6)).astype("float32")), {"padding": "same"}),
    ("conv", (IMG.transpose(0, 3, 1, 2), R.normal(size=(3, 3, 3, 4)).astype("float32")),
     {"data_format": "channels_first"}),
    ("conv", (SEQ, R.normal(size=(3, 3, 4)).astype("float32")), {"padding": "same"}),
    ("conv", (SEQ, R.normal(size=(4, 3, 2)).astype("float32")), {"strides": 2}),
    ("depthwise_conv", (IMG, R.normal(size=(3, 3, 3, 2)).astype("float32")), {}),
    ("depthwise_conv", (IMG, R.normal(size=(2, 2, 3, 1)).astype("float32")),
     {"padding": "same", "strides": (1, 2)}),
    ("max_pool", (IMG, 2), {}), ("max_pool", (IMG, 3), {"strides": 2, "padding": "same"}),
    ("max_pool", (IMG, (2, 3)), {"strides": 1, "padding": "same"}),
    ("max_pool", (SEQ, 2), {"padding": "same"}),
    ("max_pool", (IMG.transpose(0, 3, 1, 2), 2), {"data_format": "channels_first"}),
    ("average_pool", (IMG, 2), {}), ("average_pool", (IMG, 3), {"strides": 1, "padding": "same"}),
    ("average_pool", (SEQ, 3), {"strides": 2}),
    ("dot_product_attention", (Q, Q, Q), {}),
    # empty, single-element, 0-d and non-contiguous inputs
    ("sum", (np.zeros((0, 3), "float32"),), {"axis": 0}), ("mean", (np.ones((1, 1)),), {}),
    ("max", (np.zeros((0, 2), "float32"),), {"initial": 1.0}),
    ("min", (np.zeros((0, 2), "int32"),), {"initial": 3, "keepdims": True}),
    ("argmax", (A,), {"keepdims": True}), ("std", (T3,), {"keepdims": True}),
    ("matmul", (np.zeros((2, 0), "float32"), np.zeros((0, 3), "float32")), {}),
    ("concatenate", ([A, np.zeros((0, 4), "float32")],), {}), ("add", (A.T, B.T), {}),
    ("sum", (T3[:, ::2],), {"axis": -1}), ("exp", (np.float32(2.0),), {}),
    ("softmax", (np.zeros((2, 0), "float32"),), {}), ("relu", (-2.5,), {}),
    ("norm", (T3[:, :, ::-1],), {"keepdims": True}), ("transpose", (A[::2, 1:],), {}),
    ("dot_product_attention", (Q, KV, KV), {"is_causal": True}),
    ("dot_product_attention", (Q, KV, KV), {"mask": MASK, "scale": 0.3}),
    ("dot_product_attention", (Q, KV, KV), {"mask": MASK, "is_causal": True}),
    ("dot_product_attention", (Q, KV, KV), {"bias": MASK * 0.5}),
]


@pytest.mark.parametrize("name, args, kwargs", VALUE_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(VALUE_CASES)])
def test_value_matches_keras(name, args, kwargs):
    ours, theirs = _both(name, *args, **kwargs)
    _same(ours, theirs, rtol=1e-4 if name in ("conv", "depthwise_conv") else 1e-5, atol=1e-5)


# Where Keras's torch backend fails or departs from NumPy's documented rule, neuronet follows
# NumPy: negative indices into the flattened x count from its end, 1-D average weights lie
# along `axis`, repeat without an axis flattens, 'symmetric' pads mirror the edge.
NUMPY_CASES = [
    ("take", (A, np.array([-1, 0, 5])), {}, lambda: np.take(A, [-1, 0, 5])),
    ("take_along_axis", (A, np.array([3, -1])), {},
     lambda: np.take_along_axis(A.ravel(), np.array([3, -1]), None)),
    ("repeat", (A, 3), {}, lambda: np.repeat(A, 3)),
    ("repeat", (V, [1, 2, 0, 3]), {"axis": 0}, lambda: np.repeat(V, [1, 2, 0, 3])),
    ("average", (A,), {"axis": 0, "weights": np.array([1.0, 2.0, 3.0], "float32")},
     lambda: np.average(A, 0, np.array([1.0, 2.0, 3.0]))),
    ("pad", (A, ((2, 1), (3, 2))), {"mode": "symmetric"},
     lambda: np.pad(A, ((2, 1), (3, 2)), mode="symmetric")),
    ("pad", (A, 2), {"mode": "edge"}, lambda: np.pad(A, 2, mode="edge")),
    ("pad", (A, (1, 3)), {"mode": "wrap"}, lambda: np.pad(A, (1, 3), mode="wrap")),
]


@pytest.mark.parametrize("name, args, kwargs, expected", NUMPY_CASES,
                         ids=[c[0] for c in NUMPY_CASES])
def test_value_matches_numpy(name, args, kwargs, expected):
    ours = getattr(nk.ops, name)(*args, **kwargs)
    np.testing.assert_allclose(ours.numpy(), expected(), rtol=1e-6, atol=1e-6)


# --- dtype rules: every input kind through both ---------------------------------------------

KINDS = {
    "bool": np.array([[True, False], [True, True]]), "uint8": np.array([[1, 2], [3, 4]], "uint8"),
    "int8": np.array([[1, 2], [3, 4]], "int8"), "int32": np.array([[1, 2], [3, 4]], "int32"),
    "int64": np.array([[1, 2], [3, 4]], "int64"),
    "float16": np.array([[0.5, 1.5], [2.5, 3.0]], "float16"),
    "float32": np.array([[0.5, 1.5], [2.5, 3.0]], "float32"),
    "float64": np.array([[0.5, 1.5], [2.5, 3.0]], "float64"), "int": 3, "float": 2.5,
    "list": [[1, 2], [3, 4]],
}
UNARY = ["abs", "negative", "square", "sqrt", "exp", "log", "log1p", "expm1", "sin", "cos",
         "tan", "tanh", "sign", "floor", "ceil", "round", "mean", "sum", "prod", "max", "min",
         "std", "var", "argmax", "argmin", "argsort", "sort", "cumsum", "any", "all", "isnan",
         "isinf", "isfinite", "logical_not", "erf", "relu", "relu6", "sigmoid", "silu", "softplus",
         "gelu", "logsumexp", "norm", "count_nonzero", "average", "ravel", "zeros_like",
         "ones_like", "transpose", "flip", "convert_to_tensor", "leaky_relu", "elu"]
NO_FLOAT16 = {"sqrt", "exp", "log", "log1p", "expm1", "sin", "cos", "tan", "tanh", "erf"}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("name", UNARY)
def test_unary_dtype_matches_keras(name, kind):
    x = KINDS[kind]
    if kind == "float16" and name in NO_FLOAT16:
        x = x.astype("float32")  # NumPy computes these in float16 less exactly than torch
    try:
        theirs = getattr(keras.ops, name)(x)
    except (RuntimeError, TypeError, ValueError, AttributeError):
        return  # Keras refuses this dtype; neuronet may be more lenient
    _same(getattr(nk.ops, name)(x), theirs, rtol=2e-3, atol=2e-3)


BINARY_KINDS = [("int32", "float32"), ("int32", "int64"), ("uint8", "int8"),
                ("float32", "float64"), ("bool", "int32"), ("float32", "int"),
                ("int32", "float"), ("float64", "float"), ("int64", "int"), ("bool", "bool"),
                ("float16", "float32"), ("int8", "int"), ("list", "float32")]
BINARY = ["add", "subtract", "multiply", "divide", "floor_divide", "power", "maximum",
          "minimum", "equal", "greater", "logical_and", "matmul", "dot", "outer", "where",
          "true_divide"]


@pytest.mark.parametrize("kinds", BINARY_KINDS, ids=["-".join(k) for k in BINARY_KINDS])
@pytest.mark.parametrize("name", BINARY)
def test_binary_dtype_matches_keras(name, kinds):
    x1, x2 = KINDS[kinds[0]], KINDS[kinds[1]]
    args = (x1, x2) if name != "where" else (KINDS["bool"], x1, x2)
    try:
        theirs = getattr(keras.ops, name)(*args)
    except (RuntimeError, TypeError, ValueError):
        return
    _same(getattr(nk.ops, name)(*args), theirs, rtol=2e-3, atol=2e-3)


# --- gradients: d(sum(w * op(inputs)))/d(inputs) against torch autograd through Keras -------

K2 = R.normal(size=(3, 3, 3, 4)).astype("float32")
K1 = R.normal(size=(3, 3, 4)).astype("float32")
KD = R.normal(size=(2, 2, 3, 2)).astype("float32")
GRAD_CASES = [
    ("add", lambda t: ((t(A), t(V)), {})), ("subtract", lambda t: ((t(A), t(B)), {})),
    ("multiply", lambda t: ((t(A), t(V)), {})), ("divide", lambda t: ((t(A), t(P)), {})),
    ("power", lambda t: ((t(P), t(B)), {})), ("power", lambda t: ((t(A), 3), {})),
    ("negative", lambda t: ((t(A),), {})), ("abs", lambda t: ((t(A),), {})),
    ("square", lambda t: ((t(A),), {})), ("sqrt", lambda t: ((t(P),), {})),
    ("exp", lambda t: ((t(A),), {})), ("log", lambda t: ((t(P),), {})),
    ("log1p", lambda t: ((t(P),), {})), ("expm1", lambda t: ((t(A),), {})),
    ("sin", lambda t: ((t(A),), {})), ("cos", lambda t: ((t(A),), {})),
    ("tan", lambda t: ((t(A),), {})), ("tanh", lambda t: ((t(A),), {})),
    ("erf", lambda t: ((t(A),), {})), ("clip", lambda t: ((t(A), -0.5, 0.5), {})),
    ("maximum", lambda t: ((t(A), t(B)), {})), ("minimum", lambda t: ((t(A), 0.1), {})),
    ("mean", lambda t: ((t(T3),), {"axis": (0, 2)})), ("sum", lambda t: ((t(T3),), {"axis": 1})),
    ("prod", lambda t: ((t(P),), {"axis": 1})), ("max", lambda t: ((t(T3),), {"axis": -1})),
    ("min", lambda t: ((t(A),), {})), ("std", lambda t: ((t(T3),), {"axis": 1})),
    ("var", lambda t: ((t(T3),), {})), ("sort", lambda t: ((t(A),), {})),
    ("cumsum", lambda t: ((t(A),), {"axis": 1})), ("logsumexp", lambda t: ((t(T3), -1), {})),
    ("norm", lambda t: ((t(A),), {})), ("norm", lambda t: ((t(A),), {"axis": 1})),
    ("norm", lambda t: ((t(T3),), {"ord": 1, "axis": -1})),
    ("norm", lambda t: ((t(V),), {"ord": 3})), ("norm", lambda t: ((t(SQ),), {"ord": 1})),
    ("average", lambda t: ((t(A),), {"axis": 1, "weights": t(P)})),
    ("trace", lambda t: ((t(SQ),), {})), ("matmul", lambda t: ((t(T3), t(M)), {})),
    ("dot", lambda t: ((t(V), t(V)), {})),
    ("tensordot", lambda t: ((t(T3), t(M)), {"axes": 1})),
    ("einsum", lambda t: (("bij,jk->bik", t(T3), t(M)), {})),
    ("outer", lambda t: ((t(V), t(A[0])), {})), ("transpose", lambda t: ((t(T3),), {})),
    ("reshape", lambda t: ((t(T3), (4, 6)), {})), ("expand_dims", lambda t: ((t(A), 1), {})),
    ("squeeze", lambda t: ((t(A[None]),), {})),
    ("concatenate", lambda t: (([t(A), t(B)],), {"axis": 1})),
    ("stack", lambda t: (([t(A), t(B)],), {})),
    ("split", lambda t: ((t(A), [1, 3]), {"axis": 1})), ("tile", lambda t: ((t(V), (2, 2)), {})),
    ("repeat", lambda t: ((t(A), 2), {"axis": 1})),
    ("take", lambda t: ((t(A), np.array([[1, 1], [3, 0]])), {"axis": 1})),
    ("take_along_axis", lambda t: ((t(A), np.array([[0, 2, 2, 0]])), {"axis": 0})),
    ("flip", lambda t: ((t(T3),), {"axis": 1})), ("roll", lambda t: ((t(A), 2), {"axis": 1})),
    ("pad", lambda t: ((t(A), ((1, 2), (0, 1))), {})),
    ("pad", lambda t: ((t(A), ((1, 1), (2, 2))), {"mode": "reflect"})),
    ("broadcast_to", lambda t: ((t(V), (3, 4)), {})),
    ("moveaxis", lambda t: ((t(T3), 0, -1), {})), ("swapaxes", lambda t: ((t(T3), 0, 2), {})),
    ("ravel", lambda t: ((t(T3),), {})), ("tril", lambda t: ((t(SQ),), {})),
    ("triu", lambda t: ((t(SQ), 1), {})), ("diag", lambda t: ((t(V),), {})),
    ("diag", lambda t: ((t(SQ),), {})), ("where", lambda t: ((A > 0, t(A), t(B)), {})),
    ("cast", lambda t: ((t(A), "float64"), {})),
    ("slice", lambda t: ((t(T3), (0, 1, 1), (2, 2, 3)), {})),
    ("slice_update", lambda t: ((t(A), (1, 1), t(B[:2, :2])), {})),
    ("scatter", lambda t: ((np.array([[1], [3], [1]]), t(M[:3]), (4, 5)), {})),
    ("scatter_update", lambda t: ((t(SQ), IDX, t(V[:2])), {})),
    ("relu", lambda t: ((t(A),), {})), ("relu6", lambda t: ((t(A * 8),), {})),
    ("sigmoid", lambda t: ((t(A),), {})), ("softplus", lambda t: ((t(A),), {})),
    ("softsign", lambda t: ((t(A),), {})), ("silu", lambda t: ((t(A),), {})),
    ("gelu", lambda t: ((t(A),), {})), ("gelu", lambda t: ((t(A), False), {})),
    ("elu", lambda t: ((t(A),), {})), ("selu", lambda t: ((t(A),), {})),
    ("leaky_relu", lambda t: ((t(A),), {})), ("hard_sigmoid", lambda t: ((t(A * 4),), {})),
    ("hard_silu", lambda t: ((t(A * 4),), {})), ("log_sigmoid", lambda t: ((t(A),), {})),
    ("softmax", lambda t: ((t(T3),), {})), ("softmax", lambda t: ((t(T3),), {"axis": (1, 2)})),
    ("log_softmax", lambda t: ((t(T3),), {"axis": 1})),
    ("categorical_crossentropy", lambda t: ((t(ONEHOT), t(U)), {})),
    ("categorical_crossentropy", lambda t: ((t(ONEHOT), t(A)), {"from_logits": True})),
    ("sparse_categorical_crossentropy", lambda t: ((LABELS, t(U)), {})),
    ("sparse_categorical_crossentropy", lambda t: ((LABELS, t(A)), {"from_logits": True})),
    ("binary_crossentropy", lambda t: ((t(U[::-1].copy()), t(U)), {})),
    ("binary_crossentropy", lambda t: ((t(U), t(A)), {"from_logits": True})),
    ("moments", lambda t: ((t(T3), (0, 1)), {})),
    ("batch_normalization", lambda t: ((t(T3), t(V), t(P[0]), -1),
                                       {"offset": t(B[0]), "scale": t(U[0])})),
    ("normalize", lambda t: ((t(A),), {})), ("normalize", lambda t: ((t(A),), {"order": 1})),
    ("conv", lambda t: ((t(IMG), t(K2)), {"strides": 2, "padding": "same"})),
    ("conv", lambda t: ((t(SEQ), t(K1)), {"padding": "same"})),
    ("depthwise_conv", lambda t: ((t(IMG), t(KD)), {"padding": "same"})),
    ("max_pool", lambda t: ((t(IMG), 3), {"strides": 2, "padding": "same"})),
    ("average_pool", lambda t: ((t(IMG), 3), {"strides": 1, "padding": "same"})),
    ("dot_product_attention", lambda t: ((t(Q), t(KV), t(KV)), {"mask": MASK})),
    ("dot_product_attention", lambda t: ((t(Q), t(Q), t(Q)), {"is_causal": True})),
]


def _run_grad(module, leaf, name, build, seed):
    leaves = []

    def make(array):
        leaves.append(leaf(array))
        return leaves[-1]

    args, kwargs = build(make)
    out = getattr(module, name)(*args, **kwargs)
    outs = out if isinstance(out, list | tuple) else [out]
    rng = np.random.default_rng(seed)
    loss = 0
    for y in outs:
        w = rng.normal(size=tuple(y.shape)).astype(np.float32)
        loss = loss + (y * (neuronet.tensor(w) if module is nk.ops else torch.tensor(w))).sum()
    loss.backward()
    return [x.grad for x in leaves]


@pytest.mark.parametrize("name, build", GRAD_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRAD_CASES)])
def test_gradient_matches_torch_autograd(name, build):
    ours = _run_grad(nk.ops, lambda a: neuronet.tensor(a, requires_grad=True), name, build, 1)
    theirs = _run_grad(keras.ops, lambda a: torch.tensor(a, requires_grad=True), name, build, 1)
    for o, t in zip(ours, theirs):
        assert o is not None and t is not None
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-4, atol=2e-5)


def test_stop_gradient_blocks_the_gradient():
    x = neuronet.tensor(A, requires_grad=True)
    (nk.ops.stop_gradient(x) * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), A)


@pytest.mark.parametrize("name, make", [
    ("moments", lambda x: nk.ops.moments(x, (0, 2))[1]),
    ("normalize", lambda x: nk.ops.normalize(x, axis=1, order=3)),
    ("logsumexp", lambda x: nk.ops.logsumexp(x, axis=(0, 1))),
    ("categorical_crossentropy", lambda x: nk.ops.categorical_crossentropy(
        neuronet.tensor(np.eye(4)[[0, 1]][:, None, :].repeat(3, 1)), x, from_logits=True)),
    ("average_pool", lambda x: nk.ops.average_pool(x[..., None], 2, 1, "same")),
    ("std", lambda x: nk.ops.std(x, axis=(0, 2))),
])
def test_finite_differences_float64(name, make):
    x = neuronet.tensor(R.normal(size=(2, 3, 4)), dtype=neuronet.float64, requires_grad=True)
    assert gradcheck(make, (x,))


# --- Keras programs: custom layers, losses and metrics written with keras.ops ---------------

def _pooling_layer(k):
    """One custom layer class, written once against a Keras module (`keras` or neuronet's)."""

    class AttentionPool(k.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 1), initializer="glorot_uniform",
                                     name="w")

        def call(self, x):
            scores = k.ops.softmax(k.ops.matmul(x, self.w), axis=1)  # (N, T, 1)
            return k.ops.mean(x * scores, axis=1) * k.ops.cast(k.ops.shape(x)[1], x.dtype)

    return AttentionPool


def test_custom_layer_runs_the_same_in_both():
    x = R.normal(size=(4, 5, 3)).astype("float32")
    theirs, ours = _pooling_layer(keras)(), _pooling_layer(nk)()
    theirs(x)
    ours(x)
    ours.set_weights([keras.ops.convert_to_numpy(w) for w in theirs.weights])
    np.testing.assert_allclose(ours(x).detach().numpy(), keras.ops.convert_to_numpy(theirs(x)),
                               rtol=1e-5, atol=1e-6)


def test_model_with_ops_layer_loss_and_metric_fits():
    neuronet.manual_seed(0)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 6, 3)).astype("float32")
    y = (x[:, :, 0].mean(1) > 0).astype("int64")

    def focal_free_loss(y_true, y_pred):
        onehot = nk.ops.one_hot(nk.ops.cast(y_true, "int32"), 2)
        return nk.ops.categorical_crossentropy(onehot, y_pred)

    def mean_confidence(y_true, y_pred):
        return nk.ops.mean(nk.ops.max(y_pred, axis=-1))

    model = nk.Sequential([nk.Input((6, 3)), _pooling_layer(nk)(),
                           nk.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss=focal_free_loss, metrics=[mean_confidence])
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert len(history.history["loss"]) == 2
    assert np.isfinite(history.history["loss"]).all()
    assert history.history["loss"][1] < history.history["loss"][0]
    pooled = model.layers[0]
    assert pooled.w.grad is not None  # the gradient reached the weight through keras.ops


def test_namespaces_and_errors():
    assert nk.ops.numpy.matmul is nk.ops.matmul and nk.ops.nn.softmax is nk.ops.softmax
    assert nk.ops.core.slice is nk.ops.slice and "random" in nk.__all__
    assert nk.ops.is_tensor(nk.ops.ones(2)) and not nk.ops.is_tensor(np.ones(2))
    assert nk.ops.cond(nk.ops.convert_to_tensor(True), lambda: 1, lambda: 2) == 1
    assert isinstance(nk.ops.convert_to_numpy(nk.ops.ones(2)), np.ndarray)
    with pytest.raises(ValueError, match="not supported by neuronet"):
        nk.ops.cast(A, "bfloat16")
    with pytest.raises(ValueError, match="not divisible"):
        nk.ops.split(A, 3, axis=1)
    with pytest.raises(ValueError, match="sparse"):
        nk.ops.one_hot(LABELS, 4, sparse=True)
    with pytest.raises(ValueError, match="same shape"):
        nk.ops.binary_crossentropy(U, U[:, :2])
    with pytest.raises(ValueError, match="rank 3 or 4"):
        nk.ops.max_pool(R.normal(size=(1, 4, 4, 4, 1)), 2)


@pytest.mark.parametrize("order", [2, -2, "nuc"])
def test_singular_value_norms_gradients_match_torch_and_gradcheck(order) -> None:
    """ord=2 / -2 / 'nuc' from the singular values: values and gradients against
    torch.linalg.matrix_norm in float64, finite differences, and a clear error for double
    backward."""
    import neuronet
    from neuronet.autograd import gradcheck

    x = np.random.default_rng(5).standard_normal((2, 4, 3))
    ours = neuronet.tensor(x, dtype=neuronet.float64, requires_grad=True)
    from neuronet.ops.linalg import SingularValueNorm

    y = SingularValueNorm.apply(ours, ord=order)
    ref = torch.tensor(x, requires_grad=True)
    ty = torch.linalg.matrix_norm(ref, ord=order)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    w = np.array([0.7, -1.3])
    (y * neuronet.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), ref.grad.numpy(), rtol=1e-9, atol=1e-12)
    assert gradcheck(lambda t: SingularValueNorm.apply(t, ord=order),
                     (neuronet.tensor(x, dtype=neuronet.float64, requires_grad=True),),
                     eps=1e-6, atol=1e-5, rtol=1e-4)
    z = neuronet.tensor(x, dtype=neuronet.float64, requires_grad=True)
    (g,) = neuronet.autograd.grad(nk.ops.norm(z, ord=order, axis=(1, 2)).sum(), (z,))
    assert g.shape == (2, 4, 3)
    with pytest.raises(RuntimeError, match="first order only"):
        neuronet.autograd.grad(SingularValueNorm.apply(z, ord=order).sum(), (z,),
                               create_graph=True)
