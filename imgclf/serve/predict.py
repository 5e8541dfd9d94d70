"""`imgclf predict`: classify image files, folders, IDX files and CIFAR batches with a trained or exported model.

Images are decoded, run and written one batch at a time (the output file is streamed), so memory stays
bounded however many files there are. Prints a table, or writes CSV, JSON or a self-contained HTML page. What
reaches the terminal has its control characters escaped (imgclf.core.text.printable): a file name or a class name
cannot send escape codes or, with a newline, print a row of its own; the files written keep the names as they are.
"""

from __future__ import annotations

import contextlib
import csv
import json
import sys
from pathlib import Path

import numpy as np

from ..core.atomic import atomic_path
from ..core.errors import UserError
from ..core.text import plural, printable, shown
from ..data import familiar
from ..report import html as h
from ..report.plots import png_of_image
from . import inputs, runtimes

OUTPUTS = (".csv", ".json", ".html")


class _Writer:
    """Streams predictions into an open text file in one of OUTPUTS."""

    def __init__(self, stream, suffix: str, model: Path, top_k: int):
        self.stream, self.suffix, self.first = stream, suffix, True
        if suffix == ".csv":
            self.csv = csv.writer(stream)
            self.csv.writerow(
                ["file"] + [f"{what}_{i + 1}" for i in range(top_k) for what in ("class", "probability")] + ["note"]
            )
        elif suffix == ".json":
            stream.write('{"model": ' + json.dumps(str(model)) + ', "predictions": [\n')
        else:
            head, self.tail = h.page("imgclf predictions", f"model {h.esc(model)}", "\0").split("\0")
            stream.write(head + '<div class="gallery wide">\n')

    def add(self, name: str, image: np.ndarray, top: list[tuple[str, float]], note: str = "") -> None:
        if self.suffix == ".csv":
            self.csv.writerow([name] + [v for c, p in top for v in (c, f"{p:.6f}")] + [note])
        elif self.suffix == ".json":
            item = {"file": name, "top": [{"class": c, "probability": round(p, 6)} for c, p in top]}
            if note:
                item["note"] = note
            self.stream.write(("" if self.first else ",\n") + json.dumps(item))
        else:
            lines = [("", name)] + ([("note", note)] if note else [])
            self.stream.write(h.figure(png_of_image(image), lines, alt=name, extra=h.bars(top)) + "\n")
        self.first = False

    def close(self, problems: list[str]) -> None:
        if self.suffix == ".json":
            self.stream.write("\n], " + json.dumps({"skipped": problems}, indent=None)[1:] + "\n")
        elif self.suffix == ".html":
            skipped = (
                "<h2>Skipped files</h2><ul>" + "".join(f"<li>{h.esc(p)}</li>" for p in problems) + "</ul>"
                if problems
                else ""
            )
            self.stream.write("</div>\n" + skipped + self.tail)


def _batches(items, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def run(
    paths: list[str],
    model: str | Path,
    top_k: int = 3,
    out: str | None = None,
    dataset: str | None = None,
    batch_size: int = 256,
) -> dict:
    """Predict every readable image; returns {"predicted": n, "skipped": [...], "ignored": n}."""
    from tqdm import tqdm

    model = Path(model)
    if top_k < 1:
        raise UserError(f"--top-k must be at least 1; got {top_k}")
    if batch_size < 1:
        raise UserError(f"--batch-size must be at least 1; got {batch_size}")
    suffix = Path(out).suffix.lower() if out else ""
    if out and suffix not in OUTPUTS:
        raise UserError(f"--out {out}: the file name must end in {', '.join(OUTPUTS)}")
    runner = runtimes.open_model(model, cap_threads=True)
    meta, meta_path = runtimes.dataset_info(model, dataset)
    runtimes.check_fits(runner, meta, meta_path)
    classes = meta["classes"]
    top_k = min(top_k, len(classes))
    height, width, channels = meta["image_shape"]
    sources, problems, ignored = inputs.find(paths)
    names = max(
        (len(printable(shown(s.path))) + (len(str(s.count)) + 1 if s.kind != "image" else 0) for s in sources),
        default=4,
    )
    column = min(max(names, 4), 60)
    header = f"{'file':<{column}}  " + "  ".join(f"top-{i + 1}" for i in range(top_k))
    predicted = unlike = 0
    with contextlib.ExitStack() as stack:
        writer = None
        if out:  # closed before atomic_path moves it into place (or discards it when nothing was predicted)
            tmp = stack.enter_context(atomic_path(out))
            writer = _Writer(stack.enter_context(open(tmp, "w", encoding="utf-8", newline="")), suffix, model, top_k)
        images = inputs.images(
            sources, (height, width), "L" if channels == 1 else "RGB", problems, meta.get("resize", "squash")
        )
        bar = stack.enter_context(
            tqdm(total=sum(s.count for s in sources), unit="img", disable=None, file=sys.stderr, desc="predict")
        )
        for batch in _batches(images, batch_size):
            probs = runner.predict(np.stack([image for _, image in batch]))
            if not out and not predicted:
                print(header)
            for (name, image), p in zip(batch, probs):
                top = [(classes[int(k)], float(p[k])) for k in np.argsort(-p, kind="stable")[:top_k]]
                note = familiar.unlike(image, meta.get("image_stats"))  # a confident answer to a stranger
                unlike += bool(note)
                if writer:
                    writer.add(name, image, top, note)
                else:
                    print(
                        f"{printable(name):<{column}}  "
                        + "  ".join(f"{printable(c)} {q:.1%}" for c, q in top)
                        + (f"  ({note})" if note else "")
                    )
            predicted += len(batch)
            bar.update(len(batch))
        if not predicted:
            why = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
            raise UserError(
                f"nothing could be predicted: {why or 'no images found'}"
                f"{f' ({ignored} non-image files ignored)' if ignored else ''}"
            )
        if writer:
            writer.close(problems)
    for problem in problems:
        print(f"skipped {printable(problem)}", file=sys.stderr)
    if ignored:
        print(
            f"ignored {ignored} file{'s' if ignored > 1 else ''} in the folders that {'are' if ignored > 1 else 'is'} "
            f"not an image (by extension)",
            file=sys.stderr,
        )
    if unlike:
        print(
            f"note: {plural(unlike, 'image')} unlike the training images (brightness, background or colour outside "
            f"their range): check that they were taken like the training images",
            file=sys.stderr,
        )
    return {"predicted": predicted, "skipped": problems, "ignored": ignored, "unlike": unlike}
