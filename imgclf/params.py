"""The one typed schema of params.yaml: every stage validates the whole file before doing any work."""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from .errors import UserError



@dataclass(frozen=True)
class Block:
    """One convolutional block: `convs` convolutions, then optional pooling and dropout."""

    filters: int
    kernel: int = 3
    stride: int = 1
    padding: Literal["same", "valid"] = "same"
    convs: int = 1
    batch_norm: bool = False
    residual: bool = False
    pool: Literal["max", "avg", "none"] = "max"
    dropout: float = 0.0


@dataclass(frozen=True)
class Architecture:
    """A dense (`mlp`) or convolutional (`cnn`) network; presets are written in this same form."""

    kind: Literal["mlp", "cnn"]
    hidden: list[int] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    head: Literal["flatten", "gap", "gmp"] = "flatten"
    dense: list[int] = field(default_factory=list)
    activation: Literal["relu", "gelu", "elu", "selu", "tanh", "sigmoid", "swish"] = "relu"
    dropout: float = 0.0
    head_scale: float = 1.0       # multiplies the features before the output layer (fast-training trick)


@dataclass(frozen=True)
class DataParams:
    dataset: Literal["fashion_mnist", "cifar10", "folder"] = "fashion_mnist"
    folder: str = "data/images"
    image_size: list[int] = field(default_factory=lambda: [32, 32])
    color_mode: Literal["grayscale", "rgb"] = "rgb"
    val_split: float = 0.1
    test_split: float = 0.2
    bad_files: Literal["fail", "skip"] = "fail"
    labels_csv: str = ""      # folder dataset: CSV of file,label rows inside data.folder; "" = class sub-folders


@dataclass(frozen=True)
class ModelParams:
    preset: str = "default"
    custom: Architecture | None = None
    precision: Literal["auto", "float32", "mixed_bfloat16", "mixed_float16"] = "auto"


@dataclass(frozen=True)
class TrainParams:
    optimizer: Literal["sgd", "adam", "adamw"] = "adamw"
    learning_rate: float = 0.001
    momentum: float = 0.9
    weight_decay: float = 0.0
    schedule: Literal["constant", "onecycle", "cosine"] = "onecycle"
    warmup: float = 0.2
    epochs: int = 10
    batch_size: int = 128
    label_smoothing: float = 0.0
    early_stopping: int = 0
    ema: float = 0.0


@dataclass(frozen=True)
class AugmentParams:
    crop_size: int = 0
    crop_padding: int = 0
    flip: bool = False
    brightness: float = 0.0
    contrast: float = 0.0
    saturation: float = 0.0
    hue: float = 0.0

    @property
    def enabled(self) -> bool:
        return any(dataclasses.astuple(self))


@dataclass(frozen=True)
class EvalParams:
    batch_size: int = 512
    tta_flip: bool = False
    gallery: int = 36


@dataclass(frozen=True)
class Params:
    seed: int = 42
    data: DataParams = field(default_factory=DataParams)
    model: ModelParams = field(default_factory=ModelParams)
    train: TrainParams = field(default_factory=TrainParams)
    augment: AugmentParams = field(default_factory=AugmentParams)
    eval: EvalParams = field(default_factory=EvalParams)


# ---------------------------------------------------------------- validation



