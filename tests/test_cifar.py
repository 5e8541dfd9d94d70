import numpy as np
import pytest

from imgclf.core.errors import UserError
from imgclf.data import cifar


def test_round_trip_keeps_channel_order():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    y = np.array([0, 9, 4], dtype=np.uint8)
    data = cifar.encode(x, y)
    assert len(data) == 3 * cifar.RECORD
    # The format stores the red plane first: byte 1 of a record is the red value of pixel (0, 0).
    assert data[1] == x[0, 0, 0, 0] and data[1 + 1024] == x[0, 0, 0, 1]
    xx, yy = cifar.parse(data)
    np.testing.assert_array_equal(xx, x)
    np.testing.assert_array_equal(yy, y)


def test_partial_record_and_bad_label_are_reported():
    data = cifar.encode(np.zeros((2, 32, 32, 3), np.uint8), np.array([1, 2]))
    with pytest.raises(UserError, match="not a multiple"):
        cifar.parse(data[:-5], "batch")
    bad = bytearray(data)
    bad[0] = 12
    with pytest.raises(UserError, match="label 12"):
        cifar.parse(bytes(bad), "batch")


def test_class_names_from_meta(tmp_path):
    (tmp_path / cifar.META_FILE).write_text("\n".join(cifar.CLASSES) + "\n\n")
    assert cifar.class_names(tmp_path) == cifar.CLASSES
    (tmp_path / cifar.META_FILE).write_text("a\nb\n")
    with pytest.raises(UserError, match="lists 2 classes"):
        cifar.class_names(tmp_path)
