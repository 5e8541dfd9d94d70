"""Training: on-the-fly augmentation of uint8 batches, the tf.data input pipelines (in memory or streamed from the
prepared files), the optimizer and its schedule, the fit loop with its per-epoch history, and training on several
devices. Importing it imports TensorFlow, quietly."""

from ..core.startup import quiet_tensorflow

quiet_tensorflow()  # before keras is imported below, so that its C++ start-up chatter stays off the terminal

from . import checkpoint, finetune  # noqa: E402
from .augment import augment_batch, crop_hw  # noqa: E402
from .distribute import split_cpu, strategy  # noqa: E402
from .fit import EpochLog, TrainResult, fit  # noqa: E402
from .optimizer import OneCycle, optimizer, schedule  # noqa: E402
from .pipeline import eval_dataset, first_batch, image_batches, samples, train_dataset  # noqa: E402

__all__ = [
    "EpochLog",
    "OneCycle",
    "TrainResult",
    "augment_batch",
    "checkpoint",
    "crop_hw",
    "eval_dataset",
    "finetune",
    "first_batch",
    "fit",
    "image_batches",
    "optimizer",
    "samples",
    "schedule",
    "split_cpu",
    "strategy",
    "train_dataset",
]
