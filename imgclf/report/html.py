"""Building blocks of the self-contained HTML reports: inline CSS, data-URI images, no scripts."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable

CSS = """
:root { --fg:#1d2330; --muted:#5b6475; --line:#d9dde5; --good:#11733d; --bad:#b3261e; --accent:#2456a6; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       margin: 0 auto; max-width: 1180px; padding: 24px 28px 60px; overflow-wrap: break-word; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 34px 0 10px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.sub { color: var(--muted); margin: 0 0 18px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 14px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 150px; }
.card .label { color: var(--muted); font-size: 13px; } .card .value { font-size: 24px; font-weight: 650; }
.card .delta { font-size: 14px; font-weight: 600; }
.better { color: var(--good); } .worse { color: var(--bad); } .same { color: var(--muted); }
.not_comparable { color: #8a6100; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13.5px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: right; }
th { background: #f3f5f9; font-weight: 600; } td.l, th.l { text-align: left; }
table.cm td { min-width: 44px; text-align: center; font-variant-numeric: tabular-nums; }
table.cm th.corner { font-weight: 400; color: var(--muted); font-size: 12px; }
.cm-wrap { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
.cm-wrap > div, .scroll { min-width: 0; max-width: 100%; overflow-x: auto; }
table.cm.many { font-size: 11px; } table.cm.many td { min-width: 26px; padding: 2px 3px; }
.gallery { display: flex; flex-wrap: wrap; gap: 10px; }
.gallery figure { margin: 0; width: 118px; font-size: 12px; text-align: center; }
.gallery img { width: 96px; height: 96px; image-rendering: pixelated; border: 1px solid var(--line); }
.gallery figcaption { line-height: 1.3; } .gallery .wrong { color: var(--bad); } .gallery .right { color: var(--good); }
img.plot, img.diagram { max-width: 100%; height: auto; }
pre { background: #f6f8fa; border: 1px solid var(--line); padding: 10px; overflow-x: auto; font-size: 12.5px; }
.params { columns: 2 320px; font-size: 13.5px; } .params div { break-inside: avoid; }
.params code { color: var(--accent); }
.note { color: var(--muted); font-size: 13px; }
.verdict { font-size: 17px; font-weight: 600; margin: 14px 0; padding: 10px 14px; border-left: 6px solid var(--muted);
           background: #f6f8fa; }
.verdict.better { border-color: var(--good); } .verdict.worse { border-color: var(--bad); }
.warn { border-left: 6px solid #e0a100; background: #fff8e1; padding: 8px 14px; }
.gallery.wide figure { width: 200px; } .gallery.wide figcaption { overflow-wrap: anywhere; }
.bars { text-align: left; margin-top: 4px; }
.bar { position: relative; height: 17px; margin: 2px 0; background: #eef1f6; border-radius: 3px; overflow: hidden; }
.bar span { position: absolute; left: 0; top: 0; bottom: 0; background: #9db7e0; }
.bar b { position: relative; font-weight: 400; padding: 0 4px; white-space: nowrap; }
img.thumb { max-width: 100%; }
/* A phone: less margin; tables and matrices scroll inside their own box (.scroll), images scale to the width. */
@media (max-width: 600px) { body { padding: 14px 12px 40px; font-size: 14px; } h1 { font-size: 22px; }
  h2 { font-size: 17px; margin-top: 26px; } .card { min-width: 0; flex: 1 1 140px; padding: 8px 12px; }
  .card .value { font-size: 20px; } .verdict { font-size: 15px; } .params { columns: 1; } }
@media print { body { max-width: none; padding: 0; font-size: 12px; } h2 { break-after: avoid; }
  table, figure, img { break-inside: avoid; } .card .value { font-size: 18px; } }
"""


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def prose(text: str) -> str:
    """A sentence written for Markdown and the terminal as HTML: escaped, with its `code spans` as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", esc(text))


NARROW = 700  # px: at most this wide, a figure drawn for a narrow screen replaces the wide one


def img(png: bytes, alt: str, cls: str = "plot", narrow: bytes | None = None) -> str:
    """An inline image; `narrow`, when given, is the same figure drawn for a phone (panels stacked, larger text),
    which the browser picks on a screen up to NARROW px wide."""
    tag = f'<img class="{cls}" alt="{esc(alt)}" src="{data_uri(png)}">'
    if narrow is None:
        return tag
    # 2x: it is drawn at twice the pixels (imgclf/report/plots.py), so its size on the page is half of them.
    return f'<picture><source media="(max-width: {NARROW}px)" srcset="{data_uri(narrow)} 2x">{tag}</picture>'


def page(title: str, subtitle: str, body: str) -> str:
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body>\n"
        f'<h1>{esc(title)}</h1><p class="sub">{subtitle}</p>\n{body}\n</body></html>\n'
    )


def card(label: str, value: str, delta: str = "", tone: str = "") -> str:
    d = f'<div class="delta {tone}">{delta}</div>' if delta else ""
    return f'<div class="card"><div class="label">{esc(label)}</div><div class="value">{value}</div>{d}</div>'


def table(header: Iterable[str], rows: Iterable[Iterable], left: int = 1, cls: str = "") -> str:
    """Cells are escaped unless they are already HTML (a tuple ('html', markup))."""

    def cell(v, i, tag):
        align = ' class="l"' if i < left else ""
        text = v[1] if isinstance(v, tuple) and v and v[0] == "html" else esc(v)
        return f"<{tag}{align}>{text}</{tag}>"

    head = "".join(cell(h, i, "th") for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell(v, i, "td") for i, v in enumerate(r)) + "</tr>" for r in rows)
    c = f' class="{cls}"' if cls else ""
    # In its own scrolling box: a table wider than the screen scrolls there, never the page.
    return f'<div class="scroll"><table{c}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def heatmap(
    matrix, labels: list[str], *, fmt=lambda v: f"{v:g}", diverging: bool = False, caption: str = "", title: str = ""
) -> str:
    """A confusion-style matrix (rows true, columns predicted) as an HTML table whose cell colours carry values.

    The diagonal and the off-diagonal cells are coloured on separate scales, so that the mistakes stay
    visible next to the much larger diagonal. Plain: green = correct, orange = mistakes. Diverging (a
    difference): green where it got better (more on the diagonal, fewer off it), red where it got worse.
    """
    import numpy as np

    m = np.asarray(matrix, dtype=float)
    diag = np.eye(len(m), dtype=bool)
    scale = {True: float(np.abs(m[diag]).max(initial=0)) or 1.0, False: float(np.abs(m[~diag]).max(initial=0)) or 1.0}
    rows = []
    for i, label in enumerate(labels):
        cells = []
        for j in range(len(labels)):
            v, on_diag = m[i, j], i == j
            a = min(abs(v) / scale[on_diag], 1.0)
            if diverging:
                rgb = (46, 125, 50) if (v > 0) == on_diag else (198, 40, 40)
            else:
                rgb = (46, 125, 50) if on_diag else (230, 120, 20)
            ink = "#fff" if a > 0.6 else "#1d2330"
            style = f"background: rgba({rgb[0]},{rgb[1]},{rgb[2]},{a * 0.85:.3f}); color: {ink}" if v else ""
            cells.append(f'<td style="{style}" title="true {esc(label)}, predicted {esc(labels[j])}">{fmt(v)}</td>')
        rows.append(f'<tr><th class="l">{esc(label)}</th>{"".join(cells)}</tr>')
    head = "".join(f"<th>{esc(name)}</th>" for name in labels)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    t = f"<h3>{esc(title)}</h3>" if title else ""
    cls = "cm many" if len(labels) > 12 else "cm"  # many classes: smaller cells (and the box scrolls, not the page)
    return (
        f'<div>{t}<table class="{cls}">{cap}<thead><tr><th class="corner">true \\ predicted</th>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def figure(png: bytes, lines: list[tuple[str, str]], alt: str, extra: str = "") -> str:
    """A small image with caption lines; each line is (css class, text); `extra` is HTML put after them."""
    caps = "".join(f'<div class="{c}">{esc(t)}</div>' for c, t in lines)
    return f"<figure>{img(png, alt, cls='thumb')}<figcaption>{caps}{extra}</figcaption></figure>"


def bars(items: list[tuple[str, float]]) -> str:
    """Horizontal bars for probabilities, e.g. a prediction's top classes: (label, fraction 0..1)."""
    rows = "".join(
        f'<div class="bar"><span style="width: {max(0.0, min(p, 1.0)) * 100:.1f}%"></span>'
        f"<b>{esc(label)} {p:.1%}</b></div>"
        for label, p in items
    )
    return f'<div class="bars">{rows}</div>'
