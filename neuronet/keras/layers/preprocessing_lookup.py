"""Keras 3 lookup and discretization preprocessing layers, on NumPy alone:

    Discretization  numbers -> bin index, by given boundaries or quantiles learned by `adapt`
    Hashing         strings / integers -> hash bucket (FarmHash64, or SipHash-2-4 with a salt)
    IntegerLookup   integers -> vocabulary index (vocabulary given, set or learned by `adapt`)
    StringLookup    strings -> vocabulary index (the same for text tokens)

Each can encode its indices as 'one_hot', 'multi_hot' or 'count' vectors (the lookups also
'tf_idf'); the encodings are `CategoryEncoding`'s. The hash buckets are TensorFlow's
`tf.strings.to_hash_bucket_fast` (FarmHash Fingerprint64 % n) and `to_hash_bucket_strong`
(SipHash-2-4 keyed by the salt, % n), written out below, so bucket numbers equal Keras's
without TensorFlow. Strings may be Python lists or NumPy str/bytes/object arrays; outputs
are Tensors, except StringLookup(invert=True), which returns a NumPy str array.
"""

from __future__ import annotations

import collections
import os
import struct
from typing import Any

import numpy as np

from ...tensor import Tensor
from .. import backend
from .layer import Layer
from .preprocessing import CategoryEncoding
from .symbolic import any_symbolic

__all__ = ["Discretization", "Hashing", "IntegerLookup", "StringLookup", "fingerprint64",
           "siphash24"]

# --- the hash functions TensorFlow's string bucketing uses ------------------------------------
_MASK64 = (1 << 64) - 1
_K0, _K1, _K2 = 0xC3A5C85C97CB3127, 0xB492B66FBE98F273, 0x9AE16A3B2F90404F  # FarmHash primes


def _rotr(v: int, s: int) -> int:
    return ((v >> s) | (v << (64 - s))) & _MASK64


def _fetch64(b: bytes, i: int) -> int:
    return struct.unpack_from("<Q", b, i)[0]


def _fetch32(b: bytes, i: int) -> int:
    return struct.unpack_from("<I", b, i)[0]


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def _hash_len16(u: int, v: int, mul: int) -> int:
    a = _shift_mix(((u ^ v) * mul) & _MASK64)
    b = _shift_mix(((v ^ a) * mul) & _MASK64)
    return (b * mul) & _MASK64


def _hash_len0to16(s: bytes, n: int) -> int:
    if n >= 8:
        mul = _K2 + n * 2
        a = (_fetch64(s, 0) + _K2) & _MASK64
        b = _fetch64(s, n - 8)
        c = (_rotr(b, 37) * mul + a) & _MASK64
        d = ((_rotr(a, 25) + b) * mul) & _MASK64
        return _hash_len16(c, d, mul)
    if n >= 4:
        return _hash_len16(n + (_fetch32(s, 0) << 3), _fetch32(s, n - 4), _K2 + n * 2)
    if n > 0:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _MASK64) * _K2) & _MASK64
    return _K2


def _hash_len17to64(s: bytes, n: int) -> int:
    mul = _K2 + n * 2
    a = (_fetch64(s, 0) * (_K1 if n <= 32 else _K2)) & _MASK64
    b = _fetch64(s, 8)
    c = (_fetch64(s, n - 8) * mul) & _MASK64
    d = (_fetch64(s, n - 16) * _K2) & _MASK64
    y = (_rotr((a + b) & _MASK64, 43) + _rotr(c, 30) + d) & _MASK64
    z = (a + _rotr((b + _K2) & _MASK64, 18) + c) & _MASK64
    if n <= 32:
        return _hash_len16(y, z, mul)
    z = _hash_len16(y, z, mul)
    e = (_fetch64(s, 16) * mul) & _MASK64
    f = _fetch64(s, 24)
    g = ((y + _fetch64(s, n - 32)) * mul) & _MASK64
    h = ((z + _fetch64(s, n - 24)) * mul) & _MASK64
    return _hash_len16((_rotr((e + f) & _MASK64, 43) + _rotr(g, 30) + h) & _MASK64,
                       (e + _rotr((f + a) & _MASK64, 18) + g) & _MASK64, mul)


def _weak_hash32(s: bytes, i: int, a: int, b: int) -> tuple[int, int]:
    w, x, y, z = struct.unpack_from("<4Q", s, i)
    a = (a + w) & _MASK64
    b = _rotr((b + a + z) & _MASK64, 21)
    c = a
    a = (a + x + y) & _MASK64
    b = (b + _rotr(a, 44)) & _MASK64
    return (a + z) & _MASK64, (b + c) & _MASK64


