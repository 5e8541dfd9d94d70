"""Write docs/performance.md from the benchmarks' own output files, never by hand.

  python bench/publish.py fashion_mnist-isa cifar10-isa   # keep these runs' bench/out/<name>.json (and their plot)
                                                          # in bench/results/, then write the page
  python bench/publish.py                                 # write the page from bench/results/ as it is

bench/results/ holds the published runs (committed); tests/test_layout.py checks that the page is what this
script writes from them.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PAGE = ROOT / "docs" / "performance.md"
# The order of the page: the headline targets first, then how the time is spent.
ORDER = (
    "fashion_mnist-isa",
    "cifar10-isa",
    "fashion_mnist-curve",
    "fashion_mnist-speed",
    "cifar10-speed",
    "fashion_mnist-overhead",
    "fashion_mnist-folder",
    "fashion_mnist-stream",
    "fashion_mnist-dvclive",
)
PLOTS = {"fashion_mnist-curve": "fashion_mnist-accuracy-vs-time.png"}
# Where each measured speed or accuracy trick is written, with its gain, beside its code.
TRICKS = [
    (
        "the `default` preset's choices (stem width, `valid` last block, flatten, 14x14 width, epochs)",
        "../imgclf/model/presets.py",
    ),
    (
        "the `default_color` preset's (narrow early downsampling, test-time shifts, patch whitening)",
        "../imgclf/model/presets.py",
    ),
    ("patch whitening itself", "../imgclf/model/whitening.py"),
    ("bfloat16 only where the CPU runs it natively", "../imgclf/core/hardware.py"),
    ("uint8 images gathered by shuffled index, in memory or streamed", "../imgclf/train/pipeline.py"),
    ("positional reads of the prepared files instead of memory maps", "../imgclf/core/arrays.py"),
    ("test-time flips and shifts", "../imgclf/evaluate/predict.py"),
    ("no XLA", "../imgclf/train/fit.py"),
]

HEAD = """# Performance

<!-- Written by `python bench/publish.py` from bench/results/*.json, the benchmarks' own output: do not edit. -->

Every figure below was printed by `bench/run.py` (the command is given with each table) on the machine named
with it; a speed figure holds only for that CPU's ISA class (`ONEDNN_MAX_CPU_ISA` caps a newer CPU to an older
class). Baselines run side by side in the same run, so read the ratios rather than the seconds. Training time is
`model.fit`'s wall time including the per-epoch validation; accuracy is always the official test set's, never
used to choose anything. The targets are declared once, in [bench/targets.py](../bench/targets.py).
[Back to the README](../README.md).

Reproduce: `make bench` (Fashion-MNIST: speed, accuracy curve, overhead), `make bench BENCH_ARGS="--only isa"`
(every ISA class this CPU can emulate), `make bench BENCH_ARGS="--dataset cifar10 --cifar-params
bench/cifar10.yaml --only isa"` (CIFAR-10), `--only folder`, `--only stream`; `make bench BENCH_ARGS=--smoke`
runs every section on small synthetic data in a few minutes (CI runs the overhead section so). Then
`python bench/publish.py NAME...` keeps a run's output in bench/results/ and rewrites this page.
"""


def _machine(m: dict) -> str:
    cap = f", capped by ONEDNN_MAX_CPU_ISA={m['onednn_max_cpu_isa']}" if m.get("onednn_max_cpu_isa") else ""
    return (
        f"{m['cpu_model']}, {m['cpus']} CPUs, oneDNN class **{m['isa_class']}** (native {m['native_class']}"
        f"{cap}), threads: {m['threads']}"
    )


def _table(t: dict) -> list[str]:
    lines = [f"### {t['title']}", "", "| " + " | ".join(t["header"]) + " |", "|" + "---|" * len(t["header"])]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in t["rows"]]
    return lines + ([""] + [f"{n}  " for n in t["notes"]] if t["notes"] else []) + [""]


def render() -> str:
    out = [HEAD]
    names = sorted(p.stem for p in RESULTS.glob("*.json"))
    for name in sorted(names, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER)):
        r = json.loads((RESULTS / f"{name}.json").read_text())
        out += [
            f"## {name.replace('_', ' ').replace('-', ': ')}",
            "",
            f"Measured {r['date']} on {_machine(r['machine'])}: `{r['command']}`.",
            "",
        ]
        for t in r["tables"]:
            out += _table(t)
        if name in PLOTS and (RESULTS / PLOTS[name]).exists():
            out += [f"![{name}](../bench/results/{PLOTS[name]})", ""]
    out += [
        "## Where the gains come from",
        "",
        "Each trick's measured gain is written once, in a comment beside the code that does it:",
        "",
    ]
    out += [f"- {what}: [{Path(where).name}]({where})" for what, where in TRICKS]
    out += [
        "",
        "Figures measured before this page was generated, on an AMD EPYC with AVX-512 BF16 (native "
        "bfloat16, and the AVX-512 and AVX2 classes under caps), are in the README as of commit 602fdeb "
        "(`git show 602fdeb:README.md`).",
        "",
    ]
    return "\n".join(out)


def main(names: list[str]) -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = ROOT / "bench" / "out" / f"{name}.json"
        if not source.exists():
            print(f"error: {source} is missing: run the benchmark first (bench/run.py)", file=sys.stderr)
            return 2
        shutil.copy(source, RESULTS / source.name)
        plot = ROOT / "bench" / "out" / PLOTS.get(name, "")
        if name in PLOTS and plot.exists():
            shutil.copy(plot, RESULTS / plot.name)
    PAGE.write_text(render())
    print(f"publish: {PAGE.relative_to(ROOT)} from {len(list(RESULTS.glob('*.json')))} result files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
