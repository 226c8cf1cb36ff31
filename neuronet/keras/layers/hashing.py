"""`Hashing`: strings / integers -> hash bucket (FarmHash64, or SipHash-2-4 with a salt), with
Keras 3's bucket numbers."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...tensor import Tensor
from .. import backend
from ._preprocessing_arrays import _ArrayLayer, _as_strings, _encoded_shape, _equal, _to_numpy
from ._string_hash import _hash_buckets


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
