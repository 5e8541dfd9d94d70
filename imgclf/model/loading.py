"""Load a saved classifier without trusting the file."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import UserError, first_line


def load_model(path: Path):
    """Safe mode: a .keras file cannot run arbitrary code (no lambda layers) when loaded."""
    import keras

    if not path.exists():
        raise UserError(f"{path} is missing: run the earlier stages first (dvc repro)")
    try:
        return keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as exc:  # noqa: BLE001 - a damaged or crafted file raises any type (TypeError, KeyError...)
        raise UserError(
            f"{path} cannot be loaded ({type(exc).__name__}: {first_line(exc)}); rerun the stage that writes "
            f"it (dvc repro -f)"
        ) from None
