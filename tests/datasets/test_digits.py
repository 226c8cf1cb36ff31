"""load_digits: scikit-learn's 8x8 digits, or a clear ImportError without scikit-learn."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from neuronet.datasets import load_digits


def test_digits_shapes_and_dtypes():
    pytest.importorskip("sklearn")
    x, y = load_digits()
    assert x.shape == (1797, 8, 8) and x.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert x.min() == 0 and x.max() == 16
    assert set(np.unique(y).tolist()) == set(range(10))


def test_clear_error_without_scikit_learn(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn...` fail
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="load_digits needs scikit-learn.*pip install scikit-le"):
        load_digits()
