"""The run report, reports/index.html, and the parts every HTML page of the project is drawn with: self-contained
pages (inline CSS, data-URI images, no scripts), matplotlib figures as PNG bytes, and the network as a picture.
No TensorFlow: the report stage reruns in seconds when only its look changes."""

from . import html, plots
from .diagram import section as model_section
from .run_report import RunData, read_run, render

__all__ = ["RunData", "html", "model_section", "plots", "read_run", "render"]
