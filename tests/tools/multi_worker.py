"""One worker of a MultiWorkerMirroredStrategy run (TF_CONFIG names the cluster and this worker's index).

tests/test_distribute.py starts two of these on localhost; each prints RESULT and a JSON line when Keras' fit
finishes. Kept as small as a report upstream would be: a Dense layer on random bytes, 4 steps.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

strategy = tf.distribute.MultiWorkerMirroredStrategy()
print(f"STRATEGY replicas={strategy.num_replicas_in_sync}", flush=True)  # the cluster formed
import keras  # noqa: E402

rng = np.random.default_rng(0)
x = rng.integers(0, 256, (256, 8, 8, 1)).astype("uint8")
y = (x.reshape(256, -1).mean(axis=1) > 127.5).astype("int32")
ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(32).repeat()
with strategy.scope():
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Flatten(),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(ds, epochs=1, steps_per_epoch=4, verbose=0)
print(
    "RESULT "
    + json.dumps({"replicas": strategy.num_replicas_in_sync, **{k: float(v[-1]) for k, v in history.history.items()}}),
    flush=True,
)
