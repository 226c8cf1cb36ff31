"""`keras.metrics`: stateful metric classes and per-sample metric functions.

`get` resolves Keras's names; 'accuracy'/'acc' is resolved later, by `compile`, from the loss
and the output shape (binary, categorical or sparse categorical accuracy), as Keras does.
"""

from __future__ import annotations

from typing import Any

from .._registry import check_callable, lookup
from .auc import AUC
from .base import Mean, MeanMetricWrapper, Metric, Sum
from .classes import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    MeanAbsoluteError,
    MeanSquaredError,
    Precision,
    Recall,
    RootMeanSquaredError,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
)
from .functions import (
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)

mae = mean_absolute_error
mse = mean_squared_error

ALL_METRICS: dict[str, type] = {
    "accuracy": Accuracy, "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "root_mean_squared_error": RootMeanSquaredError, "precision": Precision,
    "recall": Recall, "auc": AUC,
}
ALL_METRICS.update({cls.__name__: cls for cls in list(ALL_METRICS.values())})
_FUNCTIONS = {accuracy: "accuracy", binary_accuracy: "binary_accuracy",
              categorical_accuracy: "categorical_accuracy",
              sparse_categorical_accuracy: "sparse_categorical_accuracy",
              top_k_categorical_accuracy: "top_k_categorical_accuracy",
              sparse_top_k_categorical_accuracy: "sparse_top_k_categorical_accuracy",
              mean_absolute_error: "mean_absolute_error",
              mean_squared_error: "mean_squared_error"}


def get(identifier: Any) -> Metric:
    """A Metric from a name ('mae', 'Precision'), an instance, a class, a config dict or a
    per-sample function `(y_true, y_pred) -> values` (NumPy arrays)."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        metric = lookup("metric", identifier, ALL_METRICS)()
        if identifier in ("mae", "mse"):
            metric.name = identifier
        return metric
    if isinstance(identifier, dict):
        from ..saving.serialization import deserialize_keras_object

        return deserialize_keras_object(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    func = check_callable("metric", identifier)
    if func in _FUNCTIONS:
        return ALL_METRICS[_FUNCTIONS[func]]()
    return MeanMetricWrapper(func)


def serialize(metric: Metric) -> Any:
    from ..saving.serialization import serialize_keras_object

    return serialize_keras_object(metric)


__all__ = [
    "AUC", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "Mean", "MeanAbsoluteError",
    "MeanMetricWrapper", "MeanSquaredError", "Metric", "Precision", "Recall",
    "RootMeanSquaredError", "SparseCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "Sum",
    "TopKCategoricalAccuracy", "accuracy", "binary_accuracy", "categorical_accuracy", "get",
    "mae", "mean_absolute_error", "mean_squared_error", "mse", "sparse_categorical_accuracy",
    "sparse_top_k_categorical_accuracy", "top_k_categorical_accuracy",
]
