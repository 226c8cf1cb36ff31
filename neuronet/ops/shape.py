"""Shape ops: they move or copy elements, so each gradient moves them back.

    reshape/view   dL/dx = reshape(g, x.shape)
    permute        dL/dx = permute(g, inverse permutation)
    expand         dL/dx = g summed over the expanded dims (the engine's sum_to)
    sum_to         dL/dx = expand(g, x.shape)
    repeat         dL/dx = g reshaped to (r0, s0, r1, s1, ...) and summed over the r axes
    flip / roll    dL/dx = flip / roll back
    cat            dL/dx_i = the slice of g that x_i filled
    split          dL/dx = cat of the pieces' gradients (zeros for unused pieces)
    tril / triu    dL/dx = tril / triu of g
    pad (constant) dL/dx = the interior slice of g; other modes gather by index

The primitives live in one module per concept and are all re-exported here:

    shape_views    reshape, flatten, unflatten, squeeze, unsqueeze, permute, transpose,
                   movedim, expand, sum_to
    shape_split    cat, stack, split, chunk, unbind, narrow, select
    shape_copy     repeat, repeat_interleave, flip, roll, tril, triu, pad
"""

from __future__ import annotations

from .shape_copy import (  # noqa: F401
    _PAD_MODES,
    Flip,
    PadConstant,
    Repeat,
    Roll,
    Tri,
    _check_matrix,
    flip,
    pad,
    repeat,
    repeat_interleave,
    roll,
    tril,
    triu,
)
from .shape_split import Cat, Split, cat, chunk, narrow, select, split, stack, unbind  # noqa: F401
from .shape_views import (  # noqa: F401
    Expand,
    Permute,
    Reshape,
    SumTo,
    _sum_to_array,
    expand,
    flatten,
    movedim,
    permute,
    reshape,
    squeeze,
    sum_to,
    transpose,
    unflatten,
    unsqueeze,
)
