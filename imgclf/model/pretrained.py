"""What a network starts from (`model.weights`), made a DVC output so that dvc.lock records it: the weights stage
(imgclf/model/fetch.py) puts the verified starting weights in models/pretrained/ (a copy of the file and
source.json saying where it came from), and `train` loads them from there, as this module does.

Nothing is unpickled: .h5 weights are plain arrays, and a .keras model is loaded in Keras' safe mode.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core.errors import UserError
from ..core.paths import PRETRAINED

SOURCE = "source.json"  # in PRETRAINED: what the weights are and where they came from


def described(info: dict) -> str:
    """source.json as a few words, for the stage's summary and the report."""
    if info["weights"] == "none":
        return "random weights"
    if info["weights"] == "imagenet":
        return f"ImageNet weights of {info['backbone']} ({info['file']})"
    return f"{info['weights']} (md5 {info['md5'][:8]})"


def read(folder: Path = PRETRAINED) -> tuple[dict, Path | None]:
    """(source.json, the weights file or None) as the weights stage left them."""
    path = folder / SOURCE
    try:
        info = json.loads(path.read_text())
        weights = info["weights"]
    except FileNotFoundError:
        raise UserError(f"{path} is missing: run the weights stage first (dvc repro weights)") from None
    except (ValueError, KeyError, TypeError):
        raise UserError(f"{path} is corrupt; rerun the weights stage (dvc repro -f weights)") from None
    if weights == "none":
        return info, None
    file = folder / info.get("file", "")
    if not file.is_file():
        raise UserError(f"{file} is missing; rerun the weights stage (dvc repro -f weights)")
    return info, file


def load_into(model, info: dict, file: Path | None) -> None:
    """Start `model` (as built from the params) from what the weights stage resolved."""
    from . import backbones
    from .loading import load_model

    if file is None:
        return
    if file.suffix == ".h5":  # a backbone's weights, as Keras publishes them: matched by layer name
        base = backbones.inner(model)
        try:
            base.load_weights(str(file))
        except Exception as exc:  # noqa: BLE001 - h5py and Keras raise many types for a file of another network
            raise UserError(
                f"{info['weights']} does not fit model.backbone {info['backbone']} "
                f"({type(exc).__name__}: {str(exc).splitlines()[0][:160]}): give that backbone's "
                f"weights file"
            ) from None
        return
    earlier = load_model(file)  # an imgclf model: every layer but the output layer, by name and shape
    take_weights(model, earlier, str(info["weights"]))


def take_weights(model, earlier, label: str) -> int:
    """Copy every layer's weights from `earlier` into `model`, the output layer left out (its classes may differ);
    the two must be the same network otherwise. Returns the number of layers copied."""
    theirs = {layer.name: layer for layer in earlier.layers}
    copied = 0
    for layer in model.layers:
        if layer.name == "probabilities" or not layer.weights:
            continue
        other = theirs.get(layer.name)
        shapes = [tuple(w.shape) for w in layer.weights]
        if other is None or [tuple(w.shape) for w in other.weights] != shapes:
            found = (
                "has no such layer"
                if other is None
                else f"has it with weights {[tuple(w.shape) for w in other.weights]}"
            )
            raise UserError(
                f"{label} is not the same network: layer '{layer.name}' (weights {shapes}) {found}; "
                f"start from a model with the same model.* params, or set model.weights: none"
            )
        layer.set_weights(other.get_weights())
        copied += 1
    return copied
