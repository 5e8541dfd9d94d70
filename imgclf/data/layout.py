"""Where a folder's images are and which class each belongs to: class sub-folders, optionally under split folders
`train/`, `val/` (`valid/`, `validation/`) and `test/`. Hidden files and folders (`.DS_Store`,
`.ipynb_checkpoints`, `__MACOSX`) are not data."""

from __future__ import annotations

import os
from pathlib import Path

from ..core.errors import UserError
from ..core.text import shown
from .decode import is_image

SPLITS = {"train": "train", "val": "val", "valid": "val", "validation": "val", "test": "test"}


def check_names(root: str | os.PathLike) -> None:
    """Every name under root must be valid UTF-8: DVC cannot track another (the validate stage calls this so
    the user sees which file before DVC fails on it)."""
    for top, dirs, files in os.walk(root):
        for name in dirs + files:
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


def files(folder: Path) -> list[Path]:
    """Visible files under folder, recursively, in sorted order."""
    out = []
    for top, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if visible(d))
        out += [Path(top) / f for f in sorted(names) if visible(f)]
    return out


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


def from_folders(root: Path):
    roles = split_folders(root)
    first = roles.get("train", root)
    classes = [p.name for p in subdirs(first)]
    if len(classes) < 2:
        raise UserError(f"{first} needs at least two class sub-folders; found {len(classes)}")
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
    plan, ignored = {}, 0
    for role, folder in roles.items():
        plan[role] = []
        for label, name in enumerate(classes):
            found = files(folder / name)
            pictures = [p for p in found if is_image(p)]
            ignored += len(found) - len(pictures)
            plan[role] += [(p, label) for p in pictures]
    return classes, plan, ignored, roles
