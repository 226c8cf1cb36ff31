"""Functional losses under PyTorch's names (re-exported by `nn.functional`).

x input, y target, d = x - y; reduction 'mean' (default) averages, 'sum' adds, 'none' keeps:
    mse_loss             d**2
    l1_loss              |d|
    smooth_l1_loss       0.5 d**2 / beta if |d| < beta else |d| - 0.5 beta
    huber_loss           0.5 d**2 if |d| < delta else delta (|d| - 0.5 delta)
    binary_cross_entropy -w (y log x + (1 - y) log(1 - x)), each log clamped at -100
    binary_cross_entropy_with_logits  -w (p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))
    cross_entropy        -sum_c A_c log softmax(x)_c  (A: weighted one-hot / smoothed targets)
    nll_loss             -w[y] x[y]; 'mean' divides by sum of w[y] over non-ignored targets
    kl_div               y (log y - x)   (log_target: exp(y) (y - x)); 'batchmean' / N
    multi_margin_loss    sum_{j != y} w[y] max(0, margin - x[y] + x[j])**p / C
    cosine_embedding_loss  1 - cos(x1, x2) if y = 1, max(0, cos(x1, x2) - margin) if y = -1
    hinge_embedding_loss   x if y = 1, max(0, margin - x) if y = -1
    soft_margin_loss     log(1 + exp(-y x))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops import elementwise as _el
from ..ops import losses as _lo
from ..tensor import Tensor

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div",
    "multi_margin_loss", "cosine_embedding_loss", "hinge_embedding_loss", "soft_margin_loss",
]

_REDUCTIONS = ("mean", "sum", "none")


def _legacy(size_average: Any, reduce: Any, reduction: str) -> str:
    """PyTorch's deprecated size_average/reduce flags mapped onto reduction."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "none" if not reduce else ("mean" if size_average else "sum")


def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op}: {reduction!r} is not a valid value for reduction; expected one "
                     f"of {_REDUCTIONS}")


def _check_reduction(reduction: str, op: str, extra: tuple = ()) -> None:
    if reduction not in _REDUCTIONS + extra:
        raise ValueError(f"{op}: {reduction!r} is not a valid value for reduction; expected "
                         f"one of {_REDUCTIONS + extra}")


def _float_pair(x: Tensor, y: Any, op: str, same_shape: bool = False) -> tuple:
    if not isinstance(y, Tensor):
        y = Tensor._wrap(np.asarray(y, dtype=x._data.dtype))
    if same_shape and y.shape != x.shape:
        raise ValueError(f"{op}: using a target size ({tuple(y.shape)}) that is different to "
                         f"the input size ({tuple(x.shape)}) is not supported; please ensure "
                         "they have the same size")
    if y._data.dtype != x._data.dtype:
        y = y.to(x.dtype)
    return x, y


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None,  # noqa: A002
             reduce: Any = None, reduction: str = "mean") -> Tensor:
    x, y = _float_pair(input, target, "mse_loss")
    d = x - y
    return _reduce(d * d, _legacy(size_average, reduce, reduction), "mse_loss")


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None,  # noqa: A002
            reduce: Any = None, reduction: str = "mean") -> Tensor:
    x, y = _float_pair(input, target, "l1_loss")
    return _reduce((x - y).abs(), _legacy(size_average, reduce, reduction), "l1_loss")


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None,  # noqa: A002
                   reduce: Any = None, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    x, y = _float_pair(input, target, "smooth_l1_loss")
    d = x - y
    ad = d.abs()
    if beta == 0:
        loss = ad
    else:
        loss = _el.where(ad._data < beta, d * d * (0.5 / beta), ad - 0.5 * beta)
    return _reduce(loss, _legacy(size_average, reduce, reduction), "smooth_l1_loss")


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0, weight: Tensor | None = None) -> Tensor:
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    x, y = _float_pair(input, target, "huber_loss")
    d = x - y
    ad = d.abs()
    loss = _el.where(ad._data < delta, d * d * 0.5, (ad - 0.5 * delta) * delta)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "huber_loss")


