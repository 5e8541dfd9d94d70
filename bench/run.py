"""Benchmarks: imgclf against the seed tutorials, measured side by side in the same run on this machine.

  python bench/run.py                     # full run on Fashion-MNIST via $IMGCLF_MIRROR (make bench)
  python bench/run.py --dataset cifar10   # the same on CIFAR-10
  python bench/run.py --smoke             # small synthetic data: checks the benchmarks still run (CI)
  python bench/run.py --only speed,curve  # some sections (bench/sections/): speed, curve, overhead, folder, isa,
                                          # dvclive, stream
  python bench/run.py --only isa --seeds 3  # every oneDNN ISA class this CPU can emulate, tutorial CNN as baseline
  python bench/run.py --only stream       # 200,000 generated 64x64 images streamed through the stages
  python bench/run.py --only backbones    # each backbone's training and prediction speed at 224
  python bench/run.py --dataset cifar10 --only transfer    # classes 5-9 from 50 images, from scratch or from 0-4
  python bench/run.py --only photos --photos DIR           # a photo folder: preset, recipe, backbones, 3 seeds

Prints a table per section with ratios against the baseline, and writes bench/out/<dataset>-<section>.json (the
tables, the machine and the command: what docs/performance.md is written from, see bench/publish.py) with the
section's own files beside them.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import OUT, ROOT

SECTIONS = ("speed", "curve", "overhead", "folder", "isa", "dvclive", "stream", "backbones", "transfer", "photos")


def machine() -> dict:
    """What a speed figure holds for: the CPU, its ISA class as oneDNN sees it, the threads."""
    from imgclf.core import hardware

    return {
        "cpu_model": hardware.cpu_model(),
        "isa_class": hardware.isa_class(),
        "native_class": hardware.native_class(hardware.cpu_flags()),
        "cpus": os.cpu_count(),
        "threads": os.environ.get("IMGCLF_THREADS") or "all",
        "onednn_max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA", ""),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="fashion_mnist", choices=["fashion_mnist", "cifar10"])
    parser.add_argument("--smoke", action="store_true", help="small synthetic data, one or two epochs")
    parser.add_argument("--only", default="speed,curve,overhead", help=f"sections: {','.join(SECTIONS)}")
    parser.add_argument(
        "--stream-images",
        type=int,
        default=0,
        help="stream: images in the generated folder (default 200,000; 2,000 with --smoke)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects (paths printed)")
    parser.add_argument("--seeds", type=int, default=3, help="isa: seeds per class (mean +/- std)")
    parser.add_argument("--classes", default="avx2,avx512,native", help="isa: oneDNN classes to run (and native)")
    parser.add_argument("--cifar-params", help="YAML with model/train/augment/eval overrides for the CIFAR-10 curve")
    parser.add_argument("--photos", help="photos: a folder of photos with train/, validation/ and test/ class folders")
    parser.add_argument("--runs", help="photos: some of its runs, comma-separated (default: all)")
    parser.add_argument(
        "--photo-size",
        type=int,
        default=48,
        help="photos: pixels a side (default 48: a few thousand photos train in minutes on 2 cores)",
    )
    args = parser.parse_args()
    unknown = sorted(set(args.only.split(",")) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
    }
    from imgclf.data import sources
    from imgclf.testing import synthetic

    work = Path(tempfile.mkdtemp(prefix="imgclf-bench-data-"))
    try:  # the fetched datasets are removed however the run ends (a failed section exits)
        if args.smoke:
            mirror = work / "mirror"
            sums = synthetic.fashion_mirror(mirror, 1200, 300), synthetic.cifar_mirror(mirror, 200, 300)
            env["IMGCLF_MIRROR"] = str(mirror)
            env["IMGCLF_CHECKSUMS"] = str(synthetic.write_checksums(work / "checksums.json", *sums))
        os.environ.update({k: env[k] for k in ("IMGCLF_MIRROR", "IMGCLF_CHECKSUMS") if k in env})
        args.downloads = str(work / "downloads")
        local = ROOT / "data" / "downloads"
        if not args.smoke and local.exists():
            shutil.copytree(local, args.downloads, dirs_exist_ok=True)  # reuse verified files already fetched
        sources.fetch(args.dataset, args.downloads)
        started = time.perf_counter()
        name = f"{args.dataset}{'-smoke' if args.smoke else ''}"
        report = [f"# imgclf benchmarks: {args.dataset}{' (smoke)' if args.smoke else ''}, {os.cpu_count()} CPUs"]
        for section in args.only.split(","):
            tables = importlib.import_module(f"sections.{section}").run(args, env)
            report += [t.text() for t in tables]
            (OUT / f"{name}-{section}.json").write_text(
                json.dumps(
                    {
                        "section": section,
                        "dataset": args.dataset,
                        "smoke": args.smoke,
                        "machine": machine(),
                        "command": "python bench/run.py " + " ".join(sys.argv[1:]),
                        "date": time.strftime("%Y-%m-%d"),
                        "tables": [dataclasses.asdict(t) for t in tables],
                    },
                    indent=1,
                )
                + "\n"
            )
        (OUT / f"{name}.md").write_text("\n".join(report) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nbench: done in {time.perf_counter() - started:.0f}s; tables in bench/out/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
