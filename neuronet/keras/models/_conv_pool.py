"""Conv2D(activation="relu") -> MaxPooling2D run together, for Sequential and functional
models: max_pool(relu(y)) = relu(max_pool(y)) (relu is monotone; the same values and
gradients), so the ReLU runs on the pooled tensor; and when the pool's windows tile the conv
output, conv, pool and ReLU are one op (F.conv2d_max_pool2d: the conv's full-size output is
never stored). Only where nothing else sees the conv's output."""

from __future__ import annotations

from typing import Any

from ..layers.layer import Layer


def pool_before_relu(conv: Layer, pool: Layer) -> bool:
    """Whether a 2-D conv layer with a plain ReLU activation followed by a MaxPooling2D may
    run its ReLU after the pool (no activity penalty reads the conv's output)."""
    from .. import activations
    from ..layers.convolutional import BaseConv
    from ..layers.pooling import MaxPooling2D

    return isinstance(conv, BaseConv) and conv.rank == 2 and type(pool) is MaxPooling2D and \
        conv.activation is activations.relu and conv.activity_regularizer is None and \
        not conv._emit_logits and conv.data_format == pool.data_format


def tiling_pool(conv: Layer, pool: Layer) -> bool:
    """Whether a Conv2D (the class itself) and the MaxPooling2D after it can run as one op:
    the pool's windows tile the conv output (strides == pool_size, 'valid' padding)."""
    from ..layers.convolutional import Conv2D

    return type(conv) is Conv2D and pool.padding == "valid" and \
        tuple(pool.strides) == tuple(pool.pool_size)


def run_conv_pool(conv: Layer, pool: Layer, *args: Any, **kwargs: Any) -> Any:
    """relu(max_pool(conv(x))) for a pair that pool_before_relu accepts."""
    conv._emit_logits = True  # the conv without its activation
    conv._pool = pool if tiling_pool(conv, pool) else None
    try:
        x = conv(*args, **kwargs)
    finally:
        conv._emit_logits, fused, conv._pool = False, conv._pool, None
    if fused is None:  # (the fused op ran the ReLU too)
        x = conv.activation(pool(x, **{k: v for k, v in kwargs.items() if k == "training"}))
    return x
