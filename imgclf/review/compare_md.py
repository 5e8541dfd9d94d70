"""reports/compare.md: the comparison of two runs as a pull-request comment (verdict first, names as code)."""

from __future__ import annotations

from .comparison import changed_params, headline, largest_confusion_changes
from .markdown import md_code
from .runs import Run
from .wording import accuracy_cell, delta_text, p_text, paired_sentence, plural, seed_band_sentence, value_text

# A verdict's kind or a row's tone -> its mark in the comment; anything else is neutral.
ICON = {"better": "🟢", "worse": "🔴", "not_comparable": "⚠️"}
NEUTRAL = "⚪"


def run_title(run: Run) -> str:
    """A side of the comparison as the title names it: its branch (or name) and short commit, `main` (1a2b3c4)."""
    if not run.commit:
        return md_code(run.name or run.rev)
    return f"{md_code(run.name or run.rev)} ({run.commit}{' + uncommitted changes' if run.uncommitted else ''})"


def render_markdown(base: Run, head: Run, figures: dict) -> str:
    v = figures["verdict"]
    lines = [
        f"### imgclf: {run_title(base)} → {run_title(head)}",
        "",
        f"**{ICON.get(v['kind'], NEUTRAL)} {v['text']}**",
    ]
    if figures["hardware"]:
        lines += ["", f"{ICON['not_comparable']} {figures['hardware']}"]
    lines += ["", "| metric | base | head | change |", "|---|---:|---:|---:|"]
    for r in headline(base, head, figures):
        lines.append(
            f"| {r['label']} | {value_text(r, 'old')} | {value_text(r, 'new')} | "
            f"{ICON.get(r['tone'], NEUTRAL)} {delta_text(r)}{' (' + r['note'] + ')' if r.get('note') else ''} |"
        )
    params = changed_params(base, head)
    lines += [
        "",
        "**Params changed:** "
        + (", ".join(f"{md_code(k)}: {md_code(a)} → {md_code(b)}" for k, a, b in params) if params else "none"),
    ]
    p = figures["paired"]
    if p:
        lines += ["", f"**Paired test on {p['images']:,} test images:** {paired_sentence(p)}"]
        changed = [r for r in figures["per_class"] if (r.get("paired") or {}).get("significant")]
        tested = sum(1 for r in figures["per_class"] if (r.get("paired") or {}).get("p_adjusted") is not None)
        if changed:
            lines += [
                "",
                f"**Classes that changed significantly** (of {tested} tested, p adjusted for testing them "
                "all): "
                + ", ".join(
                    f"{md_code(r['class'])} {accuracy_cell(r['base'])} → {accuracy_cell(r['head'])} "
                    f"({r['paired']['fixed']} fixed, {r['paired']['broken']} broken, "
                    f"adjusted p {p_text(r['paired']['p_adjusted'])})"
                    for r in changed
                ),
            ]
        else:
            lines += [
                "",
                f"**No class changed significantly** on its own ({plural(tested, 'class', 'classes')} tested).",
            ]
    band = figures["noise"]
    if band:
        lines += ["", f"**Seed band of base:** {seed_band_sentence(band, figures['head']['accuracy'])}"]
    elif figures["noise_note"]:
        lines += ["", f"_{figures['noise_note']}_"]
    changes = largest_confusion_changes(base, head)
    if changes:
        lines += [
            "",
            "**Largest confusion changes** (true → predicted, head minus base): "
            + ", ".join(f"{md_code(t)} → {md_code(p)} {d:+d}" for t, p, d in changes),
        ]
    lines.append("")
    return "\n".join(lines)
