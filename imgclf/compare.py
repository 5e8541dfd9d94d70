"""Compare two runs (commits, branches, DVC experiments or the workspace) for a pull-request review.

Everything is read through DVC's API from what each revision saved; nothing is re-run.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import html as h
from . import plots
from .atomic import write_text
from .errors import UserError
from .params import flat_items

WORKSPACE = "workspace"
HEADLINE = [  # (file, key, label, higher is better, format)
    ("metrics/test.json", "accuracy", "test accuracy", True, "{:.2%}"),
    ("metrics/test.json", "loss", "test loss", False, "{:.4f}"),
    ("metrics/test.json", "macro_f1", "macro F1", True, "{:.4f}"),
    ("metrics/train.json", "val_accuracy", "validation accuracy", True, "{:.2%}"),
    ("metrics/train.json", "train_seconds", "training time (s)", False, "{:,.1f}"),
    ("metrics/model.json", "parameters", "parameters", None, "{:,}"),
]


@dataclass
class Run:
    rev: str
    params: dict
    metrics: dict[str, dict]
    history: list[dict]
    predictions: "object | None"     # pandas DataFrame or None


def _read(path: str, rev: str | None) -> str | None:
    """A file as that revision saved it (git or DVC cache); None when it has none or the cache lacks it."""
    import dvc.api
    from dvc.exceptions import DvcException
    from dvc.scm import RevError

    try:
        return dvc.api.read(path, rev=rev)
    except RevError:
        raise
    except (DvcException, FileNotFoundError):
        return None


def load_run(rev: str) -> Run:
    import dvc.api
    import pandas as pd
    from dvc.scm import RevError

    dvc_rev = None if rev == WORKSPACE else rev
    try:
        params = dvc.api.params_show(rev=dvc_rev)
        test = _read("metrics/test.json", dvc_rev)
    except RevError:
        raise UserError(f"unknown revision '{rev}': give a git commit, branch or tag, an experiment name from "
                        f"`dvc exp show`, or '{WORKSPACE}'") from None
    if test is None:
        raise UserError(f"revision '{rev}' has no metrics/test.json yet: run the pipeline there (dvc repro) "
                        f"and commit its dvc.lock and metrics/")
    metrics = {"metrics/test.json": json.loads(test)}
    for path in ("metrics/train.json", "metrics/model.json", "metrics/per_class.json", "metrics/confusion.json"):
        text = _read(path, dvc_rev)
        metrics[path] = json.loads(text) if text else {}
    hist = _read("metrics/history.csv", dvc_rev)
    preds = _read("metrics/predictions.csv", dvc_rev)
    return Run(rev=rev, params=params, metrics=metrics,
               history=pd.read_csv(io.StringIO(hist)).to_dict("records") if hist else [],
               predictions=pd.read_csv(io.StringIO(preds)) if preds else None)


def changed_params(base: Run, head: Run) -> list[tuple[str, object, object]]:
    a, b = dict(flat_items(base.params)), dict(flat_items(head.params))
    return [(k, a.get(k, "-"), b.get(k, "-")) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def headline(base: Run, head: Run) -> list[dict]:
    rows = []
    for path, key, label, higher, fmt in HEADLINE:
        old, new = base.metrics[path].get(key), head.metrics[path].get(key)
        if old is None or new is None:
            continue
        delta = new - old
        tone = "same" if higher is None or delta == 0 else ("better" if (delta > 0) == higher else "worse")
        rows.append({"label": label, "old": old, "new": new, "delta": delta, "tone": tone, "fmt": fmt,
                     "key": f"{path}:{key}"})
    return rows


def _delta_text(row: dict) -> str:
    if row["fmt"] == "{:.2%}":
        return f"{row['delta'] * 100:+.2f} pp"
    return ("+" if row["delta"] > 0 else "") + row["fmt"].format(row["delta"])


def confusion_matrices(base: Run, head: Run) -> tuple[list[str], np.ndarray, np.ndarray]:
    classes = list(head.metrics["metrics/confusion.json"])
    if list(base.metrics["metrics/confusion.json"]) != classes:
        raise UserError("the two revisions were trained on different classes; their confusion matrices "
                        "cannot be compared")
    mat = lambda run: np.array([[run.metrics["metrics/confusion.json"][t][p] for p in classes] for t in classes])
    return classes, mat(base), mat(head)


def flips(base: Run, head: Run) -> tuple[np.ndarray, np.ndarray] | None:
    """Test images that went right->wrong and wrong->right; None when either run lacks predictions."""
    a, b = base.predictions, head.predictions
    if a is None or b is None or len(a) != len(b) or not (a["actual"].values == b["actual"].values).all():
        return None
    ok_a = a["actual"].values == a["predicted"].values
    ok_b = b["actual"].values == b["predicted"].values
    return np.flatnonzero(ok_a & ~ok_b), np.flatnonzero(~ok_a & ok_b)


def _test_images(n: int) -> np.ndarray | None:
    path = Path("data/prepared/test_x.npy")
    if not path.exists():
        return None
    x = np.load(path, mmap_mode="r", allow_pickle=False)
    return x if len(x) == n else None


def _flip_gallery(indices, base: Run, head: Run, images, limit: int = 24) -> str:
    if not len(indices):
        return '<p class="note">None.</p>'
    figs = []
    for i in indices[:limit]:
        a, b = base.predictions.iloc[i], head.predictions.iloc[i]
        lines = [("", f"true {a['actual']}"), ("", f"base: {a['predicted']} {a['confidence']:.0%}"),
                 ("wrong" if b["predicted"] != b["actual"] else "right", f"head: {b['predicted']} {b['confidence']:.0%}"),
                 ("note", f"#{i}")]
        if images is not None:
            figs.append(h.figure(plots.png_of_image(np.asarray(images[i])), lines, alt=f"test image {i}"))
        else:
            figs.append("<figure>" + "".join(f'<div class="{c}">{h.esc(t)}</div>' for c, t in lines) + "</figure>")
    more = f'<p class="note">and {len(indices) - limit} more.</p>' if len(indices) > limit else ""
    return f'<div class="gallery">{"".join(figs)}</div>{more}'


def render_html(base: Run, head: Run) -> str:
    rows = headline(base, head)
    cards = "".join(h.card(r["label"], r["fmt"].format(r["new"]),
                           f"{_delta_text(r)} (was {r['fmt'].format(r['old'])})", r["tone"]) for r in rows)
    params = changed_params(base, head)
    body = [f'<div class="cards">{cards}</div>', "<h2>Params that changed</h2>",
            h.table(["param", f"base ({base.rev})", f"head ({head.rev})"], params) if params
            else '<p class="note">No param changed.</p>']
    classes, cm_a, cm_b = confusion_matrices(base, head)
    f1a, f1b = base.metrics["metrics/per_class.json"], head.metrics["metrics/per_class.json"]
    f1_rows = []
    for c in classes:
        if c in f1a and c in f1b:
            d = f1b[c]["f1"] - f1a[c]["f1"]
            tone = "better" if d > 0 else "worse" if d < 0 else "same"
            f1_rows.append((c, f"{f1a[c]['f1']:.3f}", f"{f1b[c]['f1']:.3f}", ("html", f'<span class="{tone}">{d:+.3f}</span>')))
    body += ["<h2>Per-class F1</h2>", h.table(["class", "base", "head", "change"], f1_rows),
             "<h2>Confusion matrices (test set)</h2>",
             '<p class="note">Rows are the true class, columns the predicted class. The difference counts head minus '
             'base: green cells got better (more correct on the diagonal, fewer mistakes off it), red ones worse; the '
             'diagonal and the mistakes are shaded on separate scales.</p>',
             '<div class="cm-wrap">',
             h.heatmap(cm_b - cm_a, classes, fmt=lambda v: f"{int(v):+d}" if v else "0", diverging=True,
                       title="Difference (head minus base)"),
             h.heatmap(cm_a, classes, fmt=lambda v: f"{int(v)}", title=f"Base ({base.rev})"),
             h.heatmap(cm_b, classes, fmt=lambda v: f"{int(v)}", title=f"Head ({head.rev})"), "</div>"]
    if base.history and head.history:
        body += ["<h2>Learning curves</h2>",
                 h.img(plots.learning_curves({f"base ({base.rev})": base.history, f"head ({head.rev})": head.history}),
                       "learning curves of both runs")]
    flipped = flips(base, head)
    if flipped is not None:
        images = _test_images(len(head.predictions))
        body += [f"<h2>Right in base, wrong in head ({len(flipped[0])})</h2>",
                 _flip_gallery(flipped[0], base, head, images),
                 f"<h2>Wrong in base, right in head ({len(flipped[1])})</h2>",
                 _flip_gallery(flipped[1], base, head, images)]
    sub = f"base <b>{h.esc(base.rev)}</b> &rarr; head <b>{h.esc(head.rev)}</b>"
    return h.page("imgclf comparison", sub, "\n".join(body))


def render_markdown(base: Run, head: Run) -> str:
    icon = {"better": "🟢", "worse": "🔴", "same": "⚪"}
    lines = [f"### imgclf: `{base.rev}` → `{head.rev}`", "", "| metric | base | head | change |", "|---|---:|---:|---:|"]
    for r in headline(base, head):
        lines.append(f"| {r['label']} | {r['fmt'].format(r['old'])} | {r['fmt'].format(r['new'])} | "
                     f"{icon[r['tone']]} {_delta_text(r)} |")
    params = changed_params(base, head)
    lines += ["", "**Params changed:** " + (", ".join(f"`{k}`: {a} → {b}" for k, a, b in params) if params else "none")]
    classes, cm_a, cm_b = confusion_matrices(base, head)
    diff = cm_b - cm_a
    off = [(abs(diff[i, j]), classes[i], classes[j], diff[i, j]) for i in range(len(classes))
           for j in range(len(classes)) if i != j and diff[i, j]]
    if off:
        lines += ["", "**Largest confusion changes** (true → predicted, head minus base): " +
                  ", ".join(f"{t} → {p} {d:+d}" for _, t, p, d in sorted(off, key=lambda o: -o[0])[:5])]
    flipped = flips(base, head)
    if flipped is not None:
        lines += ["", f"**Test images flipped:** {len(flipped[0])} right → wrong, {len(flipped[1])} wrong → right"]
    lines += ["", "_Full report: `reports/compare.html` (in this run's artifacts)._", ""]
    return "\n".join(lines)


def compare(base_rev: str, head_rev: str = WORKSPACE, out_dir: str | Path = "reports") -> tuple[Path, Path]:
    base, head = load_run(base_rev), load_run(head_rev)
    out = Path(out_dir)
    write_text(out / "compare.html", render_html(base, head))
    write_text(out / "compare.md", render_markdown(base, head))
    return out / "compare.html", out / "compare.md"
