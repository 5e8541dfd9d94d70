"""The run report's Data section: what went in, from data/summary.json (the prepare stage's): images per split and
class, where each split came from, the sizes and colour modes that came in, and what was left out or found twice."""

from __future__ import annotations

from . import html as h

SHOWN = 20  # file names listed per kind; the counts are always whole


def section(summary: dict) -> str:
    if not summary:
        return '<p class="note">No data summary (a run from before data/summary.json existed).</p>'
    classes, counts = summary["classes"], summary["counts"]
    splits = list(counts)
    rows = [[c, *[f"{counts[s].get(c, 0):,}" for s in splits]] for c in classes]
    rows.append([("html", "<b>all</b>"), *[("html", f"<b>{sum(counts[s].values()):,}</b>") for s in splits]])
    body = [
        h.table(["class", *splits], rows),
        "<ul>"
        + "".join(f"<li><b>{h.esc(s)}</b>: {h.esc(summary['sources'].get(s, '?'))}</li>" for s in splits)
        + "</ul>",
    ]
    sizes, modes = summary.get("sizes") or {}, summary.get("modes") or {}
    if sizes:
        w, hh = sizes["width"], sizes["height"]
        body.append(
            f'<p class="note">Image sizes as they came (width x height): {w["min"]}x{hh["min"]} to '
            f"{w['max']}x{hh['max']}, median {w['median']:g}x{hh['median']:g}; colour modes: "
            + h.esc(", ".join(f"{m} {n:,}" for m, n in modes.items()))
            + ".</p>"
        )
    body += _listed("Skipped files", summary.get("skipped") or [], len(summary.get("skipped") or []))
    body += _listed(
        "Labels CSV rows left out", summary.get("dropped_rows") or [], len(summary.get("dropped_rows") or [])
    )
    body += _listed(
        "Files that are not images (ignored)", summary.get("ignored") or [], summary.get("ignored_count", 0)
    )
    body += _duplicates(summary.get("duplicates") or {}, summary.get("duplicate_counts") or {})
    return "\n".join(body)


def _listed(title: str, names: list[str], count: int) -> list[str]:
    if not count:
        return []
    more = f'<p class="note">and {count - SHOWN:,} more.</p>' if count > SHOWN else ""
    return [
        f"<h3>{h.esc(title)} ({count:,})</h3>",
        "<ul>" + "".join(f"<li>{h.esc(n)}</li>" for n in names[:SHOWN]) + "</ul>" + more,
    ]


WORDS = {
    "across_splits": "in more than one split (a test or validation image the network also trained on)",
    "within_class": "twice or more in one class",
    "across_classes": "in more than one class",
}


def _duplicates(groups: dict, counts: dict) -> list[str]:
    if not any(counts.values()):
        return ['<p class="note">No duplicates: no two images have the same pixels.</p>'] if counts else []
    out = ["<h3>Duplicates (the same decoded pixels)</h3>"]
    for kind, word in WORDS.items():
        if not counts.get(kind):
            continue
        items = "".join(
            "<li>"
            + " = ".join(
                f"{h.esc(f)} ({h.esc(s)}, {h.esc(c)})" for f, s, c in zip(g["files"], g["splits"], g["classes"])
            )
            + "</li>"
            for g in groups.get(kind, [])[:SHOWN]
        )
        out.append(f"<p>{counts[kind]:,} image(s) {h.esc(word)}:</p><ul>{items}</ul>")
    out.append('<p class="note">data.duplicates: warn lists them, fail stops, drop keeps the first copy.</p>')
    return out
