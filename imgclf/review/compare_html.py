"""reports/compare.html: the comparison of two runs as a self-contained page (verdict first)."""

from __future__ import annotations

import numpy as np

from ..core import paths
from ..core.arrays import ImageFile
from ..core.stats import interval
from ..report import html as h
from ..report import plots
from .comparison import changed_params, confusion_matrices, flips, headline
from .runs import Run
from .wording import accuracy_cell, delta_text, p_text, paired_sentence, seed_band_sentence


def render_html(base: Run, head: Run, figures: dict) -> str:
    rows = headline(base, head, figures)
    cards = "".join(
        h.card(
            r["label"],
            r["fmt"].format(r["new"]),
            f"{delta_text(r)} (was {r['fmt'].format(r['old'])})"
            + (f"<br>95% CI {h.esc(interval(r['new_ci']))}" if r.get("new_ci") else "")
            + (f"<br>{h.esc(r['note'])}" if r.get("note") else ""),
            r["tone"],
        )
        for r in rows
    )
    v = figures["verdict"]
    body = [f'<p class="verdict {v["kind"]}">{h.esc(v["text"])}</p>']
    if figures["hardware"]:
        body.append(f'<p class="warn">{h.esc(figures["hardware"])}</p>')
    params = changed_params(base, head)
    body += [
        f'<div class="cards">{cards}</div>',
        "<h2>Params that changed</h2>",
        h.table(["param", f"base ({base.rev})", f"head ({head.rev})"], params)
        if params
        else '<p class="note">No param changed.</p>',
    ]
    body += _significance(figures) + _per_class(figures, base, head)
    cms = confusion_matrices(base, head)
    if cms is None:
        body.append('<p class="note">The two runs have different classes: no confusion-matrix difference.</p>')
    else:
        classes, cm_a, cm_b = cms
        body += [
            "<h2>Confusion matrices (test set)</h2>",
            '<p class="note">Rows are the true class, columns the predicted class. The difference counts head '
            "minus base: green cells got better (more correct on the diagonal, fewer mistakes off it), red ones "
            "worse; the diagonal and the mistakes are shaded on separate scales.</p>",
            '<div class="cm-wrap">',
            h.heatmap(
                cm_b - cm_a,
                classes,
                fmt=lambda v: f"{int(v):+d}" if v else "0",
                diverging=True,
                title="Difference (head minus base)",
            ),
            h.heatmap(cm_a, classes, fmt=lambda v: f"{int(v)}", title=f"Base ({base.rev})"),
            h.heatmap(cm_b, classes, fmt=lambda v: f"{int(v)}", title=f"Head ({head.rev})"),
            "</div>",
        ]
    if base.history and head.history:
        curves = {f"base ({base.rev})": base.history, f"head ({head.rev})": head.history}
        body += [
            "<h2>Learning curves</h2>",
            h.img(
                plots.learning_curves(curves),
                "learning curves of both runs",
                narrow=plots.learning_curves(curves, stacked=True),
            ),
        ]
    flipped = flips(base, head)
    if flipped is not None:
        images = _test_images(len(head.predictions))
        body += [
            f"<h2>Right in base, wrong in head ({len(flipped[0])})</h2>",
            _flip_gallery(flipped[0], base, head, images),
            f"<h2>Wrong in base, right in head ({len(flipped[1])})</h2>",
            _flip_gallery(flipped[1], base, head, images),
        ]
    sub = f"base {_side(base)} &rarr; head {_side(head)}"
    return h.page("imgclf comparison", sub, "\n".join(body))


def _side(run: Run) -> str:
    """A side in the subtitle: the revision given, then its branch (where that is another name) and commit."""
    more = [run.name] if run.name and run.name != run.rev else []
    more += [run.commit + (" + uncommitted changes" if run.uncommitted else "")] if run.commit else []
    return f"<b>{h.esc(run.rev)}</b>" + (f" ({h.esc(' '.join(more))})" if more else "")


