import pytest

from imgclf.model import build
from imgclf.model.presets import PRESETS
from imgclf.params import Architecture, Block

# Parameter counts of the seed tutorials' networks (and of layer-by-layer sums for the others).
TUTORIAL_COUNTS = {
    ("tutorial_dense128", (28, 28, 1)): 784 * 128 + 128 + 128 * 10 + 10,  # 101,770
    ("tutorial_mlp300", (28, 28, 1)): 266_610,
    ("tutorial_mlp_deep", (28, 28, 1)): 59_130,
    ("tutorial_dense3000", (32, 32, 3)): 3072 * 3000 + 3000 + 3000 * 1000 + 1000 + 10_010,  # 12,230,010
    ("tutorial_cnn", (28, 28, 1)): 320 + 18_496 + 5 * 5 * 64 * 64 + 64 + 650,  # 121,930
    ("tutorial_cnn", (32, 32, 3)): 896 + 18_496 + 6 * 6 * 64 * 64 + 64 + 650,  # 167,562
    ("tutorial_strided", (28, 28, 1)): 320 + 18_496 + 73_856 + 295_168 + 2 * 2 * 256 * 10 + 10,
}


@pytest.mark.parametrize("name,shape", sorted(TUTORIAL_COUNTS))
def test_tutorial_parameter_counts(name, shape):
    assert build(PRESETS[name], shape, 10).count_params() == TUTORIAL_COUNTS[(name, shape)]


@pytest.mark.parametrize("name", sorted(PRESETS))
@pytest.mark.parametrize("shape", [(28, 28, 1), (32, 32, 3)])
def test_every_preset_builds_and_outputs_probabilities(name, shape):
    import numpy as np

    model = build(PRESETS[name], shape, 10)
    probs = model.predict(np.zeros((2, *shape), np.uint8), verbose=0)
    assert probs.shape == (2, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_residual_blocks_and_crop_model():
    import numpy as np

    arch = Architecture(
        kind="cnn",
        blocks=[
            Block(filters=16, convs=2, batch_norm=True, residual=True),
            Block(filters=32, convs=2, batch_norm=True, residual=True, pool="none"),
        ],
        head="gap",
    )
    model = build(arch, (32, 32, 3), 5, crop_size=28)
    assert any(layer.name.endswith("_add") for layer in model.layers)
    # A cropping model takes the whole image at evaluation (centre crop inside) and crops while training.
    assert model.predict(np.zeros((1, 32, 32, 3), np.uint8), verbose=0).shape == (1, 5)
    assert model.predict(np.zeros((1, 28, 28, 3), np.uint8), verbose=0).shape == (1, 5)


def test_the_schema_knows_every_preset_by_name_in_order():
    from imgclf.params import PRESET_NAMES

    assert tuple(PRESETS) == PRESET_NAMES
