"""Labels from a CSV instead of class sub-folders (`data.labels_csv`), in the layouts people have: a header row or
none (`data.labels_header`), the file and label columns anywhere (found by name or by content, or named by
`data.labels_file_column` / `data.labels_label_column`), other columns ignored, and a file named relative to the
CSV's folder, to data.folder, to a folder named like the CSV (Kaggle's `trainLabels.csv` beside `train/`), with or
without its extension, or by its name alone where that is unique. No row is dropped without being listed."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..core.errors import UserError
from ..core.text import shown
from ..params import inside_folder
from .decode import is_image
from .layout import SPLITS, files

FILE_COLUMNS = ("file", "filename", "file_name", "image", "image_id", "image_name", "img", "path", "filepath",
                "file_path", "id", "name")  # fmt: skip
LABEL_COLUMNS = ("label", "labels", "class", "class_name", "category", "target", "y", "tag", "emotion", "dx",
                 "breed", "species")  # fmt: skip
PROBE = 50  # rows read to tell a header from data and a file column from the others


@dataclass
class CsvLabels:
    items: list[tuple[Path, str]]  # (image, label as written) for every row that names an image
    dropped: list[str] = field(default_factory=list)  # rows left out, each "line N: reason"
    missing: list[str] = field(default_factory=list)  # files rows named that are not there: "path: reason"
    searched: list[Path] = field(default_factory=list)  # the folders a row's file was looked for in
    path: Path | None = None  # the CSV itself


class _Index:
    """Every image under root, by its path relative to each folder searched (with and without its extension), and
    by its bare name (with and without its extension)."""

    def __init__(self, root: Path, folders: list[Path]):
        self.folders = folders
        self.exact: dict[str, Path] = {}
        self.names: dict[str, list[Path]] = {}
        for image in (p for p in files(root) if is_image(p)):
            for folder in folders:
                if folder == image or folder in image.parents:
                    rel = image.relative_to(folder).as_posix()
                    self.exact.setdefault(rel, image)
                    self.exact.setdefault(rel.rsplit(".", 1)[0], image)  # Kaggle's ids leave the extension off
            for name in {image.name, image.name.rsplit(".", 1)[0]}:
                self.names.setdefault(name, []).append(image)

    def find(self, cell: str) -> Path | None:
        value = cell.strip().replace("\\", "/").lstrip("./") if cell.strip() not in ("", ".") else ""
        if not value:
            return None
        if value in self.exact:
            return self.exact[value]
        found = self.names.get(PurePosixPath(value).name, [])
        return found[0] if len(found) == 1 else None


def from_csv(
    root: Path, labels_csv: str, header: str = "auto", file_column: str = "", label_column: str = ""
) -> CsvLabels:
    """Every row's (image, label); rows that name no image are in `missing`, other dropped rows in `dropped`."""
    if not inside_folder(labels_csv):
        raise UserError(
            f"data.labels_csv must be a path inside data.folder (so DVC tracks it with the images); got '{labels_csv}'"
        )
    path = root / PurePosixPath(labels_csv)
    if not path.is_file():
        raise UserError(f"data.labels_csv '{labels_csv}' not found in {root}: put the CSV of file,label rows there")
    rows = _read(path)
    if not rows:
        raise UserError(f"{path} has no rows: it needs a file and a label on each line")
    folders = list(dict.fromkeys([path.parent, root, *_named_like(path)]))
    index = _Index(root, folders)
    has_header = _has_header(rows, index, header, file_column, label_column)
    names = [cell.strip() for cell in rows[0][1]] if has_header else []
    body = rows[1:] if has_header else rows
    file_at = _file_column(names, body, index, file_column, path)
    label_at = _label_column(names, body, file_at, label_column, path)
    out = CsvLabels(items=[], searched=folders, path=path)
    for number, row in body:
        cells = [cell.strip() for cell in row]
        if len(cells) <= max(file_at, label_at):
            out.dropped.append(
                f"line {number}: {len(cells)} columns, not the {max(file_at, label_at) + 1} the file and label need"
            )
            continue
        if not row[label_at].strip():
            out.dropped.append(f"line {number}: no label for {cells[file_at]!r}")
            continue
        image = index.find(cells[file_at])
        if image is None:
            out.missing.append(f"{shown(root / cells[file_at])}: listed in {labels_csv} but not found (line {number})")
            continue
        out.items.append((image, row[label_at]))
    return out


def _read(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every row that is not blank."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        return [(n, row) for n, row in enumerate(csv.reader(lines), start=1) if any(c.strip() for c in row)]
    except UnicodeDecodeError as exc:
        raise UserError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise UserError(f"{path} is not a readable CSV ({exc})") from None


def _named_like(csv_path: Path) -> list[Path]:
    """Folders beside the CSV named like it: `train/` for trainLabels.csv, train_labels.csv or train.csv."""
    stem = csv_path.stem.lower()
    return sorted(
        d
        for d in csv_path.parent.iterdir()
        if d.is_dir() and d.name.lower() in SPLITS and stem.startswith(d.name.lower())
    )


def _position(value: str, names: list[str], what: str, path: Path) -> int | None:
    """A declared column: a name of the header row, or a position counted from 1."""
    if not value:
        return None
    lowered = [n.lower() for n in names]
    if value.lower() in lowered:
        return lowered.index(value.lower())
    if value.isdigit() and int(value) >= 1:
        return int(value) - 1
    raise UserError(
        f"data.{what} '{value}' is not a column of {path} (its header: {', '.join(names) or 'none'}); "
        f"give a column's name, or its position counted from 1"
    )


def _finds(rows, index: _Index, column: int) -> int:
    return sum(1 for _, row in rows[:PROBE] if len(row) > column and index.find(row[column]) is not None)


def _has_header(rows, index: _Index, header: str, file_column: str, label_column: str) -> bool:
    """Declared, or the first row is a header when it names no image while the rows after it do."""
    if header != "auto":
        return header == "yes"
    first = rows[0][1]
    if any(c.strip().lower() in (file_column.lower(), label_column.lower()) for c in first if c.strip()):
        return True
    if any(index.find(c) is not None for c in first):
        return False
    rest = rows[1:]
    return not rest or any(_finds(rest, index, c) for c in range(len(first)))


def _file_column(names, body, index: _Index, declared: str, path: Path) -> int:
    given = _position(declared, names, "labels_file_column", path)
    if given is not None:
        return given
    width = max((len(row) for _, row in body), default=0)
    scores = [_finds(body, index, c) for c in range(width)]
    by_name = next((i for i, n in enumerate(names) if n.lower() in FILE_COLUMNS and scores[i]), None)
    if by_name is not None:
        return by_name
    if not scores or max(scores) == 0:
        shown_names = f" (its header: {', '.join(names)})" if names else ""
        raise UserError(
            f"no column of {path}{shown_names} names an image under {path.parent}: give "
            f"data.labels_file_column, or check that the paths are relative to the CSV or data.folder"
        )
    return scores.index(max(scores))


def _label_column(names, body, file_at: int, declared: str, path: Path) -> int:
    given = _position(declared, names, "labels_label_column", path)
    if given is not None:
        return given
    others = [i for i in range(max((len(row) for _, row in body), default=0)) if i != file_at]
    by_name = next((i for i, n in enumerate(names) if i != file_at and n.lower() in LABEL_COLUMNS), None)
    if by_name is not None:
        return by_name
    if len(others) == 1:
        return others[0]
    listed = ", ".join(names) if names else f"{len(others) + 1} unnamed columns"
    raise UserError(
        f"which column of {path} is the label? ({listed}): give data.labels_label_column, a name or a "
        f"position counted from 1"
    )
