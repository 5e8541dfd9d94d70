"""A folder dataset surveyed before a single output is written: which images, which labels, which split each
falls in, which files cannot be read (and why), which images are duplicates, what sizes and colour modes came in.

The validate stage runs it first (it always runs, before DVC deletes any stage's outputs), so a folder that
`prepare` would stop on stops there, and leaves the previous run's outputs as they were; `prepare` runs it again
and decodes what it lists. Opening every image is the costly part, so each file's findings are cached by its
path, size and modification time in data/.folder-scan.json (git-ignored): a second run opens only what changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.atomic import write_text
from ..core.errors import UserError
from ..core.paths import FOLDER_SCAN
from ..core.text import plural, shown
from ..params import DataParams
from . import labels_csv, layout
from .decode import converted, opened, out_of_memory, reason
from .labels import canonical

SPLIT_ORDER = ("train", "val", "test")
EXAMPLES = 20  # files named per kind of finding in metrics/data.json and the report (every one is counted)


@dataclass
class Survey:
    classes: list[str]
    roles: dict[str, tuple[list[Path], np.ndarray]]  # the folder's own splits ("all", or train / val / test)
    splits: dict[str, tuple[list[Path], np.ndarray]] = field(default_factory=dict)  # by `split`: train / val / test
    sources: dict[str, str] = field(default_factory=dict)  # split -> where it came from, in words
    problems: list[str] = field(default_factory=list)  # "path: reason" for files left out (or fatal with fail)
    dropped_rows: list[str] = field(default_factory=list)  # labels CSV rows left out
    ignored: list[str] = field(default_factory=list)  # files that are not images
    duplicates: dict = field(default_factory=dict)  # kind -> [{"files": [...], ...}], see _duplicates
    sizes: dict = field(default_factory=dict)  # width and height, min / median / max of what came in
    modes: dict = field(default_factory=dict)  # colour mode -> images
    hashes: dict[str, str] = field(default_factory=dict)  # image -> the hash of its decoded pixels
    found: layout.Found | None = None

    def counts(self) -> dict[str, dict[str, int]]:
        """split -> class -> images."""
        return {s: {c: int((y == i).sum()) for i, c in enumerate(self.classes)} for s, (_, y) in self.splits.items()}


def survey(data: DataParams, seed: int, cache: Path | None = FOLDER_SCAN) -> Survey:
    """Everything about the folder that `prepare` needs before decoding it, or one line on what stops it."""
    root = Path(data.folder)
    if not root.is_dir():
        raise UserError(
            f"data.folder '{root}' is not a folder{_elsewhere(root)}: point it at a folder of class sub-folders"
        )
    layout.check_names(root)
    found = _found(root, data)
    if found.irregular:  # whatever data.bad_files says: DVC opens every file when it hashes the folder, and blocks
        raise UserError(
            f"{found.irregular[0]}, which DVC would block on when it hashes the folder: remove it"
            + (f" (and {plural(len(found.irregular) - 1, 'other')})" if len(found.irregular) > 1 else "")
        )
    where = f"{shown(root / data.labels_csv)}" if data.labels_csv else shown(root)
    written = [*found.classes, *(label for items in found.items.values() for _, label in items)]
    names = canonical(written, data.label_variants, where)
    classes = sorted(set(names.values()))
    if len(classes) < 2:
        raise UserError(
            f"{where} needs at least two labels; found {len(classes)}"
            + (
                f" ({plural(len(found.missing), 'row')} naming files that are not there: "
                f"{'; '.join(found.missing[:3])})"
                if found.missing
                else ""
            )
        )
    index = {c: i for i, c in enumerate(classes)}
    findings = _inspect(sorted({p for items in found.items.values() for p, _ in items}), data.color_mode, cache)
    problems = list(found.missing)
    good: dict[str, list[tuple[Path, int]]] = {}
    for role, items in found.items.items():
        good[role] = []
        seen: dict[Path, str] = {}
        for path, label in items:
            name = names[label]
            if path in seen:  # the same file twice in a labels CSV
                if seen[path] != name:
                    raise UserError(
                        f"{shown(path)} has two labels in {where}: '{seen[path]}' and '{name}'; give "
                        f"each file one label"
                    )
                continue
            seen[path] = name
            finding = findings[str(path)]
            if "problem" in finding:
                problems.append(f"{shown(path)}: {finding['problem']}")
            else:
                good[role].append((path, index[name]))
    for role, items in good.items():
        for label in sorted(set(range(len(classes))) - {lab for _, lab in items}):
            folder = found.folders[role] / classes[label] if not data.labels_csv else root
            problems.append(f"{shown(folder)}: class '{classes[label]}' has no readable images")
    if problems and data.bad_files == "fail":
        listed = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        looked = (
            f" (a row's file was looked for under {', '.join(shown(f) for f in found.searched)})"
            if found.missing
            else ""
        )
        raise UserError(
            f"{len(problems)} problem(s) in {shown(root)}: {listed}{looked}. Fix or remove them, "
            f"or set data.bad_files: skip to leave them out"
        )
    good, classes = _drop_empty_classes(good, classes)
    roles = {
        role: ([p for p, _ in items], np.array([lab for _, lab in items], np.int64)) for role, items in good.items()
    }
    used = [findings[str(p)] for paths, _ in roles.values() for p in paths]
    return Survey(
        classes=classes,
        roles=roles,
        problems=problems,
        dropped_rows=found.dropped,
        ignored=[shown(p) for p in found.ignored],
        sizes={
            axis: {
                "min": min(f[axis] for f in used),
                "median": statistics.median(f[axis] for f in used),
                "max": max(f[axis] for f in used),
            }
            for axis in ("width", "height")
        }
        if used
        else {},
        modes=dict(Counter(f["mode"] for f in used).most_common()),
        hashes={str(p): findings[str(p)]["hash"] for paths, _ in roles.values() for p in paths},
        found=found,
    )


def with_splits(s: Survey, data: DataParams, seed: int) -> Survey:
    """Fill in the splits the folder lacks, held out (stratified, seeded) as split.prepare holds them out of the
    decoded images, where each split came from, and the duplicates among them; `data.duplicates: fail` stops here."""
    root = Path(data.folder)
    s.splits, s.sources = _split(s.roles, s.found, data, seed, root)
    s.duplicates = _duplicates(s.splits, s.classes, s.hashes)
    if data.duplicates == "fail" and any(s.duplicates.values()):
        raise UserError(
            f"{duplicates_line(s.duplicates)} in {shown(root)}: remove them, or set data.duplicates: "
            f"warn (report them) or drop (leave out each later copy)"
        )
    return s


def _elsewhere(root: Path) -> str:
    """Why a relative folder outside the project is missing in DVC's temporary or queued copy of it."""
    cwd = Path.cwd().as_posix()
    if "/.dvc/tmp/exps/" in cwd and not root.is_absolute():
        track = (
            "move it into the project and track it with `dvc add`"
            if ".." in root.parts
            else f"track it with `dvc add {root}`"
        )
        return (
            " in this experiment's copy of the project (DVC runs --temp and --queue experiments in "
            f"{cwd}, where only what git and DVC track is); {track}, or give data.folder as an absolute path"
        )
    return ""


