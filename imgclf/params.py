"""The one schema of params.yaml (pydantic, strict): each field states its type, range, default and help once.

The defaults here are the values params.yaml ships with (a test holds them equal); the README's params
table and `imgclf params` are generated from this schema. Every stage validates the whole file first, and
a bad value becomes one line naming the key, what it must be and what it got.
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo

from .architecture import STRICT, Architecture, Block, check_fits
from .errors import UserError
from .presets import PRESETS, resolve


def _number_from_text(value: Any) -> Any:
    """YAML 1.1 reads `1e-05` (what `dvc exp run -S train.learning_rate=0.00001` writes) and a hand-typed
    `1e-3` as strings; a float param takes them as the numbers they are (ints stay strict)."""
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return value
    return value


Float = Annotated[float, BeforeValidator(_number_from_text), Field(allow_inf_nan=False)]
# Size of the images of the built-in datasets (the folder dataset has data.image_size).
NATIVE_SIZE = {"fashion_mnist": (28, 28), "cifar10": (32, 32)}
SEED_MAX = 2**32 - 1  # numpy's legacy seeding and scikit-learn's random_state take 32 bits


class DataParams(BaseModel):
    model_config = STRICT
    dataset: Literal["fashion_mnist", "cifar10", "folder"] = Field("fashion_mnist", description="which dataset")
    folder: str = Field("data/images", min_length=1, description="folder dataset: one sub-folder per class, "
                        "optionally under `train/`, `val/` (or `valid/`, `validation/`) and `test/`")
    image_size: list[Annotated[int, Field(ge=4)]] = Field(
        [32, 32], min_length=2, max_length=2, description="folder dataset: `[height, width]` every image is resized to")
    color_mode: Literal["rgb", "grayscale"] = Field("rgb", description="folder dataset: colour or grey images")
    val_split: Float = Field(0.1, gt=0, lt=1, description="fraction of the training images held out (stratified) "
                                                          "for validation, unless the folder has a `val/` split")
    test_split: Float = Field(0.2, gt=0, lt=1, description="folder dataset without a `test/` split: fraction held out "
                                                           "(stratified) for testing")
    bad_files: Literal["fail", "skip"] = Field(
        "fail", description="folder dataset: `fail` on a corrupt image, an empty class folder or a CSV row naming no "
                            "file, or `skip` them (listed in `metrics/data.json` and the report)")
    labels_csv: str = Field("", description="folder dataset: a CSV inside `data.folder` with a header row and "
                                            "`file,label` rows, instead of class sub-folders (`\"\"`: class sub-folders)")

    @field_validator("labels_csv")
    @classmethod
    def _inside_the_folder(cls, value: str) -> str:
        path = Path(value)
        if path.is_absolute() or ".." in path.parts:
            raise ValueError(f"must be a path inside data.folder (so DVC tracks it); got '{value}'")
        return value


class ModelParams(BaseModel):
    model_config = STRICT
    preset: Literal[tuple([*PRESETS, "custom"])] = Field(
        "default", description="a preset (see Presets below), or `custom` to use `model.custom`")
    precision: Literal["auto", "float32", "mixed_bfloat16", "mixed_float16"] = Field(
        "auto", description="`auto`: bfloat16 where the hardware runs it natively, else float32 (see imgclf/hardware.py)")
    custom: Architecture | None = Field(
        Architecture(kind="cnn", blocks=[Block(filters=32, padding="valid"), Block(filters=64, padding="valid")],
                     dense=[64]),
        description="the network when `model.preset` is `custom` (default: Conv32-Pool-Conv64-Pool-Dense64), "
                    "written like the presets in `imgclf/presets.py`")


class TrainParams(BaseModel):
    model_config = STRICT
    optimizer: Literal["sgd", "adam", "adamw"] = Field("sgd", description="`sgd` (Nesterov momentum), `adam` or `adamw`")
    learning_rate: Float = Field(0.2, gt=0, description="peak learning rate")
    momentum: Float = Field(0.9, ge=0, le=1, description="sgd: momentum (Nesterov when > 0)")
    weight_decay: Float = Field(0.0005, ge=0, description="decoupled weight decay (not on biases or batch norm)")
    schedule: Literal["constant", "onecycle", "cosine"] = Field(
        "onecycle", description="`onecycle` (linear warm-up from lr/10, then linear decay to 0), `cosine` or `constant`")
    warmup: Float = Field(0.25, ge=0, lt=1, description="onecycle: fraction of the steps spent warming up")
    epochs: int = Field(11, ge=1, description="passes over the training images")
    batch_size: int = Field(128, ge=1, description="images per training step")
    label_smoothing: Float = Field(0.1, ge=0, lt=1,
                                   description="label smoothing of the training loss (`val_loss` includes it)")
    early_stopping: int = Field(0, ge=0, description="patience in epochs on validation loss (restores the best "
                                                     "weights); 0 = off")
    ema: Float = Field(0.0, ge=0, lt=1, description="exponential moving average of the weights, e.g. 0.999; 0 = off")
    distribute: Literal["none", "mirrored"] = Field(
        "none", description="`mirrored`: one copy of the model per local GPU (or logical CPU device), each step's "
                            "batch split across them (see Training on several devices or machines)")


class AugmentParams(BaseModel):
    model_config = STRICT
    crop_size: int = Field(0, ge=0, description="random crop of this size while training, centre crop (inside the "
                                                "model) at evaluation; 0 = off; at most the image size")
    crop_padding: int = Field(0, ge=0, description="zero padding before the random crop: random shifts of up to "
                                                   "N pixels")
    flip: bool = Field(True, description="random horizontal flip")
    brightness: Float = Field(0.0, ge=0, lt=1, description="random brightness shift, fraction of the full range")
    contrast: Float = Field(0.0, ge=0, lt=1, description="random contrast factor, relative")
    saturation: Float = Field(0.0, ge=0, lt=1, description="random saturation factor (RGB only)")
    hue: Float = Field(0.0, ge=0, le=0.5, description="random hue shift, fraction of the colour circle (RGB only)")

    @property
    def enabled(self) -> bool:
        return any(self.model_dump().values())


class EvalParams(BaseModel):
    model_config = STRICT
    batch_size: int = Field(512, ge=1, description="images per prediction step")
    tta_flip: bool = Field(True, description="average each test image's prediction with its mirror image's")
    tta_shift: int = Field(0, ge=0, le=8, description="also average copies shifted by this many pixels "
                                                      "(down-right and up-left); 0 = off")
    gallery: int = Field(36, ge=0, description="how many of the most confident mistakes the report shows")


EXPORT_FORMATS = ("savedmodel", "tflite_float32", "tflite_int8", "onnx")


class ExportParams(BaseModel):
    model_config = STRICT
    formats: list[Literal[EXPORT_FORMATS]] = Field(
        [], description="what the `export` stage writes to `models/export/` and measures; `[]`: nothing "
                        "(`tflite_int8` is full-integer quantised)")
    batch_size: int = Field(256, ge=1, description="images per batch for the throughput figure")
    calibration_images: int = Field(500, ge=1, description="tflite_int8: training images that calibrate the "
                                                           "activation ranges")
    min_agreement: Float = Field(0.999, ge=0, le=1, description="float formats must predict the Keras model's class "
                                                                "on at least this fraction of the test images")
    max_int8_accuracy_drop: Float = Field(0.01, ge=0, le=1, description="tflite_int8 may lose at most this much "
                                                                        "test accuracy (0.01 = 1 point)")
    min_int8_shrink: Float = Field(3.0, gt=0, description="tflite_int8 must be at least this many times smaller than "
                                                          "the float32 TFLite model")

    @field_validator("formats")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        twice = sorted({f for f in value if value.count(f) > 1})
        if twice:
            raise ValueError(f"lists {', '.join(twice)} more than once")
        return value


class Params(BaseModel):
    model_config = STRICT
    seed: int = Field(42, ge=0, le=SEED_MAX, description="seeds the split, the weights, the shuffling and the "
                                                         "augmentation")
    data: DataParams = DataParams()
    model: ModelParams = ModelParams()
    train: TrainParams = TrainParams()
    augment: AugmentParams = AugmentParams()
    eval: EvalParams = EvalParams()
    export: ExportParams = ExportParams()

    @model_validator(mode="after")
    def _fits_the_images(self):
        """Checks that span sections: the custom network exists, the crop and the network fit the images."""
        if self.model.preset == "custom" and self.model.custom is None:
            raise ValueError("model.preset is 'custom' but model.custom is empty: describe the network under "
                             "model.custom")
        h, w = NATIVE_SIZE.get(self.data.dataset) or tuple(self.data.image_size)
        crop = self.augment.crop_size
        if crop > min(h, w):
            raise ValueError(f"augment.crop_size {crop} is larger than the {h}x{w} images; use at most {min(h, w)} "
                             f"(or 0 = off)")
        if crop:
            h, w = min(h, crop), min(w, crop)
        where = "model.custom" if self.model.preset == "custom" else f"model.preset '{self.model.preset}'"
        check_fits(resolve(self.model.preset, self.model.custom), h, w, where)
        return self


# ---------------------------------------------------------------- loading, and pydantic's errors as one line


def parse(raw: Any) -> Params:
    """Validate a params mapping; raises UserError with one line about the first bad key."""
    try:
        return Params.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        raise UserError(_one_line(exc.errors()[0])) from None


def load(path: str | Path = "params.yaml") -> Params:
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path} not found: run from the project root, next to dvc.yaml")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" line {line + 1}" if line is not None else ""
        raise UserError(f"{path}{where} is not valid YAML: {getattr(exc, 'problem', exc)}") from None
    return parse(raw)


def as_dict(params: BaseModel) -> dict:
    return params.model_dump()


KINDS = {  # pydantic error type -> what the value must be
    "int_type": "an integer", "int_parsing": "an integer", "int_from_float": "an integer",
    "float_type": "a number", "float_parsing": "a number", "finite_number": "a finite number",
    "bool_type": "true or false", "bool_parsing": "true or false", "string_type": "a string",
    "list_type": "a list", "model_type": "a mapping of keys to values", "dict_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
}
BOUNDS = (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))


def _one_line(err: dict) -> str:
    loc, kind, value = err["loc"], err["type"], err.get("input")
    where = dotted(loc) or "params.yaml"
    got = f"got {value!r} ({type(value).__name__})"
    if kind == "extra_forbidden":
        names = list(_model_at(loc[:-1]).model_fields)
        near = difflib.get_close_matches(str(loc[-1]), names, n=1)
        hint = f" (did you mean '{dotted((*loc[:-1], near[0]))}'?)" if near else f" (known: {', '.join(names)})"
        return f"unknown param '{where}'{hint}"
    if kind == "missing":
        return f"missing param '{where}'"
    if kind in KINDS:
        return f"{where} must be {KINDS[kind]}; {got}"
    if kind == "literal_error":
        choices = [str(c) for c in typing.get_args(_field(loc).annotation)]
        near = difflib.get_close_matches(str(value), choices, n=1)
        return f"{where} must be one of {', '.join(choices)}; {got}" + (f" (did you mean '{near[0]}'?)" if near else "")
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        info = _field(loc)
        return f"{where} must be {allowed(info)}; got {value!r}" + (f" ({info.description})" if info.description else "")
    if kind in {"too_short", "too_long"}:
        return f"{where} must have {err['ctx'].get('min_length', err['ctx'].get('max_length'))} items; {got}"
    if kind == "value_error":
        message = str(err["ctx"]["error"])
        return message if not loc else f"{where}{' ' if message.startswith('must') else ': '}{message}"
    return f"{where}: {err['msg']}; {got}"


def _model_at(loc: tuple) -> type[BaseModel]:
    node: Any = Params
    for key in loc:
        if isinstance(key, str):
            node = _inner(node.model_fields[key].annotation)
    return node


def _field(loc: tuple):
    """The FieldInfo of the value at `loc` (a list item's constraints sit on the list's item type)."""
    keys = [k for k in loc if isinstance(k, str)]
    info = _model_at(tuple(keys[:-1])).model_fields[keys[-1]]
    if isinstance(loc[-1], int):  # an item of a list field: its own annotated constraints
        item = typing.get_args(info.annotation)[0]
        if typing.get_origin(item) is not Annotated:   # e.g. a Literal: the item's choices
            return FieldInfo(annotation=item)
        return next(m for m in typing.get_args(item)[1:] if hasattr(m, "metadata"))
    return info


def _inner(annotation: Any) -> Any:
    """Architecture | None -> Architecture; list[Block] -> Block."""
    while typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation


def allowed(info) -> str:
    """A field's range, e.g. '>= 0 and < 1', from its constraints."""
    parts = [f"{op} {getattr(m, name)}" for m in info.metadata for name, op in BOUNDS if hasattr(m, name)]
    return " and ".join(parts)


