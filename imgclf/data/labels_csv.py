"""Labels from a CSV instead of class sub-folders (`data.labels_csv`, e.g. Kaggle's CIFAR-10 `train/` +
`trainLabels.csv`): a header row, then `file,label` rows; `file` is relative to data.folder and may leave the
extension off."""

from __future__ import annotations

import csv
from pathlib import Path, PurePosixPath

from ..core.errors import UserError
from ..core.text import shown
from ..params import inside_folder
from .decode import is_image
from .layout import files


def from_csv(root: Path, labels_csv: str, problems: list[str]):
    """(classes, {"all": [(path, label)]}, files ignored, {"all": root}); files the CSV names but that are not
    there are added to `problems`."""
    if not inside_folder(labels_csv):
        raise UserError(
            f"data.labels_csv must be a path inside data.folder (so DVC tracks it with the images); got '{labels_csv}'"
        )
    path = root / PurePosixPath(labels_csv)
    if not path.is_file():
        raise UserError(f"data.labels_csv '{labels_csv}' not found in {root}: put the CSV of file,label rows there")
    try:
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    except UnicodeDecodeError as exc:
        raise UserError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise UserError(f"{path} is not a readable CSV ({exc})") from None
    images = [p for p in files(root) if is_image(p)]
    by_name: dict[str, Path] = {}
    for p in images:
        name = p.relative_to(root).as_posix()
        by_name[name] = p
        by_name.setdefault(name.rsplit(".", 1)[0], p)  # Kaggle's ids leave the extension off
    listed = []
    for number, row in enumerate(rows[1:], start=2):  # row 1 is the header
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2 or not row[1].strip():
            raise UserError(f"{path} line {number}: expected file,label; got {','.join(row)!r}")
        file, label = row[0].strip(), row[1].strip()
        if file not in by_name:
            problems.append(f"{shown(root / file)}: listed in {labels_csv} but not found")
            continue
        listed.append((by_name[file], label))
    classes = sorted({label for _, label in listed})
    if len(classes) < 2:
        raise UserError(f"{path} needs at least two labels; found {len(classes)}")
    index = {name: i for i, name in enumerate(classes)}
    used = {p for p, _ in listed}
    ignored = sum(1 for p in files(root) if p != path and p not in used)
    return classes, {"all": [(p, index[label]) for p, label in listed]}, ignored, {"all": root}
