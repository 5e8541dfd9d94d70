"""What a run's training time depends on besides its params (metrics/environment.json): the device, the CPU model and
instruction-set class, the precision, TensorFlow's thread pools (IMGCLF_THREADS) and the replicas. Runs that differ in
any of these have training times that cannot be compared, so the comparison and the leaderboard say so. A figure an
older run did not record is unknown, never a difference."""

from __future__ import annotations

from ..core import paths

# Aspect -> its name in a warning. "class" is the device with the CPU class and the precision: it is written
# "avx2/float32" (the device only where the devices differ).
ASPECTS = {
    "device": "device",
    "cpu_model": "CPU model",
    "isa_class": "CPU class",
    "precision": "precision",
    "threads": "thread counts",
    "replicas": "replicas",
}


def machine(env: dict | None) -> dict | None:
    """The figures of an environment.json that training time depends on (None without one); a figure the run did
    not record is left out."""
    if not env:
        return None
    keys = ("device", "cpu_model", "isa_class", "precision", "intra_op_threads", "inter_op_threads", "cpus", "replicas")
    return {k: env[k] for k in keys if env.get(k) not in (None, "")}


def _value(m: dict, aspect: str):
    """An aspect's value for comparing, None when unknown; "auto" threads are one per CPU, so the CPU count counts."""
    if aspect != "threads":
        return m.get(aspect)
    pools = (m.get("intra_op_threads"), m.get("inter_op_threads"))
    if pools == (None, None):
        return None
    return (*pools, m.get("cpus") if "auto" in pools else None)


def differing(machines: list[dict | None]) -> list[str]:
    """The aspects in which the known machines differ."""
    known = [m for m in machines if m]
    out = []
    for aspect in ASPECTS:
        values = {repr(v) for v in (_value(m, aspect) for m in known) if v is not None}
        if len(values) > 1:
            out.append(aspect)
    return out


def _threads(m: dict) -> str:
    intra, inter, cpus = m.get("intra_op_threads", "?"), m.get("inter_op_threads", "?"), m.get("cpus")
    if intra == inter == "auto":
        return "TensorFlow's default of one thread per CPU" + (f" ({cpus} CPUs)" if cpus else "")
    return f"{intra} intra-op/{inter} inter-op threads" + (f" on {cpus} CPUs" if cpus else "")


def _parts(m: dict, aspects: list[str]) -> tuple[str, list[str]]:
    """(where it ran, what it ran with), naming only the aspects given."""
    cls = ""
    if {"device", "isa_class", "precision"} & set(aspects):
        device = f"{m.get('device', '?')} " if "device" in aspects else ""
        cls = f"{device}{m.get('isa_class', '?')}/{m.get('precision', '?')}"
    on = m.get("cpu_model", "?") if "cpu_model" in aspects else ""
    if on and cls:
        on = f"{on} ({cls})"
    on = on or cls
    withs = []
    if "threads" in aspects:
        withs.append(_threads(m))
    if "replicas" in aspects:
        n = m.get("replicas", "?")
        withs.append(f"{n} replica{'' if n == 1 else 's'}")
    return on, withs


def describe(m: dict, aspects: list[str]) -> str:
    """A run's machine in the aspects given, e.g. 'avx2/float32, 1 intra-op/1 inter-op threads on 2 CPUs'."""
    on, withs = _parts(m, aspects)
    return ", ".join([on, *withs] if on else withs)


def _where(m: dict, aspects: list[str]) -> str:
    on, withs = _parts(m, aspects)
    return " ".join(([f"on {on}"] if on else []) + ([f"with {' and '.join(withs)}"] if withs else []))


def pair_warning(base_env: dict | None, head_env: dict | None) -> str | None:
    """One line when two runs differ in what their training time depends on; None when they do not (or when either
    did not record it)."""
    a, b = machine(base_env), machine(head_env)
    if not a or not b:
        return None
    aspects = differing([a, b])
    if not aspects:
        return None
    return f"base ran {_where(a, aspects)}, head {_where(b, aspects)}: training times are not comparable"


def board(runs) -> dict:
    """The leaderboard's hardware figures: each run's machine, the aspects they differ in and the warning line."""
    machines = {r.rev: machine(r.metrics.get(paths.ENVIRONMENT)) for r in runs}
    aspects = differing(list(machines.values()))
    warning = None
    if aspects:
        groups: dict[str, list[str]] = {}
        for rev, m in machines.items():
            if m:
                groups.setdefault(describe(m, aspects), []).append(rev)
        warning = (
            f"the runs differ in {', '.join(ASPECTS[a] for a in aspects)} ("
            + "; ".join(f"{where}: {', '.join(revs)}" for where, revs in groups.items())
            + "): their training times are not comparable"
        )
    return {
        "training_times_comparable": not aspects,
        "differs_in": aspects,
        "warning": warning,
        "runs": machines,
    }
