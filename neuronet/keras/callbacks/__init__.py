"""`keras.callbacks`: hooks into fit/evaluate/predict."""

from .backup_and_restore import BackupAndRestore
from .callback import Callback, CallbackList
from .early_stopping import EarlyStopping
from .history import History
from .learning_rate import LearningRateScheduler, ReduceLROnPlateau
from .misc import CSVLogger, LambdaCallback, TerminateOnNaN
from .model_checkpoint import ModelCheckpoint
from .progbar import ProgbarLogger

__all__ = [
    "BackupAndRestore", "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History",
    "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "ProgbarLogger",
    "ReduceLROnPlateau", "TerminateOnNaN",
]
