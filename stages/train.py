"""train: build the network from params, fit it; save the model, its per-epoch history and its training metrics."""

from imgclf.stage import stage


@stage("train", tensorflow=True)
def main(p) -> str:
    import numpy as np
    import pandas as pd

    from imgclf import model, train
    from imgclf.core import arrays, hardware, paths, resources
    from imgclf.core.atomic import atomic_path, write_json
    from imgclf.core.text import plural

    meta = arrays.load_meta(paths.DATASET)
    x_train, y_train = arrays.load_split(paths.PREPARED, "train")
    x_val, y_val = arrays.load_split(paths.PREPARED, "val")
    resources.check_batch_memory(p.train.batch_size, meta["image_shape"])
    strategy = train.strategy(p.train.distribute, p.train.batch_size)  # before TensorFlow starts its devices
    choice = hardware.apply(p.model.precision)
    start, weights = model.pretrained.read(paths.PRETRAINED)
    run = train.checkpoint.fingerprint(
        {"seed": p.seed, "model": p.model, "train": p.train, "augment": p.augment},
        [paths.DATASET, paths.PREPARED, paths.PRETRAINED],
        train.checkpoint.code_of("train"),
    )
    with strategy.scope():
        net = model.from_params(p, meta)
        model.pretrained.load_into(net, start, weights)
        result = train.fit(
            net,
            x_train,
            y_train,
            x_val,
            y_val,
            len(meta["classes"]),
            p.train,
            p.augment,
            p.seed,
            pretrained=weights is not None,
            resume=run,
        )
    last = result.history[-1]
    with atomic_path(paths.MODEL) as tmp:
        net.save(tmp)
    with atomic_path(paths.HISTORY) as tmp:
        pd.DataFrame(result.history).to_csv(tmp, index=False, float_format="%.5g")
    # val_loss is the training objective (with label smoothing); val_cross_entropy compares with the test loss.
    write_json(
        paths.TRAIN_METRICS,
        {
            "train_accuracy": round(last["accuracy"], 4),
            "train_loss": round(last["loss"], 4),
            "val_accuracy": round(last["val_accuracy"], 4),
            "val_loss": round(last["val_loss"], 4),
            "val_cross_entropy": round(last["val_cross_entropy"], 4),
            "epochs": len(result.history),
            "train_seconds": round(result.seconds, 1),
            "images_per_second": round(result.images_per_second, 1),
        },
    )
    # What the speed depends on; `imgclf compare` warns when two runs differ here. The model's own policy is
    # what ran (it was fixed when the model was built).
    write_json(
        paths.ENVIRONMENT,
        {
            **hardware.environment(choice),
            "precision": net.dtype_policy.name,
            "distribute": p.train.distribute,
            "replicas": strategy.num_replicas_in_sync,
        },
    )
    # What the network sees: 16 training images from every class in turn, through the training pipeline's first
    # batch (augmentation, MixUp and CutMix included), drawn by `report`.
    pick = train.samples(y_train, 16, p.seed)
    shown, labels = train.first_batch(x_train, y_train, pick, len(meta["classes"]), p.seed, p.augment)
    with atomic_path(paths.AUGMENTED) as tmp:
        np.savez(tmp, images=shown, labels=labels, augmented=p.augment.enabled)
    train.checkpoint.clear()  # every output is written: nothing left to resume
    replicas = f", {strategy.num_replicas_in_sync} replicas" if p.train.distribute != "none" else ""
    resumed = f" (resumed after epoch {result.resumed_from})" if result.resumed_from else ""
    return (
        f"{plural(len(result.history), 'epoch')}{resumed} from {model.pretrained.described(start)}, "
        f"{result.seconds:.1f}s of fitting "
        f"({result.images_per_second:,.0f} img/s, "
        f"{net.dtype_policy.name} on {choice.device} {choice.isa_class}{replicas}); "
        f"val accuracy {last['val_accuracy']:.4f}"
    )


if __name__ == "__main__":
    main()