# ---------------------------------------------------------------- dotted paths: the one helper


def dotted(loc: tuple) -> str:
    """('model', 'custom', 'blocks', 0, 'filters') -> 'model.custom.blocks[0].filters'."""
    out = ""
    for key in loc:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def flat_items(d: dict, prefix: str = "") -> list[tuple[str, object]]:
    """Nested params as ("train.epochs", 10) pairs, in file order."""
    out = []
    for k, v in d.items():
        if isinstance(v, dict):
            out += flat_items(v, f"{prefix}{k}.")
        else:
            out.append((f"{prefix}{k}", v))
    return out


def set_dotted(d: dict, key: str, value: Any) -> None:
    """set_dotted(raw, "train.epochs", 3): what `dvc exp run -S train.epochs=3` does to params.yaml."""
    *parents, leaf = key.split(".")
    for part in parents:
        d = d[part]
    d[leaf] = value


# ---------------------------------------------------------------- the schema as a table (README, `imgclf params`)


def rows(model: type[BaseModel] = Params, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(param, default, allowed values, meaning) for every field, nested models expanded in place."""
    out = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        inner = _inner(info.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            if info.description:
                out.append((key, "(below)", _type_text(info.annotation), info.description))
            item = "[]." if typing.get_origin(info.annotation) is list else "."
            out += rows(inner, key + item)
        else:
            out.append((key, _default_text(info), _type_text(info.annotation, info), info.description or ""))
    return out


def _type_text(annotation: Any, info=None) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {_type_text(args[0])}"
    if origin is Annotated:
        metas = [m for m in args[1:] if hasattr(m, "metadata")]
        text = _type_text(args[0])
        bounds = " and ".join(allowed(m) for m in metas if allowed(m))
        return f"{text} {bounds}".strip()
    if origin in (typing.Union, types.UnionType):
        return _type_text(_inner(annotation)) + " or null"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    text = {int: "int", float: "float", bool: "bool", str: "str"}[annotation]
    bounds = allowed(info) if info is not None else ""
    return f"{text} {bounds}".strip()


def _default_text(info) -> str:
    if info.is_required():
        return "required"
    return f"`{_yaml_text(info.default)}`"


def _yaml_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_text(v) for v in value) + "]"
    return str(value) if value != "" else '""'


def table(markdown: bool = True) -> str:
    header = ("param", "default", "allowed", "meaning")
    body = [(f"`{k}`", d, a, m) for k, d, a, m in rows()]
    if markdown:  # the README's table, between its `params-table` markers
        return "\n".join(["| " + " | ".join(header) + " |", "|---|---|---|---|"]
                         + ["| " + " | ".join(r) + " |" for r in body]) + "\n"
    plain = lambda text: text.replace("`", "").replace("\\|", "|")
    return "".join(f"{k} = {plain(d)}    ({plain(a)})\n    {plain(m)}\n" for k, d, a, m in rows())
