import re
from pathlib import Path

import pytest
import yaml

from imgclf import params
from imgclf.core.errors import UserError

ROOT = Path(__file__).resolve().parents[1]


def raw():
    return yaml.safe_load((ROOT / "params.yaml").read_text())


def parse_with(**changes):
    r = raw()
    for key, value in changes.items():
        params.set_dotted(r, key, value)
    return params.parse(r)


def validated(**changes):
    """What the validate stage checks: the schema, then whether the network fits the images."""
    from imgclf import model

    p = parse_with(**changes)
    model.check(p)
    return p


def test_shipped_params_are_the_schema_defaults_written_out():
    """One source of defaults: params.yaml holds exactly the schema's defaults, every key written out."""
    assert params.load(ROOT / "params.yaml") == params.Params()
    shipped = {k for k, _ in params.flat_items(raw())}
    schema = {k for k, _ in params.flat_items(params.as_dict(params.Params()))}
    # model.custom may leave out what it does not use (e.g. an mlp's `hidden`), like the presets do
    assert shipped <= schema and {k for k in schema if not k.startswith("model.custom.")} <= shipped


def test_docs_params_table_is_generated_from_the_schema():
    page = (ROOT / "docs" / "params.md").read_text()
    table = page.split("<!-- params-table:start -->\n")[1].split("<!-- params-table:end -->")[0]
    assert table == params.table(markdown=True), "regenerate it: imgclf params --markdown"
    for key, _ in params.flat_items(params.as_dict(params.Params())):
        if not key.startswith("model.custom."):
            assert f"| `{key}` |" in table


def test_imgclf_params_lists_every_field():
    import contextlib
    import io

    from imgclf.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["params"]) == 0
    text = out.getvalue()
    assert "train.weight_decay = 0.0005    (float >= 0)" in text
    assert "model.precision = auto    (auto | float32 | mixed_bfloat16 | mixed_float16)" in text


@pytest.mark.parametrize("text,value", [("1e-05", 1e-05), ("1e-3", 0.001), (" 2.5E-4 ", 2.5e-4), ("0.2", 0.2)])
def test_floats_take_numbers_that_yaml_reads_as_text(text, value):
    # YAML 1.1 (PyYAML) reads 1e-05 -- what `dvc exp run -S train.learning_rate=0.00001` writes -- as a string.
    assert yaml.safe_load(f"x: {text.strip()}")["x"] in (text.strip(), value)
    assert parse_with(**{"train.learning_rate": text}).train.learning_rate == value
    assert parse_with(**{"augment.hue": "5e-2"}).augment.hue == 0.05


