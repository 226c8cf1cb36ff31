"""The spike is a step, whose derivative is zero almost everywhere; each surrogate keeps the
step forward and passes a smooth bump backward. Prints the four bumps at a few points and
checks one against finite differences of its smooth stand-in.

    python examples/brain/surrogate_gradients.py
"""

import numpy as np

import neuronet as nt
from neuronet.brain.surrogate import SURROGATES, Surrogate


def main() -> dict:
    u = np.array([-1.0, -0.2, -0.05, 0.0, 0.05, 0.2, 1.0])
    grads = {}
    print("u:            ", " ".join(f"{v:7.2f}" for v in u))
    for name in SURROGATES:
        sur = Surrogate(name)
        x = nt.tensor(u, dtype=nt.float64, requires_grad=True)
        sur(x).sum().backward()
        grads[name] = x.grad.numpy()
        print(f"{name:14s}", " ".join(f"{g:7.3f}" for g in grads[name]), f"(slope {sur.slope})")
    sur, eps = Surrogate("atan"), 1e-6
    fd = (sur.smooth(u + eps) - sur.smooth(u - eps)) / (2 * eps)
    print("atan backward == d/du smooth(u):", np.allclose(grads["atan"], fd, rtol=1e-6))
    return grads


if __name__ == "__main__":
    main()
