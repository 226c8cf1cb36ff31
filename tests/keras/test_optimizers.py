"""Optimizers: a few steps on a quadratic against Keras 3's update rules written in NumPy."""

import math

import numpy as np
import pytest

from neuronet import keras
from neuronet.keras.variables import KerasVariable

W0 = np.array([1.0, -2.0, 0.5, 3.0])
TARGET = np.array([0.3, 0.1, -0.4, 0.2])
STEPS = 5


def grad(w):
    return 2.0 * (w - TARGET)  # of sum((w - target)**2)


def run(optimizer):
    var = KerasVariable(W0.copy(), dtype="float64")
    for _ in range(STEPS):
        optimizer.apply([grad(var.numpy().copy())], [var])
    return var.numpy()


def reference(update, **state):
    w = W0.copy()
    for t in range(1, STEPS + 1):
        w = update(w, grad(w), t, state)
    return w


def sgd_momentum(w, g, t, s, lr=0.01, mom=0.9, nesterov=False):
    m = s.setdefault("m", np.zeros_like(w))
    m[...] = mom * m - lr * g
    return w + (mom * m - lr * g if nesterov else m)


def adam(w, g, t, s, lr=0.001, b1=0.9, b2=0.999, eps=1e-7, wd=0.0):
    w = w - w * wd * lr
    m, v = s.setdefault("m", np.zeros_like(w)), s.setdefault("v", np.zeros_like(w))
    m += (g - m) * (1 - b1)
    v += (g * g - v) * (1 - b2)
    alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    return w - alpha * m / (np.sqrt(v) + eps)


def rmsprop(w, g, t, s, lr=0.001, rho=0.9, eps=1e-7):
    v = s.setdefault("v", np.zeros_like(w))
    v[...] = rho * v + (1 - rho) * g * g
    return w - lr * g / np.sqrt(v + eps)


def adagrad(w, g, t, s, lr=0.001, eps=1e-7):
    a = s.setdefault("a", np.full_like(w, 0.1))
    a += g * g
    return w - lr * g / np.sqrt(a + eps)


def adadelta(w, g, t, s, lr=0.001, rho=0.95, eps=1e-7):
    a, b = s.setdefault("a", np.zeros_like(w)), s.setdefault("b", np.zeros_like(w))
    a[...] = rho * a + (1 - rho) * g * g
    d = -np.sqrt(b + eps) / np.sqrt(a + eps) * g
    b[...] = rho * b + (1 - rho) * d * d
    return w + lr * d


def adamax(w, g, t, s, lr=0.001, b1=0.9, b2=0.999, eps=1e-7):
    m, u = s.setdefault("m", np.zeros_like(w)), s.setdefault("u", np.zeros_like(w))
    m += (g - m) * (1 - b1)
    u[...] = np.maximum(b2 * u, np.abs(g))
    return w - lr * m / ((1 - b1 ** t) * (u + eps))


def nadam(w, g, t, s, lr=0.001, b1=0.9, b2=0.999, eps=1e-7):
    m, v = s.setdefault("m", np.zeros_like(w)), s.setdefault("v", np.zeros_like(w))
    u_t = b1 * (1 - 0.5 * 0.96 ** t)
    u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
    s["prod"] = s.get("prod", 1.0) * u_t
    m += (g - m) * (1 - b1)
    v += (g * g - v) * (1 - b2)
    m_hat = u_t1 * m / (1 - s["prod"] * u_t1) + (1 - u_t) * g / (1 - s["prod"])
    return w - lr * m_hat / (np.sqrt(v / (1 - b2 ** t)) + eps)