def _found(root: Path, data: DataParams) -> layout.Found:
    if not data.labels_csv:
        return layout.from_folders(root)
    got = labels_csv.from_csv(
        root, data.labels_csv, data.labels_header, data.labels_file_column, data.labels_label_column
    )
    used = {p for p, _ in got.items}
    regular, irregular = layout.walk(root)
    ignored = [p for p in regular if p != got.path and p not in used]
    return layout.Found(
        items={"all": got.items},
        folders={"all": root},
        ignored=ignored,
        irregular=irregular,
        dropped=got.dropped,
        missing=got.missing,
        searched=got.searched,
    )


def _inspect(paths: list[Path], color_mode: str, cache: Path | None) -> dict[str, dict]:
    """Each image opened once (every pixel read): its size, colour mode and the hash of its pixels in
    `color_mode`, or the plain reason it cannot be read; from the cache when the file has not changed."""
    mode = "L" if color_mode == "grayscale" else "RGB"
    known = _load(cache)
    out, fresh = {}, 0
    for path in paths:
        st = os.stat(path)
        key = f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{mode}"
        if key in known:
            out[str(path)] = known[key]
            continue
        try:
            im = opened(path)
            pixels = np.asarray(converted(im, mode))
            finding = {
                "width": im.width,
                "height": im.height,
                "mode": im.mode,
                "hash": hashlib.blake2b(pixels.tobytes() + repr(pixels.shape).encode(), digest_size=16).hexdigest(),
            }
        except MemoryError:
            raise out_of_memory(path, "use smaller images") from None
        except Exception as exc:  # noqa: BLE001 - Pillow raises many types for damaged files
            finding = {"problem": reason(exc, path)}
        known[key] = out[str(path)] = finding
        fresh += 1
    if cache is not None and fresh:
        mine = {k: v for k, v in known.items() if k.split("\0", 1)[0] in out}
        write_text(cache, json.dumps(mine))
    return out


