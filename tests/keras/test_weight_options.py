"""The shared weight arguments (`<weight>_initializer|_regularizer|_constraint`): resolved by
their registries, used when the weight is built, serialized back in get_config."""

import numpy as np
import pytest

from neuronet import keras
from neuronet.keras import constraints, initializers, regularizers
from neuronet.keras.layers import _weight_options as wo


def test_resolve_uses_each_options_registry():
    got = wo.resolve_weight_options(kernel_initializer="he_normal", bias_regularizer="l2",
                                    gamma_constraint="non_neg", beta_initializer=None)
    assert isinstance(got["kernel_initializer"], initializers.HeNormal)
    assert isinstance(got["bias_regularizer"], regularizers.L2)
    assert isinstance(got["gamma_constraint"], constraints.NonNeg)
    assert got["beta_initializer"] is None


def test_unknown_name_raises_the_registrys_error():
    with pytest.raises(ValueError, match="no_such_init"):
        wo.resolve_weight_options(kernel_initializer="no_such_init")


def test_config_round_trip_and_renamed_keys():
    layer = keras.layers.DepthwiseConv2D(3, depthwise_initializer="ones",
                                         depthwise_regularizer="l1", bias_constraint="non_neg")
    config = layer.get_config()
    assert config["depthwise_initializer"]["class_name"] == "Ones"
    assert config["depthwise_regularizer"]["class_name"] == "L1"
    assert config["bias_constraint"]["class_name"] == "NonNeg"
    assert "kernel_initializer" not in config
    again = keras.layers.DepthwiseConv2D.from_config(config)
    assert isinstance(again.kernel_initializer, initializers.Ones)


def test_built_weights_take_the_options():
    layer = keras.layers.Dense(3, kernel_initializer="ones", bias_initializer="ones",
                               kernel_regularizer=regularizers.L2(0.5),
                               bias_constraint="non_neg")
    layer.build((None, 2))
    np.testing.assert_array_equal(layer.kernel.numpy(), np.ones((2, 3), np.float32))
    assert layer.kernel.regularizer is layer.kernel_regularizer
    assert isinstance(layer.bias.constraint, constraints.NonNeg)
    assert layer.bias.regularizer is None
    lstm = keras.layers.LSTM(2, recurrent_initializer="zeros", unit_forget_bias=True)
    lstm.build((None, 4, 3))
    cell = getattr(lstm, "cell", lstm)
    np.testing.assert_array_equal(cell.recurrent_kernel.numpy(), 0)
    np.testing.assert_array_equal(cell.bias.numpy(), [0, 0, 1, 1, 0, 0, 0, 0])
