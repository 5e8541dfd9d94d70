"""TensorFlow's start-up in a fresh process, as every stage does it."""

import subprocess
import sys

from conftest import ROOT

CODE = """
import sys
from imgclf.core import quiet_tensorflow
quiet_tensorflow()
print(sorted(m for m in ("sklearn", "matplotlib") if m in sys.modules))
import keras
import matplotlib.pyplot
from sklearn.metrics import confusion_matrix
print(confusion_matrix([0, 1], [0, 0]).tolist(), keras.layers.Dense(2)(keras.ops.ones((1, 3))).shape)
"""


def test_keras_starts_without_its_optional_imports_which_still_work_afterwards():
    proc = subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:2] == ["[]", "[[1, 0], [1, 0]] (1, 2)"], proc.stdout