def _load(cache: Path | None) -> dict:
    try:
        return json.loads(cache.read_text()) if cache is not None and cache.is_file() else {}
    except (OSError, ValueError):
        return {}  # a damaged cache is rebuilt


def _drop_empty_classes(good, classes):
    """With bad files skipped, classes left with no images in some split go, and the others are numbered again."""
    present = set(range(len(classes)))
    for items in good.values():
        present &= {label for _, label in items}
    if len(present) == len(classes):
        return good, classes
    keep = sorted(present)
    if len(keep) < 2:
        raise UserError("fewer than two classes have readable images in every split")
    renumber = {old: new for new, old in enumerate(keep)}
    return (
        {role: [(p, renumber[lab]) for p, lab in items if lab in renumber] for role, items in good.items()},
        [classes[i] for i in keep],
    )


def _split(roles, found: layout.Found, data: DataParams, seed: int, root: Path):
    """The splits the folder has, and the ones it lacks held out (stratified, seeded, as split.prepare holds them
    out of the decoded images), with where each came from."""
    from .split import held_out

    splits = dict(roles)
    sources = {role: f"the folder {shown(found.folders[role])}" for role in splits if role != "all"}
    if "all" in splits:
        what = f"the labels in {data.labels_csv}" if data.labels_csv else f"the class folders of {shown(root)}"
        splits["train"] = splits.pop("all")
        sources["train"] = what
    for role, fraction, param in (
        ("test", data.test_split, "data.test_split"),
        ("val", data.val_split, "data.val_split"),
    ):
        if role in splits:
            continue
        paths, labels = splits["train"]
        keep, held = held_out(labels, fraction, seed, param)
        splits["train"] = ([paths[i] for i in keep], labels[keep])
        splits[role] = ([paths[i] for i in held], labels[held])
        sources[role] = f"{fraction:g} of {sources['train']} held out ({param}, stratified, seeded)"
    return {s: splits[s] for s in SPLIT_ORDER}, {s: sources[s] for s in SPLIT_ORDER}


def _duplicates(splits, classes, hashes: dict[str, str]) -> dict[str, list[dict]]:
    """Identical images (the same decoded pixels): across splits (a test image also trained on), within a class,
    and in more than one class. Each group names its files (in split order) with their splits and classes."""
    groups: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for split in SPLIT_ORDER:
        paths, labels = splits[split]
        for p, lab in zip(paths, labels):
            groups[hashes[str(p)]].append((shown(p), split, classes[int(lab)]))
    out: dict[str, list[dict]] = {"across_splits": [], "within_class": [], "across_classes": []}
    for copies in (g for g in groups.values() if len(g) > 1):
        entry = {"files": [c[0] for c in copies], "splits": [c[1] for c in copies], "classes": [c[2] for c in copies]}
        if len(set(entry["classes"])) > 1:
            out["across_classes"].append(entry)
        if len(set(entry["splits"])) > 1:
            out["across_splits"].append(entry)
        elif len(set(entry["classes"])) == 1:
            out["within_class"].append(entry)
    return out


def duplicates_line(duplicates: dict) -> str:
    words = {
        "across_splits": "in more than one split",
        "within_class": "twice in one class",
        "across_classes": "in more than one class",
    }
    parts = [
        f"{len(groups)} image(s) {words[kind]} (e.g. {' = '.join(groups[0]['files'][:2])})"
        for kind, groups in duplicates.items()
        if groups
    ]
    return "; ".join(parts) or "no duplicates"


def later_copies(s: Survey) -> set[str]:
    """`data.duplicates: drop`: every copy of an image but its first (train before val before test, then file
    order), by name as `shown` gives it."""
    return {f for kind in s.duplicates.values() for group in kind for f in group["files"][1:]}
