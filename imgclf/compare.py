"""Compare two runs (commits, branches, DVC experiments or the workspace) for a pull-request review.

Everything is read through DVC's API from what each revision saved; nothing is re-run. Writes
reports/compare.html, compare.md (the PR comment) and compare.json (the same figures for a CI rule).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import html as h
from . import noise, plots, significance
from .atomic import write_json, write_text
from .errors import UserError
from .params import flat_items
from .significance import p_text
from .stats import interval

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
    for path in ("metrics/train.json", "metrics/model.json", "metrics/per_class.json", "metrics/confusion.json",
                 "metrics/environment.json", noise.NOISE):
        text = _read(path, dvc_rev)
        metrics[path] = json.loads(text) if text else {}
    hist = _read("metrics/history.csv", dvc_rev)
    preds = _read("metrics/predictions.csv", dvc_rev)
    return Run(rev=rev, params=params, metrics=metrics,
               history=pd.read_csv(io.StringIO(hist)).to_dict("records") if hist else [],
               predictions=_predictions(preds) if preds else None)


def _predictions(text: str):
    """predictions.csv with class names kept as written: a class called NA or null is not a missing value."""
    import pandas as pd

    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    df["confidence"] = df["confidence"].astype(float)
    return df


def changed_params(base: Run, head: Run) -> list[tuple[str, object, object]]:
    a, b = dict(flat_items(base.params)), dict(flat_items(head.params))
    return [(k, a.get(k, "-"), b.get(k, "-")) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def headline(base: Run, head: Run, figures: dict) -> list[dict]:
    """Headline metrics with deltas; test accuracy is called better or worse only when the verdict is."""
    rows = []
    for path, key, label, higher, fmt in HEADLINE:
        old, new = base.metrics[path].get(key), head.metrics[path].get(key)
        if old is None or new is None:
            continue
        delta = new - old
        tone = "same" if higher is None or delta == 0 else ("better" if (delta > 0) == higher else "worse")
        row = {"label": label, "old": old, "new": new, "delta": delta, "tone": tone, "fmt": fmt,
               "key": f"{path}:{key}"}
        if key == "accuracy" and path == "metrics/test.json":
            kind = figures["verdict"]["kind"]
            row.update(tone=kind if kind in ("better", "worse") else "same",
                       old_ci=figures["base"]["ci95"], new_ci=figures["head"]["ci95"])
        rows.append(row)
    return rows


def _delta_text(row: dict) -> str:
    if row["fmt"] == "{:.2%}":
        return f"{row['delta'] * 100:+.2f} pp"
    return ("+" if row["delta"] > 0 else "") + row["fmt"].format(row["delta"])


def _value(row: dict, which: str) -> str:
    text = row["fmt"].format(row[which])
    ci = row.get(f"{which}_ci")
    return f"{text} ({interval(ci)})" if ci else text


def confusion_matrices(base: Run, head: Run) -> tuple[list[str], np.ndarray, np.ndarray] | None:
    """Both confusion matrices over the head's classes; None when the runs have different classes."""
    classes = list(head.metrics["metrics/confusion.json"])
    if not classes or list(base.metrics["metrics/confusion.json"]) != classes:
        return None
    mat = lambda run: np.array([[run.metrics["metrics/confusion.json"][t][p] for p in classes] for t in classes])
    return classes, mat(base), mat(head)


def largest_confusion_changes(base: Run, head: Run, n: int = 5) -> list[tuple[str, str, int]]:
    """(true, predicted, head minus base) for the off-diagonal cells that changed most."""
    cms = confusion_matrices(base, head)
    if cms is None:
        return []
    classes, cm_a, cm_b = cms
    diff = cm_b - cm_a
    off = [(classes[i], classes[j], int(diff[i, j])) for i in range(len(classes)) for j in range(len(classes))
           if i != j and diff[i, j]]
    return sorted(off, key=lambda o: -abs(o[2]))[:n]


def flips(base: Run, head: Run) -> tuple[np.ndarray, np.ndarray] | None:
    """Test images that went right->wrong and wrong->right; None unless both runs scored the same test set."""
    a, b = base.predictions, head.predictions
    if a is None or b is None or significance.test_set_difference(base, head):
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


def _acc_cell(a: dict) -> str:
    return "n/a" if a["accuracy"] is None else f"{a['accuracy']:.2%} ({interval(a['ci95'])})"


def _class_p(r: dict) -> str:
    p = r.get("paired")
    if not p or "p_adjusted" not in p:
        return "-"
    return f"{p['p_value']:.2g} ({p['p_adjusted']:.2g})" + (" *" if p["significant"] else "")