@pytest.mark.parametrize(
    "key,value,message",
    [
        ("train.epochs", "x", "train.epochs must be an integer; got 'x' (str)"),
        ("train.epochs", "3", "train.epochs must be an integer; got '3' (str)"),  # ints stay strict
        ("train.epochs", 2.5, "train.epochs must be an integer; got 2.5 (float)"),
        ("train.learning_rate", "fast", "train.learning_rate must be a number; got 'fast' (str)"),
        ("train.learning_rate", True, "train.learning_rate must be a number"),
        ("train.learning_rate", "nan", "train.learning_rate must be > 0"),
        ("augment.flip", "yes", "augment.flip must be true or false"),
        ("train.optimizer", "rmsprop", "train.optimizer must be one of sgd, adam, adamw; got 'rmsprop' (str)"),
        ("data.dataset", "mnist", "data.dataset must be one of fashion_mnist, cifar10, folder"),
        ("model.preset", "defualt", "(did you mean 'default'?)"),
        ("model.precision", "float64", "model.precision must be one of auto, float32, mixed_bfloat16, mixed_float16"),
        # issue 9, defect 6: every field's range is checked before any stage runs
        ("seed", -1, "seed must be >= 0 and <= 4294967295"),
        ("seed", 2**32, "seed must be >= 0 and <= 4294967295; got 4294967296"),
        ("data.val_split", 1.5, "data.val_split must be > 0 and < 1; got 1.5"),
        ("data.test_split", 0, "data.test_split must be > 0 and < 1"),
        ("data.image_size", [2, 32], "data.image_size[0] must be >= 4; got 2"),
        ("data.image_size", [32], "data.image_size must have 2 items"),
        ("data.folder", "", "data.folder: String should have at least 1 character"),
        ("train.epochs", 0, "train.epochs must be >= 1; got 0"),
        ("train.batch_size", 0, "train.batch_size must be >= 1; got 0"),
        ("train.learning_rate", 0, "train.learning_rate must be > 0"),
        ("train.momentum", -5, "train.momentum must be >= 0 and <= 1; got -5"),
        ("train.weight_decay", -0.0005, "train.weight_decay must be >= 0; got -0.0005"),
        ("train.warmup", 1, "train.warmup must be >= 0 and < 1"),
        ("train.label_smoothing", 1.0, "train.label_smoothing must be >= 0 and < 1"),
        ("train.early_stopping", -1, "train.early_stopping must be >= 0"),
        ("train.ema", 1.0, "train.ema must be >= 0 and < 1"),
        ("augment.crop_size", -1, "augment.crop_size must be >= 0"),
        ("augment.crop_size", 29, "augment.crop_size 29 is larger than the 28x28 images"),
        ("augment.crop_padding", -2, "augment.crop_padding must be >= 0"),
        ("augment.brightness", 1.0, "augment.brightness must be >= 0 and < 1"),
        ("augment.contrast", -0.1, "augment.contrast must be >= 0 and < 1"),
        ("augment.saturation", 2, "augment.saturation must be >= 0 and < 1"),
        ("augment.hue", 0.6, "augment.hue must be >= 0 and <= 0.5"),
        ("eval.batch_size", 0, "eval.batch_size must be >= 1"),
        ("eval.gallery", -1, "eval.gallery must be >= 0"),
        ("model.custom.dropout", 1.5, "model.custom.dropout must be >= 0 and < 1; got 1.5"),
        ("model.custom.head_scale", 0, "model.custom.head_scale must be > 0"),
        ("model.custom.dense", [0], "model.custom.dense[0] must be >= 1"),
        ("model.custom.kind", "rnn", "model.custom.kind must be one of mlp, cnn"),
    ],
)
def test_bad_values_are_one_line_naming_the_key(key, value, message):
    with pytest.raises(UserError) as exc:
        parse_with(**{key: value})
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_unknown_keys_are_refused_with_a_suggestion():
    r = raw()
    r["train"]["epoch"] = 3
    with pytest.raises(UserError, match=r"^unknown param 'train.epoch' \(did you mean 'train.epochs'\?\)$"):
        params.parse(r)
    r = raw()
    r["trian"] = {}
    with pytest.raises(UserError, match="unknown param 'trian'"):
        params.parse(r)
    r = raw()
    r["model"]["custom"]["blocks"][1]["filter"] = 3
    with pytest.raises(
        UserError,
        match=r"unknown param 'model.custom.blocks\[1\].filter' \(did you mean "
        r"'model.custom.blocks\[1\].filters'\?\)",
    ):
        params.parse(r)


def custom(blocks, size=None, **extra):
    changes = {"model.preset": "custom", "model.custom": {"kind": "cnn", "blocks": blocks}}
    if size:
        changes.update({"data.dataset": "folder", "data.image_size": size})
    return validated(**changes, **extra)


def test_custom_architecture_is_typed_and_checked():
    with pytest.raises(UserError, match=r"model.custom.blocks\[0\].filters must be an integer"):
        custom([{"filters": "many"}])
    with pytest.raises(UserError, match=r"model.custom.blocks\[0\].dropout must be >= 0 and < 1; got 1.5"):
        custom([{"filters": 8, "dropout": 1.5}])
    with pytest.raises(UserError, match="model.custom: kind is cnn but blocks is empty"):
        custom([])
    with pytest.raises(UserError, match="model.preset is 'custom' but model.custom is empty"):
        parse_with(**{"model.preset": "custom", "model.custom": None})


