"""Benchmarks: imgclf against the seed tutorials, measured side by side in the same run on this machine.

  python bench/run.py                     # full run on Fashion-MNIST via $IMGCLF_MIRROR (make bench)
  python bench/run.py --dataset cifar10   # the same on CIFAR-10
  python bench/run.py --smoke             # small synthetic data: checks the benchmarks still run (CI)
  python bench/run.py --only speed,curve  # some sections: speed, curve, overhead, folder (20,000 images), isa
  python bench/run.py --only isa --seeds 3  # every oneDNN ISA class this CPU can emulate, tutorial CNN as baseline
  python bench/run.py --only stream       # 200,000 generated 64x64 images streamed through the stages (--stream-images N)

Prints a table per section with ratios against the baseline, and writes bench/out/<dataset>-*.{json,csv,png}.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"

# The tutorials' own recipes: Adam at 1e-3, batch 32, constant rate, no augmentation.
TUTORIAL_TRAIN = {"optimizer": "adam", "learning_rate": 0.001, "schedule": "constant", "batch_size": 32,
                  "weight_decay": 0.0, "label_smoothing": 0.0}
TUTORIAL_BEST = {"fashion_mnist": ("tutorial_cnn", 10), "cifar10": ("tutorial_cnn", 10)}
SPEED_MODELS = {"fashion_mnist": [("tutorial_dense128", 5), ("tutorial_cnn", 3)],
                "cifar10": [("tutorial_cnn", 3)]}


def run_case(spec: dict, env: dict) -> dict:
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "case.py"), json.dumps(spec)], env=env,
                          capture_output=True, text=True, cwd=ROOT)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode or not lines:
        sys.exit(f"bench: case failed: {spec}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1])


def table(title: str, header: list[str], rows: list[list]) -> str:
    cells = [[str(c) for c in r] for r in [header] + rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
    lines = [f"\n## {title}", fmt(cells[0]), "  ".join("-" * w for w in widths)] + [fmt(r) for r in cells[1:]]
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def project_params() -> dict:
    return yaml.safe_load((ROOT / "params.yaml").read_text())


def section_speed(args, env) -> str:
    out = []
    for preset, epochs in SPEED_MODELS[args.dataset]:
        epochs = 1 if args.smoke else epochs
        base = {"dataset": args.dataset, "downloads": args.downloads, "preset": preset,
                "train": {**TUTORIAL_TRAIN, "epochs": epochs}}
        tut = run_case({**base, "case": "tutorial"}, env)
        ours = run_case({**base, "case": "pipeline"}, env)
        out.append([preset, epochs, tut["train_seconds"], ours["train_seconds"],
                    tut["images_per_second"], ours["images_per_second"],
                    f"{ours['images_per_second'] / tut['images_per_second']:.2f}x",
                    tut["peak_rss_mb"], ours["peak_rss_mb"], f"{ours['peak_rss_mb'] / tut['peak_rss_mb']:.2f}x",
                    f"{tut['test_accuracy']:.4f}", f"{ours['test_accuracy']:.4f}"])
    return table(f"Same model, same epochs: tutorial input path (float64 arrays) vs imgclf (uint8 tf.data), {args.dataset}",
                 ["model", "epochs", "tutorial s", "imgclf s", "tutorial img/s", "imgclf img/s", "speed ratio",
                  "tutorial RSS MB", "imgclf RSS MB", "memory ratio", "tutorial acc", "imgclf acc"], out)


def our_case(args, seed: int = 42) -> dict:
    """The curve case of the project's recipe: params.yaml, with `--cifar-params` on top for CIFAR-10."""
    p = project_params()
    if args.dataset == "cifar10" and args.cifar_params:
        over = yaml.safe_load(Path(args.cifar_params).read_text())
        p = {key: {**p[key], **over.get(key, {})} if isinstance(p[key], dict) else p[key] for key in p}
    return {"dataset": args.dataset, "downloads": args.downloads, "case": "curve", "preset": p["model"]["preset"],
            "precision": p["model"]["precision"], "train": {**p["train"], **({"epochs": 2} if args.smoke else {})},
            "augment": p["augment"], "tta_flip": p["eval"]["tta_flip"], "tta_shift": p["eval"]["tta_shift"],
            "seed": seed}


