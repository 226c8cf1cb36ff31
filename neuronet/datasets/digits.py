"""The 8x8 handwritten digits that scikit-learn ships (1797 images, 10 classes).

Small enough to train on in seconds, and available offline wherever scikit-learn is
installed. scikit-learn is an optional dependency: it is imported only when the loader runs.
"""

from __future__ import annotations

import numpy as np

__all__ = ["load_digits"]


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The UCI optical-recognition digits as packaged by scikit-learn.

    Returns:
        ``(x, y)``: x float32 of shape (1797, 8, 8) with grey levels in [0, 16];
        y int64 of shape (1797,) in 0..9.

    Raises:
        ImportError: scikit-learn is not installed (the message says how to install it).
    """
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as error:
        raise ImportError(
            "load_digits needs scikit-learn, which ships the 8x8 digits data; install it "
            "with `pip install scikit-learn` (or `apt-get install python3-sklearn`), or use "
            "load_mnist / load_fashion_mnist instead"
        ) from error
    bunch = sklearn_load_digits()
    x = np.asarray(bunch.images, dtype=np.float32).reshape(-1, 8, 8)
    y = np.asarray(bunch.target, dtype=np.int64)
    return x, y
