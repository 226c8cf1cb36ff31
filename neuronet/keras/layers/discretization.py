"""`Discretization`: numbers -> bin index, by given boundaries or by quantiles learned with
`adapt` (Keras 3's layer)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...tensor import Tensor
from ._preprocessing_arrays import (
    _ArrayLayer,
    _check_string_arg,
    _encoded_shape,
    _to_numpy,
    adapt_batches,
)


class Discretization(_ArrayLayer):
    """Buckets numbers by ranges: the index of the bin each element falls in.

    Formula:
        boundaries b_0 < b_1 < ... < b_{k-1} make k+1 bins (-inf, b_0), [b_0, b_1), ...,
        [b_{k-1}, +inf);  y = #{i : b_i <= x}  (np.searchsorted(b, x, side='right')).
        adapt(data) with num_bins: the approximate quantiles of data at 1/num_bins,
        2/num_bins, ... (Keras's summary of sorted values kept to within epsilon, merged batch
        by batch, then interpolated); inputs and boundaries are compared in float32.

    Args:
        bin_boundaries: the sorted boundaries (then do not call `adapt`).
        num_bins: the number of bins to learn with `adapt` (not with `bin_boundaries`).
        epsilon: the quantile error tolerance of `adapt` (default 0.01).
        output_mode: 'int' (default: int32 bin indices), 'one_hot', 'multi_hot' or 'count'
            (float32 vectors of length len(bin_boundaries) + 1, as CategoryEncoding makes).
        sparse: Keras's flag for sparse outputs; neuronet's outputs are dense, so only False.

    Shape:
        int: any shape -> the same shape. one_hot: (..., n) -> (..., n, bins), (..., 1) ->
        (..., bins). multi_hot / count: (batch, n, ...) -> (batch, ..., bins), (n,) -> (bins,).

    Example:
        >>> import numpy as np
        >>> layer = Discretization(bin_boundaries=[0.0, 1.0, 2.0])
        >>> layer(np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])).numpy()
        array([[0, 2, 3, 1],
               [1, 3, 2, 1]], dtype=int32)
        >>> layer = Discretization(num_bins=4, epsilon=0.01)
        >>> layer.adapt(np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]]))
        >>> [round(b, 4) for b in layer.bin_boundaries]
        [0.0, 0.5, 1.3]
    """

    def __init__(self, bin_boundaries: Any = None, num_bins: int | None = None,
                 epsilon: float = 0.01, output_mode: str = "int", sparse: bool = False,
                 dtype: Any = None, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError("`sparse=True` cannot be used with neuronet: its outputs are dense "
                             "arrays")
        _check_string_arg(output_mode, ("int", "one_hot", "multi_hot", "count"),
                          "Discretization", "output_mode")
        if num_bins is not None and num_bins < 0:
            raise ValueError("`num_bins` must be greater than or equal to 0. "
                             f"Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. Received: "
                             f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        if bin_boundaries is not None:
            bin_boundaries = np.asarray(bin_boundaries, np.float64).reshape(-1).tolist()
        self.bin_boundaries: list[float] | None = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = False
        self.summary = None if self.bin_boundaries else np.array([[], []], dtype="float32")

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn `bin_boundaries` from the quantiles of `data`: an array or Tensor (one batch),
        or an iterable of batches (a list is its batches, as in Keras)."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized "
                             "with `bin_boundaries`, use `num_bins` instead.")
        self.reset_state()
        for batch in adapt_batches(data, steps, (np.ndarray, Tensor)):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        data = _to_numpy(data).astype("float32")
        self.summary = _merge_summaries(_summarize(data, self.epsilon), self.summary,
                                        self.epsilon)

    def finalize_state(self) -> None:
        if self.num_bins is None:
            return
        self.bin_boundaries = _compress_summary(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def reset_state(self) -> None:
        if self.num_bins is None:
            return
        self.summary = np.array([[], []], dtype="float32")

    def call(self, inputs: Any) -> Tensor:
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can start "
                             "using the `Discretization` layer.")
        x = _to_numpy(inputs)
        if x.dtype.kind == "f":  # Keras turns float inputs to float32 before bucketing
            x = x.astype(np.float32)
        elif x.dtype.kind not in "iub":
            raise TypeError(f"{self.name}: expected numbers, received an array of {x.dtype}")
        boundaries = np.asarray(self.bin_boundaries, np.float32)
        ids = np.searchsorted(boundaries, x, side="right").astype(np.int32)
        if self.output_mode == "int":
            return Tensor(ids)
        encoded = self._encode(ids, self.output_mode, len(self.bin_boundaries) + 1)
        return Tensor(encoded.astype(self.dtype, copy=False))

    def _depth(self) -> int | None:
        return len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return _encoded_shape(input_shape, self.output_mode, self._depth())

    def compute_output_dtype(self) -> str:
        return "int32" if self.output_mode == "int" else self.dtype

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("trainable")
        return {**config, "bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode, "sparse": self.sparse}

    @classmethod
    def from_config(cls, config: dict) -> Discretization:
        """An adapted layer's config has both `bin_boundaries` and `num_bins`: the boundaries
        are set after construction (as Keras does)."""
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)


def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """(2, m) summary of values: every step-th sorted value with weight step, step =
    max(n * epsilon, 1) (all values, weight 1, when there are fewer than 1/epsilon)."""
    values = np.sort(np.reshape(values, [-1]))
    step = max(np.size(values) / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def _merge_summaries(prev_summary: np.ndarray, next_summary: np.ndarray,
                     epsilon: float) -> np.ndarray:
    merged = np.concatenate((prev_summary, next_summary), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return _compress_summary(merged, epsilon)


def _compress_summary(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """Re-bin a summary at the cumulative-weight fractions epsilon, 2 epsilon, ..., 1 by linear
    interpolation (unchanged when it has fewer than 1/epsilon columns)."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_weight_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_weight_percents, summary[0])
    cum_weights = np.interp(percents, cum_weight_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")


# --- Hashing ----------------------------------------------------------------------------------