def section_curve(args, env) -> str:
    ours = our_case(args)
    preset, epochs = TUTORIAL_BEST[args.dataset]
    tut = {"dataset": args.dataset, "downloads": args.downloads, "case": "curve", "preset": preset,
           "train": {**TUTORIAL_TRAIN, "epochs": epochs}}
    if args.smoke:
        tut["train"] = {**tut["train"], "epochs": 2}
    runs = {f"imgclf {ours['preset']}": run_case(ours, env), f"tutorial {preset}": run_case(tut, env)}
    rows = [[name, c["epoch"], c["seconds"], f"{c['test_accuracy']:.4f}"] for name, r in runs.items() for c in r["curve"]]
    (OUT / f"{args.dataset}-curve.json").write_text(json.dumps(runs, indent=1))
    _plot_curves(runs, OUT / f"{args.dataset}-accuracy-vs-time.png", args.dataset)
    (ours_r, tut_r) = runs.values()
    target = tut_r["test_accuracy"]
    reach = next((c["seconds"] for c in ours_r["curve"] if c["test_accuracy"] >= target), None)
    summary = [[name, r["epochs"], r["train_seconds"], f"{r['test_accuracy']:.4f}", r["peak_rss_mb"]]
               for name, r in runs.items()]
    text = table(f"Test accuracy after each epoch against training seconds, {args.dataset}",
                 ["run", "epoch", "train s", "test acc"], rows)
    text += table("Final", ["run", "epochs", "train s", "test acc", "peak RSS MB"], summary)
    ratio = f"{reach / tut_r['train_seconds']:.2f}x the time" if reach else "not reached"
    line = (f"imgclf reaches the tutorial's final accuracy ({target:.4f}) after {reach} s vs the tutorial's "
            f"{tut_r['train_seconds']} s: {ratio}; final accuracy {ours_r['test_accuracy']:.4f} vs {target:.4f}")
    print(line)
    return text + "\n" + line


# oneDNN ISA caps, oldest first; "native" is the CPU's own class. A cap above the CPU's class changes nothing.
ISA_CAPS = {"avx2": "AVX2", "avx512": "AVX512_CORE", "native": ""}


def issue_target(dataset: str, precision: str) -> tuple[float, float | None, float | None]:
    """Issue 8's bar: (mean accuracy, at most x the tutorial's time, at most seconds of training)."""
    if dataset == "fashion_mnist":
        return 0.935, 1.5, None
    return (0.91, None, 900) if precision == "mixed_bfloat16" else (0.905, None, 1200)


