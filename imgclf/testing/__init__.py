"""Support for the tests and the benchmarks (the pipeline never imports it): small synthetic datasets in the real
files' formats, and throw-away git + DVC copies of this project."""

from .projects import ROOT, edit_params, new_project, run

__all__ = ["ROOT", "edit_params", "new_project", "run"]
