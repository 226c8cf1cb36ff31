"""`keras.datasets`: `mnist.load_data()` and `fashion_mnist.load_data()` with Keras's shapes
and dtypes: ((x_train (60000, 28, 28) uint8, y_train (60000,) uint8), (x_test, y_test))."""

from . import fashion_mnist, mnist

__all__ = ["fashion_mnist", "mnist"]