def _significance_html(f: dict) -> list[str]:
    body = ["<h2>Is the difference real?</h2>"]
    p = f["paired"]
    if p:
        body += [h.table(["", "head right", "head wrong"],
                         [("base right", f"{p['still_right']:,}", f"{p['broken']:,} broken"),
                          ("base wrong", f"{p['fixed']:,} fixed", f"{p['still_wrong']:,}")]),
                 f'<p class="note">On the same {p["images"]:,} test images, only the images that one run gets right '
                 f'and the other wrong say anything about which is better. McNemar\'s exact test asks how likely '
                 f'a split of {p["fixed"]:,} fixed to {p["broken"]:,} broken would be if both runs were equally good: '
                 f'p {p_text(p["p_value"])}. The change in accuracy is {p["delta"] * 100:+.2f} pp, 95% CI '
                 f'{p["delta_ci"][0] * 100:+.2f} to {p["delta_ci"][1] * 100:+.2f} pp.</p>']
    band = f["noise"]
    if band:
        where = "outside" if band["head_outside"] else "inside"
        body.append(f'<p>Seed band of base ({band["runs"]} seeds {", ".join(map(str, band["seeds"]))}): mean '
                    f'{band["mean"]:.2%} &plusmn; {band["std"] * 100:.2f} pp (standard deviation), range '
                    f'{h.esc(interval((band["min"], band["max"])))}. Head\'s {f["head"]["accuracy"]:.2%} is '
                    f'<b>{where}</b> it.</p>')
    elif f["noise_note"]:
        body.append(f'<p class="note">{h.esc(f["noise_note"])}</p>')
    else:
        body.append('<p class="note">No seed band for base: run <code>imgclf noise</code> there to measure how far '
                    'test accuracy moves with the seed alone.</p>')
    return body


def _per_class_html(f: dict, base: Run, head: Run) -> list[str]:
    f1a, f1b = base.metrics["metrics/per_class.json"], head.metrics["metrics/per_class.json"]
    rows = []
    for r in f["per_class"]:
        c, pr = r["class"], r.get("paired") or {}
        row = [c, _acc_cell(r["base"]), _acc_cell(r["head"]), pr.get("fixed", "-"), pr.get("broken", "-"), _class_p(r)]
        if c in f1a and c in f1b:
            d = f1b[c]["f1"] - f1a[c]["f1"]
            tone = "better" if d > 0 else "worse" if d < 0 else "same"
            row += [f"{f1a[c]['f1']:.3f}", f"{f1b[c]['f1']:.3f}", ("html", f'<span class="{tone}">{d:+.3f}</span>')]
        else:
            row += ["-", "-", "-"]
        rows.append(row)
    return ["<h2>Per class</h2>",
            h.table(["class", "base accuracy (95% CI)", "head accuracy (95% CI)", "fixed", "broken",
                     "McNemar p (adjusted)", "F1 base", "F1 head", "F1 change"], rows),
            '<p class="note">Accuracy of a class is the share of its test images classified right (its recall). '
            'Adjusted p-values (Benjamini-Hochberg) allow for testing every class at once; * marks a class whose '
            'change is significant after that adjustment.</p>']


