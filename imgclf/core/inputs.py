"""What an earlier stage wrote, read back by a later one: every stage reads its inputs through here.

A file that is missing, cut short, of the wrong kind or lacking what the reader needs (an object array, an .npz
without a key, JSON that does not parse) is one line naming the file and the stage that writes it, never a
ValueError or KeyError from numpy, json or pandas. `.npy` files are read with allow_pickle=False: a file of pickled
objects is refused, not run.

    probs = inputs.npy(paths.PROBABILITIES, kind="f", ndim=2)
    test = inputs.json_file(paths.TEST_METRICS, keys=("accuracy", "loss"))
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import paths
from .errors import UserError

# Each file or folder a stage reads -> the stage that writes it (dvc.yaml's outs; tests/test_inputs.py holds them
# equal), so that a message can say which stage to rerun.
WRITERS = {
    paths.VALIDATED: "validate",
    paths.PREPARED: "prepare",
    paths.DATASET: "prepare",
    paths.DATA_SUMMARY: "prepare",
    paths.DATA_METRICS: "prepare",
    paths.PRETRAINED: "weights",
    paths.MODEL_SUMMARY: "build",
    paths.MODEL_GRAPH: "build",
    paths.MODEL_METRICS: "build",
    paths.MODEL: "train",
    paths.AUGMENTED: "train",
    paths.HISTORY: "train",
    paths.ENVIRONMENT: "train",
    paths.TRAIN_METRICS: "train",
    paths.TEST_METRICS: "evaluate",
    paths.PER_CLASS: "evaluate",
    paths.CONFUSION: "evaluate",
    paths.PREDICTIONS: "evaluate",
    paths.PROBABILITIES: "evaluate",
    paths.EXPORTED: "export",
    paths.EXPORT_METRICS: "export",
}


def writer(path: str | Path) -> str | None:
    """The stage that writes `path` (or the folder it is in), or None for a file outside the pipeline; an absolute
    path is matched by its end (/home/me/project/data/prepared/test_y.npy is prepare's)."""
    parts = Path(path).parts
    for i in range(len(parts), 0, -1):
        for place, stage in WRITERS.items():
            if parts[:i][-len(place.parts) :] == place.parts:
                return stage
    return None


def missing(path: str | Path) -> UserError:
    stage = writer(path)
    run = f"run the {stage} stage first (dvc repro {stage})" if stage else "run the earlier stages first (dvc repro)"
    return UserError(f"{path} is missing: {run}")


def corrupt(path: str | Path, why: str) -> UserError:
    """`path` is damaged: rerun only the stage that writes it (`-s`: a plain `-f` would rerun its upstream stages,
    training included), then the rest."""
    stage = writer(path)
    fix = f"rerun the {stage} stage (dvc repro -f -s {stage}, then dvc repro)" if stage else "write it again"
    return UserError(f"{path} is corrupt ({' '.join(why.split())[:200]}); {fix}")


def check(ok: bool, path: str | Path, why: str) -> None:
    """A file that reads but does not hold what the reader needs is corrupt too."""
    if not ok:
        raise corrupt(path, why)


def _kind(array: np.ndarray, kind: str, ndim: int | None, path: Path) -> np.ndarray:
    if kind and array.dtype.kind not in kind:
        names = {"f": "floats", "i": "integers", "u": "integers", "b": "booleans"}
        want = " or ".join(dict.fromkeys(names.get(k, k) for k in kind))
        raise corrupt(path, f"an array of {array.dtype}, not of {want}")
    if ndim is not None and array.ndim != ndim:
        raise corrupt(path, f"an array of shape {array.shape}, not of {ndim} dimension{'s' if ndim != 1 else ''}")
    return array


def npy(path: str | Path, kind: str = "", ndim: int | None = None) -> np.ndarray:
    """A .npy array; `kind` lists the dtype kinds allowed ("f" floats, "iu" integers), `ndim` its dimensions."""
    path = Path(path)
    try:
        array = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise missing(path) from None
    except IsADirectoryError:
        raise corrupt(path, "a folder, not a file") from None
    except (ValueError, EOFError, OSError) as exc:  # object arrays, a bad header, a file cut short
        raise corrupt(path, str(exc) or type(exc).__name__) from None
    if not isinstance(array, np.ndarray):  # np.load reads an .npz too, whatever the name
        raise corrupt(path, "not a .npy array")
    return _kind(array, kind, ndim, path)


def npz(path: str | Path, keys: Sequence[str]) -> dict[str, np.ndarray]:
    """The arrays `keys` of an .npz file, each read in full (so a damaged member fails here, not later)."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise corrupt(path, "not an .npz archive")
            absent = [k for k in keys if k not in archive.files]
            if absent:
                raise corrupt(path, f"it has no {', '.join(map(repr, absent))}")
            return {k: archive[k] for k in keys}
    except FileNotFoundError:
        raise missing(path) from None
    except (ValueError, EOFError, OSError, zipfile.BadZipFile, zlib.error) as exc:
        raise corrupt(path, str(exc) or type(exc).__name__) from None


def json_file(path: str | Path, kind: type = dict, keys: Sequence[str] = ()) -> Any:
    """A JSON file holding a `kind` (dict or list) with at least `keys`."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise missing(path) from None
    except IsADirectoryError:
        raise corrupt(path, "a folder, not a file") from None
    except (ValueError, OSError) as exc:  # bad JSON, bad UTF-8, unreadable
        raise corrupt(path, f"not valid JSON: {exc}") from None
    check(isinstance(data, kind), path, f"a JSON {type(data).__name__}, not a {kind.__name__}")
    absent = [k for k in keys if k not in data]
    check(not absent, path, f"it has no {', '.join(map(repr, absent))}")
    return data


def csv_rows(path: str | Path, columns: Sequence[str] = ()) -> list[dict]:
    """A CSV file's rows (numbers parsed); the `columns` must be there and hold numbers."""
    import pandas as pd

    path = Path(path)
    try:
        table = pd.read_csv(path)
    except FileNotFoundError:
        raise missing(path) from None
    except pd.errors.EmptyDataError:
        raise corrupt(path, "empty") from None
    except (ValueError, OSError) as exc:  # pandas' ParserError and UnicodeDecodeError are ValueErrors
        raise corrupt(path, f"not a readable CSV file: {exc}") from None
    absent = [c for c in columns if c not in table.columns]
    check(not absent, path, f"it has no column {', '.join(map(repr, absent))}")
    text = [c for c in columns if table[c].dtype.kind not in "iuf"]
    check(not text, path, f"column {', '.join(map(repr, text))} does not hold numbers")
    return table.to_dict("records")
