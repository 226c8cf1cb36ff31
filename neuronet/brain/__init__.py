"""`neuronet.brain`: spiking neurons trained with surrogate gradients, local learning rules
(Hebb, Oja, Sanger, BCM, STDP) and associative memory (classical and modern Hopfield).

    surrogate    spike functions with surrogate gradients (fast sigmoid, atan, sigmoid, STE)
    functional   one-step neuron dynamics (LIF, synaptic LIF, adaptive LIF)
    neurons      Leaky, Synaptic, AdaptiveLeaky modules; TimeDistributed, RepeatSteps
    encoding     rate, poisson, latency, delta spike encoders
    losses       spike-count / membrane cross entropy, rate MSE, decoders
    plasticity   Hebbian, Oja, Sanger, BCM, STDP update rules (no backpropagation)
    hopfield     HopfieldNetwork (classical), Hopfield / HopfieldLayer (modern, differentiable)
    energy       SynOpCounter: spikes and synaptic operations against an ANN's MACs
    experiments  the STDP hidden-pattern experiment
    plots        raster, membrane, receptive fields, capacity, latency, SynOps figures

See docs/brain.md for how each piece relates to its biological counterpart.
"""

from . import (  # noqa: F401
    encoding,
    energy,
    experiments,
    functional,
    hopfield,
    losses,
    plasticity,
    surrogate,
)
from .energy import SynOpCounter
from .hopfield import Hopfield, HopfieldLayer, HopfieldNetwork
from .neurons import (
    AdaptiveLeaky,
    Leaky,
    RepeatSteps,
    SpikingNeuron,
    Synaptic,
    TimeDistributed,
)
from .plasticity import BCM, STDP, Hebbian, Oja, Sanger
from .surrogate import Surrogate

__all__ = ["AdaptiveLeaky", "BCM", "Hebbian", "Hopfield", "HopfieldLayer", "HopfieldNetwork",
           "Leaky", "Oja", "RepeatSteps", "STDP", "Sanger", "SpikingNeuron", "Surrogate",
           "SynOpCounter", "Synaptic", "TimeDistributed", "encoding", "energy", "experiments",
           "functional", "hopfield", "losses", "plasticity", "surrogate"]
