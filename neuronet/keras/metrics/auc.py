"""`AUC`: area under the ROC or precision-recall curve from confusion counts at
`num_thresholds` evenly spaced thresholds (Keras's approximation).

    thresholds = [-eps, 1/(n-1), 2/(n-1), ..., (n-2)/(n-1), 1 + eps]
    ROC:  x = fp / (fp + tn), y = tp / (tp + fn)
    PR:   x = tp / (tp + fn), y = tp / (tp + fp)
    interpolation: AUC = sum((x[i] - x[i+1]) * (y[i] + y[i+1]) / 2)
                   (for PR, Davis & Goadrich's interpolation, as Keras)
    minoring / majoring: heights min(y[i], y[i+1]) / max(y[i], y[i+1])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..backend import epsilon
from .base import as_array
from .classes import _ConfusionCounts, _divide_no_nan, _Unchecked


class AUC(_Unchecked, _ConfusionCounts):
    """Area under the ROC (default) or PR curve.

    Args:
        num_thresholds: how many thresholds to count at (default 200, at least 2).
        curve: 'ROC' or 'PR'.
        summation_method: 'interpolation', 'minoring' or 'majoring'.
        from_logits: apply a sigmoid to predictions first.
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: str | None = None,
                 dtype: Any = None, thresholds: Any = None, multi_label: bool = False,
                 num_labels: int | None = None, label_weights: Any = None,
                 from_logits: bool = False) -> None:
        if curve not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR', received curve={curve!r}")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"AUC: summation_method must be 'interpolation', 'minoring' or "
                             f"'majoring', received summation_method={summation_method!r}")
        if multi_label:
            raise ValueError("AUC: multi_label=True is not supported by neuronet; use one AUC "
                             "per label with class_id-sliced predictions")
        if thresholds is None:
            if num_thresholds <= 1:
                raise ValueError(f"AUC: num_thresholds must be > 1, received "
                                 f"num_thresholds={num_thresholds}")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        else:
            inner = sorted(float(t) for t in thresholds)
            num_thresholds = len(inner) + 2
        self.num_thresholds, self.curve = num_thresholds, curve
        self.summation_method, self.from_logits = summation_method, bool(from_logits)
        self._given_thresholds = thresholds
        super().__init__([0.0 - epsilon()] + inner + [1.0 + epsilon()], None, None,
                         name or "auc", dtype)
        self.init_thresholds = thresholds

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = as_array(y_pred).astype(np.float64)
        if self.from_logits:
            y_pred = 0.5 * np.tanh(0.5 * y_pred) + 0.5
        super().update_state(y_true, y_pred, sample_weight)

    def result(self) -> float:
        tp, fp = self.true_positives, self.false_positives
        tn, fn = self.true_negatives, self.false_negatives
        n = self.num_thresholds
        if self.curve == "PR" and self.summation_method == "interpolation":
            dtp = tp[: n - 1] - tp[1:]
            p = tp + fp
            dp = p[: n - 1] - p[1:]
            slope = _divide_no_nan(dtp, np.maximum(dp, 0))
            intercept = tp[1:] - slope * p[1:]
            ratio = np.where((p[: n - 1] > 0) & (p[1:] > 0),
                             _divide_no_nan(p[: n - 1], np.maximum(p[1:], 0)), 1.0)
            increments = _divide_no_nan(slope * (dtp + intercept * np.log(ratio)),
                                        np.maximum(tp[1:] + fn[1:], 0))
            return float(increments.sum())
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, _divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[: n - 1], y[1:])
        else:
            heights = np.maximum(y[: n - 1], y[1:])
        return float(((x[: n - 1] - x[1:]) * heights).sum())

    def get_config(self) -> dict:
        return {"num_thresholds": self.num_thresholds, "curve": self.curve,
                "summation_method": self.summation_method, "name": self.name,
                "dtype": self.dtype, "thresholds": self._given_thresholds,
                "from_logits": self.from_logits}
