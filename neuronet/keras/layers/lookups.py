"""`IntegerLookup` and `StringLookup`: tokens -> vocabulary index (vocabulary given, set or
learned by `adapt`), and back with invert=True (Keras 3's layers); the machinery is
index_lookup.py's."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._preprocessing_arrays import (
    _as_integers,
    _as_strings,
    _to_numpy,
)
from .index_lookup import _IndexLookup


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
