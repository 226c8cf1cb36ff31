"""Keras 3 lookup and discretization preprocessing layers, on NumPy alone:

    Discretization  numbers -> bin index, by given boundaries or quantiles learned by `adapt`
    Hashing         strings / integers -> hash bucket (FarmHash64, or SipHash-2-4 with a salt)
    IntegerLookup   integers -> vocabulary index (vocabulary given, set or learned by `adapt`)
    StringLookup    strings -> vocabulary index (the same for text tokens)

Each can encode its indices as 'one_hot', 'multi_hot' or 'count' vectors (the lookups also
'tf_idf'); the encodings are `CategoryEncoding`'s. The hash buckets are TensorFlow's
`tf.strings.to_hash_bucket_fast` (FarmHash Fingerprint64 % n) and `to_hash_bucket_strong`
(SipHash-2-4 keyed by the salt, % n), written out in `_string_hash.py`, so bucket numbers
equal Keras's without TensorFlow. Strings may be Python lists or NumPy str/bytes/object
arrays; outputs are Tensors, except StringLookup(invert=True), which returns a NumPy str
array. One module per layer: discretization.py, hashing.py, lookups.py (on index_lookup.py).
"""

from __future__ import annotations

from ._string_hash import fingerprint64, siphash24
from .discretization import Discretization
from .hashing import Hashing
from .lookups import IntegerLookup, StringLookup

__all__ = ["Discretization", "Hashing", "IntegerLookup", "StringLookup", "fingerprint64",
           "siphash24"]
