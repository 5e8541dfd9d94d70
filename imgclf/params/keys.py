"""Dotted keys, the way `dvc exp run -S train.epochs=3` and our messages name a param."""

from __future__ import annotations

from typing import Any


def dotted(loc: tuple) -> str:
    """('model', 'custom', 'blocks', 0, 'filters') -> 'model.custom.blocks[0].filters'."""
    out = ""
    for key in loc:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def flat_items(d: dict, prefix: str = "") -> list[tuple[str, object]]:
    """Nested params as ("train.epochs", 10) pairs, in file order."""
    out = []
    for k, v in d.items():
        if isinstance(v, dict):
            out += flat_items(v, f"{prefix}{k}.")
        else:
            out.append((f"{prefix}{k}", v))
    return out


def set_dotted(d: dict, key: str, value: Any) -> None:
    """set_dotted(raw, "train.epochs", 3): what `dvc exp run -S train.epochs=3` does to params.yaml."""
    *parents, leaf = key.split(".")
    for part in parents:
        d = d[part]
    d[leaf] = value
