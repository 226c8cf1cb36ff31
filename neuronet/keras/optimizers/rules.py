"""Keras 3's optimizers and their update rules (g gradient, w weight, t = iterations + 1).

    SGD       momentum = 0: w -= lr g
              else m = momentum m - lr g;  w += m  (nesterov: w += momentum m - lr g)
    RMSprop   v = rho v + (1 - rho) g**2  (centered: a = rho a + (1 - rho) g, v' = v - a**2)
              step = lr g / sqrt(v' + eps)  (momentum: s = momentum s + step, w -= s)
    Adam      m += (g - m)(1 - beta1);  v += (g**2 - v)(1 - beta2)   (Kingma & Ba, 2015)
              alpha = lr sqrt(1 - beta2**t) / (1 - beta1**t)
              w -= alpha m / (sqrt(v) + eps)      (amsgrad: v_hat = max(v_hat, v) in place of v)
              NOTE: eps is added to sqrt(v), not sqrt(v_hat): Keras's "epsilon hat"; eps=1e-7.
    AdamW     Adam plus decoupled weight decay w -= w weight_decay lr (Loshchilov & Hutter, 2019)
    Adagrad   acc += g**2;  w -= lr g / sqrt(acc + eps)     (acc starts at 0.1)
    Adadelta  a = rho a + (1 - rho) g**2;  d = -sqrt(b + eps) / sqrt(a + eps) g
              b = rho b + (1 - rho) d**2;  w += lr d        (Zeiler, 2012)
    Adamax    m += (g - m)(1 - beta1);  u = max(beta2 u, |g|)
              w -= lr m / ((1 - beta1**t) (u + eps))
    Nadam     u_t = beta1 (1 - 0.5 * 0.96**t),  u_t1 = beta1 (1 - 0.5 * 0.96**(t + 1))
              P_t = prod(u_1..u_t);  m, v as Adam
              m_hat = u_t1 m / (1 - P_t u_t1) + (1 - u_t) g / (1 - P_t)
              v_hat = v / (1 - beta2**t);  w -= lr m_hat / (sqrt(v_hat) + eps)  (Dozat, 2016)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .optimizer import Optimizer


def _in_range(owner: str, name: str, value: Any, low: float = 0.0, high: float = 1.0) -> float:
    if not isinstance(value, int | float) or not low <= value <= high:
        raise ValueError(f"{owner}: {name} must be in [{low}, {high}], received "
                         f"{name}={value!r}")
    return float(value)


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum; learning_rate=0.01."""

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0,
                 nesterov: bool = False, name: str = "SGD", **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.momentum = _in_range("SGD", "momentum", momentum)
        self.nesterov = bool(nesterov)
        self.slot_names = ("momentum",) if self.momentum else ()

    def update_step(self, g: np.ndarray, w: np.ndarray, slots: dict, lr: float) -> None:
        if not self.momentum:
            w -= lr * g
            return
        m = slots["momentum"]
        m *= self.momentum
        m -= lr * g
        if self.nesterov:
            w += self.momentum * m - lr * g
        else:
            w += m

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """Divides by a running root mean square of gradients; learning_rate=0.001, rho=0.9."""

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, name: str = "rmsprop",
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = _in_range("RMSprop", "rho", rho)
        self.momentum = _in_range("RMSprop", "momentum", momentum)
        self.epsilon, self.centered = float(epsilon), bool(centered)
        self.slot_names = ("velocity",) + (("momentum",) if self.momentum else ()) + (
            ("average_gradient",) if self.centered else ())

    def update_step(self, g: np.ndarray, w: np.ndarray, slots: dict, lr: float) -> None:
        v = slots["velocity"]
        v *= self.rho
        v += (1.0 - self.rho) * g * g
        if self.centered:
            a = slots["average_gradient"]
            a *= self.rho
            a += (1.0 - self.rho) * g
            denominator = v - a * a + self.epsilon
        else:
            denominator = v + self.epsilon
        increment = lr * g / np.sqrt(denominator)
        if self.momentum:
            s = slots["momentum"]
            s *= self.momentum
            s += increment
            w -= s
        else:
            w -= increment

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class Adam(Optimizer):
    """Adam with Keras's defaults: learning_rate=0.001, beta_1=0.9, beta_2=0.999, eps=1e-7."""

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, name: str = "adam",
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = _in_range(type(self).__name__, "beta_1", beta_1)
        self.beta_2 = _in_range(type(self).__name__, "beta_2", beta_2)
        self.epsilon, self.amsgrad = float(epsilon), bool(amsgrad)
        self.slot_names = ("momentum", "velocity") + (("velocity_hat",) if amsgrad else ())

    def update_step(self, g: np.ndarray, w: np.ndarray, slots: dict, lr: float) -> None:
        t = self.iterations + 1
        alpha = lr * math.sqrt(1.0 - self.beta_2 ** t) / (1.0 - self.beta_1 ** t)
        m, v = slots["momentum"], slots["velocity"]
        m += (g - m) * (1.0 - self.beta_1)
        v += (g * g - v) * (1.0 - self.beta_2)
        if self.amsgrad:
            v_hat = slots["velocity_hat"]
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        w -= alpha * m / (np.sqrt(v) + self.epsilon)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (weight_decay=0.004)."""

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float = 0.004,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, name: str = "adamw", **kwargs: Any) -> None:
        if weight_decay is None:
            raise ValueError("AdamW: weight_decay must be a number, received None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, name=name,
                         weight_decay=weight_decay, **kwargs)


class Adagrad(Optimizer):
    """Per-coordinate rates from accumulated squared gradients (Duchi et al., 2011)."""

    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, name: str = "adagrad", **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, float(epsilon)
        self.slot_names = ("accumulator",)

    def _init_slots(self, w: np.ndarray) -> dict[str, np.ndarray]:
        return {"accumulator": np.full_like(w, self.initial_accumulator_value)}

    def update_step(self, g: np.ndarray, w: np.ndarray, slots: dict, lr: float) -> None:
        acc = slots["accumulator"]
        acc += g * g
        w -= lr * g / np.sqrt(acc + self.epsilon)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """Adadelta: learning_rate=0.001, rho=0.95, epsilon=1e-7."""

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 name: str = "adadelta", **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho, self.epsilon = _in_range("Adadelta", "rho", rho), float(epsilon)
        self.slot_names = ("accumulated_grad", "accumulated_delta_var")

    def update_step(self, g: np.ndarray, w: np.ndarray, slots: dict, lr: float) -> None:
        a, b = slots["accumulated_grad"], slots["accumulated_delta_var"]
        a *= self.rho
        a += (1.0 - self.rho) * g * g
        delta = -np.sqrt(b + self.epsilon) / np.sqrt(a + self.epsilon) * g
        b *= self.rho
        b += (1.0 - self.rho) * delta * delta
        w += lr * delta

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adamax(Optimizer):
    """Adam with the infinity norm (Kingma & Ba, 2015, section 7)."""

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, name: str = "adamax", **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = _in_range("Adamax", "beta_1", beta_1)
        self.beta_2 = _in_range("Adamax", "beta_2", beta_2)
        self.epsilon = float(epsilon)
        self.slot_names = ("m", "norm")

    def update_step(self, g: np.ndarray, w: np.ndarray, slots: dict, lr: float) -> None:
        t = self.iterations + 1
        m, u = slots["m"], slots["norm"]
        m += (g - m) * (1.0 - self.beta_1)
        np.maximum(self.beta_2 * u, np.abs(g), out=u)
        w -= lr * m / ((1.0 - self.beta_1 ** t) * (u + self.epsilon))

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Nadam(Optimizer):
    """Adam with Nesterov momentum (Dozat, 2016), Keras's momentum schedule."""

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, name: str = "nadam", **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = _in_range("Nadam", "beta_1", beta_1)
        self.beta_2 = _in_range("Nadam", "beta_2", beta_2)
        self.epsilon = float(epsilon)
        self.slot_names = ("momentum", "velocity")
        self._u_product = 1.0

    def _prepare_step(self) -> None:
        t = self.iterations + 1
        self._u_product *= self.beta_1 * (1.0 - 0.5 * 0.96 ** t)

    def update_step(self, g: np.ndarray, w: np.ndarray, slots: dict, lr: float) -> None:
        t = self.iterations + 1
        u_t = self.beta_1 * (1.0 - 0.5 * 0.96 ** t)
        u_t1 = self.beta_1 * (1.0 - 0.5 * 0.96 ** (t + 1))
        u_product_t = self._u_product
        u_product_t1 = u_product_t * u_t1
        m, v = slots["momentum"], slots["velocity"]
        m += (g - m) * (1.0 - self.beta_1)
        v += (g * g - v) * (1.0 - self.beta_2)
        m_hat = u_t1 * m / (1.0 - u_product_t1) + (1.0 - u_t) * g / (1.0 - u_product_t)
        v_hat = v / (1.0 - self.beta_2 ** t)
        w -= lr * m_hat / (np.sqrt(v_hat) + self.epsilon)

    def _extra_state(self) -> dict[str, np.ndarray]:
        return {"u_product": np.asarray(self._u_product, np.float64)}

    def _load_extra_state(self, arrays: dict[str, np.ndarray]) -> None:
        self._u_product = float(arrays.get("u_product", 1.0))

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