def test_networks_too_deep_for_the_images_are_refused():
    """Pooling below 1x1 used to pass validate and crash in train, after DVC had deleted the old outputs."""
    four = [{"filters": 8}] * 4
    assert custom(four, size=[16, 16])  # 16 -> 8 -> 4 -> 2 -> 1
    with pytest.raises(UserError, match=r"model.custom.blocks\[3\]: 2x2 pooling of a 1x1 feature map"):
        custom(four, size=[8, 8])
    with pytest.raises(UserError, match=r"model.custom.blocks\[0\]: a 5x5 'valid' convolution shrinks"):
        custom([{"filters": 8, "kernel": 5, "padding": "valid"}], size=[4, 4])
    with pytest.raises(UserError, match=r"model.preset 'tutorial_alexnet'.blocks\[2\]: 2x2 pooling"):
        validated(**{"data.dataset": "folder", "data.image_size": [4, 4], "model.preset": "tutorial_alexnet"})
    # the crop is what the network sees
    with pytest.raises(UserError, match=r"blocks\[3\]: 2x2 pooling"):
        custom(four, **{"augment.crop_size": 12})
    with pytest.raises(UserError, match=r"residual shortcut \(8x8\) does not match the block.s output \(9x9\)"):
        custom([{"filters": 8, "residual": True, "stride": 2, "padding": "valid", "convs": 2}], size=[24, 24])


def test_every_preset_fits_both_builtin_datasets():
    for preset in params.PRESET_NAMES:
        for dataset in ("fashion_mnist", "cifar10"):
            assert validated(**{"model.preset": preset, "data.dataset": dataset}).model.preset == preset


def test_invalid_yaml_and_missing_file(tmp_path):
    (tmp_path / "params.yaml").write_text("train: [unclosed\n")
    with pytest.raises(UserError, match="not valid YAML"):
        params.load(tmp_path / "params.yaml")
    with pytest.raises(UserError, match="not found"):
        params.load(tmp_path / "nope.yaml")
    (tmp_path / "params.yaml").write_text("- 1\n")
    with pytest.raises(UserError, match=r"params.yaml must be a mapping of keys to values; got \[1\] \(list\)"):
        params.load(tmp_path / "params.yaml")


def test_no_import_circle_between_params_and_presets():
    """The schema knows the presets by name only (so that editing a preset reruns no data stage); the presets
    import the schema's network description, never the other way round."""
    import ast

    for path in sorted((ROOT / "imgclf" / "params").glob("*.py")):
        tree = ast.parse(path.read_text())
        imported = {(n.level, n.module or "") for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not any(
            m.startswith("imgclf.model") or (level == 2 and m.startswith("model")) for level, m in imported
        ), f"{path.name} imports the model package"


def test_the_readme_cifar_command_is_the_benchmarked_recipe():
    # bench/cifar10.yaml is what the Performance figures measured; the README's command must train the same thing.
    readme = (ROOT / "README.md").read_text()
    command = readme.split("dvc exp run -n cifar-default-color ")[1].split("```")[0]
    given = dict(kv.split("=", 1) for kv in re.findall(r"-S (\S+)", command))
    recipe = yaml.safe_load((ROOT / "bench" / "cifar10.yaml").read_text())
    shipped = params.as_dict(params.Params())
    want = {
        f"{section}.{key}": value
        for section, values in recipe.items()
        for key, value in values.items()
        if shipped[section][key] != value
    }  # the command sets only what differs from params.yaml
    assert given.pop("data.dataset") == "cifar10"
    assert {k: yaml.safe_load(v) for k, v in given.items()} == want
