"""Same model, same epochs: the tutorials' input path (float64 arrays into model.fit) against imgclf's (uint8
images through tf.data), training speed and peak memory."""

from __future__ import annotations

from common import TUTORIAL_TRAIN, Table, run_case

MODELS = {"fashion_mnist": [("tutorial_dense128", 5), ("tutorial_cnn", 3)], "cifar10": [("tutorial_cnn", 3)]}


def run(args, env) -> list[Table]:
    rows = []
    for preset, epochs in MODELS[args.dataset]:
        epochs = 1 if args.smoke else epochs
        base = {
            "dataset": args.dataset,
            "downloads": args.downloads,
            "preset": preset,
            "train": {**TUTORIAL_TRAIN, "epochs": epochs},
        }
        tut = run_case({**base, "case": "tutorial"}, env)
        ours = run_case({**base, "case": "pipeline"}, env)
        rows.append(
            [
                preset,
                epochs,
                tut["train_seconds"],
                ours["train_seconds"],
                tut["images_per_second"],
                ours["images_per_second"],
                f"{ours['images_per_second'] / tut['images_per_second']:.2f}x",
                tut["peak_rss_mb"],
                ours["peak_rss_mb"],
                f"{ours['peak_rss_mb'] / tut['peak_rss_mb']:.2f}x",
                f"{tut['test_accuracy']:.4f}",
                f"{ours['test_accuracy']:.4f}",
            ]
        )
    return [
        Table(
            f"Same model, same epochs: tutorial input path (float64 arrays) vs imgclf (uint8 tf.data), {args.dataset}",
            [
                "model",
                "epochs",
                "tutorial s",
                "imgclf s",
                "tutorial img/s",
                "imgclf img/s",
                "speed ratio",
                "tutorial RSS MB",
                "imgclf RSS MB",
                "memory ratio",
                "tutorial acc",
                "imgclf acc",
            ],
            rows,
        ).show()
    ]
