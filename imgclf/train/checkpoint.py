"""Resume an interrupted `train`: after every epoch the network's variables (its seed generators' states too), the
optimizer's (moments, step count, hence the schedule's place) and the history so far are saved to
build/checkpoints/train/, keyed by a fingerprint of what the stage trains from; a run with the same fingerprint
starts after the last saved epoch and ends with the metrics of an uninterrupted run, because the input stream,
the augmentation and dropout continue exactly where they stopped (imgclf/train/pipeline.py).

Keras' BackupAndRestore is not enough here: its weights file leaves out the seed generators' states (dropout would
draw other masks after a resume), and it knows nothing of the two fine-tuning phases. The folder is git-ignored and
not declared to DVC, so it is in no stage's hash and no experiment's commit; a successful run removes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np

from ..core.paths import CHECKPOINT

FORMAT = 1


@dataclass
class Saved:
    """What a checkpoint holds: epochs done, the rows of the history, the arrays to put back."""

    epochs: int
    rows: list[dict]
    model: list[np.ndarray]
    optimizer: list[np.ndarray]
    stopping: dict = field(default_factory=dict)  # EarlyStopping's state, when it runs
    best: list[np.ndarray] = field(default_factory=list)  # and the weights it would restore


def fingerprint(params: dict, inputs: list[Path], code: list[Path]) -> str:
    """The params the network depends on, the input files (by name, size and modification time: a restored or
    changed file is a new run) and the source of the code that trains."""
    h = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode())
    for path in inputs:
        for f in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if f.is_file():
                st = f.stat()
                h.update(f"{f}:{st.st_size}:{st.st_mtime_ns}".encode())
    for folder in code:
        for f in sorted(folder.rglob("*.py")) if folder.is_dir() else [folder]:
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def code_of(stage: str, dvc_yaml: Path = Path("dvc.yaml")) -> list[Path]:
    """The code the stage depends on in dvc.yaml (its script and imgclf/ folders): a checkpoint outlives edits
    elsewhere in imgclf/, as the stage's DVC hash does."""
    import yaml

    deps = yaml.safe_load(dvc_yaml.read_text())["stages"][stage]["deps"]
    return [Path(d) for d in deps if d.endswith(".py") or d.startswith("imgclf")]


def load(key: str, folder: Path = CHECKPOINT) -> Saved | None:
    """The checkpoint of this run, or None (none, another run's, or unreadable: then it is removed)."""
    meta_path = folder / "state.json"
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text())
        if meta.get("format") != FORMAT or meta.get("fingerprint") != key:
            print(f"train: the checkpoint in {folder} is of another run (other params, data or code); starting afresh")
            clear(folder)
            return None
        with np.load(folder / "arrays.npz", allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        pick = lambda prefix: [arrays[f"{prefix}{i}"] for i in range(meta[f"{prefix}count"])]
        return Saved(
            epochs=meta["epochs"],
            rows=meta["rows"],
            model=pick("model"),
            optimizer=pick("optimizer"),
            stopping=meta.get("stopping", {}),
            best=pick("best"),
        )
    except (OSError, ValueError, KeyError) as exc:
        print(f"train: ignoring an unreadable checkpoint in {folder} ({type(exc).__name__}); starting afresh")
        clear(folder)
        return None


def clear(folder: Path = CHECKPOINT) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def restore_optimizer(model, values: list[np.ndarray]) -> None:
    """Build the freshly compiled optimizer on the trainable variables and put its saved state back."""
    if values:
        model.optimizer.build(model.trainable_variables)
        _assign(model.optimizer.variables, values, "optimizer")


def restore_model(model, values: list[np.ndarray]) -> None:
    _assign(model.variables, values, "network")


def _assign(variables, values: list[np.ndarray], what: str) -> None:
    if len(variables) != len(values):
        raise ValueError(f"the checkpoint's {what} has {len(values)} variables, this one {len(variables)}")
    for var, value in zip(variables, values):
        var.assign(value)


class Checkpointer(keras.callbacks.Callback):
    """Saves `network` (the whole model, also while only its head trains on cached features) and the training
    model's optimizer after every epoch, atomically (a new folder, then renamed over the old one), so a kill at any
    moment leaves the last complete epoch."""

    def __init__(self, network, key: str, log, stopping=None, folder: Path = CHECKPOINT):
        super().__init__()
        self.network, self.key, self.log, self.stopping, self.folder = network, key, log, stopping, folder

    def on_train_begin(self, logs=None):
        saved = getattr(self, "resume_stopping", None)
        if self.stopping is not None and saved:  # EarlyStopping has just reset itself: put its state back
            self.stopping.wait, self.stopping.best = saved["stopping"]["wait"], saved["stopping"]["best"]
            self.stopping.best_epoch = saved["stopping"]["best_epoch"]
            self.stopping.best_weights = saved["best"] or None

    def on_epoch_end(self, epoch, logs=None):
        # Ctrl-C or a kill waits the few milliseconds of the write: a checkpoint is whole or is the one before.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            self._save(epoch)
            self.log.saved = epoch + 1
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)

    def _save(self, epoch):
        arrays = {f"model{i}": np.asarray(v) for i, v in enumerate(self.network.variables)}
        arrays |= {f"optimizer{i}": np.asarray(v) for i, v in enumerate(self.model.optimizer.variables)}
        meta = {
            "format": FORMAT,
            "fingerprint": self.key,
            "epochs": epoch + 1,
            "rows": self.log.rows,
            "modelcount": len(self.network.variables),
            "optimizercount": len(self.model.optimizer.variables),
            "bestcount": 0,
        }
        es = self.stopping
        if es is not None and es.best_weights is not None:
            arrays |= {f"best{i}": np.asarray(w) for i, w in enumerate(es.best_weights)}
            meta |= {
                "bestcount": len(es.best_weights),
                "stopping": {"wait": es.wait, "best": float(es.best), "best_epoch": es.best_epoch},
            }
        fresh = self.folder.with_name(f".{self.folder.name}.new")
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir(parents=True)
        np.savez(fresh / "arrays.npz", **arrays)
        (fresh / "state.json").write_text(json.dumps(meta))
        old = self.folder.with_name(f".{self.folder.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if self.folder.exists():
            os.replace(self.folder, old)
        os.replace(fresh, self.folder)
        shutil.rmtree(old, ignore_errors=True)
