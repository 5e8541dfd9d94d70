"""Is the difference between two runs real? The figures behind the comparison's verdict line.

Every accuracy gets a Wilson interval; two runs scored on the same test images get McNemar's exact test,
overall and per class; a seed band of the base (metrics/noise.json, from `imgclf noise`) says whether the
head is outside what another seed alone gives. The verdict calls a change better or worse only when the
test says so.
"""

from __future__ import annotations

from ..core import paths, stats
from ..core.stats import interval
from . import machine, noise
from .wording import p_text, pct, pp


def accuracy_counts(run) -> tuple[int, int]:
    """(correct, images) from the saved confusion matrix; from test.json where an old run lacks it."""
    cm = run.metrics.get(paths.CONFUSION) or {}
    if cm:
        return sum(cm[c].get(c, 0) for c in cm), sum(sum(row.values()) for row in cm.values())
    test = run.metrics[paths.TEST_METRICS]
    n = int(test.get("images", 0))
    return round(test["accuracy"] * n), n


def class_counts(run) -> dict[str, tuple[int, int]]:
    cm = run.metrics.get(paths.CONFUSION) or {}
    return {c: (row.get(c, 0), sum(row.values())) for c, row in cm.items()}


def accuracy_of(correct: int, n: int) -> dict:
    return {
        "accuracy": correct / n if n else None,
        "correct": correct,
        "images": n,
        "ci95": list(stats.wilson(correct, n) or []) or None,
    }


def test_set_difference(base, head) -> str | None:
    """Why the two runs' predictions are not on the same test images; None when they are."""
    a, b = base.predictions, head.predictions
    if len(a) != len(b):
        return f"base has {len(a):,} test images, head {len(b):,}"
    differ = int((a["actual"].values != b["actual"].values).sum())
    return f"{differ:,} of the {len(a):,} test images have different true labels" if differ else None


def _per_class(base, head, same_set: bool) -> list[dict]:
    ca, cb = class_counts(base), class_counts(head)
    rows = [{"class": c, "base": accuracy_of(*ca[c]), "head": accuracy_of(*cb[c])} for c in cb if c in ca]
    if same_set:
        actual = head.predictions["actual"].values
        ok_a = base.predictions["actual"].values == base.predictions["predicted"].values
        ok_b = actual == head.predictions["predicted"].values
        for r in rows:
            mask = actual == r["class"]
            r["paired"] = stats.paired(ok_a[mask], ok_b[mask]).as_dict() if mask.any() else None
        tested = [r for r in rows if r.get("paired") and r["paired"]["fixed"] + r["paired"]["broken"]]
        for r, q in zip(tested, stats.adjust([r["paired"]["p_value"] for r in tested])):
            r["paired"]["p_adjusted"] = q
            r["paired"]["significant"] = q < stats.ALPHA
    return rows


def hardware_warning(base, head) -> str | None:
    """A line when the runs were trained on different machines or settings (metrics/environment.json): device, CPU
    model, CPU class, precision, thread counts or replicas."""
    return machine.pair_warning(base.metrics.get(paths.ENVIRONMENT), head.metrics.get(paths.ENVIRONMENT))


def analyse(base, head) -> dict:
    """Every figure of the verdict, machine-readable (reports/compare.json)."""
    acc_a, acc_b = accuracy_of(*accuracy_counts(base)), accuracy_of(*accuracy_counts(head))
    out = {
        "base": {"rev": base.rev, **acc_a},
        "head": {"rev": head.rev, **acc_b},
        "alpha": stats.ALPHA,
        "test_set": None,
        "paired": None,
    }
    have_preds = base.predictions is not None and head.predictions is not None
    if have_preds:
        out["test_set"] = test_set_difference(base, head)
        if out["test_set"] is None:
            ok_a = base.predictions["actual"].values == base.predictions["predicted"].values
            ok_b = head.predictions["actual"].values == head.predictions["predicted"].values
            out["paired"] = stats.paired(ok_a, ok_b).as_dict()
    out["per_class"] = _per_class(base, head, out["paired"] is not None)
    band, note = noise.band_for(base.metrics.get(paths.NOISE), base.params)
    if band:
        band["head_outside"] = not band["min"] <= acc_b["accuracy"] <= band["max"]
    out["noise"], out["noise_note"] = band, note
    out["hardware"] = hardware_warning(base, head)
    ea, eb = (machine.machine(r.metrics.get(paths.ENVIRONMENT)) for r in (base, head))
    out["machines"] = {"base": ea, "head": eb, "differs_in": machine.differing([ea, eb]) if ea and eb else []}
    kind, text = verdict(out, base, head, have_preds)
    out["verdict"] = {"kind": kind, "text": text}
    out["significant_regression"] = kind == "worse"
    return out


def verdict(f: dict, base, head, have_preds: bool) -> tuple[str, str]:
    """(kind, text); kind is better, worse, within_seed_noise, no_difference, not_comparable or no_paired_test."""
    a, b = f["base"], f["head"]
    scores = (
        f"test accuracy {pct(a['accuracy'])} ({interval(a['ci95'])}) → {pct(b['accuracy'])} ({interval(b['ci95'])})"
    )
    if f["test_set"]:
        return "not_comparable", (
            f"not comparable: the two runs were evaluated on different test sets "
            f"({f['test_set']}), so there is no paired test; {scores}"
        )
    if not have_preds:
        missing = "base" if base.predictions is None else "head"
        return "no_paired_test", (
            f"no paired test: {missing} has no metrics/predictions.csv (rerun its evaluate stage); {scores}"
        )
    p = f["paired"]
    lo, hi = p["delta_ci"]
    figures = (
        f"{pp(p['delta'])} (95% CI {lo * 100:+.2f} to {hi * 100:+.2f} pp), {p['fixed']:,} "
        f"image{'' if p['fixed'] == 1 else 's'} fixed, {p['broken']:,} broken, McNemar p {p_text(p['p_value'])}"
    )
    band = f["noise"]
    spread = f"the seed spread of base is +/- {band['std'] * 100:.2f} pp ({band['runs']} seeds)" if band else ""
    if p["p_value"] >= stats.ALPHA:
        return "no_difference", f"no detectable difference: {figures}" + (f"; {spread}" if band else "")
    direction = "better" if p["delta"] > 0 else "worse"
    if band and not band["head_outside"]:
        return "within_seed_noise", (
            f"head is {direction} on this test set but inside the seed band of base "
            f"({interval((band['min'], band['max']))}): {figures}; another seed alone "
            f"gives a score like this"
        )
    return direction, f"head is {direction}: {figures}" + (f"; {spread}" if band else "")