def _significance(f: dict) -> list[str]:
    body = ["<h2>Is the difference real?</h2>"]
    p = f["paired"]
    if p:
        body += [
            h.table(
                ["", "head right", "head wrong"],
                [
                    ("base right", f"{p['still_right']:,}", f"{p['broken']:,} broken"),
                    ("base wrong", f"{p['fixed']:,} fixed", f"{p['still_wrong']:,}"),
                ],
            ),
            f"<p>On the same {p['images']:,} test images: {h.esc(paired_sentence(p))}</p>",
            '<p class="note">Only the images that one run gets right and the other wrong say anything about '
            "which is better. McNemar's exact test asks how likely a split of fixed to broken images this "
            f"lopsided would be if both runs were equally good (p {h.esc(p_text(p['p_value']))}).</p>",
        ]
    band = f["noise"]
    if band:
        body.append(f"<p>Seed band of base: {h.esc(seed_band_sentence(band, f['head']['accuracy']))}</p>")
    elif f["noise_note"]:
        body.append(f'<p class="note">{h.prose(f["noise_note"])}</p>')
    else:
        body.append(
            '<p class="note">No seed band for base: run <code>imgclf noise</code> there to measure how far '
            "test accuracy moves with the seed alone.</p>"
        )
    return body


def _class_p(r: dict) -> str:
    p = r.get("paired")
    if not p or "p_adjusted" not in p:
        return "-"
    return f"{p['p_value']:.2g} ({p['p_adjusted']:.2g})" + (" *" if p["significant"] else "")


def _per_class(f: dict, base: Run, head: Run) -> list[str]:
    f1a, f1b = base.metrics[paths.PER_CLASS], head.metrics[paths.PER_CLASS]
    rows = []
    for r in f["per_class"]:
        c, pr = r["class"], r.get("paired") or {}
        row = [
            c,
            accuracy_cell(r["base"]),
            accuracy_cell(r["head"]),
            pr.get("fixed", "-"),
            pr.get("broken", "-"),
            _class_p(r),
        ]
        if c in f1a and c in f1b:
            d = f1b[c]["f1"] - f1a[c]["f1"]
            tone = "better" if d > 0 else "worse" if d < 0 else "same"
            row += [f"{f1a[c]['f1']:.3f}", f"{f1b[c]['f1']:.3f}", ("html", f'<span class="{tone}">{d:+.3f}</span>')]
        else:
            row += ["-", "-", "-"]
        rows.append(row)
    return [
        "<h2>Per class</h2>",
        h.table(
            [
                "class",
                "base accuracy (95% CI)",
                "head accuracy (95% CI)",
                "fixed",
                "broken",
                "McNemar p (adjusted)",
                "F1 base",
                "F1 head",
                "F1 change",
            ],
            rows,
        ),
        '<p class="note">Accuracy of a class is the share of its test images classified right (its recall). '
        "Adjusted p-values (Benjamini-Hochberg) allow for testing every class at once; * marks a class whose "
        "change is significant after that adjustment.</p>",
    ]


def _test_images(n: int) -> ImageFile | None:
    """The workspace's prepared test images, when they are the ones both runs scored (same count)."""
    path = paths.PREPARED / "test_x.npy"
    if not path.exists():
        return None
    x = ImageFile(path)
    return x if len(x) == n else None


def _flip_gallery(indices, base: Run, head: Run, images, limit: int = 24) -> str:
    if not len(indices):
        return '<p class="note">None.</p>'
    figs = []
    for i in indices[:limit]:
        a, b = base.predictions.iloc[i], head.predictions.iloc[i]
        lines = [
            ("", f"true {a['actual']}"),
            ("", f"base: {a['predicted']} {a['confidence']:.0%}"),
            ("wrong" if b["predicted"] != b["actual"] else "right", f"head: {b['predicted']} {b['confidence']:.0%}"),
            ("note", f"#{i}"),
        ]
        if images is not None:
            figs.append(h.figure(plots.png_of_image(np.asarray(images[i])), lines, alt=f"test image {i}"))
        else:
            figs.append("<figure>" + "".join(f'<div class="{c}">{h.esc(t)}</div>' for c, t in lines) + "</figure>")
    more = f'<p class="note">and {len(indices) - limit} more.</p>' if len(indices) > limit else ""
    return f'<div class="gallery">{"".join(figs)}</div>{more}'
