"""Keras BatchNormalization in training mode against real Keras 3 (torch backend): outputs,
moving statistics and gradients for the channel on the last axis (the fused primitive on
(M, C) matrices) and on axis 1 (channels_first)."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

import neuronet  # noqa: E402
from neuronet import keras as nk  # noqa: E402

if keras.backend.backend() != "torch":
    pytest.skip("the comparison needs Keras's torch backend", allow_module_level=True)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize(("shape", "kw"), [
    ((6, 5, 4, 3), {}),
    ((6, 3, 5, 4), {"axis": 1}),
    ((7, 4), {"momentum": 0.9, "epsilon": 1e-5}),
    ((6, 5, 4, 3), {"scale": False}),
    ((6, 5, 4, 3), {"center": False}),
], ids=["last", "axis1", "2d", "no-scale", "no-center"])
def test_batchnorm_training_matches_keras(shape: tuple, kw: dict) -> None:
    rng = np.random.default_rng(3)
    kl, nl = keras.layers.BatchNormalization(**kw), nk.layers.BatchNormalization(**kw)
    kl.build(shape)
    nl.build(shape)
    weights = [w + rng.standard_normal(w.shape).astype("float32") * 0.3
               for w in kl.get_weights()]
    weights[-1] = np.abs(weights[-1])  # a variance
    kl.set_weights(weights)
    nl.set_weights(weights)
    for _ in range(2):  # two training steps: the moving statistics move twice
        x = (rng.standard_normal(shape) * 2 + 1).astype("float32")
        g = rng.standard_normal(shape).astype("float32")
        xt = torch.tensor(x, requires_grad=True)
        yk = kl(xt, training=True)
        (yk * torch.tensor(g)).sum().backward()
        xn = neuronet.tensor(x, requires_grad=True)
        yn = nl(xn, training=True)
        (yn * neuronet.tensor(g)).sum().backward()
        np.testing.assert_allclose(yn.detach().numpy(), yk.detach().numpy(), rtol=1e-4,
                                   atol=1e-4)
        np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-3, atol=1e-4)
        for a, b in zip(nl.get_weights(), kl.get_weights()):  # the moving statistics
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        for wn, wk in zip(nl.trainable_weights, kl.trainable_weights):
            np.testing.assert_allclose(wn.grad.numpy(), wk.value.grad.numpy(), rtol=1e-3,
                                       atol=1e-3)
            wk.value.grad = wn.grad = None
        assert yn.dtype == xn.grad.dtype == neuronet.float32
