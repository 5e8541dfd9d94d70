"""The network: presets and `model.custom`, or a Keras application backbone with a new head, built into a Keras
model that takes raw uint8 images; the weights it starts from (ImageNet, a file of the user's, an earlier model);
the fitted patch-whitening layer; the layer table and graph of the build stage; safe loading of a saved model."""

from . import backbones, pretrained
from .build import build, check, from_params
from .loading import load_model
from .presets import PRESETS, resolve
from .summary import layer_graph, summary_text
from .whitening import fit as fit_whitening

__all__ = [
    "backbones",
    "pretrained",
    "PRESETS",
    "build",
    "check",
    "fit_whitening",
    "from_params",
    "layer_graph",
    "load_model",
    "resolve",
    "summary_text",
]
