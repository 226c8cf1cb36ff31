"""Property tests: binary ops on random broadcastable shapes agree with PyTorch in the result
shape, the values and every gradient's shape and values."""

from __future__ import annotations

import operator

import numpy as np
import pytest
from _torch_check import assert_same, to_neuronet, to_torch

import neuronet

torch = pytest.importorskip("torch")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

OPS = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "pow": operator.pow,
    "maximum": lambda a, b: a.maximum(b),
    "minimum": lambda a, b: a.minimum(b),
    "where": lambda a, b: a.where(a > b, b),
}

shape_pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4,
                                                min_side=0, max_side=3)


def _values(shape: tuple, seed: int, positive: bool) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.asarray(rng.uniform(0.5, 2.0, shape) if positive else rng.standard_normal(shape))
    # rounding makes ties likely, so maximum/minimum's tie rule is exercised too
    return x if positive else np.asarray(np.round(x, 1))


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(OPS)), shapes=shape_pairs, seed=st.integers(0, 2**16),
       transpose=st.booleans())
def test_binary_op_broadcasting(name, shapes, seed, transpose):
    op = OPS[name]
    sa, sb = shapes.input_shapes
    a = _values(sa, seed, positive=name == "pow")
    b = _values(sb, seed + 1, positive=name == "div")
    if transpose and a.ndim >= 2:  # a non-contiguous view with the same shape
        a = np.ascontiguousarray(np.swapaxes(a, 0, -1)).swapaxes(0, -1)
    xs, ts = [to_neuronet(a), to_neuronet(b)], [to_torch(a), to_torch(b)]
    out, ref = op(*xs), op(*ts)
    assert tuple(out.shape) == tuple(ref.shape) == shapes.result_shape
    assert_same(out, ref, f"{name} forward")
    v = np.random.default_rng(seed + 2).standard_normal(ref.shape)
    out.backward(neuronet.from_numpy(v.copy()))
    ref.backward(torch.from_numpy(v.copy()))
    for x, t, shape in zip(xs, ts, (sa, sb)):
        assert tuple(x.grad.shape) == tuple(t.grad.shape) == shape
        assert_same(x.grad, t.grad, f"{name} gradient")


@settings(max_examples=25, deadline=None)
@given(shapes=shape_pairs, name=st.sampled_from(["add", "mul", "sub", "div"]),
       scalar=st.sampled_from([2, -1.5, 0.25, True]))
def test_float32_and_scalars_keep_dtype(shapes, name, scalar):
    sa, sb = shapes.input_shapes
    a = neuronet.from_numpy(_values(sa, 0, True).astype(np.float32))
    b = neuronet.from_numpy(_values(sb, 1, True).astype(np.float32))
    op = OPS[name]
    assert op(a, b).dtype == neuronet.float32
    assert op(a, scalar).dtype == neuronet.float32
    assert op(scalar, b).dtype == neuronet.float32
    assert tuple(op(a, b).shape) == shapes.result_shape
