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
from ..core.text import duration, plural
from ..model import whitening
from ..params import AugmentParams, TrainParams
from . import checkpoint, finetune
from .optimizer import optimizer
from .pipeline import eval_dataset, train_dataset


@dataclass
class TrainResult:
    history: list[dict]  # one row per epoch
    seconds: float  # the run's one training-time figure: the sum of the epochs' seconds
    images_per_second: float
    stopped_early: bool
    resumed_from: int = 0  # epochs a checkpoint gave back (0: none)


class EpochLog(keras.callbacks.Callback):
    """Collects per-epoch rows and prints one line per epoch with the run's ETA (Keras' own bar stays off: the two
    collided on one line). An epoch's seconds run from the end of the one before (from the start of training for
    the first), so set-up, compiling and caching features count and the rows add up to the run's training time.
    On a terminal the line in progress shows the batch count, rewritten in place."""

    def __init__(self, epochs: int, images: int, rows: list[dict] | None = None):
        super().__init__()
        self.epochs, self.images, self.rows = epochs, images, list(rows or [])
        self.live = sys.stdout.isatty()
        self.mark = time.perf_counter()
        self.saved = len(self.rows)  # epochs in the checkpoint (imgclf/train/checkpoint.py)

    def on_epoch_begin(self, epoch, logs=None):
        self.shown = 0.0

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        if self.live and now - self.shown > 0.5:
            self.shown = now
            steps = self.params.get("steps") or 0
            print(f"\repoch {len(self.rows) + 1:>3}/{self.epochs}  batch {batch + 1}/{steps}", end="", flush=True)

    def on_epoch_end(self, epoch, logs=None):
        now = time.perf_counter()
        seconds, self.mark = now - self.mark, now
        row = {
            "epoch": epoch + 1,
            **{k: float(v) for k, v in (logs or {}).items() if k != "learning_rate"},
            "learning_rate": float(np.asarray(self.model.optimizer.learning_rate)),
            "seconds": round(seconds, 3),
        }
        self.rows.append(row)
        recent = [r["seconds"] for r in self.rows[1:][-5:]] or [seconds]  # the first epoch also paid the set-up
        left = (self.epochs - len(self.rows)) * sum(recent) / len(recent)
        print(
            ("\r\033[K" if self.live else "")
            + f"epoch {epoch + 1:>3}/{self.epochs}  loss {row.get('loss', math.nan):.4f}  "
            f"acc {row.get('accuracy', math.nan):.4f}  val_loss {row.get('val_loss', math.nan):.4f}  "
            f"val_acc {row.get('val_accuracy', math.nan):.4f}  {seconds:5.1f}s "
            f"({self.images / seconds:,.0f} img/s)" + (f"  ETA {duration(left)}" if left >= 0.5 else ""),
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
    resume: str | None = None,
) -> TrainResult:
    """Train `model` for train.epochs: from scratch in one phase; from trained weights (`pretrained`) the head alone
    for train.frozen_epochs first, then fine-tuning (imgclf/train/finetune.py). With `resume` (a fingerprint of the
    run, imgclf/train/checkpoint.py) every epoch is saved, and a run with the same fingerprint continues after
    the last saved epoch; Ctrl-C or a kill then costs at most the epoch it interrupted."""
    keras.utils.set_random_seed(seed)
    if not pretrained:
        whitening.fit(model, x_train)  # a pretrained network keeps the whitening its weights were trained with
    saved = checkpoint.load(resume) if resume else None
    done = saved.epochs if saved else 0
    if saved:
        checkpoint.restore_model(model, saved.model)
    frozen = min(train.frozen_epochs, train.epochs) if pretrained else 0
    log = EpochLog(train.epochs, len(x_train), saved.rows if saved else None)
    phase = dict(
        y_train=y_train,
        y_val=y_val,
        num_classes=num_classes,
        train=train,
        seed=seed,
        log=log,
        extra_callbacks=extra_callbacks or [],
        network=model,
        resume=resume,
        saved=saved,
    )
    print(
        f"training {model.count_params():,} params on {plural(len(x_train), 'image')} for "
        f"{plural(train.epochs, 'epoch')} (batch {train.batch_size}, {train.optimizer}, lr {train.learning_rate}, "
        f"{train.schedule}"
        + (f"; {frozen} frozen, then lr x {train.finetune_lr_factor:g}" if pretrained else "")
        + ")"
        + (f"; resuming after epoch {done} from {checkpoint.CHECKPOINT}" if saved else ""),
        flush=True,
    )
    try:
        with kernel_errors(model):
            if frozen > done:
                finetune.freeze(model)
                if train.frozen_augment:
                    _phase(model, x_train, x_val, aug=aug, epochs=(0, frozen), lr=train.learning_rate, first=done,
                           **phase)  # fmt: skip
                else:
                    body, head = finetune.head_on_features(model)
                    batch = max(train.batch_size, 256)
                    _phase(
                        head,
                        finetune.features(body, x_train, batch),
                        finetune.features(body, x_val, batch),
                        aug=AugmentParams(flip=False),
                        epochs=(0, frozen),
                        first=done,
                        lr=train.learning_rate,
                        **phase,
                    )
            if train.epochs > max(frozen, done):
                if pretrained:
                    finetune.unfreeze(model, train.unfreeze_blocks)
                lr = train.learning_rate * (train.finetune_lr_factor if pretrained else 1.0)
                start = max(frozen, done)
                _phase(model, x_train, x_val, aug=aug, epochs=(frozen, train.epochs), lr=lr, last=True,
                       first=start, **phase)  # fmt: skip
    except KeyboardInterrupt:
        kept = log.saved
        raise KeyboardInterrupt(
            f"train: {plural(kept, 'epoch')} of {train.epochs} saved in {checkpoint.CHECKPOINT}: `dvc repro` (or the "
            f"same `dvc exp run`) resumes from epoch {kept + 1}; `git checkout -- params.yaml dvc.lock && dvc "
            f"checkout` goes back to the last complete run"
            if resume and kept
            else "train: no epoch finished; `git checkout -- params.yaml dvc.lock && dvc checkout` goes back to the "
            "last complete run"
        ) from None
    rows = log.rows
    diverged = next((r["epoch"] for r in rows if not math.isfinite(r.get("loss", math.nan))), None)
    if diverged or not rows:
        raise UserError(
            f"training diverged (loss became NaN or infinite in epoch {diverged or 1}): lower "
            f"train.learning_rate (now {train.learning_rate}) or add train.weight_decay"
        )
    seconds = sum(r["seconds"] for r in rows)
    return TrainResult(
        history=rows,
        seconds=seconds,
        images_per_second=len(x_train) * len(rows) / seconds,
        stopped_early=len(rows) < train.epochs,
        resumed_from=done,
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
    network,
    resume,
    saved,
    last=False,
    first=None,
) -> None:
    """Epochs epochs[0] to epochs[1] of `model`, compiled afresh (a new optimizer, its schedule over these epochs),
    from epoch `first` (a resumed run: the optimizer's saved state put back) or epochs[0]."""
    begin, end = epochs
    first = begin if first is None else first
    ds, steps_per_epoch = train_dataset(x_train, y_train, num_classes, train.batch_size, seed, aug, first_epoch=first)
    val = eval_dataset(x_val, y_val, num_classes, max(train.batch_size, 256))
    # No XLA: `jit_compile` made these small CNNs 1.5-2x slower on the CPU (Fashion-MNIST, 2 cores).
    model.compile(
        optimizer=optimizer(train, steps_per_epoch * (end - begin), peak=lr),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=train.label_smoothing),
        # Plain cross-entropy beside the smoothed loss: the one that compares with the test loss.
        metrics=[
            keras.metrics.CategoricalAccuracy(name="accuracy"),
            keras.metrics.CategoricalCrossentropy(name="cross_entropy"),
        ],
    )
    if saved and saved.epochs == first and first > begin:
        checkpoint.restore_optimizer(model, saved.optimizer)  # mid-phase: the moments and the schedule's place
    callbacks = [keras.callbacks.TerminateOnNaN(), log, *extra_callbacks]
    if train.ema:
        swap = keras.callbacks.SwapEMAWeights(swap_on_epoch=True)
        # An epoch ends with the averaged weights swapped into the network, and so does a saved checkpoint.
        swap._ema_weights_in_model = bool(saved and saved.epochs == first and first > begin)
        callbacks.insert(0, swap)
    stopping = None
    if train.early_stopping and last:
        stopping = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=train.early_stopping, restore_best_weights=True
        )
        callbacks.append(stopping)
    if resume:
        saver = checkpoint.Checkpointer(network, resume, log, stopping)
        if saved and saved.epochs == first and saved.stopping:
            saver.resume_stopping = {"stopping": saved.stopping, "best": saved.best}
        callbacks.append(saver)
    model.fit(
        ds,
        epochs=end,
        initial_epoch=first,
        steps_per_epoch=steps_per_epoch,
        validation_data=val,
        callbacks=callbacks,
        verbose=0,  # EpochLog prints the progress
        shuffle=False,
    )
