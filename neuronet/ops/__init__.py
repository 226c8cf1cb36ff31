"""The primitives: each a `Function` with forward and backward side by side.

Families: arithmetic, elementwise maths and activations, reductions, shape, indexing, linear
algebra, and fused numerically stable ops. Everything else is composed from these.
"""
