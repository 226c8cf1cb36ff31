"""Losses and metrics against Keras's documented formulas computed here in NumPy."""

import numpy as np
import pytest

from neuronet import keras

EPS = 1e-7
rng = np.random.default_rng(0)
Y_PROB = rng.dirichlet(np.ones(4), size=6).astype("float32")
Y_ONEHOT = np.eye(4, dtype="float32")[[0, 1, 2, 3, 1, 0]]
Y_REG_TRUE = rng.normal(size=(6, 3)).astype("float32")
Y_REG_PRED = rng.normal(size=(6, 3)).astype("float32")


def value(loss, *args, **kwargs):
    return float(loss(*args, **kwargs).detach().numpy())


@pytest.mark.parametrize("name, expected", [
    ("mse", ((Y_REG_PRED - Y_REG_TRUE) ** 2).mean()),
    ("mae", np.abs(Y_REG_PRED - Y_REG_TRUE).mean()),
    ("huber", np.where(np.abs(Y_REG_PRED - Y_REG_TRUE) <= 1,
                       0.5 * (Y_REG_PRED - Y_REG_TRUE) ** 2,
                       np.abs(Y_REG_PRED - Y_REG_TRUE) - 0.5).mean()),
    ("log_cosh", np.log(np.cosh(Y_REG_PRED - Y_REG_TRUE)).mean()),
    ("mape", 100 * (np.abs(Y_REG_TRUE - Y_REG_PRED) / np.abs(Y_REG_TRUE)).mean()),
])
def test_regression_losses(name, expected):
    assert value(keras.losses.get(name), Y_REG_TRUE, Y_REG_PRED) == pytest.approx(expected,
                                                                                   rel=1e-5)


def test_crossentropies_on_probabilities_and_logits():
    p = np.clip(Y_PROB, EPS, 1 - EPS)
    cce = -(Y_ONEHOT * np.log(p)).sum(-1).mean()
    assert value(keras.losses.CategoricalCrossentropy(), Y_ONEHOT, Y_PROB) == pytest.approx(cce)
    labels = Y_ONEHOT.argmax(-1)
    assert value(keras.losses.SparseCategoricalCrossentropy(), labels, Y_PROB) == \
        pytest.approx(cce)
    logits = rng.normal(size=(6, 4)).astype("float32") * 3
    log_p = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    expected = -(Y_ONEHOT * log_p).sum(-1).mean()
    assert value(keras.losses.CategoricalCrossentropy(from_logits=True), Y_ONEHOT, logits) == \
        pytest.approx(expected, rel=1e-5)
    assert value(keras.losses.SparseCategoricalCrossentropy(from_logits=True), labels, logits) \
        == pytest.approx(expected, rel=1e-5)
    smooth = Y_ONEHOT * 0.9 + 0.1 / 4
    assert value(keras.losses.CategoricalCrossentropy(label_smoothing=0.1), Y_ONEHOT, Y_PROB) \
        == pytest.approx(-(smooth * np.log(p)).sum(-1).mean(), rel=1e-5)


def test_binary_crossentropy_clips_like_keras():
    y = np.array([[1.0], [0.0], [1.0], [0.0]], "float32")
    pred = np.array([[1.0], [0.0], [0.3], [0.8]], "float32")  # 1.0 and 0.0 get clipped
    p = np.clip(pred, EPS, 1 - EPS)
    expected = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()
    assert value(keras.losses.BinaryCrossentropy(), y, pred) == pytest.approx(expected, rel=1e-4)
    z = np.array([[50.0], [-3.0], [0.5], [-100.0]], "float32")
    stable = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    assert value(keras.losses.BinaryCrossentropy(from_logits=True), y, z) == pytest.approx(
        stable.mean(), rel=1e-5)
    smoothed = y * 0.8 + 0.1
    assert value(keras.losses.BinaryCrossentropy(label_smoothing=0.2), y, pred) == \
        pytest.approx(-(smoothed * np.log(p) + (1 - smoothed) * np.log(1 - p)).mean(), rel=1e-4)


def test_kl_divergence_and_hinge():
    q = rng.dirichlet(np.ones(4), size=6).astype("float32")
    expected = (np.clip(Y_PROB, EPS, 1) * np.log(np.clip(Y_PROB, EPS, 1) / np.clip(q, EPS, 1))
                ).sum(-1).mean()
    assert value(keras.losses.get("kl_divergence"), Y_PROB, q) == pytest.approx(expected,
                                                                                 rel=1e-5)
    y = np.array([[0.0, 1.0], [1.0, 0.0]], "float32")
    pred = np.array([[0.3, -0.2], [2.0, 0.5]], "float32")
    signed = 2 * y - 1
    assert value(keras.losses.Hinge(), y, pred) == pytest.approx(
        np.maximum(1 - signed * pred, 0).mean())


