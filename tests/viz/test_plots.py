"""neuronet.viz.plots: the confusion matrix counts and the figures."""

import io

import numpy as np
import pytest

pytest.importorskip("matplotlib")
import matplotlib.image  # noqa: E402

from neuronet.viz import plots  # noqa: E402


def _decode(png: bytes) -> np.ndarray:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return matplotlib.image.imread(io.BytesIO(png), format="png")


def test_confusion_matrix_matches_a_loop():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    expected = np.zeros((4, 4), np.int64)
    for t, p in zip(y_true, y_pred):
        expected[t, p] += 1
    got = plots.confusion_matrix(y_true, y_pred)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected)
    assert got.sum() == 200


def test_confusion_matrix_num_classes_pads_and_validates():
    got = plots.confusion_matrix([0, 1], [1, 1], num_classes=3)
    np.testing.assert_array_equal(got, [[0, 1, 0], [0, 1, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match="labels go up to 3 but num_classes=2"):
        plots.confusion_matrix([0, 3], [0, 1], num_classes=2)
    with pytest.raises(ValueError, match="same length"):
        plots.confusion_matrix([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match="non-negative integer"):
        plots.confusion_matrix([0.5, 1.0], [0, 1])


def test_plot_history_one_panel_per_quantity_with_validation_lines():
    history = {"loss": [1.0, 0.6, 0.4], "accuracy": [0.5, 0.7, 0.8],
               "val_loss": [1.1, 0.8, 0.7], "val_accuracy": [0.45, 0.6, 0.7]}
    fig = plots.plot_history(history)
    axes = fig.get_axes()
    assert [ax.get_title() for ax in axes] == ["loss", "accuracy"]
    loss_lines = axes[0].get_lines()
    assert [line.get_label() for line in loss_lines] == ["train", "validation"]
    np.testing.assert_allclose(loss_lines[1].get_ydata(), history["val_loss"])
    np.testing.assert_array_equal(loss_lines[0].get_xdata(), [1, 2, 3])
    image = _decode(plots.to_png(fig))
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 300


def test_plot_history_accepts_a_history_object_and_rejects_ragged_series():
    class History:
        history = {"loss": [0.3, 0.2]}

    assert len(plots.plot_history(History()).get_axes()) == 1
    with pytest.raises(ValueError, match="one value per epoch"):
        plots.plot_history({"loss": [1.0, 0.5], "val_loss": [1.0]})
    with pytest.raises(ValueError, match="non-empty dict"):
        plots.plot_history({})


def test_plot_confusion_matrix_writes_counts_and_class_names():
    matrix = np.array([[5, 1], [2, 7]])
    fig = plots.plot_confusion_matrix(matrix, ["cat", "dog"])
    ax = fig.get_axes()[0]
    assert sorted(t.get_text() for t in ax.texts) == ["1", "2", "5", "7"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog"]
    with pytest.raises(ValueError, match="3 class names for a 2x2 matrix"):
        plots.plot_confusion_matrix(matrix, ["a", "b", "c"])
    with pytest.raises(ValueError, match="square"):
        plots.plot_confusion_matrix(np.zeros((2, 3)))


def test_plot_misclassified_shows_only_the_mistakes_with_labels():
    rng = np.random.default_rng(1)
    images = rng.random((6, 16))  # flat 4x4 images
    y_true = np.array([0, 1, 2, 0, 1, 2])
    y_pred = np.array([0, 2, 2, 1, 1, 0])
    probabilities = np.full((6, 3), 1 / 3)
    fig = plots.plot_misclassified(images, y_true, y_pred, ["a", "b", "c"], probabilities)
    shown = [ax for ax in fig.get_axes() if ax.images]
    assert len(shown) == 3
    assert shown[0].get_title() == "true: b\npred: c (0.33)"
    assert shown[2].get_title() == "true: c\npred: a (0.33)"
    np.testing.assert_allclose(shown[0].images[0].get_array(), images[1].reshape(4, 4))


def test_plot_misclassified_with_no_mistakes_and_bad_shapes():
    fig = plots.plot_misclassified(np.zeros((2, 3, 3, 1)), [0, 1], [0, 1])
    assert "no misclassified images" in fig.get_axes()[0].texts[0].get_text()
    with pytest.raises(ValueError, match="not square"):
        plots.plot_misclassified(np.zeros((2, 10)), [0, 1], [1, 0])
    with pytest.raises(ValueError, match="2 images, 3 true labels"):
        plots.plot_misclassified(np.zeros((2, 3, 3)), [0, 1, 1], [1, 0])


def test_plot_gradient_norms_log_scale_one_line_per_layer():
    norms = {"dense/kernel": [1e-3, 1e-4, 0.0], "dense_1/kernel": [0.5, 0.4, 0.3]}
    fig = plots.plot_gradient_norms([10, 20, 30], norms)
    ax = fig.get_axes()[0]
    assert ax.get_yscale() == "log"
    assert [line.get_label() for line in ax.get_lines()] == list(norms)
    assert np.isnan(ax.get_lines()[0].get_ydata()[2])  # a zero norm cannot sit on a log axis
    with pytest.raises(ValueError, match="has 2 norms for 3 steps"):
        plots.plot_gradient_norms([1, 2, 3], {"a": [1.0, 2.0]})


def test_save_png_writes_the_same_bytes(tmp_path):
    fig = plots.plot_history({"loss": [1.0, 0.5]})
    data = plots.save_png(fig, tmp_path / "curves.png")
    assert (tmp_path / "curves.png").read_bytes() == data
    _decode(data)