def _describe(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def _convert(value: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin is Literal:
        choices = typing.get_args(hint)
        if value not in choices:
            raise UserError(f"{where} must be one of {', '.join(map(str, choices))}; got {_describe(value)}")
        return value
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        return _convert(value, args[0], where)
    if origin is list:
        (item,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise UserError(f"{where} must be a list; got {_describe(value)}")
        return [_convert(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, where)
    if hint is bool:
        if not isinstance(value, bool):
            raise UserError(f"{where} must be true or false; got {_describe(value)}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise UserError(f"{where} must be an integer; got {_describe(value)}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UserError(f"{where} must be a number; got {_describe(value)}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise UserError(f"{where} must be a string; got {_describe(value)}")
        return value
    raise TypeError(f"unsupported type {hint!r} at {where}")  # a bug in the schema, not user input


def _build(cls: type, raw: Any, where: str) -> Any:
    if not isinstance(raw, dict):
        raise UserError(f"{where or 'params.yaml'} must be a mapping of keys to values; got {_describe(raw)}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for key in raw:
        if key not in names:
            near = difflib.get_close_matches(str(key), names, n=1)
            hint = f" (did you mean '{_join(where, near[0])}'?)" if near else f" (known: {', '.join(names)})"
            raise UserError(f"unknown param '{_join(where, key)}'{hint}")
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in raw:
            values[f.name] = _convert(raw[f.name], hints[f.name], _join(where, f.name))
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise UserError(f"missing param '{_join(where, f.name)}'")
    return cls(**values)


def _join(where: str, key: Any) -> str:
    return f"{where}.{key}" if where else str(key)


def _check_ranges(p: Params) -> None:
    from .presets import PRESETS  # local import: presets imports this module

    def need(ok: bool, message: str) -> None:
        if not ok:
            raise UserError(message)

    need(0 < p.data.val_split < 1, f"data.val_split must be between 0 and 1 (a fraction of the training set); got {p.data.val_split}")
    need(0 < p.data.test_split < 1, f"data.test_split must be between 0 and 1; got {p.data.test_split}")
    need(len(p.data.image_size) == 2 and min(p.data.image_size) >= 4,
         f"data.image_size must be [height, width], each at least 4; got {p.data.image_size}")
    csv_path = Path(p.data.labels_csv)
    need(not csv_path.is_absolute() and ".." not in csv_path.parts,
         f"data.labels_csv must be a path inside data.folder (so DVC tracks it); got '{p.data.labels_csv}'")
    names = sorted(PRESETS) + ["custom"]
    if p.model.preset not in names:
        near = difflib.get_close_matches(p.model.preset, names, n=1)
        extra = f" (did you mean '{near[0]}'?)" if near else ""
        raise UserError(f"model.preset '{p.model.preset}' is unknown{extra}; choose one of: {', '.join(names)}")
    need(p.model.preset != "custom" or p.model.custom is not None,
         "model.preset is 'custom' but model.custom is empty: describe the network under model.custom")
    arch = p.model.custom
    if arch is not None:
        need(arch.kind != "cnn" or bool(arch.blocks), "model.custom.kind is cnn but model.custom.blocks is empty")
        need(all(u > 0 for u in arch.hidden + arch.dense), "model.custom layer sizes must be positive")
        need(all(b.filters > 0 and b.kernel > 0 and b.stride > 0 and b.convs > 0 for b in arch.blocks),
             "model.custom.blocks: filters, kernel, stride and convs must be positive")
    t = p.train
    need(t.epochs >= 1, f"train.epochs must be at least 1; got {t.epochs}")
    need(t.batch_size >= 1, f"train.batch_size must be at least 1; got {t.batch_size}")
    need(t.learning_rate > 0, f"train.learning_rate must be positive; got {t.learning_rate}")
    need(0 <= t.warmup < 1, f"train.warmup must be a fraction in [0, 1); got {t.warmup}")
    need(0 <= t.label_smoothing < 1, f"train.label_smoothing must be in [0, 1); got {t.label_smoothing}")
    need(0 <= t.ema < 1, f"train.ema must be 0 (off) or a decay in (0, 1) such as 0.999; got {t.ema}")
    need(t.early_stopping >= 0, f"train.early_stopping must be 0 (off) or a patience in epochs; got {t.early_stopping}")
    a = p.augment
    need(a.crop_size >= 0 and a.crop_padding >= 0, "augment.crop_size and augment.crop_padding must be >= 0")
    for name in ("brightness", "contrast", "saturation"):
        need(0 <= getattr(a, name) < 1, f"augment.{name} must be in [0, 1) (0 = off); got {getattr(a, name)}")
    need(0 <= a.hue <= 0.5, f"augment.hue must be in [0, 0.5] (0 = off); got {a.hue}")
    need(p.eval.batch_size >= 1 and p.eval.gallery >= 0, "eval.batch_size must be >= 1 and eval.gallery >= 0")


def parse(raw: Any) -> Params:
    """Validate a params mapping; raises UserError naming the first bad key."""
    params = _build(Params, raw if raw is not None else {}, "")
    _check_ranges(params)
    return params


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


def as_dict(params: Any) -> dict:
    return dataclasses.asdict(params)
