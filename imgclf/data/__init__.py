"""The prepare stage's data: the public datasets fetched from their official sources (or a mirror) and verified,
their file formats (IDX, CIFAR-10's binary batches, tar archives extracted safely), a user's folder of images
(layouts, a labels CSV, label hygiene, the survey that finds bad files and duplicates before anything is written,
decoding), the stratified train/validation/test split, and the summary of what went in.

    from imgclf import data
    prep = data.prepare(p.data, p.seed)     # classes, and split -> (uint8 images, labels)
"""

from . import summary
from .builtin import FASHION_CLASSES
from .decode import RESIZE, conform, decode, extensions, is_image, reason
from .folder import FolderData
from .folder import load as load_folder
from .layout import check_names, files
from .sources import MIRROR_ENV, fetch
from .split import Prepared, prepare, stratified_split
from .survey import Survey, survey, with_splits

__all__ = [
    "summary",
    "survey",
    "with_splits",
    "Survey",
    "RESIZE",
    "FASHION_CLASSES",
    "MIRROR_ENV",
    "FolderData",
    "Prepared",
    "check_names",
    "conform",
    "decode",
    "extensions",
    "fetch",
    "files",
    "is_image",
    "load_folder",
    "prepare",
    "reason",
    "stratified_split",
]
