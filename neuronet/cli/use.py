"""`neuronet evaluate`, `neuronet predict` and `neuronet summary`: use a trained model (a run
folder written by `neuronet train`, or a .keras file)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from .data import load_dataset
from .errors import CliError
from .images import read_image
from .runs import find_model
from .train import import_keras, model_summary

__all__ = ["add_evaluate_arguments", "add_predict_arguments", "add_summary_arguments",
           "evaluate", "predict", "summary"]


def _load(target: str) -> tuple[Any, dict[str, Any], Any]:
    """(model, run record, keras) for a run folder or .keras file."""
    path, info = find_model(target)
    keras = import_keras()
    try:
        model = keras.models.load_model(str(path))
    except Exception as error:  # any failure to read the file is the user's input problem
        reason = " ".join(str(error).split()) or type(error).__name__
        raise CliError(f"{path}: cannot read the model ({type(error).__name__}: {reason}); "
                       "give a .keras file written by model.save() or a run folder") from None
    return model, info, keras


def _input_shape(model: Any, info: dict[str, Any]) -> tuple[int, ...]:
    if info.get("input_shape"):
        return tuple(int(n) for n in info["input_shape"])
    shape = getattr(model, "input_shape", None)
    if shape is None or any(n is None for n in tuple(shape)[1:]):
        raise CliError("the model does not record its input shape and has no run.json beside "
                       "it; evaluate or predict with a run folder written by `neuronet train`")
    return tuple(int(n) for n in tuple(shape)[1:])


def add_evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="RUN_OR_MODEL",
                        help="a run folder written by `neuronet train`, or a .keras file")
    parser.add_argument("--dataset", default=None,
                        help="data set to test on (default: the run's, else fashion-mnist)")
    parser.add_argument("--batch-size", type=int, default=256, help="default 256")


def evaluate(args: argparse.Namespace) -> int:
    if args.batch_size < 1:
        raise CliError(f"--batch-size must be at least 1, received {args.batch_size}")
    model, info, keras = _load(args.target)
    data = load_dataset(args.dataset or info.get("dataset") or "fashion-mnist")
    expected = _input_shape(model, info) if info else data.image_shape
    if data.image_shape != expected:
        raise CliError(f"data set {data.name} has images of shape {data.image_shape}, the model "
                       f"expects {expected}; pass the --dataset it was trained on")
    num_classes = len(info.get("class_names") or data.class_names)
    if data.y_test.max() >= num_classes:
        raise CliError(f"data set {data.name} has labels up to {data.y_test.max()}, the model "
                       f"predicts {num_classes} classes; pass the --dataset it was trained on")
    if getattr(model, "loss", None) is None:
        model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    y_test = keras.utils.to_categorical(data.y_test, num_classes)
    probabilities = np.asarray(model.predict(data.x_test, batch_size=args.batch_size, verbose=0))
    if probabilities.ndim != 2 or probabilities.shape[1] != num_classes:
        raise CliError(f"the model outputs shape {probabilities.shape[1:]}, expected "
                       f"({num_classes},) class probabilities")
    results = model.evaluate(data.x_test, y_test, batch_size=args.batch_size, verbose=0)
    loss = float(np.ravel(results)[0])
    accuracy = float(np.mean(probabilities.argmax(axis=1) == data.y_test))
    print(f"{data.name} test split, {len(data.x_test)} images: "
          f"loss {loss:.4f}, accuracy {accuracy:.4f}")
    return 0


def add_predict_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="MODEL", help="a run folder or a .keras file")
    parser.add_argument("files", metavar="FILES", nargs="+",
                        help="grey images as .png or .npy, of the model's input size")


def predict(args: argparse.Namespace) -> int:
    model, info, _keras = _load(args.target)
    shape = _input_shape(model, info)
    scale = float(info.get("scale", 255.0))
    images = np.stack([read_image(file, shape, scale) for file in args.files])
    probabilities = np.asarray(model.predict(images, verbose=0))
    names = info.get("class_names") or [str(i) for i in range(probabilities.shape[1])]
    width = max(len(file) for file in args.files)
    for file, row in zip(args.files, probabilities):
        label = int(np.argmax(row))
        name = names[label] if label < len(names) else str(label)
        print(f"{file:<{width}}  {name}  (p={float(row[label]):.3f})")
    return 0


def add_summary_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="MODEL", help="a run folder or a .keras file")


def summary(args: argparse.Namespace) -> int:
    model, info, _keras = _load(args.target)
    print(model_summary(model))
    if info:
        print(f"Trained on {info.get('dataset')} for {info.get('epochs_run')} epochs; "
              f"test accuracy {info.get('test_accuracy')}"
              f" (run folder {Path(args.target)})")
    return 0
