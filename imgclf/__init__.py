"""imgclf: a four-stage image-classification pipeline driven by DVC."""

__version__ = "0.1.0"