def _hash_long(s: bytes, n: int) -> int:
    """farmhashna::Hash64 for n > 64: 64-byte blocks, then the last 64 bytes."""
    x = (81 * _K2 + _fetch64(s, 0)) & _MASK64
    y = (81 * _K1 + 113) & _MASK64
    z = (_shift_mix((y * _K2 + 113) & _MASK64) * _K2) & _MASK64
    v = w = (0, 0)
    mul = _K1
    starts = list(range(0, ((n - 1) // 64) * 64, 64)) + [n - 64]
    for step, i in enumerate(starts):
        last = step == len(starts) - 1
        if last:  # the final block mixes in the length and a data-dependent multiplier
            mul = _K1 + ((z & 0xFF) << 1)
            w0 = (w[0] + ((n - 1) & 63)) & _MASK64
            v = ((v[0] + w0) & _MASK64, v[1])
            w = ((w0 + v[0]) & _MASK64, w[1])
        x = (_rotr((x + y + v[0] + _fetch64(s, i + 8)) & _MASK64, 37) * mul) & _MASK64
        y = (_rotr((y + v[1] + _fetch64(s, i + 48)) & _MASK64, 42) * mul) & _MASK64
        x ^= (w[1] * (9 if last else 1)) & _MASK64
        y = (y + v[0] * (9 if last else 1) + _fetch64(s, i + 40)) & _MASK64
        z = (_rotr((z + w[0]) & _MASK64, 33) * mul) & _MASK64
        v = _weak_hash32(s, i, (v[1] * mul) & _MASK64, (x + w[0]) & _MASK64)
        w = _weak_hash32(s, i + 32, (z + w[1]) & _MASK64, (y + _fetch64(s, i + 16)) & _MASK64)
        x, z = z, x
    return _hash_len16((_hash_len16(v[0], w[0], mul) + _shift_mix(y) * _K0 + z) & _MASK64,
                       (_hash_len16(v[1], w[1], mul) + x) & _MASK64, mul)


def fingerprint64(data: bytes) -> int:
    """FarmHash's Fingerprint64 (farmhashna::Hash64): TensorFlow's `Fingerprint64`, the hash of
    `tf.strings.to_hash_bucket_fast` and so of Keras's Hashing without a salt.

    Example:
        >>> fingerprint64(b"a") % 10
        9
    """
    n = len(data)
    if n <= 16:
        return _hash_len0to16(data, n)
    if n <= 64:
        return _hash_len17to64(data, n)
    return _hash_long(data, n)


def _sip_round(v0: int, v1: int, v2: int, v3: int) -> tuple[int, int, int, int]:
    v0 = (v0 + v1) & _MASK64
    v1 = _rotr(v1, 51) ^ v0  # rotate left by 13
    v0 = _rotr(v0, 32)
    v2 = (v2 + v3) & _MASK64
    v3 = _rotr(v3, 48) ^ v2  # left 16
    v0 = (v0 + v3) & _MASK64
    v3 = _rotr(v3, 43) ^ v0  # left 21
    v2 = (v2 + v1) & _MASK64
    v1 = _rotr(v1, 47) ^ v2  # left 17
    return v0, v1, _rotr(v2, 32), v3


def siphash24(key: tuple[int, int] | list[int], data: bytes) -> int:
    """SipHash-2-4 with the 128-bit key (k0, k1) (Aumasson and Bernstein, 2012): TensorFlow's
    `StrongKeyedHash`, the hash of `tf.strings.to_hash_bucket_strong` and so of Keras's
    Hashing with `salt=[k0, k1]`.

    Example:
        >>> hex(siphash24((0x0706050403020100, 0x0F0E0D0C0B0A0908), b""))  # the paper's key
        '0x726fdb47dd0e0e31'
    """
    k0, k1 = key[0] & _MASK64, key[1] & _MASK64
    v0, v1 = k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D
    v2, v3 = k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573
    n = len(data)
    padded = data + bytes(7 - n % 8) + bytes([n & 0xFF])  # last word: tail bytes, length byte
    for (m,) in struct.iter_unpack("<Q", padded):
        v3 ^= m
        v0, v1, v2, v3 = _sip_round(*_sip_round(v0, v1, v2, v3))
        v0 ^= m
    v2 ^= 0xFF
    for _ in range(4):
        v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


def _hash_buckets(values: np.ndarray, num_buckets: int, salt: list | None) -> np.ndarray:
    """Bucket of every element: strings by their UTF-8 bytes, integers by their decimal text
    (TensorFlow's `as_string`), booleans as 'true'/'false'. Each distinct value is hashed once."""
    uniques, inverse = np.unique(values, return_inverse=True)
    if uniques.dtype.kind == "b":
        keys = [b"true" if u else b"false" for u in uniques]
    elif uniques.dtype.kind in "iu":
        keys = [str(int(u)).encode() for u in uniques]
    else:
        keys = [str(u).encode("utf-8") for u in uniques]
    if salt is None:
        buckets = [fingerprint64(k) % num_buckets for k in keys]
    else:
        buckets = [siphash24(salt, k) % num_buckets for k in keys]
    return np.asarray(buckets, np.int64).reshape(-1)[inverse.reshape(-1)].reshape(values.shape)


# --- shared helpers ---------------------------------------------------------------------------
def _to_numpy(value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        return backend.to_numpy(value)  # the array itself, gradient or not
    if hasattr(value, "detach"):  # a torch tensor
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _as_strings(values: np.ndarray, encoding: str = "utf-8", owner: str = "") -> np.ndarray:
    """A NumPy str array: bytes are decoded; an object array's elements are turned to str."""
    kind = values.dtype.kind
    if kind == "U":
        return values
    if kind == "S":
        return np.char.decode(values, encoding)
    if kind == "O":
        flat = [v.decode(encoding) if isinstance(v, bytes) else str(v) for v in values.flat]
        return np.array(flat, dtype=str).reshape(values.shape)
    if values.size == 0:
        return values.astype(str)
    raise TypeError(f"{owner}: expected strings, received an array of {values.dtype}")


def _as_integers(values: np.ndarray, owner: str) -> np.ndarray:
    kind = values.dtype.kind
    if kind in "iub":
        return values.astype(np.int64)
    if kind == "f" and np.all(np.isfinite(values)) and np.all(values == np.trunc(values)):
        return values.astype(np.int64)
    if values.size == 0:
        return values.astype(np.int64)
    raise TypeError(f"{owner}: expected integers, received an array of {values.dtype}")


def _equal(values: np.ndarray, token: Any) -> np.ndarray:
    """values == token elementwise; False where a string meets a number."""
    if isinstance(token, bytes):
        token = token.decode("utf-8")
    if (values.dtype.kind == "U") != isinstance(token, str):
        return np.zeros(values.shape, bool)
    return np.asarray(values == token)


def _check_string_arg(value: Any, allowed: tuple, owner: str, arg_name: str) -> None:
    if not (isinstance(value, str) and value in allowed):
        raise ValueError(f"Unknown value for `{arg_name}` argument of {owner}. Allowed values "
                         f"are: {allowed}. Received: {arg_name}={value}")


def _encoded_shape(shape: Any, output_mode: str, depth: int | None) -> tuple:
    """The shape `CategoryEncoding` gives: one_hot replaces a trailing 1 (else appends depth);
    multi_hot/count/tf_idf reduce axis 1 (axis 0 of a single sample)."""
    shape = tuple(shape)
    if output_mode == "int":
        return shape
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            return shape[:-1] + (depth,)
        return (shape or (1,)) + (depth,)
    if len(shape) <= 1:
        return (depth,)
    return (shape[0],) + shape[2:] + (depth,)


class _ArrayLayer(Layer):
    """A preprocessing layer: `call` receives the input as a NumPy array, untouched (strings and
    integers as given, not turned into float Tensors), and nothing it returns has a gradient."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if any_symbolic(args) or any_symbolic(kwargs):
            return super().__call__(*args, **kwargs)
        kwargs.pop("training", None)
        if len(args) != 1 or kwargs:
            raise TypeError(f"{type(self).__name__}: a preprocessing layer is called on one "
                            f"input, received {len(args)} positional and {sorted(kwargs)} "
                            f"keyword arguments")
        self.built = True
        return self.call(args[0])

    def _encode(self, ids: np.ndarray, output_mode: str, depth: int) -> np.ndarray:
        """Bin / vocabulary indices -> CategoryEncoding's float32 vectors (ids outside
        [0, depth) add nothing: that is how a mask token is dropped)."""
        encoders = self.__dict__.setdefault("_encoders", {})
        if (output_mode, depth) not in encoders:
            encoders[output_mode, depth] = CategoryEncoding(
                num_tokens=depth, output_mode=output_mode, name=f"{self.name}_{output_mode}")
        return encoders[output_mode, depth](ids).numpy()


# --- Discretization ---------------------------------------------------------------------------
class Discretization(_ArrayLayer):
    """Buckets numbers by ranges: the index of the bin each element falls in.

    Formula:
        boundaries b_0 < b_1 < ... < b_{k-1} make k+1 bins (-inf, b_0), [b_0, b_1), ...,
        [b_{k-1}, +inf);  y = #{i : b_i <= x}  (np.searchsorted(b, x, side='right')).
        adapt(data) with num_bins: the approximate quantiles of data at 1/num_bins,
        2/num_bins, ... (Keras's summary of sorted values kept to within epsilon, merged batch
        by batch, then interpolated); inputs and boundaries are compared in float32.

    Args:
        bin_boundaries: the sorted boundaries (then do not call `adapt`).
        num_bins: the number of bins to learn with `adapt` (not with `bin_boundaries`).
        epsilon: the quantile error tolerance of `adapt` (default 0.01).
        output_mode: 'int' (default: int32 bin indices), 'one_hot', 'multi_hot' or 'count'
            (float32 vectors of length len(bin_boundaries) + 1, as CategoryEncoding makes).
        sparse: Keras's flag for sparse outputs; neuronet's outputs are dense, so only False.

    Shape:
        int: any shape -> the same shape. one_hot: (..., n) -> (..., n, bins), (..., 1) ->
        (..., bins). multi_hot / count: (batch, n, ...) -> (batch, ..., bins), (n,) -> (bins,).

    Example:
        >>> import numpy as np
        >>> layer = Discretization(bin_boundaries=[0.0, 1.0, 2.0])
        >>> layer(np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])).numpy()
        array([[0, 2, 3, 1],
               [1, 3, 2, 1]], dtype=int32)
        >>> layer = Discretization(num_bins=4, epsilon=0.01)
        >>> layer.adapt(np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]]))
        >>> [round(b, 4) for b in layer.bin_boundaries]
        [0.0, 0.5, 1.3]
    """

    def __init__(self, bin_boundaries: Any = None, num_bins: int | None = None,
                 epsilon: float = 0.01, output_mode: str = "int", sparse: bool = False,
                 dtype: Any = None, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError("`sparse=True` cannot be used with neuronet: its outputs are dense "
                             "arrays")
        _check_string_arg(output_mode, ("int", "one_hot", "multi_hot", "count"),
                          "Discretization", "output_mode")
        if num_bins is not None and num_bins < 0:
            raise ValueError("`num_bins` must be greater than or equal to 0. "
                             f"Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. Received: "
                             f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        if bin_boundaries is not None:
            bin_boundaries = np.asarray(bin_boundaries, np.float64).reshape(-1).tolist()
        self.bin_boundaries: list[float] | None = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = False
        self.summary = None if self.bin_boundaries else np.array([[], []], dtype="float32")

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn `bin_boundaries` from the quantiles of `data`: an array or Tensor (one batch),
        or an iterable of batches (a list is its batches, as in Keras)."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized "
                             "with `bin_boundaries`, use `num_bins` instead.")
        self.reset_state()
        if isinstance(data, np.ndarray | Tensor) or not hasattr(data, "__iter__"):
            self.update_state(data)
        else:
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        data = _to_numpy(data).astype("float32")
        self.summary = _merge_summaries(_summarize(data, self.epsilon), self.summary,
                                        self.epsilon)

    def finalize_state(self) -> None:
        if self.num_bins is None:
            return
        self.bin_boundaries = _compress_summary(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def reset_state(self) -> None:
        if self.num_bins is None:
            return
        self.summary = np.array([[], []], dtype="float32")

    def call(self, inputs: Any) -> Tensor:
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can start "
                             "using the `Discretization` layer.")
        x = _to_numpy(inputs)
        if x.dtype.kind == "f":  # Keras turns float inputs to float32 before bucketing
            x = x.astype(np.float32)
        elif x.dtype.kind not in "iub":
            raise TypeError(f"{self.name}: expected numbers, received an array of {x.dtype}")
        boundaries = np.asarray(self.bin_boundaries, np.float32)
        ids = np.searchsorted(boundaries, x, side="right").astype(np.int32)
        if self.output_mode == "int":
            return Tensor(ids)
        encoded = self._encode(ids, self.output_mode, len(self.bin_boundaries) + 1)
        return Tensor(encoded.astype(self.dtype, copy=False))

    def _depth(self) -> int | None:
        return len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return _encoded_shape(input_shape, self.output_mode, self._depth())

    def compute_output_dtype(self) -> str:
        return "int32" if self.output_mode == "int" else self.dtype

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("trainable")
        return {**config, "bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode, "sparse": self.sparse}

    @classmethod
    def from_config(cls, config: dict) -> Discretization:
        """An adapted layer's config has both `bin_boundaries` and `num_bins`: the boundaries
        are set after construction (as Keras does)."""
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)


def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """(2, m) summary of values: every step-th sorted value with weight step, step =
    max(n * epsilon, 1) (all values, weight 1, when there are fewer than 1/epsilon)."""
    values = np.sort(np.reshape(values, [-1]))
    step = max(np.size(values) / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def _merge_summaries(prev_summary: np.ndarray, next_summary: np.ndarray,
                     epsilon: float) -> np.ndarray:
    merged = np.concatenate((prev_summary, next_summary), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return _compress_summary(merged, epsilon)


def _compress_summary(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """Re-bin a summary at the cumulative-weight fractions epsilon, 2 epsilon, ..., 1 by linear
    interpolation (unchanged when it has fewer than 1/epsilon columns)."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_weight_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_weight_percents, summary[0])
    cum_weights = np.interp(percents, cum_weight_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")


# --- Hashing ----------------------------------------------------------------------------------
class Hashing(_ArrayLayer):
    """Hashes strings or integers into `num_bins` buckets.

    Formula:
        salt None:  y = Fingerprint64(bytes(x)) % num_bins           (FarmHash64)
        salt given: y = SipHash24((salt[0], salt[1]), bytes(x)) % num_bins
        bytes(x): a string's UTF-8 bytes; an integer's decimal text (floats truncated to
        integers first; booleans 'true'/'false'). With mask_value (and num_bins > 1):
        y = 0 where x == mask_value, else 1 + hash % (num_bins - 1).
        The bucket numbers equal Keras's (TensorFlow's to_hash_bucket_fast/_strong).

    Args:
        num_bins: the number of buckets, the mask bucket included.
        mask_value: the value that goes to bucket 0 (default None: no mask bucket).
        salt: None (FarmHash64), an integer k (SipHash with the key (k, k)) or two integers.
        output_mode: 'int' (default: int64 bucket ids, or dtype 'int32'), 'one_hot',
            'multi_hot' or 'count' (float32 vectors of length num_bins).
        sparse: Keras's flag for sparse outputs; neuronet returns dense arrays.

    Shape:
        int: any shape -> the same shape; one_hot: (..., n) -> (..., n, num_bins), (..., 1) ->
        (..., num_bins); multi_hot / count: (batch, n) -> (batch, num_bins), (n,) ->
        (num_bins,).

    Example:
        >>> Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]]).numpy().ravel()
        array([1, 0, 1, 1, 2])
        >>> Hashing(num_bins=3, salt=[133, 137])(["A", "B", "C", "D", "E"]).numpy()
        array([1, 2, 1, 0, 2])
    """

    def __init__(self, num_bins: int, mask_value: Any = None, salt: Any = None,
                 output_mode: str = "int", sparse: bool = False, **kwargs: Any) -> None:
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else backend.floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive "
                             f"values. Received: num_bins={num_bins}.")
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError('When `output_mode="int"`, `dtype` should be an integer type, '
                             f"'int32' or 'int64'. Received: dtype={kwargs['dtype']}")
        accepted = ("int", "one_hot", "multi_hot", "count")
        if output_mode not in accepted:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             f"{accepted}. Received: output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError('`sparse` may only be true if `output_mode` is `"one_hot"`, '
                             f'`"multi_hot"`, or `"count"`. Received: sparse={sparse} and '
                             f"output_mode={output_mode}")
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = bool(sparse)
        self.salt = _salt_list(salt, "Hashing", "size 2 integers")

    def _hash_values_to_bins(self, values: np.ndarray) -> np.ndarray:
        hash_bins, mask = self.num_bins, None
        if self.mask_value is not None and hash_bins > 1:  # bucket 0 is the mask's
            hash_bins -= 1
            mask = _equal(values, self.mask_value)
        if values.dtype.kind == "f":  # TensorFlow casts floats to int64 (truncation)
            values = np.trunc(values).astype(np.int64)
        bins = _hash_buckets(values, hash_bins, self.salt)
        return bins if mask is None else np.where(mask, 0, bins + 1)

    def call(self, inputs: Any) -> Tensor:
        values = _to_numpy(inputs)
        if values.dtype.kind in "SO":
            values = _as_strings(values, owner=self.name)
        bins = self._hash_values_to_bins(values)
        if self.output_mode == "int":
            return Tensor(bins.astype(self.dtype))
        encoded = self._encode(bins, self.output_mode, self.num_bins)
        return Tensor(encoded.astype(self.dtype, copy=False))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return _encoded_shape(input_shape, self.output_mode, self.num_bins)

    def compute_output_dtype(self) -> str:
        return self.dtype

    def get_config(self) -> dict:
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}


