"""`keras.layers`: the layer classes under Keras's names."""

from .activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from .alpha_dropout import AlphaDropout
from .attention import AdditiveAttention, Attention, MultiHeadAttention
from .convolutional import Conv1D, Conv2D, Conv2DTranspose
from .convolutional_depthwise import DepthwiseConv2D, SeparableConv2D
from .core import Activation, Dense, Dropout, Embedding, Lambda, Masking, Rescaling
from .einsum_dense import EinsumDense
from .graph import GCNConv, GraphSageConv
from .group_normalization import GroupNormalization
from .identity import Identity
from .input_layer import Input, InputLayer
from .layer import Layer
from .merging import Add, Concatenate, Multiply, add, concatenate, multiply
from .merging_more import (
    Average,
    Dot,
    Maximum,
    Minimum,
    Subtract,
    average,
    dot,
    maximum,
    minimum,
    subtract,
)
from .normalization import BatchNormalization, LayerNormalization
from .pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AvgPool1D,
    AvgPool2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPool1D,
    MaxPool2D,
    MaxPooling1D,
    MaxPooling2D,
)
from .preprocessing import CategoryEncoding, CenterCrop, Normalization, Resizing
from .preprocessing_augment import (
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
)
from .preprocessing_lookup import Discretization, Hashing, IntegerLookup, StringLookup
from .regularization import (
    ActivityRegularization,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
)
from .reshaping import Flatten, Permute, RepeatVector, Reshape
from .reshaping_1d import Cropping1D, UpSampling1D, ZeroPadding1D
from .rnn import GRU, LSTM, SimpleRNN
from .rnn_cells import GRUCell, LSTMCell, SimpleRNNCell
from .rnn_layer import RNN, StackedRNNCells
from .spatial import Cropping2D, SpatialDropout2D, UpSampling2D, ZeroPadding2D
from .spiking import (
    LIF,
    AdaptiveLIF,
    RateEncoding,
    SpikeCount,
    SpikeRate,
    SynapticLIF,
)
from .unit_normalization import UnitNormalization
from .wrappers import Bidirectional, TimeDistributed

__all__ = [
    "Activation", "Add", "BatchNormalization", "Concatenate", "Dense", "Dropout", "Embedding",
    "Flatten", "Input", "InputLayer", "Lambda", "Layer", "LayerNormalization", "Multiply",
    "Permute", "Rescaling", "RepeatVector", "Reshape", "add", "concatenate", "multiply",
    "Conv1D", "Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D",
    "AveragePooling1D", "AveragePooling2D", "AvgPool1D", "AvgPool2D", "GlobalAveragePooling1D",
    "GlobalAveragePooling2D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D",
    "GlobalMaxPool2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "MaxPool1D", "MaxPool2D",
    "MaxPooling1D", "MaxPooling2D", "Cropping2D", "SpatialDropout2D", "UpSampling2D",
    "ZeroPadding2D",
    "GCNConv", "GraphSageConv",
    "Masking", "SimpleRNN", "LSTM", "GRU", "Bidirectional", "TimeDistributed",
    "LIF", "SynapticLIF", "AdaptiveLIF", "RateEncoding", "SpikeCount", "SpikeRate",
    "MultiHeadAttention", "Attention", "AdditiveAttention",
    "Average", "Dot", "Maximum", "Minimum", "Subtract", "average", "dot", "maximum", "minimum",
    "subtract", "Cropping1D", "UpSampling1D", "ZeroPadding1D",
    "ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax", "Identity", "UnitNormalization",
    "ActivityRegularization", "GaussianDropout", "GaussianNoise", "SpatialDropout1D",
    "CategoryEncoding", "CenterCrop", "Normalization", "Resizing",
    "GRUCell", "LSTMCell", "SimpleRNNCell", "RNN", "StackedRNNCells",
    "AlphaDropout", "EinsumDense", "GroupNormalization",
    "RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip", "RandomRotation",
    "RandomTranslation", "RandomZoom", "Discretization", "Hashing", "IntegerLookup",
    "StringLookup",
]
