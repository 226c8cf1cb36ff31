"""neuronet.viz.report: the self-contained report.html."""

import base64
import io
import re

import numpy as np
import pytest

pytest.importorskip("matplotlib")
import matplotlib.image  # noqa: E402

from neuronet.viz import render_report, write_report  # noqa: E402
from neuronet.viz.report import FIGURE_FILES  # noqa: E402

HISTORY = {"loss": [0.9, 0.6], "accuracy": [0.6, 0.75],
           "val_loss": [1.0, 0.7], "val_accuracy": [0.55, 0.7]}


def _embedded_pngs(html: str) -> list[np.ndarray]:
    images = []
    for encoded in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html):
        png = base64.b64decode(encoded, validate=True)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        images.append(matplotlib.image.imread(io.BytesIO(png), format="png"))
    return images


def _full_data():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 3, 40)
    y_pred = np.where(rng.random(40) < 0.7, y_true, (y_true + 1) % 3)
    return dict(
        y_true=y_true, y_pred=y_pred, images=rng.random((40, 8, 8)),
        probabilities=np.full((40, 3), 1 / 3), class_names=["ant", "bee", "cat"],
        gradient_norms={"steps": [1, 2, 3], "norms": {"dense/kernel": [0.3, 0.2, 0.1]}},
    )


def test_report_has_every_section_with_valid_embedded_pngs():
    html = render_report(HISTORY, title="my run", run_info={"dataset": "toy", "test accuracy":
                                                            0.8125},
                         model_summary="Model: <sequential>", epoch_times=[1.5, 2.5],
                         **_full_data())
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    for section in ["summary", *FIGURE_FILES]:
        assert f'<section id="{section}">' in html
    for heading in ["Run summary", "Training curves", "Confusion matrix",
                    "Misclassified test images", "Gradient norms per layer"]:
        assert f"<h2>{heading}</h2>" in html
    images = _embedded_pngs(html)
    assert len(images) == 4 and all(image.shape[0] > 50 for image in images)
    assert "0.8125" in html and "toy" in html
    assert "2.00 mean, 1.50, 2.50" in html
    assert "Model: &lt;sequential&gt;" in html  # escaped, not markup
    assert "Not recorded" not in html
    assert "<img" in html and "src=\"http" not in html  # nothing outside the file


def test_report_marks_missing_sections():
    html = render_report({"loss": [1.0]})
    assert len(_embedded_pngs(html)) == 1
    assert html.count("Not recorded for this run.") == 3
    assert "No model summary recorded." in html


def test_write_report_saves_pngs_and_html(tmp_path):
    path = write_report(tmp_path / "run", HISTORY, run_info={"epochs": 2}, **_full_data())
    assert path == tmp_path / "run" / "report.html"
    for _heading, filename in FIGURE_FILES.values():
        data = (tmp_path / "run" / filename).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert base64.b64encode(data).decode() in path.read_text()


def test_gradient_norms_accepts_a_logger_like_object_and_rejects_others():
    class Logger:
        steps = [5, 10]
        norms = {"a/kernel": [1.0, 0.5]}

    assert len(_embedded_pngs(render_report(HISTORY, gradient_norms=Logger()))) == 2
    with pytest.raises(ValueError, match="'steps' and 'norms'"):
        render_report(HISTORY, gradient_norms={"norms": {}})
