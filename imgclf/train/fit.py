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
from . import finetune
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
    *,
    pretrained: bool = False,
) -> TrainResult:
    """Train `model` for train.epochs: from scratch in one phase; from trained weights (`pretrained`) the head alone
    for train.frozen_epochs first, then fine-tuning (imgclf/train/finetune.py)."""
    keras.utils.set_random_seed(seed)
    if not pretrained:
        whitening.fit(model, x_train)  # a pretrained network keeps the whitening its weights were trained with
    frozen = min(train.frozen_epochs, train.epochs) if pretrained else 0
    log = EpochLog(train.epochs, len(x_train))
    phase = dict(
        y_train=y_train,
        y_val=y_val,
        num_classes=num_classes,
        train=train,
        seed=seed,
        log=log,
        extra_callbacks=extra_callbacks or [],
    )
    print(
        f"training {model.count_params():,} params on {len(x_train):,} images for {train.epochs} epochs "
        f"(batch {train.batch_size}, {train.optimizer}, lr {train.learning_rate}, {train.schedule}"
        + (f"; {frozen} frozen, then lr x {train.finetune_lr_factor:g}" if pretrained else "")
        + ")",
        flush=True,
    )
    start = time.perf_counter()
    with kernel_errors(model):
        if frozen:
            finetune.freeze(model)
            if train.frozen_augment:
                _phase(model, x_train, x_val, aug=aug, epochs=(0, frozen), lr=train.learning_rate, **phase)
            else:
                body, head = finetune.head_on_features(model)
                batch = max(train.batch_size, 256)
                _phase(
                    head,
                    finetune.features(body, x_train, batch),
                    finetune.features(body, x_val, batch),
                    aug=AugmentParams(flip=False),
                    epochs=(0, frozen),
                    lr=train.learning_rate,
                    **phase,
                )
        if train.epochs > frozen:
            if pretrained:
                finetune.unfreeze(model, train.unfreeze_blocks)
            lr = train.learning_rate * (train.finetune_lr_factor if pretrained else 1.0)
            _phase(model, x_train, x_val, aug=aug, epochs=(frozen, train.epochs), lr=lr, last=True, **phase)
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


def _phase(
    model,
    x_train,
    x_val,
    *,
    y_train,
    y_val,
    num_classes,
    train,
    aug,
    seed,
    epochs,
    lr,
    log,
    extra_callbacks,
    last=False,
) -> None:
    """Epochs epochs[0] to epochs[1] of `model`, compiled afresh (a new optimizer, its schedule over these epochs)."""
    first, end = epochs
    ds, steps_per_epoch = train_dataset(x_train, y_train, num_classes, train.batch_size, seed, aug, first_epoch=first)
    val = eval_dataset(x_val, y_val, num_classes, max(train.batch_size, 256))
    # No XLA: `jit_compile` made these small CNNs 1.5-2x slower on the CPU (Fashion-MNIST, 2 cores).
    model.compile(
        optimizer=optimizer(train, steps_per_epoch * (end - first), peak=lr),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=train.label_smoothing),
        # Plain cross-entropy beside the smoothed loss: the one that compares with the test loss.
        metrics=[
            keras.metrics.CategoricalAccuracy(name="accuracy"),
            keras.metrics.CategoricalCrossentropy(name="cross_entropy"),
        ],
    )
    callbacks = [keras.callbacks.TerminateOnNaN(), log, *extra_callbacks]
    if train.ema:
        callbacks.insert(0, keras.callbacks.SwapEMAWeights(swap_on_epoch=True))
    if train.early_stopping and last:
        callbacks.append(
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=train.early_stopping, restore_best_weights=True)
        )
    model.fit(
        ds,
        epochs=end,
        initial_epoch=first,
        steps_per_epoch=steps_per_epoch,
        validation_data=val,
        callbacks=callbacks,
        verbose=1 if sys.stdout.isatty() else 0,  # a bar on terminals
        shuffle=False,
    )
