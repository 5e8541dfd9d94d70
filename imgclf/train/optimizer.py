"""The optimizer `train.*` describes: SGD (Nesterov), Adam or AdamW, with decoupled weight decay (not on biases
or batch norm), a one-cycle, cosine or constant learning rate, and an optional moving average of the weights."""

from __future__ import annotations

import keras

from ..params import TrainParams


@keras.saving.register_keras_serializable(package="imgclf")
class OneCycle(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up from a tenth of the peak rate, then linear decay to zero: short runs converge fast."""

    def __init__(self, peak: float, total_steps: int, warmup: float):
        self.peak, self.total_steps, self.warmup = float(peak), int(total_steps), float(warmup)

    def __call__(self, step):
        t = keras.ops.cast(step, "float32") / max(self.total_steps, 1)
        w = max(self.warmup, 1e-9)
        up = self.peak * (0.1 + 0.9 * t / w)
        down = self.peak * keras.ops.clip((1 - t) / max(1 - self.warmup, 1e-9), 0.0, 1.0)
        return keras.ops.where(t < w, up, down)

    def get_config(self):
        return {"peak": self.peak, "total_steps": self.total_steps, "warmup": self.warmup}


def schedule(train: TrainParams, steps: int, peak: float | None = None):
    """train.schedule over `steps` steps, peaking at `peak` (default train.learning_rate)."""
    peak = train.learning_rate if peak is None else peak
    if train.schedule == "constant":
        return peak
    if train.schedule == "onecycle":
        return OneCycle(peak, steps, train.warmup)
    return keras.optimizers.schedules.CosineDecay(peak, decay_steps=max(steps, 1), alpha=0.0)


def optimizer(train: TrainParams, steps: int, peak: float | None = None):
    """The optimizer over `steps` steps, its learning rate peaking at `peak` (default train.learning_rate)."""
    lr = schedule(train, steps, peak)
    ema = {"use_ema": True, "ema_momentum": train.ema} if train.ema else {}
    if train.optimizer == "sgd":
        opt = keras.optimizers.SGD(
            lr, momentum=train.momentum, nesterov=train.momentum > 0, weight_decay=train.weight_decay or None, **ema
        )
    elif train.optimizer == "adam":
        opt = keras.optimizers.Adam(lr, weight_decay=train.weight_decay or None, **ema)
    else:
        opt = keras.optimizers.AdamW(lr, weight_decay=train.weight_decay, **ema)
    if train.weight_decay:
        opt.exclude_from_weight_decay(var_names=["gamma", "beta", "bias"])  # decay the weights, not BN or biases
    return opt
