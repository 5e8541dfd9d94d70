"""Using the trained model: the export stage's deployable formats (SavedModel, TFLite float32 and int8, ONNX), each
measured through its own runtime against the parity bars, and one runner interface over every format.

`imgclf predict` (imgclf.serve.predict, reading files through imgclf.serve.inputs) is imported on its own: it
decodes images as the data stage does and draws HTML as the report does, which the export stage needs neither of.
"""

from . import export
from .export import FILES, FORMATS, float32_copy
from .runtimes import Runner, dataset_info, open_model, threads

__all__ = ["FILES", "FORMATS", "Runner", "dataset_info", "export", "float32_copy", "open_model", "threads"]
