import gzip

import numpy as np
import pytest

from imgclf.core.errors import UserError
from imgclf.data import idx


def test_round_trip_images_and_labels(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    (tmp_path / "x.gz").write_bytes(gzip.compress(idx.encode(images)))
    (tmp_path / "y").write_bytes(idx.encode(labels))
    np.testing.assert_array_equal(idx.load(tmp_path / "x.gz"), images)
    np.testing.assert_array_equal(idx.load(tmp_path / "y"), labels)


def test_header_layout_matches_the_format():
    data = idx.encode(np.zeros((2, 3), np.uint8))
    assert data[:4] == bytes([0, 0, 8, 2])
    assert int.from_bytes(data[4:8], "big") == 2 and int.from_bytes(data[8:12], "big") == 3
    assert len(data) == 12 + 6


@pytest.mark.parametrize("cut", [1, 100])
def test_truncated_data_is_reported(cut):
    data = idx.encode(np.zeros((4, 28, 28), np.uint8))[:-cut]
    with pytest.raises(UserError, match="truncated"):
        idx.parse(data, "f")


def test_truncated_header_and_bad_magic():
    with pytest.raises(UserError, match="header"):
        idx.parse(bytes([0, 0, 8, 3, 0, 0]), "f")
    with pytest.raises(UserError, match="not an IDX file"):
        idx.parse(b"PK\x03\x04rest", "f")
    with pytest.raises(UserError, match="not an IDX file"):
        idx.parse(b"", "f")


def test_trailing_bytes_are_reported():
    with pytest.raises(UserError, match="longer than its header"):
        idx.parse(idx.encode(np.zeros((2, 2), np.uint8)) + b"\0", "f")


def test_corrupt_gzip_is_a_user_error(tmp_path):
    good = gzip.compress(idx.encode(np.zeros((10, 28, 28), np.uint8)))
    (tmp_path / "bad.gz").write_bytes(good[: len(good) // 2])
    with pytest.raises(UserError, match="not a valid gzip file"):
        idx.load(tmp_path / "bad.gz")
