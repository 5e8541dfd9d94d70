"""The accuracy targets per oneDNN ISA class: the project's params (seeds 1..N) against the tutorial CNN trained
the tutorials' way, in the same run and class. `ONEDNN_MAX_CPU_ISA` caps a newer CPU to an older class."""

from __future__ import annotations

import json
import statistics

import targets
from common import OUT, TUTORIAL_BEST, Table, run_case

from imgclf.core import hardware
from sections.curve import our_case, tutorial_case

# oneDNN ISA caps, oldest first; "native" is the CPU's own class. A cap above the CPU's class changes nothing.
CAPS = {"avx2": "AVX2", "avx512": "AVX512_CORE", "native": ""}


def run(args, env) -> list[Table]:
    native = hardware.native_class(hardware.cpu_flags())
    classes = [
        c
        for c in args.classes.split(",")
        if c == "native" or hardware.CLASSES.index(c) < hardware.CLASSES.index(native)
    ]
    preset, _ = TUTORIAL_BEST[args.dataset]
    rows, runs, bars = [], {}, []
    for cls in classes:
        case_env = {k: v for k, v in env.items() if k != "ONEDNN_MAX_CPU_ISA"}
        if CAPS[cls]:
            case_env["ONEDNN_MAX_CPU_ISA"] = CAPS[cls]
        name = native if cls == "native" else cls
        tut = run_case(tutorial_case(args, "tutorial"), case_env)
        print(f"isa {name}: tutorial {tut['test_accuracy']:.4f} in {tut['train_seconds']:.0f} s", flush=True)
        ours = []
        for seed in range(1, args.seeds + 1):  # an hour or more per class: say where it is after each run
            ours.append(run_case(our_case(args, seed), case_env))
            print(
                f"isa {name}: {ours[-1]['preset']} seed {seed}: {ours[-1]['test_accuracy']:.4f} in "
                f"{ours[-1]['train_seconds']:.0f} s",
                flush=True,
            )
        runs[name] = {"tutorial": tut, "ours": ours}
        accs = [r["test_accuracy"] for r in ours]
        secs = [r["train_seconds"] for r in ours]
        target = targets.accuracy_target(args.dataset, ours[0]["precision"])
        reach = [next((c["seconds"] for c in r["curve"] if c["test_accuracy"] >= target.accuracy), None) for r in ours]
        mean_s = statistics.mean(secs)
        ratio = mean_s / tut["train_seconds"]
        met = (
            statistics.mean(accs) >= target.accuracy
            and (target.max_time_ratio is None or ratio <= target.max_time_ratio)
            and (target.max_seconds is None or max(secs) <= target.max_seconds)
        )
        bars.append(f"{name}: {target.text()}")
        rows.append(
            [
                f"{name} ({ours[0]['precision']})",
                f"{tut['train_seconds']:.0f}",
                f"{tut['test_accuracy']:.4f}",
                f"{mean_s:.0f}",
                f"{statistics.mean(accs):.4f} +/- {statistics.pstdev(accs):.4f}",
                f"{min(accs):.4f}-{max(accs):.4f}",
                ", ".join("-" if r is None else f"{r:.0f}" for r in reach),
                f"{ratio:.2f}x",
                "yes" if met else "NO",
            ]
        )
    (OUT / f"{args.dataset}-isa-runs.json").write_text(json.dumps(runs, indent=1))
    return [
        Table(
            f"Per oneDNN ISA class, {args.dataset}: {ours[0]['preset']} ({args.seeds} seeds) vs the tutorial "
            f"{preset} ({tut['epochs']} epochs, the tutorials' way); targets: {'; '.join(bars)}",
            [
                "class (precision)",
                "tutorial s",
                "tutorial acc",
                "ours s (mean)",
                "ours acc mean +/- std",
                "ours min-max",
                "s to the target accuracy per seed",
                "time ratio",
                "target met",
            ],
            rows,
        ).show()
    ]