def render_html(base: Run, head: Run, figures: dict) -> str:
    rows = headline(base, head, figures)
    cards = "".join(h.card(r["label"], r["fmt"].format(r["new"]),
                           f"{_delta_text(r)} (was {r['fmt'].format(r['old'])})"
                           + (f"<br>95% CI {h.esc(interval(r['new_ci']))}" if r.get("new_ci") else ""), r["tone"])
                    for r in rows)
    v = figures["verdict"]
    body = [f'<p class="verdict {v["kind"]}">{h.esc(v["text"])}</p>']
    if figures["hardware"]:
        body.append(f'<p class="warn">{h.esc(figures["hardware"])}</p>')
    params = changed_params(base, head)
    body += [f'<div class="cards">{cards}</div>', "<h2>Params that changed</h2>",
             h.table(["param", f"base ({base.rev})", f"head ({head.rev})"], params) if params
             else '<p class="note">No param changed.</p>']
    body += _significance_html(figures) + _per_class_html(figures, base, head)
    cms = confusion_matrices(base, head)
    if cms is None:
        body.append('<p class="note">The two runs have different classes: no confusion-matrix difference.</p>')
    else:
        classes, cm_a, cm_b = cms
        body += ["<h2>Confusion matrices (test set)</h2>",
                 '<p class="note">Rows are the true class, columns the predicted class. The difference counts head '
                 'minus base: green cells got better (more correct on the diagonal, fewer mistakes off it), red ones '
                 'worse; the diagonal and the mistakes are shaded on separate scales.</p>',
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


def md_code(value) -> str:
    """A user-given name (class, branch, param value) as a Markdown code span, so that Markdown, HTML, math,
    @mentions and emoji codes in it show as plain text in a PR comment. For running text, not table cells
    (where a | would end the cell)."""
    s = " ".join(str(value).splitlines()) or " "
    fence = "`" * (max((len(run) for run in re.findall("`+", s)), default=0) + 1)
    if s[0] == "`" or s[-1] == "`" or (s[0] == " " and s[-1] == " " and s.strip()):
        s = f" {s} "
    return fence + s + fence


VERDICT_ICON = {"better": "🟢", "worse": "🔴", "not_comparable": "⚠️"}


def _n(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def render_markdown(base: Run, head: Run, figures: dict) -> str:
    icon = {"better": "🟢", "worse": "🔴", "same": "⚪"}
    v = figures["verdict"]
    lines = [f"### imgclf: {md_code(base.rev)} → {md_code(head.rev)}", "",
             f"**{VERDICT_ICON.get(v['kind'], '⚪')} {v['text']}**"]
    if figures["hardware"]:
        lines += ["", f"⚠️ {figures['hardware']}"]
    lines += ["", "| metric | base | head | change |", "|---|---:|---:|---:|"]
    for r in headline(base, head, figures):
        lines.append(f"| {r['label']} | {_value(r, 'old')} | {_value(r, 'new')} | {icon[r['tone']]} {_delta_text(r)} |")
    params = changed_params(base, head)
    lines += ["", "**Params changed:** " + (", ".join(f"{md_code(k)}: {md_code(a)} → {md_code(b)}"
                                                     for k, a, b in params) if params else "none")]
    p = figures["paired"]
    if p:
        lines += ["", f"**Paired test on {p['images']:,} test images:** {p['fixed']:,} fixed (wrong → right), "
                      f"{p['broken']:,} broken (right → wrong), {p['still_right']:,} still right, "
                      f"{p['still_wrong']:,} still wrong; McNemar exact p {p_text(p['p_value'])}."]
        changed = [r for r in figures["per_class"] if (r.get("paired") or {}).get("significant")]
        tested = sum(1 for r in figures["per_class"] if (r.get("paired") or {}).get("p_adjusted") is not None)
        if changed:
            lines += ["", f"**Classes that changed significantly** (of {tested} tested, p adjusted for testing them "
                          "all): " + ", ".join(
                              f"{md_code(r['class'])} {_acc_cell(r['base'])} → {_acc_cell(r['head'])} "
                              f"({r['paired']['fixed']} fixed, {r['paired']['broken']} broken, "
                              f"adjusted p {p_text(r['paired']['p_adjusted'])})" for r in changed)]
        else:
            lines += ["", f"**No class changed significantly** on its own ({_n(tested, 'class', 'classes')} tested)."]
    band = figures["noise"]
    if band:
        where = "outside" if band["head_outside"] else "inside"
        lines += ["", f"**Seed band of base** ({band['runs']} seeds): {band['mean']:.2%} ± {band['std'] * 100:.2f} pp, "
                      f"range {interval((band['min'], band['max']))}; head's {figures['head']['accuracy']:.2%} is "
                      f"{where} it."]
    elif figures["noise_note"]:
        lines += ["", f"_{figures['noise_note']}_"]
    changes = largest_confusion_changes(base, head)
    if changes:
        lines += ["", "**Largest confusion changes** (true → predicted, head minus base): " +
                  ", ".join(f"{md_code(t)} → {md_code(p)} {d:+d}" for t, p, d in changes)]
    lines.append("")
    return "\n".join(lines)


def comparison_json(base: Run, head: Run, figures: dict) -> dict:
    return {**figures,
            "headline": [{k: r[k] for k in ("label", "key", "old", "new", "delta", "tone")}
                         for r in headline(base, head, figures)],
            "changed_params": [{"param": k, "base": a, "head": b} for k, a, b in changed_params(base, head)],
            "confusion_changes": [{"true": t, "predicted": p, "change": d}
                                  for t, p, d in largest_confusion_changes(base, head)]}


def compare(base_rev: str, head_rev: str = WORKSPACE, out_dir: str | Path = "reports") -> dict:
    """Write compare.html, compare.md and compare.json into out_dir; return the figures (with the paths)."""
    base, head = load_run(base_rev), load_run(head_rev)
    figures = significance.analyse(base, head)
    out = Path(out_dir)
    write_text(out / "compare.html", render_html(base, head, figures))
    write_text(out / "compare.md", render_markdown(base, head, figures))
    write_json(out / "compare.json", comparison_json(base, head, figures))
    return figures
