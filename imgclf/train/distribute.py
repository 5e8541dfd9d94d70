"""`train.distribute`: one model trained on several devices of this machine, with TensorFlow's MirroredStrategy.

`mirrored` keeps a copy of the model on every local GPU or, on a machine without one, on each of the CPU's
logical devices: one, unless IMGCLF_CPU_DEVICES=N splits the CPU into N before TensorFlow starts (how the tests
run the real strategy without a GPU; it makes no CPU faster, the cores are shared). Each step splits
`train.batch_size`, the global batch, evenly across the copies and sums their gradients, so the same params
follow the same optimisation as `none` with the same learning rate.

Several machines (MultiWorkerMirroredStrategy) are not offered: under Keras 3 its `fit` fails (see
docs/scaling.md and tests/test_distribute.py's expected failure).
"""

from __future__ import annotations

import os

from ..core.errors import UserError

CPU_DEVICES = "IMGCLF_CPU_DEVICES"


def split_cpu() -> int:
    """Honour IMGCLF_CPU_DEVICES before TensorFlow initialises its devices; returns the CPU's logical devices."""
    import tensorflow as tf

    raw = os.environ.get(CPU_DEVICES, "")
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= 64:
            raise UserError(f"{CPU_DEVICES} must be a whole number from 1 to 64; got '{raw}'")
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * int(raw))
    return len(tf.config.list_logical_devices("CPU"))


def strategy(kind: str, batch_size: int):
    """The strategy whose scope the model is built, compiled and trained in (`none`: TensorFlow's default)."""
    import tensorflow as tf

    if kind == "none":
        return tf.distribute.get_strategy()
    split_cpu()
    devices = [d.name for d in tf.config.list_logical_devices("GPU")] or [
        d.name for d in tf.config.list_logical_devices("CPU")
    ]
    if batch_size % len(devices):
        raise UserError(
            f"train.batch_size={batch_size} does not split evenly over the {len(devices)} devices of "
            f"train.distribute=mirrored ({', '.join(devices)}): use a multiple of {len(devices)}"
        )
    return tf.distribute.MirroredStrategy(devices)
