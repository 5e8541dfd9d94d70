"""The review's sentences and numbers as text, written once for the HTML page, the Markdown comment and the
leaderboard: p-values never rounded across the 5% line, percentage points, and the paired-test and seed-band
sentences."""

from __future__ import annotations

from ..core import stats
from ..core.stats import interval


def pct(x: float) -> str:
    return f"{x:.2%}"


def pp(x: float) -> str:
    return f"{x * 100:+.2f} pp"


def p_text(p: float) -> str:
    """Two significant digits, or more where rounding would carry p across the 5% line."""
    if p < 1e-4:
        return "< 0.0001"
    for digits in (2, 3, 4):
        s = f"{p:.{digits}g}"
        if (float(s) < stats.ALPHA) == (p < stats.ALPHA):
            return f"= {s}"
    return f"= {p:.4f}"


def plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def accuracy_cell(a: dict) -> str:
    """An accuracy with its 95% interval, '93.80% (93.32–94.25%)'."""
    return "n/a" if a["accuracy"] is None else f"{a['accuracy']:.2%} ({interval(a['ci95'])})"


def delta_text(row: dict) -> str:
    """A headline row's change: percentage points for accuracies, the row's own format otherwise."""
    if row["fmt"] == "{:.2%}":
        return pp(row["delta"])
    return ("+" if row["delta"] > 0 else "") + row["fmt"].format(row["delta"])


def value_text(row: dict, which: str) -> str:
    """A headline row's old or new value, with its interval where it has one."""
    text = row["fmt"].format(row[which])
    ci = row.get(f"{which}_ci")
    return f"{text} ({interval(ci)})" if ci else text


def paired_sentence(p: dict) -> str:
    """What the paired test found, in one sentence."""
    lo, hi = p["delta_ci"]
    return (
        f"{p['fixed']:,} fixed (wrong → right), {p['broken']:,} broken (right → wrong), "
        f"{p['still_right']:,} still right, {p['still_wrong']:,} still wrong; McNemar exact p "
        f"{p_text(p['p_value'])}; the change in accuracy is {pp(p['delta'])} (95% CI {lo * 100:+.2f} to "
        f"{hi * 100:+.2f} pp)."
    )


def seed_band_sentence(band: dict, head_accuracy: float) -> str:
    """Where head stands against the seed band of base, in one sentence."""
    where = "outside" if band["head_outside"] else "inside"
    return (
        f"mean {band['mean']:.2%} ± {band['std'] * 100:.2f} pp (standard deviation) over {band['runs']} seeds "
        f"({', '.join(map(str, band['seeds']))}), range {interval((band['min'], band['max']))}; head's "
        f"{head_accuracy:.2%} is {where} it."
    )
