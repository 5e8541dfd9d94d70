import numpy as np
import pytest

from imgclf.core.errors import UserError
from imgclf.data.split import stratified_split


def test_split_is_stratified_disjoint_and_seeded():
    y = np.repeat(np.arange(4), [100, 50, 30, 20]).astype(np.uint8)
    x = np.arange(len(y))[:, None]
    (xa, ya), (xb, yb) = stratified_split(x, y, 0.2, seed=7, param="data.val_split")
    assert len(yb) == 40 and len(ya) == 160
    np.testing.assert_array_equal(np.bincount(yb), [20, 10, 6, 4])
    assert not set(xa[:, 0]) & set(xb[:, 0])
    (_, _), (xc, _) = stratified_split(x, y, 0.2, seed=7, param="data.val_split")
    np.testing.assert_array_equal(xb, xc)
    (_, _), (xd, _) = stratified_split(x, y, 0.2, seed=8, param="data.val_split")
    assert not np.array_equal(xb, xd)


def test_too_small_to_split():
    y = np.array([0, 0, 0, 1], np.uint8)
    with pytest.raises(UserError, match="data.val_split"):
        stratified_split(np.zeros((4, 1)), y, 0.25, seed=0, param="data.val_split")
