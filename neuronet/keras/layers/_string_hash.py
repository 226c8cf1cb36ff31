"""The string hashes behind TensorFlow's (and so Keras's) hash bucketing, in pure Python:
FarmHash Fingerprint64 (`tf.strings.to_hash_bucket_fast`) and SipHash-2-4 keyed by a salt
(`to_hash_bucket_strong`); a bucket is the hash modulo the bucket count."""

from __future__ import annotations

import struct

import numpy as np

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