def test_sample_weight_and_reductions():
    loss = keras.losses.MeanSquaredError()
    w = np.array([1, 0, 2, 0, 1, 1], "float32")
    per_sample = ((Y_REG_PRED - Y_REG_TRUE) ** 2).mean(-1)
    assert value(loss, Y_REG_TRUE, Y_REG_PRED, sample_weight=w) == pytest.approx(
        (per_sample * w).sum() / 6, rel=1e-5)
    total = keras.losses.MeanSquaredError(reduction="sum")
    assert value(total, Y_REG_TRUE, Y_REG_PRED) == pytest.approx(per_sample.sum(), rel=1e-5)
    with pytest.raises(ValueError, match="reduction='avg'"):
        keras.losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match="Could not interpret loss identifier: 'msee'"):
        keras.losses.get("msee")


def test_loss_gradient_flows():
    import neuronet as nt

    pred = nt.tensor(Y_PROB, requires_grad=True)
    keras.losses.CategoricalCrossentropy()(Y_ONEHOT, pred).backward()
    assert pred.grad is not None and pred.grad.dtype == nt.float32


def test_accuracy_metrics():
    acc = keras.metrics.CategoricalAccuracy()
    acc.update_state(Y_ONEHOT, Y_PROB)
    assert acc.result() == pytest.approx((Y_ONEHOT.argmax(-1) == Y_PROB.argmax(-1)).mean())
    sparse = keras.metrics.SparseCategoricalAccuracy()
    sparse.update_state(Y_ONEHOT.argmax(-1)[:, None], Y_PROB, sample_weight=[1, 1, 0, 0, 0, 0])
    assert sparse.result() == pytest.approx((Y_ONEHOT.argmax(-1) == Y_PROB.argmax(-1))[:2].mean())
    binary = keras.metrics.BinaryAccuracy()
    binary.update_state([[1], [0], [1]], [[0.7], [0.6], [0.2]])
    assert binary.result() == pytest.approx(1 / 3)
    top2 = keras.metrics.TopKCategoricalAccuracy(k=2)
    top2.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.5, 0.4], [0.2, 0.1, 0.7]])
    assert top2.result() == pytest.approx(0.5)
    acc.reset_state()
    assert acc.result() == 0.0


def test_regression_metrics_accumulate_over_batches():
    mae = keras.metrics.get("mae")
    mae.update_state(Y_REG_TRUE[:3], Y_REG_PRED[:3])
    mae.update_state(Y_REG_TRUE[3:], Y_REG_PRED[3:])
    assert mae.name == "mae"
    assert mae.result() == pytest.approx(np.abs(Y_REG_TRUE - Y_REG_PRED).mean(), rel=1e-6)
    rmse = keras.metrics.RootMeanSquaredError()
    rmse.update_state(Y_REG_TRUE, Y_REG_PRED)
    assert rmse.result() == pytest.approx(np.sqrt(((Y_REG_TRUE - Y_REG_PRED) ** 2).mean()),
                                           rel=1e-6)


def test_precision_recall():
    y = np.array([1, 0, 1, 1, 0, 0, 1])
    pred = np.array([0.9, 0.8, 0.4, 0.6, 0.2, 0.51, 0.7])
    precision, recall = keras.metrics.Precision(), keras.metrics.Recall()
    precision.update_state(y, pred)
    recall.update_state(y, pred)
    hits = pred > 0.5
    tp = (hits & (y == 1)).sum()
    assert precision.result() == pytest.approx(tp / hits.sum())
    assert recall.result() == pytest.approx(tp / (y == 1).sum())
    several = keras.metrics.Precision(thresholds=[0.3, 0.75])
    several.update_state(y, pred)
    assert several.result() == pytest.approx([4 / 6, 1 / 2])


def test_auc_against_exact_roc_area():
    y = rng.integers(0, 2, 400)
    scores = np.clip(y * 0.3 + rng.random(400) * 0.7, 0, 1)
    auc = keras.metrics.AUC(num_thresholds=1000)
    auc.update_state(y, scores)
    pos, neg = scores[y == 1], scores[y == 0]
    exact = ((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())
    assert auc.result() == pytest.approx(exact, abs=2e-3)
    # Keras's 200-threshold approximation, recomputed from its formula
    thresholds = np.array([-EPS] + [(i + 1) / 199 for i in range(198)] + [1 + EPS])
    above = scores[None, :] > thresholds[:, None]
    tp, fp = (above & (y == 1)).sum(1), (above & (y == 0)).sum(1)
    fn, tn = (~above & (y == 1)).sum(1), (~above & (y == 0)).sum(1)
    tpr, fpr = tp / (tp + fn), fp / (fp + tn)
    expected = ((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2).sum()
    default = keras.metrics.AUC()
    default.update_state(y, scores)
    assert default.result() == pytest.approx(expected, rel=1e-9)


def test_unknown_metric_lists_valid_names():
    with pytest.raises(ValueError, match="Valid names are: .*accuracy"):
        keras.metrics.get("acuracy")
