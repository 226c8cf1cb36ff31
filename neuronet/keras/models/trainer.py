"""`Trainer`: compile, fit, evaluate, predict and the *_on_batch methods of `Model`.

The one training loop (`_train_step` inside `fit`) reads top to bottom:
    batch begin -> forward -> loss -> zero grads -> backward -> clip -> step -> metrics
    -> batch end -> stop check
When the model ends in softmax and the loss is categorical cross-entropy on probabilities,
the forward stops at the logits and the loss is computed from them (log-softmax inside the
loss): the same value without the clipping and the extra softmax backward.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Any

import numpy as np

from ...autograd import no_grad
from ...tensor import Tensor
from .. import distribution, optimizers
from .. import losses as losses_module
from ..backend import to_tensor
from ..callbacks.callback import CallbackList
from ..callbacks.history import History
from ..callbacks.progbar import ProgbarLogger
from ..layers.symbolic import flatten
from . import data_adapter as da
from .compile_utils import CompiledLossAndMetrics


class Trainer:
    """Mixin giving `Model` Keras's training API."""

    def __init__(self) -> None:
        self.optimizer: Any = None
        self.compiled = False
        self.stop_training = False
        self.history: History | None = None
        self._compiled: CompiledLossAndMetrics | None = None
        self._compile_config: dict | None = None

    # --- compile --------------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None,
                metrics: Any = None, weighted_metrics: Any = None, run_eagerly: bool = False,
                steps_per_execution: int = 1, jit_compile: Any = "auto",
                auto_scale_loss: bool = True) -> None:
        """Set the optimizer, loss(es) and metrics (Keras names, classes or instances)."""
        self.optimizer = optimizers.get(optimizer)
        self._compile_args = dict(loss=loss, loss_weights=loss_weights, metrics=metrics,
                                  weighted_metrics=weighted_metrics)
        self._compiled = None
        if loss is not None:
            self._compiled = CompiledLossAndMetrics(loss, loss_weights, metrics,
                                                    weighted_metrics, self._output_names())
        self.compiled = True
        self._compile_config = {"optimizer": optimizer if isinstance(optimizer, str) else None,
                                "loss": loss, "loss_weights": loss_weights,
                                "metrics": metrics, "weighted_metrics": weighted_metrics}

    def _output_names(self) -> list[str]:
        try:
            return self.output_names
        except Exception:  # a subclassed model: one output
            return ["output"]

    def _require_compiled(self, what: str) -> CompiledLossAndMetrics:
        if not self.compiled or self._compiled is None:
            raise RuntimeError(f"You must call compile() with a loss before using {what}()")
        return self._compiled

    @property
    def metrics_names(self) -> list[str]:
        return self._compiled.metric_names() if self._compiled is not None else []

    @property
    def metrics(self) -> list:
        return self._compiled.all_metrics() if self._compiled is not None else []

    def reset_metrics(self) -> None:
        if self._compiled is not None:
            self._compiled.reset()

    # --- one step of each kind ------------------------------------------------------------
    @contextmanager
    def _logits_mode(self, fused: bool) -> Any:
        layer = self._final_layer() if fused else None
        if layer is not None:
            layer._emit_logits = True
        try:
            yield
        finally:
            if layer is not None:
                layer._emit_logits = False

    def _forward_and_loss(self, x: Any, y: Any, sample_weight: Any, training: bool
                          ) -> tuple[Tensor, list, list]:
        """forward -> loss; returns (total loss, per-output losses, predictions as arrays)."""
        compiled = self._compiled
        fused = compiled.fusable(self._final_layer())
        self._clear_call_losses()
        with self._logits_mode(fused):
            outputs = self(x, training=training)
        outputs = self._flat_outputs(outputs)
        targets = self._flat_targets(y)
        total, per_output, predictions = None, [], []
        for i, (loss, out, target) in enumerate(zip(compiled.losses, outputs, targets)):
            if fused:
                fn = (losses_module.categorical_crossentropy
                      if isinstance(loss, losses_module.CategoricalCrossentropy)
                      else losses_module.sparse_categorical_crossentropy)
                kwargs = {"label_smoothing": loss.label_smoothing} if hasattr(
                    loss, "label_smoothing") else {"ignore_class": loss.ignore_class}
                values = fn(target, out, from_logits=True, **kwargs)
                value = losses_module.reduce_values(values, sample_weight)
                predictions.append(_softmax(out._data))
            else:
                value = loss(target, out, sample_weight) if loss is not None else None
                predictions.append(out._data)
            per_output.append(value)
            if value is not None:
                term = value * compiled.loss_weights[i] if compiled.loss_weights[i] != 1 else value
                total = term if total is None else total + term
        for penalty in self.losses:
            total = total + penalty
        return total, per_output, predictions

    def _update_metrics(self, y: Any, per_output: list, predictions: list,
                        total: Tensor, sample_weight: Any, batch_size: int) -> dict:
        compiled = self._compiled
        targets = [da._array(t) for t in self._flat_targets(y)]
        if compiled.metrics is None:
            compiled.build_metrics(targets, predictions)
        compiled.loss_tracker.update_state(float(total._data), sample_weight=batch_size)
        for tracker, value in zip(compiled.output_loss_trackers, per_output):
            if value is not None:
                tracker.update_state(float(value._data), sample_weight=batch_size)
        for group, target, pred in zip(compiled.metrics, targets, predictions):
            for metric in group:
                metric.update_state(target, pred, sample_weight if metric.weighted else None)
        return compiled.results()

    def _train_step(self, x: Any, y: Any, sample_weight: Any) -> dict:
        total, per_output, predictions = self._forward_and_loss(x, y, sample_weight, True)
        variables = self.trainable_weights  # after the forward: subclassed models build in it
        for variable in variables:  # zero grads
            variable.grad = None
        total.backward()
        distribution.average_gradients(self, variables)  # no-op unless data-parallel
        grads = self.optimizer.clip_gradients([v.grad for v in variables])
        self.optimizer.step(grads, variables)
        return self._update_metrics(y, per_output, predictions, total, sample_weight,
                                    _batch_size(x))

    def _test_step(self, x: Any, y: Any, sample_weight: Any) -> dict:
        with no_grad():
            total, per_output, predictions = self._forward_and_loss(x, y, sample_weight, False)
        return self._update_metrics(y, per_output, predictions, total, sample_weight,
                                    _batch_size(x))

    def _predict_step(self, x: Any) -> list[np.ndarray]:
        with no_grad():
            return [o._data for o in self._flat_outputs(self(x, training=False))]

    # --- structure helpers ----------------------------------------------------------------
    def _flat_outputs(self, outputs: Any) -> list:
        if isinstance(outputs, dict):
            return [outputs[name] for name in self._output_names()]
        return flatten(outputs)

    def _flat_targets(self, y: Any) -> list:
        names = self._output_names()
        if isinstance(y, dict):
            return [y.get(name) for name in names]
        if isinstance(y, list | tuple) and len(names) > 1:
            return list(y)
        return [y]

    def _final_layer(self) -> Any:
        return None

    # --- fit ------------------------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: list | None = None,
            validation_split: float = 0.0, validation_data: Any = None, shuffle: bool = True,
            class_weight: dict | None = None, sample_weight: Any = None,
            initial_epoch: int = 0, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, validation_batch_size: int | None = None,
            validation_freq: int = 1) -> History:
        """Train for `epochs` epochs; returns the `History` of the epoch logs."""
        self._require_compiled("fit")
        batch_size = _check_batch_size(batch_size)
        callbacks, verbose = distribution.rank_zero_callbacks(callbacks, verbose)
        val = None
        if da.is_array_data(x):
            if validation_split and validation_data is None:
                (x, y, sample_weight), val = da.split_validation(x, y, sample_weight,
                                                                 validation_split)
            if class_weight is not None:
                weights = da.class_weights_to_sample_weights(da._array(y), class_weight)
                sample_weight = weights if sample_weight is None else weights * np.asarray(
                    sample_weight, np.float32)
            x, y, sample_weight, batch_size = distribution.shard_fit_arrays(
                x, y, sample_weight, batch_size)
            batches: Any = da.ArrayBatches(x, y, sample_weight, batch_size, shuffle,
                                           steps_per_epoch)
        else:
            if validation_split:
                raise ValueError("fit: validation_split is only supported for array inputs")
            batches = da.IterableBatches(x, steps_per_epoch)
        if validation_data is not None:
            val = da.unpack(tuple(validation_data)) if isinstance(
                validation_data, tuple | list) else validation_data
        verbose = 1 if verbose == "auto" else int(verbose)
        history = History()
        cbs = self._callback_list(callbacks, history, verbose, epochs, len(batches) or None)
        self.stop_training = False
        self._initial_epoch = None
        distribution.sync_weights(self)
        cbs.on_train_begin()
        epoch_logs: dict = {}
        start = self._initial_epoch if self._initial_epoch is not None else initial_epoch
        for epoch in range(start, epochs):
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            logs: dict = {}
            for step, (xb, yb, swb) in enumerate(batches):
                cbs.on_train_batch_begin(step)
                logs = self._train_step(xb, yb, swb)
                cbs.on_train_batch_end(step, dict(logs))
                if self.stop_training:
                    break
            epoch_logs = distribution.average_logs(dict(logs))
            if val is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self._evaluate(val, validation_batch_size or batch_size,
                                          validation_steps, cbs)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        cbs.on_train_end(epoch_logs)
        return history

    def _callback_list(self, callbacks: list | None, history: History | None, verbose: int,
                       epochs: int, steps: int | None) -> CallbackList:
        items = list(callbacks or [])
        if verbose and not any(isinstance(c, ProgbarLogger) for c in items):
            items.insert(0, ProgbarLogger())
        if history is not None:
            items.append(history)
        return CallbackList(items, model=self, epochs=epochs, steps=steps, verbose=verbose)

    # --- evaluate / predict ---------------------------------------------------------------
    def _evaluate(self, data: Any, batch_size: int, steps: int | None,
                  cbs: CallbackList) -> dict:
        if isinstance(data, tuple) and len(data) == 3:
            batches: Any = da.ArrayBatches(*data, batch_size=batch_size, steps=steps) if (
                da.is_array_data(data[0])) else da.IterableBatches([data], steps)
        else:
            batches = da.IterableBatches(data, steps)
        self.reset_metrics()
        cbs.on_test_begin()
        logs: dict = {}
        for step, (xb, yb, swb) in enumerate(batches):
            cbs.on_test_batch_begin(step)
            logs = self._test_step(xb, yb, swb)
            cbs.on_test_batch_end(step, dict(logs))
        cbs.on_test_end(logs)
        return logs

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: Any = "auto", sample_weight: Any = None, steps: int | None = None,
                 callbacks: list | None = None, return_dict: bool = False) -> Any:
        """Loss and metrics on the data: a float (no metrics), a list in `metrics_names`
        order, or a dict with return_dict=True."""
        self._require_compiled("evaluate")
        batch_size = _check_batch_size(batch_size)
        data = (x, y, sample_weight) if da.is_array_data(x) else x
        verbose = 1 if verbose == "auto" else int(verbose)
        cbs = CallbackList(list(callbacks or []) + ([ProgbarLogger()] if verbose else []),
                           model=self, verbose=verbose, evaluating=True,
                           test_steps=math.ceil(da.num_samples(da.to_arrays(x), "evaluate")
                                                / batch_size) if da.is_array_data(x) else None)
        logs = self._evaluate(data, batch_size, steps, cbs)
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto",
                steps: int | None = None, callbacks: list | None = None) -> Any:
        """Outputs for every sample as NumPy arrays (structured like the model's outputs)."""
        batch_size = _check_batch_size(batch_size)
        if da.is_array_data(x):
            batches: Any = da.ArrayBatches(x, None, None, batch_size, False, steps)
        else:
            batches = da.IterableBatches(x, steps)
        cbs = CallbackList(list(callbacks or []), model=self)
        cbs.on_predict_begin()
        chunks: list[list[np.ndarray]] = []
        for step, (xb, _, _) in enumerate(batches):
            cbs.on_predict_batch_begin(step)
            chunks.append(self._predict_step(xb))
            cbs.on_predict_batch_end(step, {"outputs": chunks[-1]})
        cbs.on_predict_end()
        if not chunks:
            raise ValueError("predict: no data was given (an empty input)")
        outputs = [np.concatenate(parts) for parts in zip(*chunks)]
        return self._structure_outputs(outputs)

    def _structure_outputs(self, outputs: list) -> Any:
        struct = getattr(self, "_outputs_struct", None)
        if isinstance(struct, dict):
            return dict(zip(self._output_names(), outputs))
        if isinstance(struct, list) or len(outputs) > 1:
            return outputs
        return outputs[0]

    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: dict | None = None, return_dict: bool = False) -> Any:
        """One optimizer step on one batch; returns that batch's loss (and metrics)."""
        self._require_compiled("train_on_batch")
        self.reset_metrics()
        x, y = da.to_arrays(x), da.to_arrays(y)
        if class_weight is not None:
            sample_weight = da.class_weights_to_sample_weights(y, class_weight)
        logs = self._train_step(x, y, da.to_arrays(sample_weight))
        return self._logs_out(logs, return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                      return_dict: bool = False) -> Any:
        self._require_compiled("test_on_batch")
        self.reset_metrics()
        logs = self._test_step(da.to_arrays(x), da.to_arrays(y), da.to_arrays(sample_weight))
        return self._logs_out(logs, return_dict)

    def predict_on_batch(self, x: Any) -> Any:
        return self._structure_outputs(self._predict_step(da.to_arrays(x)))

    def _logs_out(self, logs: dict, return_dict: bool) -> Any:
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values


def _check_batch_size(batch_size: Any) -> int:
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, received "
                         f"batch_size={batch_size!r}")
    return batch_size


def _batch_size(x: Any) -> int:
    first = flatten(x)[0]
    return int(first.shape[0]) if hasattr(first, "shape") and len(first.shape) else 1


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


__all__ = ["Trainer", "to_tensor"]
