"""`Optimizer`: Keras 3's optimizer base, updating weight arrays in place with NumPy.

One `apply(grads, variables)` call is one training step:
    1. clip:   clipnorm      g <- g * clipnorm / max(||g||, clipnorm)   (per gradient)
               global_clipnorm  g <- g * c / max(sqrt(sum ||g_i||**2), c)  (all together)
               clipvalue     g <- clip(g, -clipvalue, clipvalue)
    2. lr = learning_rate(iterations) for a schedule, else learning_rate
    3. weight decay (when set): w <- w - w * weight_decay * lr
    4. the optimizer's own rule, `update_step(g, w, slots, lr)`
    5. constraints, iterations += 1
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .schedules import LearningRateSchedule


class Optimizer:
    """Base class. Subclasses name their per-variable slots in `slot_names` and implement
    `update_step` (and list their hyper-parameters in `get_config`)."""

    slot_names: tuple[str, ...] = ()

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: Any = None,
                 loss_scale_factor: Any = None, gradient_accumulation_steps: Any = None,
                 name: str | None = None, **kwargs: Any) -> None:
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) "
                            f"{sorted(kwargs)}")
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"{type(self).__name__}: only one of clipnorm, clipvalue and "
                             f"global_clipnorm can be set, received clipnorm={clipnorm}, "
                             f"clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        for key, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                           ("global_clipnorm", global_clipnorm)):
            if value is not None and value <= 0:
                raise ValueError(f"{type(self).__name__}: {key} must be positive, received "
                                 f"{key}={value}")
        if use_ema:
            raise ValueError(f"{type(self).__name__}: use_ema=True is not supported by neuronet")
        self.name = name or type(self).__name__.lower()
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.iterations = 0
        self._learning_rate = self._check_lr(learning_rate)
        self._slots: list[dict[str, np.ndarray]] = []
        self._variable_ids: dict[int, int] = {}
        self.built = False

    # --- learning rate --------------------------------------------------------------------
    def _check_lr(self, value: Any) -> Any:
        if isinstance(value, LearningRateSchedule) or callable(value):
            return value
        if not isinstance(value, int | float | np.floating) or value < 0:
            raise ValueError(f"{type(self).__name__}: learning_rate must be a non-negative "
                             f"float or a LearningRateSchedule, received "
                             f"learning_rate={value!r}")
        return float(value)

    @property
    def learning_rate(self) -> float:
        """The rate the next step uses (a schedule is evaluated at `iterations`)."""
        if callable(self._learning_rate):
            return float(self._learning_rate(self.iterations))
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if isinstance(self._learning_rate, LearningRateSchedule) and not callable(value):
            raise TypeError(f"{type(self).__name__}: this optimizer's learning rate is a "
                            f"schedule; it cannot be set to a float")
        self._learning_rate = self._check_lr(value)

    lr = learning_rate

    # --- state ----------------------------------------------------------------------------
    def build(self, variables: list) -> None:
        """Create the zero-initialized slots of every variable."""
        self._variable_ids = {id(v): i for i, v in enumerate(variables)}
        self._slots = [self._init_slots(v._data) for v in variables]
        self.built = True

    def _init_slots(self, w: np.ndarray) -> dict[str, np.ndarray]:
        return {name: np.zeros_like(w) for name in self.slot_names}

    @property
    def variables(self) -> list[np.ndarray]:
        out = [np.asarray(self.iterations, np.int64)]
        for slots in self._slots:
            out += [slots[name] for name in sorted(slots)]
        return out

    def state_arrays(self) -> dict[str, np.ndarray]:
        """Named state for saving: iterations and every slot."""
        out = {"iterations": np.asarray(self.iterations, np.int64)}
        for i, slots in enumerate(self._slots):
            for name, value in slots.items():
                out[f"{i:04d}/{name}"] = value
        out.update(self._extra_state())
        return out

    def load_state_arrays(self, arrays: dict[str, np.ndarray], variables: list) -> None:
        self.build(variables)
        self.iterations = int(arrays["iterations"])
        for i, slots in enumerate(self._slots):
            for name in slots:
                key = f"{i:04d}/{name}"
                if key not in arrays or arrays[key].shape != slots[name].shape:
                    raise ValueError(f"{type(self).__name__}: saved optimizer state does not "
                                     f"match the model's weights (slot {key})")
                slots[name][...] = arrays[key]
        self._load_extra_state(arrays)

    def _extra_state(self) -> dict[str, np.ndarray]:
        return {}

    def _load_extra_state(self, arrays: dict[str, np.ndarray]) -> None:
        pass

    # --- stepping -------------------------------------------------------------------------
    def _clip(self, grads: list[np.ndarray]) -> list[np.ndarray]:
        if self.clipnorm is not None:
            out = []
            for g in grads:
                norm = float(np.sqrt(np.sum(g * g, dtype=np.float64)))
                out.append(g * (self.clipnorm / max(norm, self.clipnorm)))
            return out
        if self.global_clipnorm is not None:
            norm = float(np.sqrt(sum(np.sum(g * g, dtype=np.float64) for g in grads)))
            scale = self.global_clipnorm / max(norm, self.global_clipnorm)
            return [g * scale for g in grads]
        if self.clipvalue is not None:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def clip_gradients(self, grads: list) -> list:
        """The gradients as arrays after clipnorm / global_clipnorm / clipvalue (None kept)."""
        arrays = [None if g is None else g._data if hasattr(g, "_data") else np.asarray(g)
                  for g in grads]
        present = [i for i, g in enumerate(arrays) if g is not None]
        clipped = self._clip([arrays[i] for i in present])
        for i, g in zip(present, clipped):
            arrays[i] = g
        return arrays

    def apply(self, grads: list, trainable_variables: list) -> None:
        """One step: clip, then `step` (Keras's `optimizer.apply`)."""
        self.step(self.clip_gradients(grads), trainable_variables)

    def step(self, grads: list, trainable_variables: list) -> None:
        """Update `variables[i]` in place from already-clipped `grads[i]` (None: skipped)."""
        if not self.built:
            self.build(list(trainable_variables))
        pairs = [(g, v) for g, v in zip(grads, trainable_variables) if g is not None]
        lr = self.learning_rate
        self._prepare_step()
        for g, variable in pairs:
            index = self._variable_ids.get(id(variable))
            if index is None:  # a weight created after the first step (lazily built layer)
                index = self._variable_ids[id(variable)] = len(self._slots)
                self._slots.append(self._init_slots(variable._data))
            w = variable._data
            if self.weight_decay:
                w -= w * (self.weight_decay * lr)
            self.update_step(np.asarray(g).astype(w.dtype, copy=False), w, self._slots[index],
                             lr)
            variable._version += 1
            constraint = getattr(variable, "constraint", None)
            if constraint is not None:
                w[...] = np.asarray(constraint(w))
        self.iterations += 1

    def apply_gradients(self, grads_and_vars: Any) -> None:
        grads, variables = zip(*list(grads_and_vars))
        self.apply(list(grads), list(variables))

    def _prepare_step(self) -> None:
        """Per-step work before the per-variable updates (Nadam's momentum product)."""

    def update_step(self, g: np.ndarray, w: np.ndarray, slots: dict, lr: float) -> None:
        raise NotImplementedError

    # --- config ---------------------------------------------------------------------------
    def get_config(self) -> dict:
        from .schedules import serialize

        lr = self._learning_rate
        return {"name": self.name,
                "learning_rate": serialize(lr) if isinstance(lr, LearningRateSchedule) else lr,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "clipvalue": self.clipvalue, "global_clipnorm": self.global_clipnorm}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Optimizer:
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            from .schedules import deserialize

            config["learning_rate"] = deserialize(config["learning_rate"], custom_objects)
        return cls(**config)
