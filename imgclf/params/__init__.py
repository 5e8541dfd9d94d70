"""params.yaml in one place: the typed schema (with every default, range and help text), the network description
that `model.custom` and the presets share, loading with one-line errors, and the table the docs show.

    from imgclf import params
    p = params.load()            # validated, or a UserError naming the key
    p.train.epochs, p.image_size
"""

from .architecture import Architecture, Block, check_fits
from .keys import dotted, flat_items, set_dotted
from .loader import as_dict, load, parse
from .schema import (
    BACKBONE_NAMES,
    EXPORT_FORMATS,
    NATIVE_SIZE,
    PRESET_NAMES,
    START_FOLDER,
    AugmentParams,
    DataParams,
    EvalParams,
    ExportParams,
    ModelParams,
    Params,
    TrainParams,
    inside_folder,
)
from .table import rows, table

__all__ = [
    "BACKBONE_NAMES",
    "EXPORT_FORMATS",
    "NATIVE_SIZE",
    "PRESET_NAMES",
    "START_FOLDER",
    "Architecture",
    "AugmentParams",
    "Block",
    "DataParams",
    "EvalParams",
    "ExportParams",
    "ModelParams",
    "Params",
    "TrainParams",
    "as_dict",
    "check_fits",
    "dotted",
    "flat_items",
    "inside_folder",
    "load",
    "parse",
    "rows",
    "set_dotted",
    "table",
]
