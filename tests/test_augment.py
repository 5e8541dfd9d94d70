import numpy as np
import pytest

from imgclf.params import AugmentParams
from imgclf.train.augment import augment_batch

ALL = AugmentParams(crop_size=24, crop_padding=3, flip=True, brightness=0.2, contrast=0.3, saturation=0.4, hue=0.1)


def images(channels=3, n=16, size=32):
    return np.random.default_rng(0).integers(0, 256, (n, size, size, channels), dtype=np.uint8)


def test_disabled_is_identity():
    x = images()
    assert not AugmentParams(flip=False).enabled
    np.testing.assert_array_equal(augment_batch(x, np.array([1, 2]), AugmentParams(flip=False)).numpy(), x)


@pytest.mark.parametrize("channels", [1, 3])
def test_shapes_dtype_and_range(channels):
    out = augment_batch(images(channels), np.array([1, 2]), ALL).numpy()
    assert out.shape == (16, 24, 24, channels) and out.dtype == np.uint8
    assert out.min() >= 0 and out.max() <= 255


def test_same_seed_same_output_other_seed_differs():
    x = images()
    a = augment_batch(x, np.array([5, 0]), ALL).numpy()
    b = augment_batch(x, np.array([5, 0]), ALL).numpy()
    c = augment_batch(x, np.array([5, 1]), ALL).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_padding_shifts_keep_content_and_size():
    x = images(1)
    aug = AugmentParams(crop_padding=2, flip=False)
    out = augment_batch(x, np.array([3, 3]), aug).numpy()
    assert out.shape == x.shape
    # Each output is its input shifted by at most 2 pixels: find the matching shift.
    for i in range(4):
        assert any(
            np.array_equal(out[i, 2:-2, 2:-2], x[i, 2 + dy : 30 + dy, 2 + dx : 30 + dx])
            for dy in range(-2, 3)
            for dx in range(-2, 3)
        )


def test_flip_mirrors_about_half_of_the_images():
    x = images(n=200)
    out = augment_batch(x, np.array([0, 9]), AugmentParams(flip=True)).numpy()
    flipped = [np.array_equal(o, i[:, ::-1]) for o, i in zip(out, x)]
    same = [np.array_equal(o, i) for o, i in zip(out, x)]
    assert all(f or s for f, s in zip(flipped, same))
    assert 60 < sum(flipped) < 140


def test_colour_ops_leave_grey_images_grey_range():
    x = images(1)
    out = augment_batch(x, np.array([0, 1]), AugmentParams(flip=False, hue=0.3, saturation=0.5)).numpy()
    np.testing.assert_array_equal(out, x)  # hue and saturation need colour; grey images pass unchanged
