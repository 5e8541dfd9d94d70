"""Each backbone's training and prediction speed at its ImageNet size (224), against today's `default_color` at
CIFAR-10's 32x32 in the same run, and how much the frozen phase of fine-tuning saves (bench/throughput.py)."""

from __future__ import annotations

from common import Table, run_script

from imgclf.model.backbones import BACKBONES


def measure(spec: dict, env) -> dict:
    return run_script("throughput.py", spec, env)


def run(args, env) -> list[Table]:
    size = 64 if args.smoke else 224
    steps = 1 if args.smoke else 3
    base = measure({"network": "default_color", "size": 32, "steps": steps}, env)
    rows = [
        [
            "default_color (baseline)",
            32,
            f"{base['params']:,}",
            base["train_images_per_second"],
            "1.00x",
            base["predict_images_per_second"],
            "-",
            "-",
            "-",
        ]
    ]
    for name in BACKBONES:
        r = measure({"network": name, "size": size, "steps": steps}, env)
        rows.append(
            [
                name,
                size,
                f"{r['params']:,}",
                r["train_images_per_second"],
                f"{r['train_images_per_second'] / base['train_images_per_second']:.3f}x",
                r["predict_images_per_second"],
                r["frozen_images_per_second"],
                f"{r['frozen_speedup']:.1f}x",
                f"{r['cached_speedup']:,.0f}x",
            ]
        )
        print(f"backbones: {name}: {r['train_images_per_second']} img/s training at {size}", flush=True)
    return [
        Table(
            f"Backbones at their ImageNet size, batch 32, {base['precision']} ({base['isa_class']}): training "
            f"(every layer, forward and backward) and prediction images/s; the frozen phase through the "
            f"backbone (forward only) and on cached features, as speed-ups of a training step",
            [
                "network",
                "size",
                "params",
                "train img/s",
                "vs baseline",
                "predict img/s",
                "frozen img/s",
                "frozen speed-up",
                "cached-features speed-up",
            ],
            rows,
        ).show()
    ]
