"""One benchmark case in a fresh process, so its peak memory is its own; prints one JSON line.

Cases:
  tutorial  the seed tutorials' way: float64 numpy arrays (x / 255.0) straight into model.fit
  pipeline  the same network and epochs through imgclf's uint8 tf.data input path and training loop
            ("stream": true reads every batch from prepared files on disk, as the stages do for large splits)
  (any case with "dvclive": DIR adds dvclive's Keras callback, writing to DIR: the dvclive section)
  curve     imgclf's training, recording the test accuracy after every epoch (for the accuracy/time plot;
            nothing is chosen by it). Each epoch's weights are copied and tested after training: testing
            between epochs slowed the following epochs (769 s instead of 716 s for CIFAR-10 in native bf16)
"""

from __future__ import annotations

import json
import resource
import shutil
import sys
import time
from pathlib import Path

from imgclf.core.startup import start_tensorflow


def main() -> None:
    spec = json.loads(sys.argv[1])
    start_tensorflow()
    import keras

    from imgclf import data, model, train
    from imgclf.core import hardware
    from imgclf.evaluate import predict
    from imgclf.model import PRESETS
    from imgclf.params import AugmentParams, DataParams, TrainParams

    seed = spec.get("seed", 42)
    prep = data.prepare(DataParams(dataset=spec["dataset"]), seed=seed, downloads=spec["downloads"])
    if spec.get("stream"):
        import tempfile

        from imgclf.core import arrays
        from imgclf.train import pipeline

        pipeline.IN_MEMORY_BYTES = 0  # stream every split, however small (the stages keep small ones in memory)

        folder = Path(tempfile.mkdtemp(prefix="imgclf-bench-stream-"))
        arrays.save(prep, folder / "prepared", folder / "dataset.json")
        prep.arrays = {s: arrays.load_split(folder / "prepared", s) for s in ("train", "val", "test")}
        shutil.rmtree(folder)  # the open files stay readable
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = (prep.arrays[s] for s in ("train", "val", "test"))
    classes = len(prep.classes)
    recipe = TrainParams(**spec["train"])
    choice = hardware.apply(spec.get("precision", "float32"))  # resolves auto under this case's ONEDNN_MAX_CPU_ISA
    tutorial = spec["case"] == "tutorial"
    net = model.build(PRESETS[spec["preset"]], prep.image_shape, classes, seed=seed, float_input=tutorial)
    tta = {"tta_flip": spec.get("tta_flip", False), "tta_shift": spec.get("tta_shift", 0)}
    result = {
        "case": spec["case"],
        "preset": spec["preset"],
        "epochs": recipe.epochs,
        "images": int(len(x_tr)),
        "precision": choice.policy,
        "isa_class": choice.isa_class,
        "seed": seed,
    }
    if tutorial:
        x64, xv64, xt64 = x_tr / 255.0, x_va / 255.0, x_te / 255.0
        net.compile(optimizer=train.optimizer(recipe, 1), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        start = time.perf_counter()
        net.fit(x64, y_tr, epochs=recipe.epochs, batch_size=recipe.batch_size, validation_data=(xv64, y_va), verbose=0)
        seconds = time.perf_counter() - start
        probs = net.predict(xt64, batch_size=512, verbose=0)
    else:
        curve: list[dict] = []

        class SnapshotEachEpoch(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.start, self.snapshots = time.perf_counter(), []

            def on_epoch_end(self, epoch, logs=None):
                t = time.perf_counter()
                self.snapshots.append((round(t - self.start, 1), self.model.get_weights()))
                self.start += time.perf_counter() - t  # the copy is not training time

        snap = SnapshotEachEpoch()
        extra = [snap] if spec["case"] == "curve" else []
        if spec.get("dvclive"):  # the dvclive section: its Keras callback logging every epoch
            from dvclive import Live
            from dvclive.keras import DVCLiveCallback

            # dvcyaml=None: by default dvclive rewrites the project's dvc.yaml (drops its comments, adds its own files)
            extra.append(DVCLiveCallback(live=Live(spec["dvclive"], save_dvc_exp=False, dvcyaml=None)))
        # No augmentation unless the case names it (the tutorials have none).
        aug = AugmentParams(**{"flip": False, **spec.get("augment", {})})
        fit = train.fit(net, x_tr, y_tr, x_va, y_va, classes, recipe, aug, seed, extra_callbacks=extra)
        probs = predict(net, x_te, 512, **tta)
        if spec["case"] == "curve":
            for epoch, (trained, weights) in enumerate(snap.snapshots, 1):
                net.set_weights(weights)
                acc = float((predict(net, x_te, 512, **tta).argmax(1) == y_te).mean())
                curve.append({"epoch": epoch, "seconds": trained, "test_accuracy": round(acc, 4)})
            result["curve"] = curve
        seconds = curve[-1]["seconds"] if curve else fit.seconds
    result.update(
        {
            "train_seconds": round(seconds, 1),
            "images_per_second": round(len(x_tr) * recipe.epochs / seconds, 1),
            "test_accuracy": round(float((probs.argmax(1) == y_te).mean()), 4),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    )
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
