"""Recurrent layers RNN, LSTM, GRU (whole sequences) and their cells, with PyTorch's names,
shapes, gate order and initialisation, so a PyTorch `state_dict` loads unchanged.

    RNN   h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),  act = tanh or relu
    LSTM  i, f, g, o = sigma, sigma, tanh, sigma of (W_i* x_t + b_i* + W_h* h_{t-1} + b_h*)
          c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)   (proj_size > 0: h_t = W_hr h_t)
    GRU   r, z = sigma(W_ir x + b_ir + W_hr h + b_hr), sigma(W_iz x + b_iz + W_hz h + b_hz)
          n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),   h_t = (1 - z) * n + z * h_{t-1}
    init: every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))

The layers run each layer and direction as one fused primitive (`ops.recurrent`), whose
backward is first order only; the cells are composed of Tensor ops (any order).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import creation
from ...ops import shape as shape_ops
from ...ops.recurrent import RecurrentLayer
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, _pack, packed_mask, pad_packed_sequence
from .linear import check_sizes
from .module import Module

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """The shared machinery of RNN, LSTM and GRU (parameters, states, packing)."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(mode, mode)
        check_sizes(name, input_size=input_size, hidden_size=hidden_size,
                    num_layers=num_layers, proj_size=proj_size)
        if hidden_size <= 0 or num_layers <= 0:
            raise ValueError(f"{name}: hidden_size and num_layers must be greater than 0, got "
                             f"hidden_size={hidden_size}, num_layers={num_layers}")
        if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or \
                not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout should be a number in range [0, 1] representing "
                             f"the probability of an element being zeroed, got {dropout!r}")
        if proj_size and mode != "LSTM":
            raise ValueError(f"{name}: proj_size argument is only supported for LSTM, not RNN "
                             f"or GRU (got proj_size={proj_size})")
        if proj_size >= hidden_size:
            if proj_size:
                raise ValueError(f"{name}: proj_size has to be smaller than hidden_size, got "
                                 f"proj_size={proj_size}, hidden_size={hidden_size}")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bool(bias), bool(batch_first)
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bool(bidirectional), \
            proj_size
        gate_size = _GATES[mode] * hidden_size
        out_size = proj_size or hidden_size
        dirs = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        for layer in range(num_layers):
            for suffix in ("", "_reverse")[:dirs]:
                in_size = input_size if layer == 0 else out_size * dirs
                shapes = [("weight_ih", (gate_size, in_size)), ("weight_hh", (gate_size, out_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                for stem, shape in shapes:
                    pname = f"{stem}_l{layer}{suffix}"
                    setattr(self, pname, Parameter(creation.empty(*shape, dtype=dtype)))
                    self._flat_weights_names.append(pname)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def _name(self) -> str:
        return {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(self.mode, self.mode)

    def _layer_params(self, layer: int, reverse: bool) -> list[Tensor]:
        suffix = "_reverse" if reverse else ""
        names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if self.bias else [])
        names += ["weight_hr"] if self.proj_size else []
        return [getattr(self, f"{n}_l{layer}{suffix}") for n in names]

    # --- forward --------------------------------------------------------------------------
    def forward(self, input: Any, hx: Any = None) -> tuple:  # noqa: A002
        packed = isinstance(input, PackedSequence)
        mask = None
        if packed:
            source = input
            input, lengths = pad_packed_sequence(source, batch_first=self.batch_first)  # noqa: A001
            mask = packed_mask(lengths._data, input.shape[1 if self.batch_first else 0])
        batched = input.dim() == 3
        if input.dim() not in (2, 3):
            raise ValueError(f"{self._name}: Expected input to be 2D or 3D, got {input.dim()}D "
                             f"tensor of shape {tuple(input.shape)}")
        if not batched:
            input = input.unsqueeze(0 if self.batch_first else 1)  # noqa: A001
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{self._name}: input.size(-1) must be equal to input_size. "
                               f"Expected {self.input_size}, got {input.shape[-1]}")
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise TypeError(f"{self._name}: input must have the type {weight.dtype} (the "
                            f"parameters' dtype), got type {input.dtype}")
        batch = input.shape[0 if self.batch_first else 1]
        h0, c0 = self._initial_states(hx, batch, batched, weight)
        output, h_n, c_n = self._run(input, h0, c0, mask)
        if packed:
            order = np.arange(batch) if source.sorted_indices is None else \
                source.sorted_indices._data
            output = _pack(output, lengths._data, order, self.batch_first, source.sorted_indices)
        elif not batched:
            output = output.squeeze(0 if self.batch_first else 1)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if c_n is not None else None
        return output, ((h_n, c_n) if self.mode == "LSTM" else h_n)

    def _initial_states(self, hx: Any, batch: int, batched: bool, like: Tensor) -> tuple:
        dirs = 2 if self.bidirectional else 1
        out_size = self.proj_size or self.hidden_size
        shape_h = (self.num_layers * dirs, batch, out_size)
        shape_c = (self.num_layers * dirs, batch, self.hidden_size)
        if hx is None:
            h0 = creation.zeros(*shape_h, dtype=like.dtype)
            c0 = creation.zeros(*shape_c, dtype=like.dtype) if self.mode == "LSTM" else None
            return h0, c0
        if self.mode == "LSTM":
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError("LSTM: hx must be a tuple (h_0, c_0)")
            h0, c0 = hx
        else:
            h0, c0 = hx, None
        if not batched:
            h0 = h0.unsqueeze(1)
            c0 = c0.unsqueeze(1) if c0 is not None else None
        for state, expected, what in ((h0, shape_h, "hidden"), (c0, shape_c, "cell")):
            if state is not None and tuple(state.shape) != expected:
                raise RuntimeError(f"{self._name}: Expected {what} size {expected}, got "
                                   f"{tuple(state.shape)}")
            if state is not None and state.dtype != like.dtype:
                raise TypeError(f"{self._name}: the {what} state must have dtype {like.dtype}, "
                                f"got {state.dtype}")
        return h0, c0

    def _run(self, x: Tensor, h0: Tensor, c0: Tensor | None, mask: Any) -> tuple:
        dirs = 2 if self.bidirectional else 1
        mode = {"RNN_TANH": "rnn_tanh", "RNN_RELU": "rnn_relu"}.get(self.mode,
                                                                  self.mode.lower())
        h_list, c_list = [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                idx = layer * dirs + d
                states = [h0[idx]] + ([c0[idx]] if c0 is not None else [])
                res = RecurrentLayer.apply(
                    x, *states, *self._layer_params(layer, d == 1), mode=mode,
                    has_bias=self.bias, has_proj=bool(self.proj_size), reverse=d == 1,
                    batch_first=self.batch_first, mask=mask)
                outs.append(res[0])
                h_list.append(res[1])
                if c0 is not None:
                    c_list.append(res[2])
            x = outs[0] if dirs == 1 else shape_ops.cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        h_n = shape_ops.stack(h_list, 0)
        c_n = shape_ops.stack(c_list, 0) if c0 is not None else None
        return x, h_n, c_n

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) (or relu), per layer.

    Args:
        input_size, hidden_size: the sizes of x_t and h_t.
        num_layers: stacked layers (default 1); nonlinearity: 'tanh' (default) or 'relu'.
        bias: learn b_ih and b_hh (default True); batch_first: input (N, L, H_in).
        dropout: dropout on each layer's output except the last, while training.
        bidirectional: also run each layer backwards in time and concatenate.

    Shape:
        input (L, N, H_in) (or (N, L, H_in), or unbatched (L, H_in)), h_0 (D*num_layers, N, H)
        -> output (L, N, D*H), h_n (D*num_layers, N, H), D = 2 if bidirectional else 1.

    Example:
        >>> import neuronet as nt
        >>> out, h = nt.nn.RNN(3, 5, num_layers=2)(nt.zeros(7, 2, 3))
        >>> tuple(out.shape), tuple(h.shape)
        ((7, 2, 5), (2, 2, 5))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' "
                             f"or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device=device, dtype=dtype)


class LSTM(RNNBase):
    """Long short-term memory (Hochreiter & Schmidhuber 1997), gates i, f, g, o:

        i = sigma(W_ii x + b_ii + W_hi h + b_hi),  f = sigma(W_if x + b_if + W_hf h + b_hf)
        g = tanh(W_ig x + b_ig + W_hg h + b_hg),   o = sigma(W_io x + b_io + W_ho h + b_ho)
        c_t = f * c_{t-1} + i * g,  h_t = o * tanh(c_t)  (proj_size > 0: h_t = W_hr h_t)

    Args: as `RNN` (no nonlinearity), plus proj_size (default 0: no projection).

    Shape:
        input (L, N, H_in) -> output (L, N, D*H_out), (h_n (D*num_layers, N, H_out),
        c_n (D*num_layers, N, H)), H_out = proj_size or hidden_size.

    Example:
        >>> import neuronet as nt
        >>> out, (h, c) = nt.nn.LSTM(3, 4, batch_first=True)(nt.zeros(2, 5, 3))
        >>> tuple(out.shape), tuple(c.shape)
        ((2, 5, 4), (1, 2, 4))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)


class GRU(RNNBase):
    """Gated recurrent unit (Cho et al. 2014), gates r, z, n:

        r = sigma(W_ir x + b_ir + W_hr h + b_hr),  z = sigma(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h_t = (1 - z) * n + z * h_{t-1}

    Args and shapes: as `RNN` (no nonlinearity).

    Example:
        >>> import neuronet as nt
        >>> out, h = nt.nn.GRU(3, 4, bidirectional=True)(nt.zeros(5, 2, 3))
        >>> tuple(out.shape), tuple(h.shape)
        ((5, 2, 8), (2, 2, 4))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)


# --- cells: one time step, composed of Tensor ops (differentiable to any order) --------------

class RNNCellBase(Module):
    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        check_sizes(name, input_size=input_size, hidden_size=hidden_size)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bool(bias)
        self.weight_ih = Parameter(creation.empty(num_chunks * hidden_size, input_size,
                                                  dtype=dtype))
        self.weight_hh = Parameter(creation.empty(num_chunks * hidden_size, hidden_size,
                                                  dtype=dtype))
        if bias:
            self.bias_ih = Parameter(creation.empty(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(creation.empty(num_chunks * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _check(self, input: Tensor, hx: Any) -> tuple[Tensor, bool]:  # noqa: A002
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D "
                             f"input of shape {tuple(input.shape)}")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input has inconsistent input_size: got "
                               f"{input.shape[-1]} expected {self.input_size}")
        if input.dtype != self.weight_ih.dtype:
            raise TypeError(f"{name}: input must have the type {self.weight_ih.dtype}, got "
                            f"type {input.dtype}")
        batched = input.dim() == 2
        return (input if batched else input.unsqueeze(0)), batched

    def _state(self, hx: Any, x: Tensor, batched: bool) -> Tensor:
        if hx is None:
            return creation.zeros(x.shape[0], self.hidden_size, dtype=x.dtype)
        hx = hx if batched else hx.unsqueeze(0)
        if tuple(hx.shape) != (x.shape[0], self.hidden_size):
            raise RuntimeError(f"{type(self).__name__}: Expected hidden size "
                               f"{(x.shape[0], self.hidden_size)}, got {tuple(hx.shape)}")
        return hx

    def _projections(self, x: Tensor, h: Tensor) -> tuple[Tensor, Tensor]:
        return F.linear(x, self.weight_ih, self.bias_ih), F.linear(h, self.weight_hh,
                                                                   self.bias_hh)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu).

    Shape: input (N, H_in) or (H_in,), hx (N, H) -> h' (N, H).

    Example:
        >>> import neuronet as nt
        >>> tuple(nt.nn.RNNCell(3, 4)(nt.zeros(2, 3)).shape)
        (2, 4)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, batched = self._check(input, hx)
        h = self._state(hx, x, batched)
        gi, gh = self._projections(x, h)
        a = gi + gh
        out = a.tanh() if self.nonlinearity == "tanh" else F.relu(a)
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: i, f, g, o = sigma, sigma, tanh, sigma of (W_ih x + b_ih + W_hh h + b_hh)
    split in four; c' = f * c + i * g, h' = o * tanh(c').

    Shape: input (N, H_in), (h, c) each (N, H) -> (h', c').

    Example:
        >>> import neuronet as nt
        >>> h, c = nt.nn.LSTMCell(3, 4)(nt.zeros(2, 3))
        >>> tuple(h.shape), tuple(c.shape)
        ((2, 4), (2, 4))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Tensor]:  # noqa: A002
        x, batched = self._check(input, hx)
        h, c = (None, None) if hx is None else hx
        h, c = self._state(h, x, batched), self._state(c, x, batched)
        gi, gh = self._projections(x, h)
        i, f, g, o = (gi + gh).chunk(4, 1)
        c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h_new = o.sigmoid() * c_new.tanh()
        if not batched:
            return h_new.squeeze(0), c_new.squeeze(0)
        return h_new, c_new


class GRUCell(RNNCellBase):
    """One GRU step: r = sigma(W_ir x + b_ir + W_hr h + b_hr), z likewise,
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h.

    Shape: input (N, H_in), hx (N, H) -> h' (N, H).

    Example:
        >>> import neuronet as nt
        >>> tuple(nt.nn.GRUCell(3, 4)(nt.zeros(2, 3)).shape)
        (2, 4)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, batched = self._check(input, hx)
        h = self._state(hx, x, batched)
        gi, gh = self._projections(x, h)
        i_r, i_z, i_n = gi.chunk(3, 1)
        h_r, h_z, h_n = gh.chunk(3, 1)
        r, z = (i_r + h_r).sigmoid(), (i_z + h_z).sigmoid()
        n = (i_n + r * h_n).tanh()
        out = (1 - z) * n + z * h
        return out if batched else out.squeeze(0)