def section_isa(args, env) -> str:
    """The issue-8 targets per ISA class: the project's params (seeds 1..N) against the tutorial CNN trained the
    tutorials' way for 10 epochs, in the same run and class."""
    from imgclf import hardware

    native = hardware.native_class(hardware.cpu_flags())
    classes = [c for c in args.classes.split(",") if c == "native"
               or hardware.CLASSES.index(c) < hardware.CLASSES.index(native)]
    preset, epochs = TUTORIAL_BEST[args.dataset]
    rows, runs, bars = [], {}, []
    for cls in classes:
        case_env = {k: v for k, v in env.items() if k != "ONEDNN_MAX_CPU_ISA"}
        if ISA_CAPS[cls]:
            case_env["ONEDNN_MAX_CPU_ISA"] = ISA_CAPS[cls]
        name = native if cls == "native" else cls
        tut = run_case({"dataset": args.dataset, "downloads": args.downloads, "case": "tutorial", "preset": preset,
                        "train": {**TUTORIAL_TRAIN, "epochs": 2 if args.smoke else epochs}}, case_env)
        print(f"isa {name}: tutorial {tut['test_accuracy']:.4f} in {tut['train_seconds']:.0f} s", flush=True)
        ours = []
        for seed in range(1, args.seeds + 1):  # an hour or more per class: say where it is after each run
            ours.append(run_case(our_case(args, seed), case_env))
            print(f"isa {name}: {ours[-1]['preset']} seed {seed}: {ours[-1]['test_accuracy']:.4f} in "
                  f"{ours[-1]['train_seconds']:.0f} s", flush=True)
        runs[name] = {"tutorial": tut, "ours": ours}
        accs = [r["test_accuracy"] for r in ours]
        secs = [r["train_seconds"] for r in ours]
        accuracy, max_ratio, max_s = issue_target(args.dataset, ours[0]["precision"])
        reach = [next((c["seconds"] for c in r["curve"] if c["test_accuracy"] >= accuracy), None) for r in ours]
        mean_s = statistics.mean(secs)
        ratio = mean_s / tut["train_seconds"]
        met = (statistics.mean(accs) >= accuracy and (max_ratio is None or ratio <= max_ratio)
               and (max_s is None or max(secs) <= max_s))
        bars.append(f"{name}: mean >= {accuracy:.1%}" + (f" within {max_ratio}x the tutorial's time" if max_ratio else "")
                    + (f" within {max_s:.0f} s" if max_s else ""))
        rows.append([f"{name} ({ours[0]['precision']})", f"{tut['train_seconds']:.0f}", f"{tut['test_accuracy']:.4f}",
                     f"{mean_s:.0f}", f"{statistics.mean(accs):.4f} +/- {statistics.pstdev(accs):.4f}",
                     f"{min(accs):.4f}-{max(accs):.4f}",
                     ", ".join("-" if r is None else f"{r:.0f}" for r in reach), f"{ratio:.2f}x",
                     "yes" if met else "NO"])
    (OUT / f"{args.dataset}-isa.json").write_text(json.dumps(runs, indent=1))
    return table(f"Per oneDNN ISA class, {args.dataset}: {ours[0]['preset']} ({args.seeds} seeds) vs the tutorial "
                 f"{preset} ({tut['epochs']} epochs, the tutorials' way); targets: {'; '.join(bars)}",
                 ["class (precision)", "tutorial s", "tutorial acc", "ours s (mean)", "ours acc mean +/- std",
                  "ours min-max", "s to the target accuracy per seed", "time ratio", "target met"], rows)


def section_dvclive(args, env) -> str:
    """imgclf's training with and without dvclive's Keras callback, alternated, same data and epochs.

    The callback works once per epoch, so the fastest network (seconds per epoch) is its worst case.
    """
    import importlib.util

    if importlib.util.find_spec("dvclive") is None:
        sys.exit("bench: the dvclive section needs dvclive, which imgclf does not depend on: pip install dvclive")
    epochs = 2 if args.smoke else 4
    base = {"dataset": args.dataset, "downloads": args.downloads, "case": "pipeline", "preset": "tutorial_dense128",
            "train": {**TUTORIAL_TRAIN, "epochs": epochs}}
    live_dir = Path(tempfile.mkdtemp(prefix="imgclf-bench-dvclive-"))
    runs: dict[str, list[dict]] = {"without": [], "with dvclive": []}
    for _ in range(2):
        runs["without"].append(run_case(base, env))
        runs["with dvclive"].append(run_case({**base, "dvclive": str(live_dir)}, env))
    rows = [[name, epochs, f"{statistics.median(r['train_seconds'] for r in rs):.1f}",
             f"{statistics.median(r['images_per_second'] for r in rs):,.0f}",
             f"{statistics.median(r['train_seconds'] for r in rs) / statistics.median(x['train_seconds'] for x in runs['without']):.3f}x"]
            for name, rs in runs.items()]
    shutil.rmtree(live_dir, ignore_errors=True)
    return table(f"dvclive's Keras callback: training time, median of 2 alternated runs, {args.dataset}",
                 ["run", "epochs", "train s", "img/s", "time ratio"], rows)


def _plot_curves(runs: dict, path: Path, dataset: str) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    for name, r in runs.items():
        ax.plot([c["seconds"] for c in r["curve"]], [c["test_accuracy"] for c in r["curve"]], marker="o", label=name)
    ax.set_xlabel("training seconds (2-core CPU)")
    ax.set_ylabel("test accuracy")
    ax.set_title(f"{dataset}: accuracy against training time")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.savefig(path, dpi=110, bbox_inches="tight")


