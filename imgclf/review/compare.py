"""`imgclf compare BASE HEAD`: two runs (commits, branches, DVC experiments or the workspace) compared for a
pull-request review, in reports/compare.html, compare.md (the PR comment) and compare.json (the same figures for
a CI rule). Everything is read through DVC's API from what each revision saved; nothing is re-run."""

from __future__ import annotations

from pathlib import Path

from ..core import paths
from ..core.atomic import write_json, write_text
from . import significance
from .compare_html import render_html
from .compare_md import render_markdown
from .comparison import changed_params, headline, largest_confusion_changes
from .runs import WORKSPACE, Run, load_run


def comparison_json(base: Run, head: Run, figures: dict) -> dict:
    return {
        **figures,
        **{
            side: {**figures[side], "name": run.name, "commit": run.commit, "uncommitted": run.uncommitted}
            for side, run in (("base", base), ("head", head))
        },
        "headline": [
            {k: r[k] for k in ("label", "key", "old", "new", "delta", "tone", "note") if k in r}
            for r in headline(base, head, figures)
        ],
        "changed_params": [{"param": k, "base": a, "head": b} for k, a, b in changed_params(base, head)],
        "confusion_changes": [
            {"true": t, "predicted": p, "change": d} for t, p, d in largest_confusion_changes(base, head)
        ],
    }


def compare(base_rev: str, head_rev: str = WORKSPACE, out_dir: str | Path = paths.REPORTS) -> dict:
    """Write compare.html, compare.md and compare.json into out_dir; return the figures."""
    base, head = load_run(base_rev, "base"), load_run(head_rev, "head")
    figures = significance.analyse(base, head)
    out = Path(out_dir)
    html, md, data = paths.COMPARE
    write_text(out / html, render_html(base, head, figures))
    write_text(out / md, render_markdown(base, head, figures))
    write_json(out / data, comparison_json(base, head, figures))
    return figures
