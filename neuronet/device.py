"""Devices: neuronet runs on the CPU; the calls PyTorch programs make still work."""

from __future__ import annotations

from typing import Any


class device:  # noqa: N801 - PyTorch's name
    """`device("cpu")`. Other device types can be named but not used for tensors."""

    def __init__(self, type: Any = "cpu", index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        text = str(type)
        name, _, idx = text.partition(":")
        if name not in ("cpu", "cuda", "mps", "meta", "xpu"):
            raise RuntimeError(f"Expected one of cpu, cuda, mps, meta, xpu device type at start "
                               f"of device string: {text}")
        self.type = name
        self.index = int(idx) if idx else index

    def __repr__(self) -> str:
        idx = f", index={self.index}" if self.index is not None else ""
        return f"device(type='{self.type}'{idx})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


class _NoAccelerator:
    """`neuronet.cuda` / `neuronet.backends.mps`: no accelerator in this build."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def manual_seed(seed: int) -> None:
        """Accepted and ignored (no accelerator)."""

    manual_seed_all = manual_seed

    @staticmethod
    def synchronize(device: Any = None) -> None:
        """Nothing to wait for on the CPU."""


cuda = _NoAccelerator()
accelerator = _NoAccelerator()


class _Backends:
    """`neuronet.backends.mps.is_available()` and friends, as PyTorch programs call them."""

    def __init__(self) -> None:
        self.mps = _NoAccelerator()
        self.cuda = _NoAccelerator()
        self.cudnn = _CudnnFlags()


class _CudnnFlags:
    """`torch.backends.cudnn.deterministic = True` etc.: accepted, nothing to configure."""

    enabled = False
    deterministic = False
    benchmark = False

    @staticmethod
    def is_available() -> bool:
        return False


backends = _Backends()
