from pathlib import Path

import pytest
import yaml

from imgclf import params
from imgclf.errors import UserError

ROOT = Path(__file__).resolve().parents[1]


def raw():
    return yaml.safe_load((ROOT / "params.yaml").read_text())


def test_shipped_params_are_valid_and_complete():
    p = params.load(ROOT / "params.yaml")
    assert p.data.dataset == "fashion_mnist" and p.model.preset == "default"
    # Every schema key is written out in params.yaml, so `dvc exp show` lists them all.
    assert params.as_dict(params.parse(raw())) == params.as_dict(p)
    def keys(d, pre=""):
        return {pre + k for k, v in d.items() if not isinstance(v, dict)} | \
               {x for k, v in d.items() if isinstance(v, dict) for x in keys(v, f"{pre}{k}.")}
    shipped = keys({k: v for k, v in raw().items() if k != "model"}) | keys({"model": {k: v for k, v in raw()["model"].items() if k != "custom"}})
    schema = keys({k: v for k, v in params.as_dict(params.Params()).items() if k != "model"}) | {"model.preset", "model.precision"}
    assert schema <= shipped


@pytest.mark.parametrize("section,key,value,message", [
    ("train", "epochs", "x", "train.epochs must be an integer; got 'x'"),
    ("train", "epochs", 2.5, "train.epochs must be an integer"),
    ("train", "learning_rate", "fast", "train.learning_rate must be a number"),
    ("augment", "flip", "yes", "augment.flip must be true or false"),
    ("train", "optimizer", "rmsprop", "train.optimizer must be one of sgd, adam, adamw"),
    ("data", "dataset", "mnist", "data.dataset must be one of"),
    ("train", "epochs", 0, "train.epochs must be at least 1"),
    ("data", "val_split", 1.5, "data.val_split must be between 0 and 1"),
    ("model", "preset", "defualt", "did you mean 'default'"),
])
def test_bad_values_are_named(section, key, value, message):
    r = raw()
    r[section][key] = value
    with pytest.raises(UserError) as exc:
        params.parse(r)
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_unknown_keys_are_refused_with_a_suggestion():
    r = raw()
    r["train"]["epoch"] = 3
    with pytest.raises(UserError, match=r"unknown param 'train.epoch' \(did you mean 'train.epochs'\?\)"):
        params.parse(r)
    r = raw()
    r["trian"] = {}
    with pytest.raises(UserError, match="unknown param 'trian'"):
        params.parse(r)


def test_custom_architecture_is_typed():
    r = raw()
    r["model"]["preset"] = "custom"
    r["model"]["custom"]["blocks"][0]["filters"] = "many"
    with pytest.raises(UserError, match=r"model.custom.blocks\[0\].filters must be an integer"):
        params.parse(r)
    r["model"]["custom"] = None
    with pytest.raises(UserError, match="model.custom is empty"):
        params.parse(r)


def test_invalid_yaml_and_missing_file(tmp_path):
    (tmp_path / "params.yaml").write_text("train: [unclosed\n")
    with pytest.raises(UserError, match="not valid YAML"):
        params.load(tmp_path / "params.yaml")
    with pytest.raises(UserError, match="not found"):
        params.load(tmp_path / "nope.yaml")
