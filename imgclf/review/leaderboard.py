"""A leaderboard of several runs (a sweep's experiments, branches, commits): one table and one plot.

`imgclf compare` writes it for three or more revisions (or with --leaderboard). Runs are sorted by test
accuracy, each with its 95% interval; every run is tested against the leader on the same test images with
the two-run comparison's own analysis (McNemar's exact test, the leader's seed band), so the table says
which runs are really behind and which only look it. Only the params that differ between the runs are shown.
"""

from __future__ import annotations

from pathlib import Path

from ..core import paths
from ..core.atomic import write_bytes, write_json, write_text
from ..core.errors import UserError
from ..params import flat_items
from ..report import html as h
from ..report import plots
from . import machine, significance
from .markdown import table_cell
from .runs import Run, load_run
from .wording import accuracy_cell, p_text, pp


def differing_params(runs: list[Run]) -> list[str]:
    flat = [dict(flat_items(r.params)) for r in runs]
    keys = sorted({k for f in flat for k in f})
    return [k for k in keys if len({repr(f.get(k, "-")) for f in flat}) > 1]


def _versus(leader: Run, run: Run) -> dict:
    """How run stands against the leader: the comparison's verdict kind, change and p-value."""
    f = significance.analyse(leader, run)
    p = f["paired"] or {}
    kind = f["verdict"]["kind"]
    label = {
        "worse": "behind",
        "no_difference": "no detectable difference",
        "within_seed_noise": "inside the leader's seed band",
        "not_comparable": "not comparable (other test set)",
        "no_paired_test": "no paired test (no predictions.csv)",
    }.get(kind, kind)
    text = label + (f": {pp(p['delta'])}, McNemar p {p_text(p['p_value'])}" if p else "")
    return {
        "kind": kind,
        "text": text,
        "delta": p.get("delta"),
        "delta_ci": p.get("delta_ci"),
        "p_value": p.get("p_value"),
    }


def rank(runs: list[Run]) -> dict:
    """Every figure of the leaderboard, best first (reports/leaderboard.json)."""
    entries = []
    for r in runs:
        acc = significance.accuracy_of(*significance.accuracy_counts(r))
        entries.append((r, acc))
    entries.sort(
        key=lambda e: (-(e[1]["accuracy"] or 0), e[0].metrics[paths.TRAIN_METRICS].get("train_seconds") or float("inf"))
    )
    leader = entries[0][0]
    keys = differing_params(runs)
    rows = []
    for i, (r, acc) in enumerate(entries, 1):
        flat = dict(flat_items(r.params))
        rows.append(
            {
                "rank": i,
                "rev": r.rev,
                **acc,
                "train_seconds": r.metrics[paths.TRAIN_METRICS].get("train_seconds"),
                "parameters": r.metrics[paths.MODEL_METRICS].get("parameters"),
                "params": {k: flat.get(k, "-") for k in keys},
                "versus_leader": None if i == 1 else _versus(leader, r),
            }
        )
    return {"runs": rows, "params_that_differ": keys, "hardware": machine.board(runs)}


def _seconds(row: dict) -> str:
    return "-" if row["train_seconds"] is None else f"{row['train_seconds']:,.1f}"


def _parameters(row: dict) -> str:
    return "-" if row["parameters"] is None else f"{row['parameters']:,}"


def _vs(row: dict) -> str:
    return "leader" if row["versus_leader"] is None else row["versus_leader"]["text"]


HEADER = ["#", "run", "test accuracy (95% CI)", "against #1", "training time (s)", "parameters"]
NOTE = (
    'Sorted by test accuracy. "Against #1" tests each run against the leader on the same test images '
    '(McNemar\'s exact test, as `imgclf compare BASE HEAD` does): "behind" only where p < 0.05; '
    '"no detectable difference" means this test set cannot tell the two apart.'
)


def _header(board: dict) -> list[str]:
    """The table's header; training time is marked, and each run's machine shown, when the runs differ there."""
    hw = board["hardware"]
    if not hw["warning"]:
        return HEADER + board["params_that_differ"]
    return [*HEADER[:4], "training time (s), not comparable", HEADER[5], "machine", *board["params_that_differ"]]


def _machine(board: dict, row: dict) -> list[str]:
    hw = board["hardware"]
    if not hw["warning"]:
        return []
    m = hw["runs"].get(row["rev"])
    return [machine.describe(m, hw["differs_in"]) if m else "not recorded"]


def render_html(board: dict, png: bytes, narrow_png: bytes | None = None) -> str:
    rows = [
        [r["rank"], r["rev"], accuracy_cell(r), _vs(r), _seconds(r), _parameters(r), *_machine(board, r)]
        + list(r["params"].values())
        for r in board["runs"]
    ]
    body = []
    if board["hardware"]["warning"]:
        body.append(f'<p class="warn">{h.esc(board["hardware"]["warning"])}</p>')
    body += [
        h.table(_header(board), rows, left=2),
        f'<p class="note">{h.prose(NOTE)}</p>',
        h.img(png, "test accuracy with its 95% interval and training time of each run", narrow=narrow_png),
    ]
    sub = f"{len(board['runs'])} runs, best first"
    return h.page("imgclf leaderboard", sub, "\n".join(body))


def render_markdown(board: dict) -> str:
    keys = board["params_that_differ"]
    header = _header(board)
    lines = [f"### imgclf leaderboard: {len(board['runs'])} runs", ""]
    if board["hardware"]["warning"]:
        lines += [f"⚠️ {board['hardware']['warning']}", ""]
    lines += [
        "| " + " | ".join([table_cell(k) if k in keys else k for k in header]) + " |",
        "|---:|---|---:|---|---:|---:|" + "---|" * (len(header) - len(HEADER)),
    ]
    for r in board["runs"]:
        cells = [
            str(r["rank"]),
            table_cell(r["rev"]),
            accuracy_cell(r),
            _vs(r),
            _seconds(r),
            _parameters(r),
            *(table_cell(v) for v in _machine(board, r)),
            *(table_cell(v) for v in r["params"].values()),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", NOTE, "", f"![test accuracy and training time of each run]({paths.LEADERBOARD[3]})", ""]
    return "\n".join(lines)


def leaderboard(revs: list[str], out_dir: str | Path = paths.REPORTS) -> dict:
    """Write leaderboard.html, .md, .json and .png into out_dir; return the figures."""
    twice = sorted({r for r in revs if revs.count(r) > 1})
    if twice:
        raise UserError(f"{', '.join(twice)} given more than once: name each run once")
    board = rank([load_run(rev) for rev in revs])
    runs = board["runs"]
    hw = board["hardware"]
    figure = (
        [r["rev"] for r in runs],
        [r["accuracy"] or 0 for r in runs],
        [r["ci95"] for r in runs],
        [r["train_seconds"] for r in runs],
    )
    note = f"not comparable: the runs differ in {', '.join(machine.ASPECTS[a] for a in hw['differs_in'])}"
    note = note if hw["warning"] else None
    png = plots.leaderboard(*figure, time_note=note)
    out = Path(out_dir)
    html, md, data, picture = paths.LEADERBOARD
    write_bytes(out / picture, png)
    write_text(out / html, render_html(board, png, plots.leaderboard(*figure, time_note=note, stacked=True)))
    write_text(out / md, render_markdown(board))
    write_json(out / data, board)
    return board
