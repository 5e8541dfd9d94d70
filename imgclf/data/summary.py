"""data/summary.json: what went into a run, for the report's data section and prepare's summary line: images
per split and class, where each split came from, the sizes and colour modes that came in, and what was left out
(skipped and ignored files, dropped rows) or found twice (duplicates)."""

from __future__ import annotations

import numpy as np


def describe(classes, arrays, sources, **found) -> dict:
    """data/summary.json: images per split and class, where each split came from, and what else `found` holds
    (sizes and colour modes seen, skipped and ignored files, dropped rows, duplicates)."""
    counts = {
        split: {c: int((np.asarray(y) == i).sum()) for i, c in enumerate(classes)} for split, (_, y) in arrays.items()
    }
    h, w, channels = arrays["train"][0].shape[1:]
    found.setdefault("sizes", {"width": {"min": w, "median": w, "max": w}, "height": {"min": h, "median": h, "max": h}})
    found.setdefault("modes", {"L" if channels == 1 else "RGB": sum(sum(c.values()) for c in counts.values())})
    return {"classes": classes, "counts": counts, "sources": sources, **found}


def line(summary: dict) -> str:
    """The summary in one line: prepare's, after its split sizes."""
    sizes = summary.get("sizes") or {}
    parts = []
    if sizes and (sizes["width"]["min"], sizes["height"]["min"]) != (sizes["width"]["max"], sizes["height"]["max"]):
        parts.append(
            f"sizes {sizes['width']['min']}x{sizes['height']['min']} to {sizes['width']['max']}x"
            f"{sizes['height']['max']} (median {sizes['width']['median']:g}x{sizes['height']['median']:g})"
        )
    modes = summary.get("modes") or {}
    if len(modes) > 1:
        parts.append("modes " + ", ".join(f"{m} {n:,}" for m, n in modes.items()))
    for key, word in (("skipped", "skipped"), ("dropped_rows", "dropped rows")):
        if summary.get(key):
            parts.append(f"{word} {len(summary[key]):,}")
    if summary.get("ignored_count"):
        parts.append(f"ignored {summary['ignored_count']:,} non-image files")
    counts = summary.get("duplicate_counts") or {}
    if any(counts.values()):
        parts.append("duplicates " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items() if v))
    return "; ".join(parts)