def _salt_list(salt: Any, owner: str, what: str) -> list[int] | None:
    if salt is None:
        return None
    if isinstance(salt, tuple | list) and len(salt) == 2:
        return [int(s) for s in salt]
    if isinstance(salt, int | np.integer):
        return [int(salt), int(salt)]
    raise ValueError(f"The `salt` argument for `{owner}` can only be a tuple of {what}, or a "
                     f"single integer. Received: salt={salt}.")


# --- IntegerLookup and StringLookup -----------------------------------------------------------
_INT64_MAX = np.iinfo(np.int64).max  # a mask token's index outside 'int' mode: encodes to zeros


class _IndexLookup(_ArrayLayer):
    """Vocabulary lookup shared by IntegerLookup and StringLookup (Keras's IndexLookup).

    Index layout ('int' mode): [mask token (if mask_token is set)] [num_oov_indices OOV
    indices] [vocabulary]. Other modes drop the mask slot (mask tokens encode to zeros), so the
    OOV indices start at 0. A learned vocabulary is ordered by count, most frequent first, ties
    by the token itself in descending order; `max_tokens` keeps the first ones.
    """

    _string_tokens = False

    def __init__(self, max_tokens: int | None, num_oov_indices: int, mask_token: Any,
                 oov_token: Any, vocabulary_dtype: str, vocabulary: Any = None,
                 idf_weights: Any = None, invert: bool = False, output_mode: str = "int",
                 sparse: bool = False, pad_to_max_tokens: bool = False,
                 oov_method: str = "floormod", name: str | None = None, salt: Any = None,
                 **kwargs: Any) -> None:
        output_mode, salt = _check_lookup_arguments(
            type(self).__name__, self._string_tokens, max_tokens=max_tokens,
            num_oov_indices=num_oov_indices, idf_weights=idf_weights, invert=invert,
            output_mode=output_mode, sparse=sparse, pad_to_max_tokens=pad_to_max_tokens,
            oov_method=oov_method, salt=salt)
        frozen_size = kwargs.pop("vocabulary_size", None)
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        super().__init__(name=name, **kwargs)
        self.invert = bool(invert)
        self.max_tokens = max_tokens
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = False
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = salt
        self.input_vocabulary = None if isinstance(vocabulary, str | os.PathLike) else vocabulary
        self.input_idf_weights = idf_weights
        self.idf_weights: np.ndarray | None = None
        self._frozen_vocab_size = frozen_size
        self._has_input_vocabulary = bool(has_input_vocabulary)
        self._vocabulary_is_input = False  # the config's `vocabulary` is the one given
        self._tokens: np.ndarray | None = None  # the vocabulary in index order, no specials
        self._sorted_tokens: np.ndarray | None = None  # the same sorted, for searchsorted
        self._sorted_index: np.ndarray | None = None
        self.reset_state()
        if output_mode == "tf_idf" and self._has_input_vocabulary and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, "
                             "the `idf_weights` argument must also be provided.")
        if idf_weights is not None:
            self.idf_weights = np.asarray(_to_numpy(idf_weights), np.float32)
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
            self._vocabulary_is_input = not isinstance(vocabulary, str | os.PathLike)

    # --- token conversion (IntegerLookup / StringLookup override) ----------------------------
    def _tokens_of(self, values: Any) -> np.ndarray:
        raise NotImplementedError

    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    # --- vocabulary ---------------------------------------------------------------------------
    def vocabulary_size(self) -> int:
        """The number of indices: mask and OOV indices included."""
        n_tokens = 0 if self._tokens is None else len(self._tokens)
        return n_tokens + self._token_start_index()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The token of every index (mask token, OOV tokens, then the vocabulary), or only the
        vocabulary when include_special_tokens=False."""
        tokens = [] if self._tokens is None else self._tokens.tolist()
        vocab = [self.oov_token] * self._token_start_index() + tokens
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        return vocab if include_special_tokens else vocab[self._token_start_index():]

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Replace the vocabulary (and, for 'tf_idf', the IDF weights).

        Args:
            vocabulary: a list, tuple, 1-D array or Tensor of tokens, or the path of a text
                file with one token a line. It may start with the special tokens in index order
                ([mask_token] + [oov_token] * num_oov_indices); otherwise they are added.
            idf_weights: one weight a vocabulary entry ('tf_idf' only); when the vocabulary
                has no special tokens, the OOV indices get the weights' mean.
        """
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError("`idf_weights` should only be set if output_mode is `'tf_idf'`. "
                             f"Received: output_mode={self.output_mode} and "
                             f"idf_weights={idf_weights}")
        if isinstance(vocabulary, str | os.PathLike):
            vocabulary = self._read_vocabulary_file(vocabulary)
        vocabulary = self._tokens_of(vocabulary).reshape(-1)
        if vocabulary.size == 0:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        tokens, found_special_tokens = self._validated_tokens(vocabulary)
        self._set_tokens(tokens)
        self._vocabulary_is_input = False
        self._record_vocabulary_size()
        if self.output_mode == "tf_idf":
            self._set_idf_weights(idf_weights, len(vocabulary), found_special_tokens)

    def _read_vocabulary_file(self, path: Any) -> list:
        if not os.path.exists(path):
            raise ValueError(f"Vocabulary file {path} does not exist.")
        if self.output_mode == "tf_idf":
            raise ValueError("output_mode `'tf_idf'` does not support loading a vocabulary "
                             "from file.")
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        return lines if self._string_tokens else [int(line) for line in lines]

    def _validated_tokens(self, vocabulary: np.ndarray) -> tuple[np.ndarray, bool]:
        """The vocabulary without its leading special tokens, checked as Keras checks it."""
        token_start = self._token_start_index()
        special_tokens = ([self.mask_token] * self._oov_start_index()
                          + [self.oov_token] * self.num_oov_indices)
        found = vocabulary[:token_start].tolist() == special_tokens
        tokens = vocabulary[token_start:] if found else vocabulary
        repeated = [t for t, c in collections.Counter(tokens.tolist()).items() if c > 1]
        if repeated:
            raise ValueError("The passed vocabulary has at least one repeated term. Please "
                             f"uniquify your dataset. The repeated terms are: {repeated}")
        for token, arg, applies in ((self.mask_token, "mask_token", True),
                                    (self.oov_token, "oov_token", self.invert)):
            if token is not None and applies and _equal(tokens, token).any():
                index = np.argwhere(_equal(vocabulary, token))[-1]
                raise ValueError(
                    f"Found reserved {'mask' if arg == 'mask_token' else 'OOV'} token at "
                    "unexpected location in `vocabulary`. Note that passed `vocabulary` does "
                    "not need to include the OOV and mask tokens. Either remove all mask and "
                    "OOV tokens, or include them only at the start of the vocabulary in "
                    f"precisely this order: {special_tokens}. Received: {arg}={token} at "
                    f"vocabulary index {index}")
        new_size = token_start + len(tokens)
        if self.max_tokens is not None and new_size > self.max_tokens:
            raise ValueError("Attempted to set a vocabulary larger than the maximum vocab size. "
                             f"Received vocabulary size is {new_size}; `max_tokens` is "
                             f"{self.max_tokens}.")
        return tokens, found

    def _set_idf_weights(self, idf_weights: Any, vocab_length: int, found: bool) -> None:
        idf = np.asarray(_to_numpy(idf_weights))
        if len(idf) != vocab_length:
            raise ValueError("`idf_weights` must be the same length as vocabulary. "
                             f"len(idf_weights) is {len(idf)}; len(vocabulary) is "
                             f"{vocab_length}")
        if idf.ndim != 1:
            raise ValueError("TF-IDF data must be a 1-index array. Received: "
                             f"type(idf_weights)={type(idf_weights)}")
        front = 0 if found else self._token_start_index()
        front_value = 0 if found else np.average(idf)  # OOV indices: the mean weight
        back = self.max_tokens - front - len(idf) if self.pad_to_max_tokens else 0
        self.idf_weights = np.pad(idf, (front, back), "constant",
                                  constant_values=(front_value, 0)).astype(np.float32)

    def _set_tokens(self, tokens: np.ndarray) -> None:
        order = np.argsort(tokens, kind="stable")
        self._tokens, self._sorted_tokens, self._sorted_index = tokens, tokens[order], order

    def _record_vocabulary_size(self) -> None:
        size = self.vocabulary_size()
        frozen = self._frozen_vocab_size
        if (self.output_mode != "int" and not self.pad_to_max_tokens and frozen is not None
                and size != frozen):
            raise RuntimeError(f"When using `output_mode={self.output_mode}` and "
                               "`pad_to_max_tokens=False`, the vocabulary size cannot be "
                               f"changed after the layer is called. Old vocab size is {frozen}, "
                               f"new vocab size is {size}")
        self._frozen_vocab_size = size

    # --- adapt --------------------------------------------------------------------------------
    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn the vocabulary (and 'tf_idf' document frequencies) from `data`: a list, array
        or Tensor is one batch (rank 1: one token per document), any other iterable yields
        batches (each row a document; a rank-1 batch is one document)."""
        self.reset_state()
        if isinstance(data, list | tuple | np.ndarray | Tensor) or not hasattr(data, "__iter__"):
            tokens = self._tokens_of(data)
            self.update_state(tokens[:, None] if tokens.ndim == 1 else tokens)
        else:
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static "
                             "vocabulary via `vocabulary` argument or `set_vocabulary()` "
                             "method.")
        values = self._tokens_of(data)
        values = values.reshape(1, -1) if values.ndim < 2 else values
        self._token_counts = _add_counts(self._token_counts, *np.unique(values,
                                                                        return_counts=True))
        if self.output_mode == "tf_idf":  # each row is a document: count it once per token
            rows = np.sort(values.reshape(len(values), -1), axis=1)
            first = np.ones(rows.shape, bool)
            first[:, 1:] = rows[:, 1:] != rows[:, :-1]
            self._document_counts = _add_counts(self._document_counts,
                                                *np.unique(rows[first], return_counts=True))
            self._num_documents += len(values)

    def finalize_state(self) -> None:
        if self._has_input_vocabulary or self._token_counts is None \
                or len(self._token_counts[0]) == 0:  # nothing seen: the vocabulary stays
            self._record_vocabulary_size()
            return
        tokens, counts = self._token_counts
        keep = np.ones(len(tokens), bool)
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                keep &= ~_equal(tokens, special)
        tokens, counts = tokens[keep], counts[keep]
        order = np.lexsort((tokens, counts))[::-1]  # by count, then token, both descending
        if self.max_tokens:
            order = order[:self.max_tokens - self._token_start_index()]
        self._set_tokens(tokens[order])
        self._vocabulary_is_input = False
        if self.output_mode == "tf_idf":
            doc_tokens, doc_counts = self._document_counts
            frequency = doc_counts[np.searchsorted(doc_tokens, self._tokens)]
            idf = np.log(1 + self._num_documents / (1 + frequency)).astype(np.float32)
            idf = np.pad(idf, (self._token_start_index(), 0), constant_values=idf.mean())
            if self.pad_to_max_tokens and self.max_tokens is not None:
                idf = np.pad(idf, (0, self.max_tokens - len(idf)))
            self.idf_weights = idf.astype(np.float32)
        self.reset_state()
        self._record_vocabulary_size()

    def reset_state(self) -> None:
        self._token_counts: tuple[np.ndarray, np.ndarray] | None = None
        self._document_counts: tuple[np.ndarray, np.ndarray] | None = None
        self._num_documents = 0

    # --- lookup -------------------------------------------------------------------------------
    def _lookup(self, values: np.ndarray) -> np.ndarray:
        """Token -> index, with the mask and OOV rules (the index layout in the docstring)."""
        default = self._oov_start_index() if self.num_oov_indices == 1 else -1
        ids = np.full(values.shape, default, np.int64)
        if self._tokens is not None and len(self._tokens):
            pos = np.minimum(np.searchsorted(self._sorted_tokens, values),
                             len(self._sorted_tokens) - 1)
            found = self._sorted_tokens[pos] == values
            ids = np.where(found, self._sorted_index[pos] + self._token_start_index(), ids)
        if self.mask_token is not None:
            ids[_equal(values, self.mask_token)] = 0 if self.output_mode == "int" else _INT64_MAX
        oov = ids == -1
        if self.num_oov_indices == 0 and oov.any():
            raise ValueError("When `num_oov_indices=0` all inputs should be in vocabulary, "
                             f"found OOV values {values[oov]}, consider setting "
                             "`num_oov_indices=1`.")
        if self.num_oov_indices > 1 and oov.any():
            if not self._string_tokens and self.oov_method != "farmhash":
                buckets = np.mod(values[oov], self.num_oov_indices)
            else:
                buckets = _hash_buckets(values[oov], self.num_oov_indices, self.salt)
            ids[oov] = buckets + self._oov_start_index()
        return ids

    def _invert(self, values: Any) -> np.ndarray:
        ids = _as_integers(_to_numpy(values), self.name)
        table = np.array(self.get_vocabulary(), dtype=str if self._string_tokens else np.int64)
        valid = (ids >= 0) & (ids < len(table))
        out = table[np.where(valid, ids, 0)] if len(table) else np.empty(ids.shape, table.dtype)
        return np.where(valid, out, self.oov_token)  # widens a str array to fit oov_token

    def call(self, inputs: Any) -> Any:
        if self.invert:
            out = self._invert(inputs)
            return out if self._string_tokens else Tensor(out)
        if self.output_mode != "int" and not self.pad_to_max_tokens \
                and self._frozen_vocab_size is None:
            raise RuntimeError(f"When using `output_mode={self.output_mode}` and "
                               "`pad_to_max_tokens=False`, you must set the layer's vocabulary "
                               "before calling it. Either pass a `vocabulary` argument to the "
                               "layer, or call `adapt` with some sample data.")
        ids = self._lookup(self._tokens_of(inputs))
        if self.output_mode == "int":
            return Tensor(ids)
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        if self.output_mode != "tf_idf":
            return Tensor(self._encode(ids, self.output_mode, depth))
        if self.idf_weights is None:
            raise ValueError("When `output_mode` is `'tf_idf'`, `idf_weights` must be "
                             "provided.")
        return Tensor(self._encode(ids, "count", depth) * self.idf_weights)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        return _encoded_shape(input_shape, self.output_mode, depth)

    def compute_output_dtype(self) -> str:
        if self.output_mode != "int":
            return backend.floatx()
        return "str" if self.invert and self._string_tokens else "int64"

    def get_config(self) -> dict:
        """Keras's config. The vocabulary and IDF weights are saved in it (the learned or set
        ones when the layer was adapted or given a file), so a saved model reloads."""
        vocabulary, idf_weights = self.input_vocabulary, self.input_idf_weights
        if not self._vocabulary_is_input and self._tokens is not None:
            vocabulary = self.get_vocabulary()
            if self.idf_weights is not None:
                idf_weights = self.idf_weights[:len(vocabulary)]
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary_dtype": self.vocabulary_dtype,
                "idf_weights": _listify(idf_weights), "vocabulary": _listify(vocabulary),
                "vocabulary_size": self._frozen_vocab_size, "oov_method": self.oov_method,
                "salt": self.salt}


def _check_lookup_arguments(owner: str, string_tokens: bool, *, max_tokens: int | None,
                            num_oov_indices: int, idf_weights: Any, invert: bool,
                            output_mode: str, sparse: bool, pad_to_max_tokens: bool,
                            oov_method: str, salt: Any) -> tuple[str, list[int] | None]:
    """Keras's IndexLookup checks, in its order; the output mode (old names mapped) and salt."""
    if max_tokens is not None and max_tokens <= 1:
        raise ValueError("If set, `max_tokens` must be greater than 1. Received: "
                         f"max_tokens={max_tokens}")
    if pad_to_max_tokens and max_tokens is None:
        raise ValueError("If pad_to_max_tokens is True, must set `max_tokens`. Received: "
                         f"max_tokens={max_tokens}")
    if num_oov_indices < 0:
        raise ValueError("`num_oov_indices` must be greater than or equal to 0. Received: "
                         f"num_oov_indices={num_oov_indices}")
    _check_string_arg(oov_method, ("floormod", "farmhash"), owner, "oov_method")
    if salt is not None and not string_tokens and oov_method != "farmhash":
        raise ValueError("`salt` can only be used when `oov_method='farmhash'`. Received: "
                         f"oov_method={oov_method}")
    salt = _salt_list(salt, "IndexLookup", "2 integers")
    output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
    _check_string_arg(output_mode, ("int", "one_hot", "multi_hot", "count", "tf_idf"),
                      owner, "output_mode")
    if invert and output_mode != "int":
        raise ValueError("`output_mode` must be `'int'` when `invert` is true. Received: "
                         f"output_mode={output_mode}")
    if sparse:
        raise ValueError("`sparse=True` is not supported: neuronet's outputs are dense (Keras "
                         "allows it only with the TensorFlow backend).")
    if idf_weights is not None and output_mode != "tf_idf":
        raise ValueError("`idf_weights` should only be set if `output_mode` is `'tf_idf'`. "
                         f"Received: idf_weights={idf_weights} and "
                         f"output_mode={output_mode}")
    return output_mode, salt