@pytest.mark.parametrize("optimizer, update", [
    (lambda: keras.optimizers.SGD(), lambda w, g, t, s: w - 0.01 * g),
    (lambda: keras.optimizers.SGD(momentum=0.9), sgd_momentum),
    (lambda: keras.optimizers.SGD(momentum=0.9, nesterov=True),
     lambda w, g, t, s: sgd_momentum(w, g, t, s, nesterov=True)),
    (lambda: keras.optimizers.Adam(), adam),
    (lambda: keras.optimizers.Adam(learning_rate=0.1), lambda *a: adam(*a, lr=0.1)),
    (lambda: keras.optimizers.AdamW(learning_rate=0.1),
     lambda *a: adam(*a, lr=0.1, wd=0.004)),
    (lambda: keras.optimizers.RMSprop(), rmsprop),
    (lambda: keras.optimizers.Adagrad(), adagrad),
    (lambda: keras.optimizers.Adadelta(learning_rate=1.0), lambda *a: adadelta(*a, lr=1.0)),
    (lambda: keras.optimizers.Adamax(), adamax),
    (lambda: keras.optimizers.Nadam(learning_rate=0.01), lambda *a: nadam(*a, lr=0.01)),
])
def test_update_rules_match_keras(optimizer, update):
    np.testing.assert_allclose(run(optimizer()), reference(update), rtol=1e-12, atol=1e-14)


def test_clipping():
    g = np.array([3.0, 4.0])
    opt = keras.optimizers.SGD(learning_rate=1.0, clipnorm=1.0)
    np.testing.assert_allclose(opt.clip_gradients([g])[0], [0.6, 0.8])
    opt = keras.optimizers.SGD(learning_rate=1.0, clipvalue=0.5)
    np.testing.assert_allclose(opt.clip_gradients([g])[0], [0.5, 0.5])
    opt = keras.optimizers.SGD(learning_rate=1.0, global_clipnorm=1.0)
    a, b = opt.clip_gradients([np.array([3.0]), np.array([4.0])])
    np.testing.assert_allclose([a[0], b[0]], [0.6, 0.8])
    with pytest.raises(ValueError, match="only one of clipnorm, clipvalue and global_clipnorm"):
        keras.optimizers.Adam(clipnorm=1.0, clipvalue=1.0)


def test_schedules():
    s = keras.optimizers.schedules
    exp = s.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert exp(5) == pytest.approx(0.1 * 0.5 ** 0.5)
    assert s.ExponentialDecay(0.1, 10, 0.5, staircase=True)(15) == pytest.approx(0.05)
    pw = s.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [pw(0), pw(10), pw(11), pw(20), pw(21)] == [1.0, 1.0, 0.5, 0.5, 0.1]
    assert s.InverseTimeDecay(1.0, 10, 0.5)(20) == pytest.approx(1 / (1 + 0.5 * 2))
    cos = s.CosineDecay(1.0, decay_steps=100, alpha=0.1)
    assert cos(50) == pytest.approx(0.9 * 0.5 * (1 + math.cos(math.pi * 0.5)) + 0.1)
    assert cos(1000) == pytest.approx(0.1)
    warm = s.CosineDecay(0.0, decay_steps=100, warmup_target=1.0, warmup_steps=10)
    assert warm(5) == pytest.approx(0.5) and warm(10) == pytest.approx(1.0)
    assert warm(60) == pytest.approx(0.5 * (1 + math.cos(math.pi * 0.5)))


def test_schedule_drives_learning_rate():
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay([1], [0.5, 0.1])
    opt = keras.optimizers.SGD(learning_rate=schedule)
    var = KerasVariable(np.zeros(1), dtype="float64")
    for _ in range(3):
        opt.apply([np.ones(1)], [var])
    # steps 0 and 1 use 0.5, step 2 uses 0.1
    np.testing.assert_allclose(var.numpy(), [-1.1])
    assert opt.learning_rate == pytest.approx(0.1)


def test_get_by_name_and_errors():
    assert isinstance(keras.optimizers.get("Adam"), keras.optimizers.Adam)
    assert keras.optimizers.get("rmsprop").learning_rate == 0.001
    assert keras.optimizers.SGD().learning_rate == 0.01
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 'adamm'"):
        keras.optimizers.get("adamm")
    with pytest.raises(ValueError, match="learning_rate=-1"):
        keras.optimizers.SGD(learning_rate=-1)
