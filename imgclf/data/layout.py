"""Where a folder's images are and which class each belongs to: class sub-folders, optionally under split folders
`train/`, `val/` (`valid/`, `validation/`) and `test/`. Hidden files and folders (`.DS_Store`,
`.ipynb_checkpoints`, `__MACOSX`) are not data, and neither is anything that is not a regular file (a FIFO or a
device named like an image is listed, never opened: reading one would block)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import UserError
from ..core.text import shown
from .decode import is_image

SPLITS = {"train": "train", "val": "val", "valid": "val", "validation": "val", "test": "test"}


@dataclass
class Found:
    """What a folder holds, before any image is opened."""

    items: dict[str, list[tuple[Path, str]]]  # split ("all", or "train" / "val" / "test") -> (image, its label)
    folders: dict[str, Path]  # split -> the folder it came from
    ignored: list[Path] = field(default_factory=list)  # files that are not images (or that no CSV row labels)
    irregular: list[str] = field(default_factory=list)  # "path: reason" for what is not a regular file
    dropped: list[str] = field(default_factory=list)  # labels CSV rows left out, "line N: reason"
    missing: list[str] = field(default_factory=list)  # images a CSV row names that are not there
    searched: list[Path] = field(default_factory=list)  # where a CSV's files were looked for
    classes: list[str] = field(default_factory=list)  # class folders, empty ones too


def check_names(root: str | os.PathLike) -> None:
    """Every name under root must be valid UTF-8: DVC cannot track another (the validate stage calls this so
    the user sees which file before DVC fails on it)."""
    for top, dirs, names in os.walk(root):
        for name in dirs + names:
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                raise UserError(
                    f"'{shown(Path(top) / name)}' is not a valid UTF-8 name, which DVC cannot track: rename it"
                ) from None


def visible(name: str) -> bool:
    return not (name.startswith(".") or name == "__MACOSX")


def subdirs(root: Path) -> list[Path]:
    return sorted((p for p in root.iterdir() if p.is_dir() and visible(p.name)), key=lambda p: p.name)


def walk(folder: Path) -> tuple[list[Path], list[str]]:
    """(visible regular files under folder, recursively, in sorted order; "path: reason" for the other entries)."""
    regular, others = [], []
    for top, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if visible(d))
        for name in sorted(n for n in names if visible(n)):
            path = Path(top) / name
            try:
                mode = os.stat(path).st_mode  # follows a link to what it points at
            except OSError as exc:
                others.append(f"{shown(path)}: cannot be read ({exc.strerror or type(exc).__name__})")
                continue
            if stat.S_ISREG(mode):
                regular.append(path)
            else:
                kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
                others.append(f"{shown(path)}: not a regular file ({kind})")
    return regular, others


def files(folder: Path) -> list[Path]:
    """Visible regular files under folder, recursively, in sorted order."""
    return walk(folder)[0]


def split_folders(root: Path) -> dict[str, Path]:
    """{"all": root} for class folders, or {"train": ..., "val": ..., "test": ...} for split folders."""
    dirs = subdirs(root)
    splits = [d for d in dirs if d.name.lower() in SPLITS]
    if not splits:
        return {"all": root}
    others = [d.name for d in dirs if d not in splits]
    if others:
        raise UserError(
            f"{root} has both split folders ({', '.join(d.name for d in splits)}) and other folders "
            f"({', '.join(others)}): put the class folders inside train/, val/ and test/"
        )
    roles: dict[str, Path] = {}
    for d in splits:
        role = SPLITS[d.name.lower()]
        if role in roles:
            raise UserError(f"{root} has two {role} folders, {roles[role].name}/ and {d.name}/: keep one")
        roles[role] = d
    if "train" not in roles:
        raise UserError(f"{root} has {', '.join(d.name + '/' for d in splits)} but no train/ folder")
    return roles


def from_folders(root: Path) -> Found:
    roles = split_folders(root)
    first = roles.get("train", root)
    classes = [p.name for p in subdirs(first)]
    if len(classes) < 2:
        raise UserError(f"{first} needs at least two class sub-folders; found {len(classes)}{_nested_hint(first)}")
    differences = []
    for folder in roles.values():
        names = [p.name for p in subdirs(folder)]
        extra, lacking = sorted(set(names) - set(classes)), sorted(set(classes) - set(names))
        differences += [f"{folder.name}/ has {', '.join(map(repr, extra))} that {first.name}/ lacks"] if extra else []
        differences += [f"{folder.name}/ lacks {', '.join(map(repr, lacking))}"] if lacking else []
    if differences:
        raise UserError(
            f"class folders differ between splits in {root}: {'; '.join(differences)}. Every split "
            f"needs the same class folders"
        )
    found = Found(items={}, folders=roles, classes=classes)
    for role, folder in roles.items():
        found.items[role] = []
        for name in classes:
            regular, others = walk(folder / name)
            found.irregular += others
            found.ignored += [p for p in regular if not is_image(p)]
            found.items[role] += [(p, name) for p in regular if is_image(p)]
    return found


def _nested_hint(folder: Path) -> str:
    """A folder holding one folder that holds the class folders (a zip extracted one level deep) says so."""
    inner = subdirs(folder)
    if len(inner) == 1 and len(subdirs(inner[0])) >= 2:
        return (
            f": it holds one folder, {inner[0].name}/, which holds {len(subdirs(inner[0]))} folders; set "
            f"data.folder to {inner[0]}"
        )
    return ""
