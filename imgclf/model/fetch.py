"""The weights stage's work: resolve `model.weights` and put the verified starting weights in models/pretrained/.

ImageNet files come through the same chain as the datasets (imgclf/data/sources.py): the local cache
(data/downloads/keras-applications/), $IMGCLF_MIRROR laid out as keras-applications/<official file name>, then the
official URL with a progress bar, each checked against Keras' published checksum; a file that does not match is
deleted and reported. Imported on its own (not by imgclf.model), so that only this stage depends on imgclf.data.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..core.atomic import atomic_dir
from ..core.errors import UserError
from ..core.paths import DOWNLOADS, PRETRAINED
from ..data import sources
from ..params import ModelParams
from .backbones import BACKBONES
from .pretrained import SOURCE

KERAS_APPLICATIONS = "keras-applications"  # the folder name in a mirror and in the downloads cache


def source(m: ModelParams) -> str:
    """imagenet, none, or the user's file: what `model.weights` means for this network."""
    if m.weights == "imagenet":
        return "imagenet" if m.backbone != "none" else "none"
    return m.weights


def imagenet_file(backbone: str, downloads: str | Path = DOWNLOADS) -> Path:
    """The backbone's official ImageNet file (without its top), verified, from the first source that has it."""
    b = BACKBONES[backbone]
    release = sources.Release(name=KERAS_APPLICATIONS, urls=(b.url[: -len(b.weights_file)],))
    expected = sources.checksum_override(f"{KERAS_APPLICATIONS}/{b.weights_file}") or b.checksum
    path = Path(downloads) / KERAS_APPLICATIONS / b.weights_file
    path.parent.mkdir(parents=True, exist_ok=True)
    return sources.fetch_file(release, b.weights_file, path, lambda p: sources.matches(p, expected))


def prepare(m: ModelParams, out: Path = PRETRAINED, downloads: str | Path = DOWNLOADS) -> dict:
    """Write out/ (source.json, and the weights file when there is one); return source.json's content."""
    kind = source(m)
    info: dict = {"weights": kind, "backbone": m.backbone}
    given = None
    if kind == "imagenet":
        given = imagenet_file(m.backbone, downloads)
        b = BACKBONES[m.backbone]
        info.update(file=b.weights_file, url=b.url, checksum=b.checksum)
    elif kind != "none":
        given = Path(kind)
        if not given.is_file():
            raise UserError(
                f"model.weights {kind} is missing: put the file there (and `dvc add {kind}` so that "
                f"experiments see it too), or set model.weights to imagenet or none"
            )
        info.update(file=given.name, md5=sources.digest(given, "md5"))
    with atomic_dir(out) as tmp:
        if given is not None:
            shutil.copyfile(given, tmp / given.name)
        (tmp / SOURCE).write_text(json.dumps(info, indent=1) + "\n")
    return info
