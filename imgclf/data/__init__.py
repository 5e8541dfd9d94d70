"""The prepare stage's data: the public datasets fetched from their official sources (or a mirror) and verified,
their file formats (IDX, CIFAR-10's binary batches, tar archives extracted safely), a user's folder of images
(layouts, a labels CSV, decoding), and the stratified train/validation/test split.

    from imgclf import data
    prep = data.prepare(p.data, p.seed)     # classes, and split -> (uint8 images, labels)
"""

from .builtin import FASHION_CLASSES
from .decode import EXTENSIONS, conform, decode, is_image
from .folder import FolderData
from .folder import load as load_folder
from .layout import check_names, files
from .sources import MIRROR_ENV, fetch
from .split import Prepared, prepare, stratified_split

__all__ = [
    "EXTENSIONS",
    "FASHION_CLASSES",
    "MIRROR_ENV",
    "FolderData",
    "Prepared",
    "check_names",
    "conform",
    "decode",
    "fetch",
    "files",
    "is_image",
    "load_folder",
    "prepare",
    "stratified_split",
]