def _add_counts(old: tuple | None, tokens: np.ndarray, counts: np.ndarray) -> tuple:
    """Merge (tokens, counts) into the running (sorted unique tokens, counts)."""
    if old is None:
        return tokens, counts.astype(np.int64)
    merged, inverse = np.unique(np.concatenate([old[0], tokens]), return_inverse=True)
    total = np.zeros(len(merged), np.int64)
    np.add.at(total, inverse.reshape(-1), np.concatenate([old[1], counts]))
    return merged, total


def _listify(value: Any) -> Any:
    if isinstance(value, Tensor):
        value = value.numpy()
    return value.tolist() if isinstance(value, np.ndarray) else value


class IntegerLookup(_IndexLookup):
    """Maps integers to indices of a vocabulary (given, set, or learned by `adapt`).

    Formula:
        'int' mode index layout: [mask_token -> 0 if set] [OOV: num_oov_indices indices]
        [vocabulary in the order given, or by count (most frequent first) with ties broken by
        the larger integer first when learned]. An OOV integer x goes to OOV index
        x mod num_oov_indices (oov_method='floormod') or Fingerprint64(str(x)) mod
        num_oov_indices ('farmhash'; SipHash with a salt). In the other modes there is no mask
        slot and the mask token encodes to zeros. invert=True maps indices back to integers
        (OOV indices and unknown indices -> oov_token, 0 -> mask_token when set).

    Args:
        max_tokens: the most indices (mask and OOV included) a learned vocabulary may have.
        num_oov_indices: the number of OOV indices (default 1; 0: OOV inputs raise).
        mask_token: the integer that means 'masked' (default None).
        oov_token: what invert=True returns for OOV indices (default -1).
        vocabulary: the integers (list, array, Tensor, or a text file's path).
        vocabulary_dtype: only 'int64'.
        idf_weights: 'tf_idf' weights, one per vocabulary entry.
        invert: map indices to integers ('int' mode only).
        output_mode: 'int' (int64 indices), 'one_hot', 'multi_hot', 'count' or 'tf_idf'
            (float32 vectors of length vocabulary_size()).
        pad_to_max_tokens: make the vectors max_tokens long.
        sparse: only False (neuronet's outputs are dense).
        oov_method: 'floormod' (default) or 'farmhash', for num_oov_indices > 1.
        salt: SipHash key for oov_method='farmhash' (an integer or two).

    Shape:
        int: any shape -> the same shape; one_hot: (..., n) -> (..., n, depth), (..., 1) ->
        (..., depth); multi_hot / count / tf_idf: (batch, n) -> (batch, depth), (n,) ->
        (depth,).

    Example:
        >>> import numpy as np
        >>> data = np.array([[12, 1138, 42], [42, 1000, 36]])
        >>> IntegerLookup(vocabulary=[12, 36, 1138, 42])(data).numpy()
        array([[1, 3, 4],
               [4, 0, 2]])
        >>> layer = IntegerLookup()
        >>> layer.adapt(data)
        >>> layer.get_vocabulary()
        [-1, 42, 1138, 1000, 36, 12]
    """

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: int | None = None, oov_token: int = -1, vocabulary: Any = None,
                 vocabulary_dtype: str = "int64", idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", sparse: bool = False, pad_to_max_tokens: bool = False,
                 oov_method: str = "floormod", salt: Any = None, name: str | None = None,
                 **kwargs: Any) -> None:
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError("If `max_tokens` is set for `IntegerLookup`, it must be greater "
                             f"than 1. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("The value of `num_oov_indices` argument for `IntegerLookup` "
                             f"must >= 0. Received: num_oov_indices={num_oov_indices}")
        if sparse:
            raise ValueError("`sparse=True` is not supported: neuronet's outputs are dense (Keras "
                             "allows it only with the TensorFlow backend).")
        if vocabulary_dtype != "int64":
            raise ValueError("Only `vocabulary_dtype='int64'` is supported at this time. "
                             f"Received: vocabulary_dtype={vocabulary_dtype}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         vocabulary_dtype=vocabulary_dtype, idf_weights=idf_weights,
                         invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, oov_method=oov_method, salt=salt,
                         name=name, **kwargs)

    def _tokens_of(self, values: Any) -> np.ndarray:
        return _as_integers(_to_numpy(values), self.name)

    def get_config(self) -> dict:
        config = super().get_config()
        for key in ("oov_token", "mask_token"):
            if config[key] is not None:
                config[key] = int(config[key])
        if config["vocabulary"] is not None:
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config


