"""Test accuracy after each epoch against training seconds: the project's recipe against the tutorials' best
network trained their way, and the plot of both (bench/out/<dataset>-accuracy-vs-time.png)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from common import OUT, TUTORIAL_BEST, TUTORIAL_TRAIN, Table, project_params, run_case


def our_case(args, seed: int = 42) -> dict:
    """The curve case of the project's recipe: params.yaml, with `--cifar-params` on top for CIFAR-10."""
    p = project_params()
    if args.dataset == "cifar10" and args.cifar_params:
        over = yaml.safe_load(Path(args.cifar_params).read_text())
        p = {key: {**p[key], **over.get(key, {})} if isinstance(p[key], dict) else p[key] for key in p}
    return {
        "dataset": args.dataset,
        "downloads": args.downloads,
        "case": "curve",
        "preset": p["model"]["preset"],
        "precision": p["model"]["precision"],
        "train": {**p["train"], **({"epochs": 2} if args.smoke else {})},
        "augment": p["augment"],
        "tta_flip": p["eval"]["tta_flip"],
        "tta_shift": p["eval"]["tta_shift"],
        "seed": seed,
    }


def tutorial_case(args, case: str) -> dict:
    preset, epochs = TUTORIAL_BEST[args.dataset]
    return {
        "dataset": args.dataset,
        "downloads": args.downloads,
        "case": case,
        "preset": preset,
        "train": {**TUTORIAL_TRAIN, "epochs": 2 if args.smoke else epochs},
    }


def run(args, env) -> list[Table]:
    ours = our_case(args)
    preset, _ = TUTORIAL_BEST[args.dataset]
    runs = {
        f"imgclf {ours['preset']}": run_case(ours, env),
        f"tutorial {preset}": run_case(tutorial_case(args, "curve"), env),
    }
    (OUT / f"{args.dataset}-curve-runs.json").write_text(json.dumps(runs, indent=1))
    _plot(runs, OUT / f"{args.dataset}-accuracy-vs-time.png", args.dataset)
    ours_r, tut_r = runs.values()
    target = tut_r["test_accuracy"]
    reach = next((c["seconds"] for c in ours_r["curve"] if c["test_accuracy"] >= target), None)
    ratio = f"{reach / tut_r['train_seconds']:.2f}x the time" if reach else "not reached"
    line = (
        f"imgclf reaches the tutorial's final accuracy ({target:.4f}) after {reach} s vs the tutorial's "
        f"{tut_r['train_seconds']} s: {ratio}; final accuracy {ours_r['test_accuracy']:.4f} vs {target:.4f}"
    )
    curve = Table(
        f"Test accuracy after each epoch against training seconds, {args.dataset}",
        ["run", "epoch", "train s", "test acc"],
        [[name, c["epoch"], c["seconds"], f"{c['test_accuracy']:.4f}"] for name, r in runs.items() for c in r["curve"]],
    ).show()
    final = Table(
        "Final",
        ["run", "epochs", "train s", "test acc", "peak RSS MB"],
        [
            [name, r["epochs"], r["train_seconds"], f"{r['test_accuracy']:.4f}", r["peak_rss_mb"]]
            for name, r in runs.items()
        ],
        notes=[line],
    ).show()
    return [curve, final]


def _plot(runs: dict, path: Path, dataset: str) -> None:
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
