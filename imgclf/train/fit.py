"""The train stage's work: compile with the configured optimizer and schedule, fit, and record the history."""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass

import keras
import numpy as np

from ..core.errors import UserError
from ..core.hardware import kernel_errors
from ..model import whitening
from ..params import AugmentParams, TrainParams
from .optimizer import optimizer
from .pipeline import eval_dataset, train_dataset


@dataclass
class TrainResult:
    history: list[dict]  # one row per epoch
    seconds: float
    images_per_second: float
    stopped_early: bool


class EpochLog(keras.callbacks.Callback):
    """Collects per-epoch rows (with wall time and learning rate) and prints one line per epoch."""

    def __init__(self, epochs: int, images: int):
        super().__init__()
        self.epochs, self.images, self.rows = epochs, images, []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self.start
        row = {
            "epoch": epoch + 1,
            **{k: float(v) for k, v in (logs or {}).items() if k != "learning_rate"},
            "learning_rate": float(np.asarray(self.model.optimizer.learning_rate)),
            "seconds": round(seconds, 3),
        }
        self.rows.append(row)
        print(
            f"epoch {epoch + 1:>3}/{self.epochs}  loss {row.get('loss', math.nan):.4f}  "
            f"acc {row.get('accuracy', math.nan):.4f}  val_loss {row.get('val_loss', math.nan):.4f}  "
            f"val_acc {row.get('val_accuracy', math.nan):.4f}  {seconds:5.1f}s "
            f"({self.images / seconds:,.0f} img/s)",
            flush=True,
        )


def fit(
    model,
    x_train,
    y_train,
    x_val,
    y_val,
    num_classes: int,
    train: TrainParams,
    aug: AugmentParams,
    seed: int,
    extra_callbacks: list | None = None,
) -> TrainResult:
    keras.utils.set_random_seed(seed)
    whitening.fit(model, x_train)
    ds, steps_per_epoch = train_dataset(x_train, y_train, num_classes, train.batch_size, seed, aug)
    val = eval_dataset(x_val, y_val, num_classes, max(train.batch_size, 256))
    # No XLA: `jit_compile` made these small CNNs 1.5-2x slower on the CPU (Fashion-MNIST, 2 cores).
    model.compile(
        optimizer=optimizer(train, steps_per_epoch * train.epochs),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=train.label_smoothing),
        # Plain cross-entropy beside the smoothed loss: the one that compares with the test loss.
        metrics=[
            keras.metrics.CategoricalAccuracy(name="accuracy"),
            keras.metrics.CategoricalCrossentropy(name="cross_entropy"),
        ],
    )
    log = EpochLog(train.epochs, len(x_train))
    callbacks = [keras.callbacks.TerminateOnNaN(), log, *(extra_callbacks or [])]
    if train.ema:
        callbacks.insert(0, keras.callbacks.SwapEMAWeights(swap_on_epoch=True))
    if train.early_stopping:
        callbacks.append(
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=train.early_stopping, restore_best_weights=True)
        )
    print(
        f"training {model.count_params():,} params on {len(x_train):,} images for {train.epochs} epochs "
        f"(batch {train.batch_size}, {train.optimizer}, lr {train.learning_rate}, {train.schedule})",
        flush=True,
    )
    start = time.perf_counter()
    with kernel_errors(model):
        model.fit(
            ds,
            epochs=train.epochs,
            steps_per_epoch=steps_per_epoch,
            validation_data=val,
            callbacks=callbacks,
            verbose=1 if sys.stdout.isatty() else 0,
            shuffle=False,
        )  # a bar on terminals
    seconds = time.perf_counter() - start
    rows = log.rows
    diverged = next((r["epoch"] for r in rows if not math.isfinite(r.get("loss", math.nan))), None)
    if diverged or not rows:
        raise UserError(
            f"training diverged (loss became NaN or infinite in epoch {diverged or 1}): lower "
            f"train.learning_rate (now {train.learning_rate}) or add train.weight_decay"
        )
    images = len(x_train) * len(rows)
    return TrainResult(
        history=rows, seconds=seconds, images_per_second=images / seconds, stopped_early=len(rows) < train.epochs
    )