class StringLookup(_IndexLookup):
    """Maps strings to indices of a vocabulary (given, set, or learned by `adapt`).

    Formula:
        'int' mode index layout: [mask_token -> 0 if set] [OOV: num_oov_indices indices]
        [vocabulary in the order given, or by count (most frequent first) with ties broken by
        the later string in code-point order first when learned]. With num_oov_indices > 1 an
        OOV string s goes to OOV index Fingerprint64(utf8(s)) mod num_oov_indices (SipHash
        with a salt). In the other modes there is no mask slot and the mask token encodes to
        zeros. invert=True maps indices back to strings (a NumPy str array; OOV and unknown
        indices -> oov_token, 0 -> mask_token when set).

    Args:
        max_tokens: the most indices (mask and OOV included) a learned vocabulary may have.
        num_oov_indices: the number of OOV indices (default 1; 0: OOV inputs raise).
        mask_token: the string that means 'masked' (default None).
        oov_token: the OOV token (default '[UNK]'): returned by invert=True for OOV indices.
        vocabulary: the strings (list, array, or a text file's path).
        idf_weights: 'tf_idf' weights, one per vocabulary entry.
        invert: map indices to strings ('int' mode only).
        output_mode: 'int' (int64 indices), 'one_hot', 'multi_hot', 'count' or 'tf_idf'
            (float32 vectors of length vocabulary_size()).
        pad_to_max_tokens: make the vectors max_tokens long.
        sparse: only False (neuronet's outputs are dense).
        encoding: how bytes inputs are decoded (default 'utf-8').
        salt: SipHash key for the OOV buckets (an integer or two; default FarmHash64).

    Shape:
        as IntegerLookup.

    Example:
        >>> layer = StringLookup(vocabulary=["a", "b", "c", "d"])
        >>> layer([["a", "c", "d"], ["d", "z", "b"]]).numpy()
        array([[1, 3, 4],
               [4, 0, 2]])
        >>> StringLookup(vocabulary=["a", "b", "c", "d"], invert=True)([[1, 3, 4], [4, 0, 2]])
        array([['a', 'c', 'd'],
               ['d', '[UNK]', 'b']], dtype='<U5')
    """

    _string_tokens = True

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: str | None = None, oov_token: str = "[UNK]",
                 vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", pad_to_max_tokens: bool = False,
                 sparse: bool = False, encoding: str = "utf-8", name: str | None = None,
                 salt: Any = None, **kwargs: Any) -> None:
        if sparse:
            raise ValueError("`sparse=True` is not supported: neuronet's outputs are dense (Keras "
                             "allows it only with the TensorFlow backend).")
        self.encoding = encoding
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         salt=salt, vocabulary_dtype="string", **kwargs)

    def _tokens_of(self, values: Any) -> np.ndarray:
        return _as_strings(_to_numpy(values), self.encoding, self.name)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["vocabulary_dtype"]  # strings have one dtype; Keras leaves it out
        return {**config, "encoding": self.encoding}
