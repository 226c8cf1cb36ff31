"""The shared base of IntegerLookup and StringLookup (lookups.py): tokens -> vocabulary index
(vocabulary given, set or learned by `adapt`), and back with invert=True, as Keras 3's
IndexLookup."""

from __future__ import annotations

import collections
import os
from typing import Any

import numpy as np

from ...tensor import Tensor
from .. import backend
from ._preprocessing_arrays import (
    _ArrayLayer,
    _as_integers,
    _check_string_arg,
    _encoded_shape,
    _equal,
    _to_numpy,
    adapt_batches,
)
from ._string_hash import _hash_buckets
from .hashing import _salt_list

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
        for batch in adapt_batches(data, steps, (list, tuple, np.ndarray, Tensor)):
            if batch is data:  # not batches: one column of tokens
                tokens = self._tokens_of(data)
                batch = tokens[:, None] if tokens.ndim == 1 else tokens
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
