"""One network's training and prediction speed in a fresh process, on random uint8 images; prints one JSON line.

  python bench/throughput.py '{"network": "mobilenet_v3_small", "size": 224}'   # or "default_color" at 32

Training is a full forward and backward pass of every layer (imgclf's optimizer and loss); prediction is the
forward pass. For a backbone it also times the frozen phase of fine-tuning both ways: an epoch of the head alone
on features computed once (what `train.frozen_augment: false` does), and an epoch through the frozen backbone
(`true`: forward only). Timed steps follow two untimed warm-up steps.
"""

from __future__ import annotations

import json
import resource
import sys
import time

from imgclf.core.startup import start_tensorflow


def timed(fn, repeats: int) -> float:
    fn()
    fn()  # tracing and allocation, then the steady state
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def main() -> None:
    spec = json.loads(sys.argv[1])
    start_tensorflow()
    import keras
    import numpy as np
    import tensorflow as tf

    from imgclf import model, train
    from imgclf.core import hardware
    from imgclf.params import TrainParams

    choice = hardware.apply(spec.get("precision", "auto"))
    size, batch, classes, name = spec["size"], spec.get("batch", 32), 10, spec["network"]
    shape = (size, size, 3)
    if name in model.backbones.BACKBONES:
        net = model.backbones.build(name, shape, classes, seed=0)
    else:
        net = model.build(model.PRESETS[name], shape, classes, seed=0)
    rng = np.random.default_rng(0)
    x = tf.constant(rng.integers(0, 256, (batch, *shape), dtype=np.uint8))
    y = tf.one_hot(rng.integers(0, classes, batch), classes)
    recipe = TrainParams(optimizer="adam", learning_rate=1e-3, schedule="constant")

    def compiled(m):
        m.compile(optimizer=train.optimizer(recipe, 1), loss=keras.losses.CategoricalCrossentropy())
        return m

    steps = spec.get("steps", 3)
    compiled(net)
    step = timed(lambda: net.train_on_batch(x, y), steps)
    forward = timed(lambda: net.predict_on_batch(x), steps)
    out = {
        "network": name,
        "size": size,
        "batch": batch,
        "params": int(net.count_params()),
        "precision": choice.policy,
        "isa_class": choice.isa_class,
        "train_images_per_second": round(batch / step, 1),
        "predict_images_per_second": round(batch / forward, 1),
    }
    if name in model.backbones.BACKBONES:
        train.finetune.freeze(net)
        body, head = train.finetune.head_on_features(net)
        features = tf.constant(np.asarray(body.predict_on_batch(x), dtype=np.float32))
        compiled(head)
        compiled(net)  # recompiled frozen: the backbone runs forward only
        head_step = timed(lambda: head.train_on_batch(features, y), steps * 10)
        frozen_step = timed(lambda: net.train_on_batch(x, y), steps)
        out.update(
            cached_head_images_per_second=round(batch / head_step, 1),
            frozen_images_per_second=round(batch / frozen_step, 1),
            cached_speedup=round(step / head_step, 1),
            frozen_speedup=round(step / frozen_step, 2),
        )
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    sys.exit(main())