def _timed(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) of the command's process tree's largest process, and its output."""
    wrapper = [sys.executable, "-c", "import resource, subprocess, sys, json, time; t = time.perf_counter(); "
               "r = subprocess.run(sys.argv[1:]); s = time.perf_counter() - t; "
               "print(json.dumps([s, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, r.returncode]))"]
    proc = subprocess.run(wrapper + cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds, rss, rc = json.loads(proc.stdout.strip().splitlines()[-1])
    if rc:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return seconds, rss, proc.stdout


def _temp_project(args, env, **changes) -> Path:
    """A throw-away git+DVC copy of this project with params changed, e.g. {"train.epochs": 1}."""
    proj = Path(tempfile.mkdtemp(prefix="imgclf-bench-")) / "project"
    shutil.copytree(ROOT, proj, ignore=shutil.ignore_patterns(".venv", ".git", ".dvc", "bench", "build", "docs",
                                                              "__pycache__", "data", "models", "metrics", "reports"))
    (proj / "data" / "images").mkdir(parents=True)
    shutil.copy(ROOT / "data/images/README.md", proj / "data/images/README.md")
    shutil.copytree(args.downloads, proj / "data" / "downloads", dirs_exist_ok=True)  # files already fetched
    for cmd in (["git", "init", "-q"], ["dvc", "init", "-q"], ["dvc", "config", "core.analytics", "false"]):
        subprocess.run(cmd, cwd=proj, env=env, check=True, capture_output=True)
    _edit(proj, **changes)
    return proj


def _edit(proj: Path, **changes) -> None:
    from imgclf.params import set_dotted

    params = yaml.safe_load((proj / "params.yaml").read_text())
    for dotted, value in changes.items():
        set_dotted(params, dotted, value)
    (proj / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def _stages(proj: Path, env) -> list[list]:
    rows = []
    for stage in ("validate", "prepare", "build", "train", "evaluate", "report"):
        seconds, rss, _ = _timed(["dvc", "repro", "-s", stage], proj, env)
        rows.append([f"stage {stage}", f"{seconds:.1f}", f"{rss:.0f}", ""])
    return rows


def section_overhead(args, env) -> str:
    proj = _temp_project(args, env, **{"data.dataset": args.dataset, "train.epochs": 1})
    rows = _stages(proj, env)
    rows[3][0] += " (1 epoch)"
    noop = [_timed(["dvc", "repro"], proj, env)[0] for _ in range(3)]
    rows.append(["no-op dvc repro (median of 3)", f"{statistics.median(noop):.2f}", "", f"{statistics.median(noop) / 3:.2f}x of 3 s bar"])
    _edit(proj, **{"eval.tta_flip": not project_params()["eval"]["tta_flip"]})
    seconds, rss, out = _timed(["dvc", "repro"], proj, env)
    assert "Running stage 'evaluate'" in out and "Running stage 'train'" not in out
    rows.append(["evaluation-only rerun (dvc repro)", f"{seconds:.1f}", f"{rss:.0f}", f"{seconds / 30:.2f}x of 30 s bar"])
    # A restyled plot reruns only the report (no training, no inference): the bar is 10 s.
    plots = proj / "imgclf" / "plots.py"
    plots.write_text(plots.read_text().replace("dpi=110", "dpi=100"))
    seconds, rss, out = _timed(["dvc", "repro"], proj, env)
    assert "Running stage 'report'" in out and "Running stage 'evaluate'" not in out, out
    rows.append(["plot-only rerun: report (dvc repro)", f"{seconds:.1f}", f"{rss:.0f}", f"{seconds / 10:.2f}x of 10 s bar"])
    bare = _timed([sys.executable, "-c", "pass"], proj, env)[0]
    light = _timed([sys.executable, "-c", "import imgclf.params; imgclf.params.load()"], proj, env)[0]
    tf = _timed([sys.executable, "-c", "from imgclf.errors import quiet_tensorflow; quiet_tensorflow()"], proj, env)[0]
    rows += [["start-up: bare python (baseline)", f"{bare:.2f}", "", "1.00x"],
             ["start-up: load + validate params", f"{light:.2f}", "", f"{light / bare:.1f}x"],
             ["start-up: import TensorFlow + Keras", f"{tf:.2f}", "", f"{tf / bare:.1f}x"]]
    shutil.rmtree(proj.parent, ignore_errors=True)
    return table(f"Pipeline overhead, {args.dataset} (peak RSS is the largest process of the command)",
                 ["what", "seconds", "peak RSS MB", "ratio"], rows)


def section_folder(args, env) -> str:
    """A generated folder of images (coloured shapes, PNG/JPEG/BMP/GIF) through the whole DVC pipeline."""
    from imgclf import synthetic

    per_class = 30 if args.smoke else 2000
    proj = _temp_project(args, env, **{"data.dataset": "folder", "data.image_size": [32, 32],
                                       "train.epochs": 1 if args.smoke else 3})
    classes = ["circle", "square", "triangle", "line", "disc", "box", "wedge", "stroke", "ring", "block"]
    start = time.perf_counter()
    files = synthetic.image_folder(proj / "data" / "images", classes, per_class=per_class, size=40)
    made = time.perf_counter() - start
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    rows = [[f"generate {len(files):,} images ({size_mb:.0f} MB on disk)", f"{made:.1f}", "", ""]]
    rows += _stages(proj, env)
    rows[2][3] = f"{len(files) / float(rows[2][1]):,.0f} images/s"
    data = json.loads((proj / "metrics/data.json").read_text())
    test = json.loads((proj / "metrics/test.json").read_text())
    rows.append([f"test accuracy ({data['test_images']:,} held-out images)", "", "", f"{test['accuracy']:.4f}"])
    shutil.rmtree(proj.parent, ignore_errors=True)
    return table(f"Image folder of {len(files):,} images, 32x32 RGB, end to end ({1 if args.smoke else 3} epochs)",
                 ["what", "seconds", "peak RSS MB", "note"], rows)


def _stage(proj: Path, env, stage: str) -> tuple[float, float, str]:
    """One stage script run directly (not through DVC, whose hashing of the folder is not the stage's memory)."""
    return _timed([sys.executable, "-m", f"stages.{stage}"], proj, env)


def section_stream(args, env) -> str:
    """Data bigger than memory: a generated folder of 64x64 RGB images through prepare, one epoch of train and
    evaluate, each stage's peak RSS against the size of the decoded pixels; then the training speed of the streamed
    input path against the in-memory one on the same prepared data (Fashion-MNIST), same run."""
    from imgclf import synthetic

    n = args.stream_images or (2000 if args.smoke else 200_000)
    classes = [f"c{i}" for i in range(10)]
    proj = _temp_project(args, env, **{"data.dataset": "folder", "data.image_size": [64, 64], "train.epochs": 1,
                                       "model.preset": "tutorial_dense128", "model.precision": "float32",
                                       "train.optimizer": "adam", "train.learning_rate": 0.001,
                                       "train.schedule": "constant", "eval.tta_flip": False})
    start = time.perf_counter()
    files = synthetic.image_folder(proj / "data" / "images", classes, per_class=n // len(classes), size=64,
                                   formats=("png",))
    made = time.perf_counter() - start
    pixels = len(files) * 64 * 64 * 3
    rows = [[f"generate {len(files):,} PNGs ({sum(f.stat().st_size for f in files) / 1e9:.2f} GB on disk)",
             f"{made:.0f}", "", ""]]
    for stage in ("validate", "prepare", "train", "evaluate"):
        seconds, rss, out = _stage(proj, env, stage)
        note = next((line for line in out.splitlines() if line.startswith(f"{stage}:")), "")[:90]
        rows.append([f"stage {stage}", f"{seconds:.0f}", f"{rss:.0f}", note])
    peak = max(float(r[2]) for r in rows[1:])
    bar = 2 * 1024
    shutil.rmtree(proj.parent, ignore_errors=True)
    text = table(f"Streaming: {len(files):,} images at 64x64x3 ({pixels / 1e9:.2f} GB of pixels) through the stages "
                 f"(tutorial_dense128, 1 epoch); peak RSS {peak:.0f} MB = {peak / bar:.2f}x of the 2 GiB bar",
                 ["what", "seconds", "peak RSS MB", "output"], rows)
    # Same data, same model and params: images in memory (one tf.gather) vs read from the prepared file.
    speed = []
    for preset, epochs in (("tutorial_dense128", 1 if args.smoke else 3), ("default", 1)):
        p = project_params()
        base = {"dataset": args.dataset, "downloads": args.downloads, "case": "pipeline", "preset": preset,
                "precision": "float32", "train": {**p["train"], "epochs": epochs}, "augment": {"flip": True}}
        runs = {name: [] for name in ("memory", "stream")}
        for _ in range(1 if args.smoke else 2):          # alternated: load on the shared machine hits both
            for name in runs:
                runs[name].append(run_case({**base, "stream": name == "stream"}, env))
        ips = {name: statistics.median(r["images_per_second"] for r in rs) for name, rs in runs.items()}
        speed.append([preset, epochs, f"{ips['memory']:,.0f}", f"{ips['stream']:,.0f}",
                      f"{ips['stream'] / ips['memory']:.3f}x",
                      f"{max(r['peak_rss_mb'] for r in runs['memory']):.0f}",
                      f"{max(r['peak_rss_mb'] for r in runs['stream']):.0f}",
                      " / ".join(f"{r['test_accuracy']:.4f}" for r in runs["memory"] + runs["stream"])])
    text += table(f"Training speed, images in memory vs streamed from the prepared file, {args.dataset} "
                  f"(median of {1 if args.smoke else 2} alternated runs; target: stream >= 0.90x)",
                  ["model", "epochs", "memory img/s", "stream img/s", "ratio", "memory RSS MB", "stream RSS MB",
                   "test acc (memory runs / stream runs)"], speed)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="fashion_mnist", choices=["fashion_mnist", "cifar10"])
    parser.add_argument("--smoke", action="store_true", help="small synthetic data, one or two epochs")
    parser.add_argument("--only", default="speed,curve,overhead",
                        help="sections: speed,curve,overhead,folder,isa,dvclive,stream")
    parser.add_argument("--stream-images", type=int, default=0,
                        help="stream: images in the generated folder (default 200,000; 2,000 with --smoke)")
    parser.add_argument("--seeds", type=int, default=3, help="isa: seeds per class (mean +/- std)")
    parser.add_argument("--classes", default="avx2,avx512,native", help="isa: oneDNN classes to run (and native)")
    parser.add_argument("--cifar-params", help="YAML with model/train/augment overrides for the CIFAR-10 curve")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(ROOT)}
    from imgclf import sources, synthetic

    work = Path(tempfile.mkdtemp(prefix="imgclf-bench-data-"))
    if args.smoke:
        sums = synthetic.fashion_mirror(work / "mirror", 1200, 300), synthetic.cifar_mirror(work / "mirror", 200, 300)
        env["IMGCLF_MIRROR"] = str(work / "mirror")
        env["IMGCLF_CHECKSUMS"] = str(synthetic.write_checksums(work / "checksums.json", *sums))
    os.environ.update({k: env[k] for k in ("IMGCLF_MIRROR", "IMGCLF_CHECKSUMS") if k in env})
    args.downloads = str(work / "downloads")
    local = ROOT / "data" / "downloads"
    if not args.smoke and local.exists():
        shutil.copytree(local, args.downloads, dirs_exist_ok=True)  # reuse verified files already fetched
    sources.fetch(args.dataset, args.downloads)
    started = time.perf_counter()
    report = [f"# imgclf benchmarks: {args.dataset}{' (smoke)' if args.smoke else ''}, {os.cpu_count()} CPUs"]
    sections = {"speed": section_speed, "curve": section_curve, "overhead": section_overhead,
                "folder": section_folder, "isa": section_isa, "dvclive": section_dvclive,
                "stream": section_stream}
    for name in args.only.split(","):
        report.append(sections[name](args, env))
    (OUT / f"{args.dataset}{'-smoke' if args.smoke else ''}.md").write_text("\n".join(report) + "\n")
    shutil.rmtree(work, ignore_errors=True)
    print(f"\nbench: done in {time.perf_counter() - started:.0f}s; tables in bench/out/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
