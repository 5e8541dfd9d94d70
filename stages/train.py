"""Stage 3: build the model from params, train it; save it, its per-epoch history and its training metrics."""

import sys

from imgclf.errors import cli_entry
from imgclf.stage import begin


@cli_entry
def main() -> None:
    p = begin()
    import numpy as np
    import pandas as pd

    from imgclf import distribute, hardware, models, resources, storage, training
    from imgclf.atomic import atomic_path, write_json
    from imgclf.augment import augment_batch
    from imgclf.stage import AUGMENTED, META, MODEL, PREPARED

    meta = storage.load_meta(META)
    x_train, y_train = storage.load_split(PREPARED, "train")
    x_val, y_val = storage.load_split(PREPARED, "val")
    resources.check_batch_memory(p.train.batch_size, meta["image_shape"])
    strategy = distribute.strategy(p.train.distribute, p.train.batch_size)   # before TensorFlow starts its devices
    choice = hardware.apply(p.model.precision)
    with strategy.scope():
        model = models.from_params(p, meta)
        result = training.fit(model, x_train, y_train, x_val, y_val, len(meta["classes"]), p.train, p.augment,
                              p.seed)
    last = result.history[-1]
    with atomic_path(MODEL) as tmp:
        model.save(tmp)
    with atomic_path("metrics/history.csv") as tmp:
        pd.DataFrame(result.history).to_csv(tmp, index=False, float_format="%.5g")
    # val_loss is the training objective (with label smoothing); val_cross_entropy compares with the test loss.
    write_json("metrics/train.json", {
        "train_accuracy": round(last["accuracy"], 4), "train_loss": round(last["loss"], 4),
        "val_accuracy": round(last["val_accuracy"], 4), "val_loss": round(last["val_loss"], 4),
        "val_cross_entropy": round(last["val_cross_entropy"], 4),
        "epochs": len(result.history), "train_seconds": round(result.seconds, 1),
        "images_per_second": round(result.images_per_second, 1)})
    # What the speed depends on; `imgclf compare` warns when two runs differ here. The model's own policy is
    # what ran (it was fixed when the model was built).
    write_json("metrics/environment.json", {**hardware.environment(choice), "precision": model.dtype_policy.name,
                                            "distribute": p.train.distribute,
                                            "replicas": strategy.num_replicas_in_sync})
    # What the network sees: the same 16 training images, augmented as in the first batch (drawn by `report`).
    sample = np.asarray(x_train[:16])
    shown = augment_batch(sample, np.array([p.seed, 0]), p.augment).numpy() if p.augment.enabled else sample
    with atomic_path(AUGMENTED) as tmp:
        np.savez(tmp, images=shown, labels=np.asarray(y_train[:16]), augmented=p.augment.enabled)
    print(f"train: {len(result.history)} epochs in {result.seconds:.1f}s ({result.images_per_second:,.0f} img/s, "
          f"{model.dtype_policy.name} on {choice.device} {choice.isa_class}"
          f"{f', {strategy.num_replicas_in_sync} replicas' if p.train.distribute != 'none' else ''}); "
          f"val accuracy {last['val_accuracy']:.4f}")


if __name__ == "__main__":
    sys.exit(main())
