"""The one schema of params.yaml (pydantic, strict): each field states its type, range, default and help once.

The defaults here are the values params.yaml ships with (a test holds them equal); the params table of
docs/params.md and `imgclf params` are generated from this schema. Every stage validates the whole file first,
and a bad value becomes one line naming the key, what it must be and what it got.

The schema knows the presets by name only: the networks themselves are in imgclf/model/presets.py, and whether
one fits the images is checked by the validate stage (imgclf.model.check), so that editing a preset reruns the
stages that build a model and not `prepare`.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, field_validator, model_validator

from ..core.paths import IMAGES, START
from .architecture import STRICT, Architecture, Block


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
# The names of imgclf/model/presets.py's networks and imgclf/model/backbones.py's applications, in their order
# (tests/test_presets.py and the backbones module hold them equal).
PRESET_NAMES = (
    "tutorial_dense128",
    "tutorial_mlp300",
    "tutorial_mlp_deep",
    "tutorial_dense3000",
    "tutorial_cnn",
    "tutorial_strided",
    "tutorial_alexnet",
    "default",
    "default_color",
)
BACKBONE_NAMES = ("mobilenet_v3_small", "mobilenet_v3_large", "efficientnet_v2_b0")
START_FOLDER = PurePosixPath(START.as_posix())  # a user's own starting weights (see imgclf/core/paths.py)
SEED_MAX = 2**32 - 1  # numpy's legacy seeding and scikit-learn's random_state take 32 bits


class DataParams(BaseModel):
    model_config = STRICT
    dataset: Literal["fashion_mnist", "cifar10", "folder"] = Field("fashion_mnist", description="which dataset")
    folder: str = Field(
        IMAGES.as_posix(),
        min_length=1,
        description="folder dataset: one sub-folder per class, "
        "optionally under `train/`, `val/` (or `valid/`, `validation/`) and `test/`",
    )
    image_size: list[Annotated[int, Field(ge=4)]] = Field(
        [32, 32], min_length=2, max_length=2, description="folder dataset: `[height, width]` every image is resized to"
    )
    color_mode: Literal["rgb", "grayscale"] = Field("rgb", description="folder dataset: colour or grey images")
    val_split: Float = Field(
        0.1,
        gt=0,
        lt=1,
        description="fraction of the training images held out (stratified) "
        "for validation, unless the folder has a `val/` split",
    )
    test_split: Float = Field(
        0.2,
        gt=0,
        lt=1,
        description="folder dataset without a `test/` split: fraction held out (stratified) for testing",
    )
    bad_files: Literal["fail", "skip"] = Field(
        "fail",
        description="folder dataset: `fail` on a corrupt image, an empty class folder or a CSV row naming no "
        "file, or `skip` them (listed in `metrics/data.json` and the report)",
    )
    labels_csv: str = Field(
        "",
        description="folder dataset: a CSV of files and labels inside `data.folder`, instead of class sub-folders "
        '(`""`: class sub-folders); see docs/data.md for the layouts it takes',
    )
    labels_header: Literal["auto", "yes", "no"] = Field(
        "auto",
        description="labels CSV: does its first row name the columns? `auto`: yes when it names no image "
        "while the rows after it do",
    )
    labels_file_column: str = Field(
        "",
        description='labels CSV: the column naming the image, by name or position from 1; `""`: found by name '
        "(file, image, path, id...) or by the column whose cells name images",
    )
    labels_label_column: str = Field(
        "",
        description='labels CSV: the column of labels, by name or position from 1; `""`: found by name (label, '
        "class, category...), or the only other column",
    )
    label_variants: Literal["fail", "merge"] = Field(
        "fail",
        description="folder dataset: labels that differ only in case or surrounding spaces (`Cat`, `cat `): "
        "`fail` names them, `merge` makes each one class under its most common spelling",
    )
    duplicates: Literal["warn", "fail", "drop"] = Field(
        "warn",
        description="folder dataset: identical images (the same decoded pixels) across splits, in one class "
        "twice or in two classes: `warn` lists them (data/summary.json, the report), `fail` stops, `drop` keeps "
        "the first copy (train, then val, then test)",
    )
    resize: Literal["squash", "pad", "crop"] = Field(
        "squash",
        description="folder dataset: how an image is fitted to `data.image_size`: `squash` (stretched), "
        "`pad` (letterboxed, black bars) or `crop` (its centre); `imgclf predict` does the same",
    )

    @field_validator("labels_csv")
    @classmethod
    def _inside_the_folder(cls, value: str) -> str:
        if not inside_folder(value):
            raise ValueError(f"must be a path inside data.folder (so DVC tracks it with the images); got '{value}'")
        return value


def inside_folder(relative: str) -> bool:
    """A path that stays inside the folder it is relative to (the labels CSV inside data.folder)."""
    path = PurePosixPath(relative)
    return not path.is_absolute() and ".." not in path.parts


class ModelParams(BaseModel):
    model_config = STRICT
    preset: Literal[(*PRESET_NAMES, "custom")] = Field(
        "default", description="a preset (see Presets below), or `custom` to use `model.custom`"
    )
    precision: Literal["auto", "float32", "mixed_bfloat16", "mixed_float16"] = Field(
        "auto",
        description="`auto`: bfloat16 where the hardware runs it natively, else float32 (see imgclf/core/hardware.py)",
    )
    custom: Architecture | None = Field(
        Architecture(
            kind="cnn", blocks=[Block(filters=32, padding="valid"), Block(filters=64, padding="valid")], dense=[64]
        ),
        description="the network when `model.preset` is `custom` (default: Conv32-Pool-Conv64-Pool-Dense64), "
        "written like the presets in `imgclf/model/presets.py`",
    )
    backbone: Literal[("none", *BACKBONE_NAMES)] = Field(
        "none",
        description="a Keras application network with a new classification head, instead of "
        "`model.preset` (see Backbones below); `none`: the preset",
    )
    weights: str = Field(
        "imagenet",
        min_length=1,
        description="what the network starts from: `imagenet` (a backbone's published "
        "weights; random weights for a preset), `none` (random), a backbone's `.h5` weights file or an earlier imgclf "
        "model (`.keras`, its output layer left out) in `models/start/`",
    )
    input_size: int = Field(
        0,
        ge=0,
        description="backbone: the side of the square images it sees, resized inside the model; 0 = the "
        "images' own size (at least 32)",
    )

    @field_validator("weights")
    @classmethod
    def _a_known_source(cls, value: str) -> str:
        if value in ("imagenet", "none"):
            return value
        path = PurePosixPath(value)
        if path.suffix not in (".h5", ".keras") or not inside_folder(value) or path.parent != START_FOLDER:
            raise ValueError(
                f"must be imagenet, none, or a .h5 or .keras file in {START_FOLDER}/ (a DVC "
                f"dependency of the weights stage); got '{value}'"
            )
        return value

    @property
    def pretrained(self) -> bool:
        """The network starts from trained weights (so `train` has a frozen phase before fine-tuning)."""
        if self.weights == "none":
            return False
        return self.backbone != "none" or self.weights.endswith(".keras")


class TrainParams(BaseModel):
    model_config = STRICT
    optimizer: Literal["sgd", "adam", "adamw"] = Field(
        "sgd", description="`sgd` (Nesterov momentum), `adam` or `adamw`"
    )
    learning_rate: Float = Field(0.2, gt=0, description="peak learning rate")
    momentum: Float = Field(0.9, ge=0, le=1, description="sgd: momentum (Nesterov when > 0)")
    weight_decay: Float = Field(0.0005, ge=0, description="decoupled weight decay (not on biases or batch norm)")
    schedule: Literal["constant", "onecycle", "cosine"] = Field(
        "onecycle", description="`onecycle` (linear warm-up from lr/10, then linear decay to 0), `cosine` or `constant`"
    )
    warmup: Float = Field(0.25, ge=0, lt=1, description="onecycle: fraction of the steps spent warming up")
    epochs: int = Field(11, ge=1, description="passes over the training images")
    batch_size: int = Field(128, ge=1, description="images per training step")
    label_smoothing: Float = Field(
        0.1, ge=0, lt=1, description="label smoothing of the training loss (`val_loss` includes it)"
    )
    early_stopping: int = Field(
        0, ge=0, description="patience in epochs on validation loss (restores the best weights); 0 = off"
    )
    ema: Float = Field(0.0, ge=0, lt=1, description="exponential moving average of the weights, e.g. 0.999; 0 = off")
    distribute: Literal["none", "mirrored"] = Field(
        "none",
        description="`mirrored`: one copy of the model per local GPU (or logical CPU device), each step's "
        "batch split across them (see Training on several devices or machines)",
    )
    frozen_epochs: int = Field(
        3,
        ge=0,
        description="pretrained weights: the first epochs train the classification head alone, the rest "
        "of the network frozen (batch norm in inference mode); 0 = none",
    )
    frozen_augment: bool = Field(
        False,
        description="pretrained weights: augment the frozen epochs' images too (each step then runs the frozen "
        "network forward); off: its features of the plain images are computed once and the head trains on them",
    )
    unfreeze_blocks: int = Field(
        -1,
        ge=-1,
        description="pretrained weights, after the frozen epochs: how many of the network's last blocks "
        "train (batch norm stays frozen); -1 = all, 0 = the head alone to the end",
    )
    # 0.01, the ratio of Keras' transfer-learning guide (Adam 1e-3, then 1e-5): with 0.1, fine-tuning with batch norm
    # frozen diverged in 2 of 3 seeds of the bench's CIFAR-10 transfer (val accuracy to 20% at the peak rate) and one
    # never recovered (29% test); 0.01 gave 84.9 / 84.4 / 84.6% on seeds 1-3 against 81.6 / 29.1 / 82.4%.
    finetune_lr_factor: Float = Field(
        0.01,
        gt=0,
        le=1,
        description="pretrained weights: the learning rate after the frozen epochs, as a fraction "
        "of `train.learning_rate`",
    )


class AugmentParams(BaseModel):
    model_config = STRICT
    crop_size: int = Field(
        0,
        ge=0,
        description="random crop of this size while training, centre crop (inside the "
        "model) at evaluation; 0 = off; at most the image size",
    )
    crop_padding: int = Field(
        0, ge=0, description="zero padding before the random crop: random shifts of up to N pixels"
    )
    flip: bool = Field(True, description="random horizontal flip")
    brightness: Float = Field(0.0, ge=0, lt=1, description="random brightness shift, fraction of the full range")
    contrast: Float = Field(0.0, ge=0, lt=1, description="random contrast factor, relative")
    saturation: Float = Field(0.0, ge=0, lt=1, description="random saturation factor (RGB only)")
    hue: Float = Field(0.0, ge=0, le=0.5, description="random hue shift, fraction of the colour circle (RGB only)")
    resized_crop: Float = Field(
        0.0,
        ge=0,
        lt=1,
        description="random resized crop: a random box of at least this fraction of the image "
        "(aspect 3:4 to 4:3) resized back to the full size; 0 = off",
    )
    randaugment: int = Field(
        0, ge=0, le=6, description="RandAugment (Keras' layer): this many random operations per image; 0 = off"
    )
    randaugment_magnitude: Float = Field(
        0.5, gt=0, le=1, description="RandAugment: the strength of its operations, 0 to 1"
    )
    erasing: Float = Field(
        0.0,
        ge=0,
        le=1,
        description="random erasing (Keras' layer): the fraction of images with a random rectangle erased; 0 = off",
    )
    mixup: Float = Field(
        0.0,
        ge=0,
        description="MixUp (Keras' layer): blend pairs of images and their labels, Beta(a, a) weights; 0 = off",
    )
    cutmix: Float = Field(
        0.0,
        ge=0,
        description="CutMix (Keras' layer): paste a patch of one image into another, labels by area, "
        "Beta(a, a); 0 = off (with `mixup` too, each batch uses one of the two)",
    )

    @property
    def enabled(self) -> bool:
        """Any augmentation at all (randaugment_magnitude only tunes randaugment)."""
        return any(v for k, v in self.model_dump().items() if k != "randaugment_magnitude")

    @property
    def mixes_labels(self) -> bool:
        """MixUp or CutMix: the training labels become soft."""
        return bool(self.mixup or self.cutmix)


class EvalParams(BaseModel):
    model_config = STRICT
    batch_size: int = Field(512, ge=1, description="images per prediction step")
    tta_flip: bool = Field(True, description="average each test image's prediction with its mirror image's")
    tta_shift: int = Field(
        0, ge=0, le=8, description="also average copies shifted by this many pixels (down-right and up-left); 0 = off"
    )
    gallery: int = Field(36, ge=0, description="how many of the most confident mistakes the report shows")


EXPORT_FORMATS = ("savedmodel", "tflite_float32", "tflite_int8", "onnx")


class ExportParams(BaseModel):
    model_config = STRICT
    formats: list[Literal[EXPORT_FORMATS]] = Field(
        [],
        description="what the `export` stage writes to `models/export/` and measures; `[]`: nothing "
        "(`tflite_int8` is full-integer quantised)",
    )
    batch_size: int = Field(256, ge=1, description="images per batch for the throughput figure")
    calibration_images: int = Field(
        500, ge=1, description="tflite_int8: training images that calibrate the activation ranges"
    )
    min_agreement: Float = Field(
        0.999,
        ge=0,
        le=1,
        description="float formats must predict the Keras model's class on at least this fraction of the test images",
    )
    max_int8_accuracy_drop: Float = Field(
        0.01, ge=0, le=1, description="tflite_int8 may lose at most this much test accuracy (0.01 = 1 point)"
    )
    min_int8_shrink: Float = Field(
        3.0, gt=0, description="tflite_int8 must be at least this many times smaller than the float32 TFLite model"
    )

    @field_validator("formats")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        twice = sorted({f for f in value if value.count(f) > 1})
        if twice:
            raise ValueError(f"lists {', '.join(twice)} more than once")
        return value


class Params(BaseModel):
    model_config = STRICT
    seed: int = Field(
        42, ge=0, le=SEED_MAX, description="seeds the split, the weights, the shuffling and the augmentation"
    )
    data: DataParams = DataParams()
    model: ModelParams = ModelParams()
    train: TrainParams = TrainParams()
    augment: AugmentParams = AugmentParams()
    eval: EvalParams = EvalParams()
    export: ExportParams = ExportParams()

    @model_validator(mode="after")
    def _across_sections(self):
        """Checks that span sections: the custom network exists and the crop fits the images (whether the network
        fits them too is imgclf.model.check's, which knows the presets)."""
        if self.model.preset == "custom" and self.model.custom is None:
            raise ValueError(
                "model.preset is 'custom' but model.custom is empty: describe the network under model.custom"
            )
        h, w = self.image_size
        crop = self.augment.crop_size
        if crop > min(h, w):
            raise ValueError(
                f"augment.crop_size {crop} is larger than the {h}x{w} images; use at most {min(h, w)} (or 0 = off)"
            )
        m = self.model
        if m.backbone != "none":
            if crop:
                raise ValueError(
                    "augment.crop_size is for the presets' fixed-size inputs; a backbone resizes its "
                    "input: use augment.resized_crop (and 0 for augment.crop_size)"
                )
            if (m.input_size or min(h, w)) < 32:
                seen = f"model.input_size is {m.input_size}" if m.input_size else f"the images are {h}x{w}"
                raise ValueError(
                    f"model.backbone {m.backbone} needs inputs of at least 32x32 and {seen}: set "
                    f"model.input_size (e.g. 96) to resize them inside the model"
                )
        elif m.weights.endswith(".h5"):
            raise ValueError(
                f"model.weights {m.weights} is a backbone's weights file: set model.backbone, or give "
                f"an earlier imgclf model (.keras)"
            )
        return self

    @property
    def image_size(self) -> tuple[int, int]:
        """(height, width) of the prepared images: the built-in dataset's own, or data.image_size."""
        return NATIVE_SIZE.get(self.data.dataset) or tuple(self.data.image_size)

    @property
    def network_input(self) -> tuple[int, int]:
        """(height, width) the network sees: the images, or the crop when it is smaller."""
        h, w = self.image_size
        crop = self.augment.crop_size
        return (min(h, crop), min(w, crop)) if crop else (h, w)