def binary_cross_entropy(input: Tensor, target: Tensor,  # noqa: A002
                         weight: Tensor | None = None, size_average: Any = None,
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    x, y = _float_pair(input, target, "binary_cross_entropy", same_shape=True)
    if x._data.size and (x._data.min() < 0 or x._data.max() > 1):
        raise RuntimeError("binary_cross_entropy: all elements of input should be between 0 "
                           f"and 1, got range [{x._data.min()}, {x._data.max()}] (pass logits "
                           "to binary_cross_entropy_with_logits instead)")
    loss = _lo.BinaryCrossEntropy.apply(x, y)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, _legacy(size_average, reduce, reduction), "binary_cross_entropy")


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,  # noqa: A002
                                     weight: Tensor | None = None, size_average: Any = None,
                                     reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable op; pos_weight (broadcast along the last
    dim) multiplies the positive term."""
    op = "binary_cross_entropy_with_logits"
    x, y = _float_pair(input, target, op, same_shape=True)
    w_pos = None if pos_weight is None else 1 + (pos_weight - 1) * y
    loss = _lo.bce_with_logits(x, y, w_pos)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, _legacy(size_average, reduce, reduction), op)


def _class_rows(input: Tensor, op: str) -> tuple:
    """(N, C, d1, ...) or (C,) input -> (rows (M, C), trailing shape of the per-item loss)."""
    if input.ndim == 0:
        raise ValueError(f"{op}: expected input of shape (C,), (N, C) or (N, C, d1, ...), got "
                         "a 0-d tensor")
    if input.ndim == 1:
        return input.unsqueeze(0), ()
    if input.ndim == 2:
        return input, (input.shape[0],)
    c = input.shape[1]
    rows = input.movedim(1, -1).reshape(-1, c)
    return rows, (input.shape[0],) + tuple(input.shape[2:])


def _class_targets(target: Any, out_shape: tuple, c: int, ignore_index: int, op: str) -> tuple:
    """Integer targets -> (t_safe (M,), valid mask (M,)); checks shape and range."""
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    if tuple(t.shape) != tuple(out_shape):
        raise ValueError(f"{op}: expected target of shape {tuple(out_shape)} for this input, got "
                         f"{tuple(t.shape)}")
    t = t.reshape(-1)
    valid = t != ignore_index
    t_safe = np.where(valid, t, 0)
    if t_safe.size and (t_safe.min() < 0 or t_safe.max() >= c):
        bad = t_safe[(t_safe < 0) | (t_safe >= c)][0]
        raise IndexError(f"{op}: Target {int(bad)} is out of bounds (expected class indices in "
                         f"[0, {c}) or ignore_index={ignore_index})")
    return t_safe, valid


def _class_weight(weight: Any, c: int, dtype: np.dtype, op: str) -> np.ndarray | None:
    if weight is None:
        return None
    w = weight._data if isinstance(weight, Tensor) else np.asarray(weight)
    if w.shape != (c,):
        raise RuntimeError(f"{op}: weight should have shape ({c},) (one per class), got "
                           f"{tuple(w.shape)}")
    return w.astype(dtype, copy=False)


def _reduce_scale(reduction: str, denom: float) -> float | None:
    if reduction == "none":
        return None
    if reduction == "sum":
        return 1.0
    return 1.0 / denom if denom != 0 else float("nan")


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                  size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax + negative log-likelihood as one fused, stable op (see ops.losses).

    Targets are class indices of shape (N,) / (N, d1, ...) or class probabilities shaped like
    the input. With class weights w, 'mean' divides by sum of w[target] (index targets) or by
    the number of items (probability targets). label_smoothing eps mixes the target with the
    uniform distribution: A = (1 - eps) onehot + eps / C (each class weighted by w).
    """
    op = "cross_entropy"
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, op)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")
    rows, out_shape = _class_rows(input, op)
    m, c = rows.shape
    dt = rows._data.dtype
    w = _class_weight(weight, c, dt, op)
    is_index = not isinstance(target, Tensor) or target._data.dtype.kind in "iu"
    if is_index:
        t, valid = _class_targets(target, out_shape, c, ignore_index, op)
        coef = valid.astype(dt) if w is None else w[t] * valid
        a = np.zeros((m, c), dt)
        a[np.arange(m), t] = coef * (1.0 - label_smoothing)
        if label_smoothing > 0:
            per_class = np.full(c, label_smoothing / c, dt) if w is None else \
                w * (label_smoothing / c)
            a += per_class[None, :] * valid[:, None].astype(dt)
        a_t = Tensor._wrap(a)
        denom = float(coef.sum())
    else:
        if target.shape != input.shape:
            raise ValueError(f"{op}: probability targets must have the input's shape "
                             f"{tuple(input.shape)}, got {tuple(target.shape)}")
        a_t, _ = _class_rows(target.to(input.dtype), op)
        if label_smoothing > 0:
            a_t = a_t * (1.0 - label_smoothing) + label_smoothing / c
        if w is not None:
            a_t = a_t * Tensor._wrap(w)
        denom = float(m)
    out = _lo.softmax_cross_entropy(rows, a_t, _reduce_scale(reduction, denom))
    return out.reshape(out_shape) if reduction == "none" else out


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
             size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """-w[y] * input[y] per item (input holds log-probabilities, class dim 1)."""
    op = "nll_loss"
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, op)
    rows, out_shape = _class_rows(input, op)
    m, c = rows.shape
    dt = rows._data.dtype
    w = _class_weight(weight, c, dt, op)
    t, valid = _class_targets(target, out_shape, c, ignore_index, op)
    coef = valid.astype(dt) if w is None else w[t] * valid
    picked = rows[np.arange(m), t]  # (M,)
    losses = -(picked * Tensor._wrap(coef))
    if reduction == "none":
        return losses.reshape(out_shape)
    total = losses.sum()
    return total if reduction == "sum" else total * _reduce_scale("mean", float(coef.sum()))


