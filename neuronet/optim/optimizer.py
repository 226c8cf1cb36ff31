"""`Optimizer`: the base class of every optimizer, with PyTorch's layout and semantics.

An optimizer holds `param_groups` (a list of dicts: `"params"` plus every hyperparameter,
filled from `defaults`), `state` (a dict from parameter to its per-parameter dict of Tensors)
and updates the parameters' arrays in place when `step()` is called.

`state_dict()` refers to parameters by integer index (their position over all groups), as
PyTorch does, so a state dict saved from one model loads into a fresh copy of it.

Subclasses implement `_init_state(state, p, group)` (the per-parameter state of the first
step) and `_step_group(group)`: the update of one parameter group, written with NumPy ufuncs
and `out=` on `p._data` (no graph is recorded, no temporaries in the hot path). The part every
update shares (skip parameters without a gradient, check the gradient's shape, create the
state, maximize and weight decay, bump the parameter's version) is `_params_with_grad`, so an
optimizer's `_step_group` holds its own maths and nothing else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..tensor import Tensor
from ._util import _effective_grad, _grad_array, _scalar_dtype


class _RequiredParameter:
    """Marks a hyperparameter that has no default and must be given per group."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class for all optimizers.

    Args:
        params: an iterable of Tensors, of `(name, Tensor)` pairs, or of dicts (parameter
            groups) each with a `"params"` entry and optional per-group hyperparameters.
        defaults: the default value of every hyperparameter; a group that omits one gets it.

    Example:
        >>> import neuronet
        >>> from neuronet.optim import SGD
        >>> w = neuronet.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = SGD([w], lr=0.5)
        >>> w.grad = neuronet.tensor([1.0, -1.0])
        >>> opt.step()
        >>> w
        tensor([0.5000, 2.5000], requires_grad=True)
    """

    # State entries shaped like their parameter (validated by load_state_dict).
    _param_shaped_state: tuple[str, ...] = ()
    # Scalar counters that keep their own dtype when loaded (PyTorch keeps only "step"; we
    # keep NAdam's float32 "mu_product" too, so a loaded run continues bit for bit).
    _counter_state: tuple[str, ...] = ("step",)

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._workspace: dict[tuple, tuple[np.ndarray, list[np.ndarray]]] = {}
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(
                f"{name}: params should be an iterable of Tensors or dicts, but got a Tensor; "
                "wrap it in a list: [tensor]"
            )
        if isinstance(params, dict):
            raise TypeError(
                f"{name}: params should be an iterable of Tensors or dicts, but got a dict; "
                "to pass one parameter group, wrap it in a list: [group]"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{name}: optimizer parameters need to be organized in ordered collections, but "
                "the ordering of tensors in sets will change between runs (and with it the "
                "state_dict's indices). Please use a list instead."
            )
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError(f"{name}: optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # --- pickling / deepcopy --------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._workspace = {}

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # --- parameter groups -----------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (with optional hyperparameters) to `param_groups`.

        Useful when fine-tuning: frozen layers can be made trainable later and added here.
        """
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{name}.add_param_group: param_group must be a dict, "
                f"but got {type(param_group).__name__}"
            )
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                f"{name}: optimizer parameters need to be organized in ordered collections, but "
                "the ordering of tensors in sets will change between runs. Please use a list "
                "instead."
            )
        else:
            params = list(params)
        tensors, names = [], []
        for item in params:
            if isinstance(item, tuple) and len(item) == 2:
                names.append(item[0])
                item = item[1]
            tensors.append(item)
        if names and len(names) != len(tensors):
            raise ValueError(
                f"{name}: all optimizer params should be with/without names. "
                "Some param names are missing"
            )
        for i, p in enumerate(tensors):
            _check_param(name, i, p)
        param_group["params"] = tensors
        if names:
            param_group["param_names"] = names

        for key, default in self.defaults.items():
            if default is required and key not in param_group:
                raise ValueError(
                    f"{name}: parameter group didn't specify a value of required optimization "
                    f"parameter {key}"
                )
            param_group.setdefault(key, default)

        ids = [id(p) for p in tensors]
        if len(ids) != len(set(ids)):
            raise ValueError(
                f"{name}: a parameter group contains the same parameter more than once; "
                "give each parameter once"
            )
        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                kind = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    f"{name}: all optimizer param groups should be with/without names. "
                    f"cannot add param group {kind} to the optimizer"
                )
        if not seen.isdisjoint(ids):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # --- gradients ------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors.

        Args:
            set_to_none: set `.grad` to None (default) instead of filling it with zeros. An
                optimizer skips a parameter whose grad is None but steps one whose grad is 0
                (momentum and weight decay still move it).
        """
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if grad.grad_fn is not None:
                        grad.detach_()
                    else:
                        grad.requires_grad_(False)
                    grad._data.fill(0)
                    grad._version += 1

    # --- stepping -------------------------------------------------------------------------
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step over every parameter that has a gradient.

        Args:
            closure: optional callable that re-evaluates the model (zero_grad, forward,
                backward) and returns the loss; it runs with gradients enabled before the
                update. Its return value is returned.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._step_group(group)
        return loss

    def _step_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not implement step()")

    def _init_state(self, state: dict[str, Any], p: Tensor, group: dict[str, Any]) -> None:
        """Fill the empty `state` of parameter `p` (of `group`) before its first update."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _init_state()")

    def _params_with_grad(
        self, group: dict[str, Any], n_scratch: int, decoupled_weight_decay: bool = False,
        with_state: bool = True,
    ) -> Iterator[tuple[np.ndarray, np.ndarray, Any, list[np.ndarray]]]:
        """Yield `(param, g, state, scratch)` for each parameter of `group` with a gradient.

        Before yielding, the steps every optimizer shares (its docstring's first lines):
            g <- -g if maximize
            param <- param * (1 - lr * weight_decay)   if decoupled_weight_decay (AdamW's)
            g <- g + weight_decay * param              otherwise (L2 penalty)

        `param`: the array to update in place; `g`: that gradient (read-only: it may be the
        grad's own array); `state`: the state dict, filled by `_init_state` when empty (None
        unless with_state, as reading it adds an entry to `self.state`); `scratch`:
        `n_scratch` buffers shaped like param. The version is bumped after the loop body.
        """
        name = type(self).__name__
        lr = float(group["lr"])
        weight_decay = float(group["weight_decay"])
        maximize = group["maximize"]
        decoupled = decoupled_weight_decay and weight_decay != 0
        decay = 0.0 if decoupled_weight_decay else weight_decay
        state_of = self.state
        workspace = self._workspace
        state = None
        for p in group["params"]:
            if p.grad is None:
                continue
            param = p._data
            g = _grad_array(name, p)
            if with_state:
                state = state_of[p]
                if not state:
                    self._init_state(state, p, group)
            # inlined cache look-up: this loop is the hot path when there are many small params
            buffers = workspace.get((param.shape, param.dtype, n_scratch))
            if buffers is None:
                buffers = self._new_buffers(param, n_scratch)
            if decoupled:
                param *= 1.0 - lr * weight_decay
            g = _effective_grad(g, param, decay, maximize, buffers[0])
            yield param, g, state, buffers[1]
            p._version += 1

    def _new_buffers(self, like: np.ndarray, count: int) -> tuple[np.ndarray, list[np.ndarray]]:
        """A g buffer and `count` scratch buffers like `like`, cached for its shape and dtype."""
        buffers = (np.empty(like.shape, like.dtype),
                   [np.empty(like.shape, like.dtype) for _ in range(count)])
        self._workspace[like.shape, like.dtype, count] = buffers
        return buffers

    # --- state dict -----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as `{"state": {index: {...}}, "param_groups": [...]}`.

        Parameters are referred to by their index over all groups; the state's Tensors are the
        optimizer's own (not copies), as in PyTorch: deep-copy the dict to snapshot it.
        """
        mapping: dict[int, int] = {}
        start = 0
        packed_groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            packed_groups.append(packed)
        packed_state = {
            (mapping[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()
        }
        return {"state": packed_state, "param_groups": packed_groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state produced by `state_dict()` (of an optimizer of the same layout).

        Floating-point state is cast to its parameter's dtype and copied, so the optimizer
        never shares buffers with the dict it was loaded from; counters (`"step"`) keep their
        dtype.
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            raise ValueError(
                f"{name}.load_state_dict: expected a dict with keys 'state' and "
                f"'param_groups', got {type(state_dict).__name__}"
            )
        groups = self.param_groups
        saved_groups = [dict(g) for g in state_dict["param_groups"]]
        if len(groups) != len(saved_groups):
            raise ValueError(
                f"{name}.load_state_dict: loaded state dict has {len(saved_groups)} parameter "
                f"groups, the optimizer has {len(groups)}"
            )
        for i, (g, s) in enumerate(zip(groups, saved_groups)):
            if len(g["params"]) != len(s["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: loaded state dict contains a parameter group "
                    f"that doesn't match the size of optimizer's group: group {i} has "
                    f"{len(s['params'])} parameters saved, {len(g['params'])} in the optimizer"
                )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )
        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = {
                    key: _cast(param, val, key in self._counter_state) for key, val in v.items()
                }
                for key in self._counter_state:  # old checkpoints hold plain numbers
                    if isinstance(state[param].get(key), (int, float)):
                        state[param][key] = Tensor._wrap(
                            np.array(state[param][key], dtype=_scalar_dtype())
                        )
                self._check_loaded_state(k, param, state[param])
            else:
                state[k] = v
        new_groups = []
        for g, s in zip(groups, saved_groups):
            s = _copy_values(s)
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
            new_groups.append(s)
        self.state = state
        self.param_groups = new_groups

    def _check_loaded_state(self, index: Any, param: Tensor, entry: dict[str, Any]) -> None:
        for key in self._param_shaped_state:
            value = entry.get(key)
            if isinstance(value, Tensor) and value._data.shape != param._data.shape:
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: state[{index!r}][{key!r}] has "
                    f"shape {tuple(value._data.shape)}, but its parameter has shape "
                    f"{tuple(param._data.shape)}"
                )


# --- helpers of the base class ---------------------------------------------------------------
def _check_param(name: str, index: int, p: Any) -> None:
    if not isinstance(p, Tensor):
        raise TypeError(
            f"{name}: optimizer can only optimize Tensors, but parameter {index} is "
            f"{type(p).__module__}.{type(p).__qualname__}"
        )
    if p._data.dtype.kind != "f":
        raise TypeError(
            f"{name}: optimizer can only optimize floating-point Tensors, but parameter "
            f"{index} has dtype {p.dtype}"
        )
    if not (p.is_leaf or p._retains_grad):
        raise ValueError(f"{name}: can't optimize a non-leaf Tensor (parameter {index})")


def _cast(param: Tensor, value: Any, keep_dtype: bool = False) -> Any:
    """A copy of `value` with floating arrays cast to `param`'s dtype (unless keep_dtype)."""
    if isinstance(value, (Tensor, np.ndarray)):
        arr = value._data if isinstance(value, Tensor) else value
        if not keep_dtype and arr.dtype.kind == "f" and param._data.dtype.kind == "f":
            return Tensor._wrap(arr.astype(param._data.dtype, copy=True))
        return Tensor._wrap(np.array(arr, copy=True))
    if isinstance(value, dict):
        return {k: _cast(param, v, k == "step") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(param, v) for v in value)
    return value


def _copy_values(group: dict[str, Any]) -> dict[str, Any]:
    """A shallow copy of a saved group whose list/tuple values are copied too."""
    return {k: (type(v)(v) if isinstance(v, (list, tuple)) else v) for k, v in group.items()}
