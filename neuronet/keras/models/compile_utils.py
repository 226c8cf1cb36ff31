"""What `compile` sets up: one loss (and weight) per output, the metrics per output, and
Keras's resolution of 'accuracy' by loss and shapes.

Logged names: 'loss' (the total, regularization included); with several outputs also
'<output>_loss'; metrics as '<metric>' (one output) or '<output>_<metric>'.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations
from .. import losses as losses_module
from .. import metrics as metrics_module
from ..losses import CategoricalCrossentropy, Loss, SparseCategoricalCrossentropy


def per_output(spec: Any, names: list[str], what: str) -> list:
    """A compile argument as one entry per output (a single value is shared by all)."""
    if isinstance(spec, dict):
        unknown = set(spec) - set(names)
        if unknown:
            raise ValueError(f"compile: {what} names unknown output(s) {sorted(unknown)}; the "
                             f"model's outputs are {names}")
        return [spec.get(name) for name in names]
    if isinstance(spec, list | tuple) and len(names) > 1:
        if len(spec) != len(names):
            raise ValueError(f"compile: {what} has {len(spec)} entries but the model has "
                             f"{len(names)} outputs {names}")
        return list(spec)
    return [spec] * len(names)


def resolve_accuracy(name: str, loss: Any, y_true: np.ndarray, y_pred: np.ndarray) -> Any:
    """'accuracy' -> binary / sparse categorical / categorical accuracy (Keras's rule)."""
    metric_cls: type
    if isinstance(loss, losses_module.BinaryCrossentropy) or y_pred.shape[-1:] == (1,):
        metric_cls = metrics_module.BinaryAccuracy
    elif isinstance(loss, SparseCategoricalCrossentropy) or y_true.ndim < y_pred.ndim or (
            y_true.shape[-1:] == (1,) and y_pred.shape[-1] > 1):
        metric_cls = metrics_module.SparseCategoricalAccuracy
    else:
        metric_cls = metrics_module.CategoricalAccuracy
    return metric_cls(name=name)


class CompiledLossAndMetrics:
    """Losses, loss weights and metrics for each output, plus the running trackers."""

    def __init__(self, loss: Any, loss_weights: Any, metrics: Any, weighted_metrics: Any,
                 output_names: list[str]) -> None:
        self.output_names = list(output_names)
        self.losses: list[Loss | None] = [losses_module.get(spec) for spec in
                                          per_output(loss, self.output_names, "loss")]
        if all(item is None for item in self.losses):
            raise ValueError("compile: a loss is required for training (loss=None)")
        weights = per_output(1.0 if loss_weights is None else loss_weights, self.output_names,
                             "loss_weights")
        self.loss_weights = [1.0 if w is None else float(w) for w in weights]
        self._metric_specs = self._metric_lists(metrics, "metrics")
        self._weighted_specs = self._metric_lists(weighted_metrics, "weighted_metrics")
        self.metrics: list[list] | None = None  # built on the first batch
        self.loss_tracker = metrics_module.Mean(name="loss")
        self.output_loss_trackers = [metrics_module.Mean(name=f"{n}_loss")
                                     for n in self.output_names]

    def _metric_lists(self, spec: Any, what: str) -> list[list]:
        if spec is None:
            return [[] for _ in self.output_names]
        if isinstance(spec, dict):
            entries = per_output(spec, self.output_names, what)
            return [[] if e is None else list(e) if isinstance(e, list | tuple) else [e]
                    for e in entries]
        spec = list(spec) if isinstance(spec, list | tuple) else [spec]
        if len(self.output_names) > 1 and spec and all(isinstance(s, list | tuple | type(None))
                                                       for s in spec):
            return [list(s or []) for s in per_output(spec, self.output_names, what)]
        return [list(spec) for _ in self.output_names]

    def build_metrics(self, y_true: list, y_pred: list) -> None:
        self.metrics = []
        for i, name in enumerate(self.output_names):
            built = []
            for spec, weighted in [(s, False) for s in self._metric_specs[i]] + [
                    (s, True) for s in self._weighted_specs[i]]:
                if spec in ("accuracy", "acc"):
                    metric = resolve_accuracy(spec, self.losses[i], y_true[i], y_pred[i])
                elif isinstance(spec, str) or not isinstance(spec, metrics_module.Metric):
                    metric = metrics_module.get(spec)
                else:
                    metric = spec
                if len(self.output_names) > 1 and not metric.name.startswith(name + "_"):
                    metric.display_name = f"{name}_{metric.name}"
                else:
                    metric.display_name = metric.name
                metric.weighted = weighted
                built.append(metric)
            self.metrics.append(built)

    def all_metrics(self) -> list:
        trackers = [self.loss_tracker]
        if len(self.output_names) > 1:
            trackers += [t for t, loss in zip(self.output_loss_trackers, self.losses)
                         if loss is not None]
        return trackers + [m for group in (self.metrics or []) for m in group]

    def reset(self) -> None:
        for metric in self.all_metrics():
            metric.reset_state()

    def results(self) -> dict[str, float]:
        logs = {}
        for metric in self.all_metrics():
            logs[getattr(metric, "display_name", metric.name)] = _to_float(metric.result())
        return logs

    def metric_names(self) -> list[str]:
        return [getattr(m, "display_name", m.name) for m in self.all_metrics()]

    def fusable(self, final_layer: Any) -> bool:
        """True when the output is softmax(...) and the loss categorical cross-entropy on
        probabilities: then the loss is computed from the logits (stable and faster)."""
        if len(self.losses) != 1 or final_layer is None:
            return False
        loss = self.losses[0]
        if not isinstance(loss, CategoricalCrossentropy | SparseCategoricalCrossentropy):
            return False
        if loss.from_logits or loss.axis != -1 or loss.reduction != "sum_over_batch_size":
            return False
        return getattr(final_layer, "activation", None) is activations.softmax


def _to_float(value: Any) -> Any:
    if isinstance(value, list):
        return [float(v) for v in value]
    return float(value)