def kl_div(input: Tensor, target: Tensor, size_average: Any = None,  # noqa: A002
           reduce: Any = None, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """target * (log target - input) elementwise (0 where target = 0); input is log-probs."""
    op = "kl_div"
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, op, ("batchmean",))
    x, y = _float_pair(input, target, op)
    if log_target:
        loss = y.exp() * (y - x)
    else:
        pos = y._data > 0
        y_safe = _el.where(pos, y, 1.0)
        loss = _el.where(pos, y * y_safe.log(), 0.0) - y * x
    if reduction == "batchmean":
        return loss.sum() / (x.shape[0] if x.ndim else 1)
    return _reduce(loss, reduction, op)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1,  # noqa: A002
                      margin: float = 1.0, weight: Tensor | None = None,
                      size_average: Any = None, reduce: Any = None,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss: sum_{j != y} w[y] max(0, margin - x[y] + x[j])**p / C."""
    op = "multi_margin_loss"
    if p not in (1, 2):
        raise ValueError(f"{op}: only p == 1 and p == 2 supported, got p={p}")
    reduction = _legacy(size_average, reduce, reduction)
    if input.ndim not in (1, 2):
        raise ValueError(f"{op}: expected input of shape (N, C) or (C,), got "
                         f"{tuple(input.shape)}")
    rows = input if input.ndim == 2 else input.unsqueeze(0)
    m, c = rows.shape
    out_shape = (m,) if input.ndim == 2 else ()
    t, _ = _class_targets(target, out_shape, c, -(10**18), op)
    x_y = rows[np.arange(m), t].unsqueeze(1)  # (M, 1)
    h = (rows - x_y + margin).clamp(min=0.0)
    if p == 2:
        h = h * h
    others = np.ones((m, c), rows._data.dtype)
    others[np.arange(m), t] = 0
    losses = (h * Tensor._wrap(others)).sum(1) * (1.0 / c)
    w = _class_weight(weight, c, rows._data.dtype, op)
    if w is not None:
        losses = losses * Tensor._wrap(w[t])
    return _reduce(losses.reshape(out_shape), reduction, op)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor,
                          margin: float = 0.0, size_average: Any = None, reduce: Any = None,
                          reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) for y = 1, max(0, cos(x1, x2) - margin) for y = -1, with
    cos = sum(x1 x2) / sqrt((sum(x1**2) + 1e-12) (sum(x2**2) + 1e-12)) over the last dim."""
    op = "cosine_embedding_loss"
    if input1.shape != input2.shape or input1.ndim not in (1, 2):
        raise ValueError(f"{op}: expected two inputs of the same shape (N, D) or (D,), got "
                         f"{tuple(input1.shape)} and {tuple(input2.shape)}")
    eps = 1e-12
    prod = (input1 * input2).sum(-1)
    mag = ((input1 * input1).sum(-1) + eps) * ((input2 * input2).sum(-1) + eps)
    cos = prod / mag.sqrt()
    y = target._data if isinstance(target, Tensor) else np.asarray(target)
    loss = _el.where(y == 1, 1 - cos, 0.0) + _el.where(y == -1, (cos - margin).clamp(min=0.0),
                                                       0.0)
    return _reduce(loss, _legacy(size_average, reduce, reduction), op)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,  # noqa: A002
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """x where y = 1, max(0, margin - x) where y = -1."""
    y = target._data if isinstance(target, Tensor) else np.asarray(target)
    loss = _el.where(y != 1, (margin - input).clamp(min=0.0), 0.0) + \
        _el.where(y != -1, input, 0.0)
    return _reduce(loss, _legacy(size_average, reduce, reduction), "hinge_embedding_loss")


def soft_margin_loss(input: Tensor, target: Tensor, size_average: Any = None,  # noqa: A002
                     reduce: Any = None, reduction: str = "mean") -> Tensor:
    """log(1 + exp(-y x)) = softplus(-y x), computed without overflow."""
    x, y = _float_pair(input, target, "soft_margin_loss")
    loss = _lo.softplus_neg(y * x)
    return _reduce(loss, _legacy(size_average, reduce, reduction), "soft_margin_loss")

