"""Stage 4: score the trained model on the test set; write metrics, plots data and the HTML report."""

import sys

from imgclf.errors import cli_entry
from imgclf.stage import begin


@cli_entry
def main() -> None:
    p = begin()
    import json
    from pathlib import Path

    import numpy as np
    import pandas as pd

    from imgclf import evaluation, params, report, storage
    from imgclf.atomic import atomic_path, write_json, write_text
    from imgclf.stage import META, MODEL, PREPARED, Timer, load_model, revision

    timer = Timer()
    meta = storage.load_meta(META)
    x_test, y_test = storage.load_split(PREPARED, "test")
    model = load_model(MODEL)
    probs = evaluation.predict(model, x_test, p.eval.batch_size, p.eval.tta_flip)
    summary = evaluation.summarize(probs, y_test, meta["classes"])
    with atomic_path("metrics/predictions.csv") as tmp:
        evaluation.predictions_table(probs, y_test, meta["classes"]).to_csv(tmp, index=False)
    with atomic_path("metrics/test_probabilities.npy") as tmp:
        np.save(tmp, probs)
    write_json("metrics/per_class.json", summary["per_class"])
    write_json("metrics/confusion.json", summary["confusion"])
    history = pd.read_csv("metrics/history.csv").to_dict("records")
    run = report.RunData(
        params=params.as_dict(p), meta=meta, summary=summary,
        train=json.loads(Path("metrics/train.json").read_text()), history=history,
        model_summary=Path("reports/model_summary.txt").read_text(),
        param_count=model.count_params(),
        revision=revision(), probs=probs, y_test=y_test, x_test=x_test,
        augmentation_png=Path("reports/augmentation.png").read_bytes(),
        data_notes={"skipped": json.loads(Path("metrics/data.json").read_text()).get("skipped_files", [])})
    write_text("reports/index.html", report.render(run, p.eval.gallery, p.seed))
    # Headline last: it is the file `dvc exp show` and `dvc metrics diff` lead with.
    write_json("metrics/test.json", summary["test"])
    t = summary["test"]
    print(f"evaluate: test accuracy {t['accuracy']:.4f}, loss {t['loss']:.4f}, macro F1 {t['macro_f1']:.4f} "
          f"on {t['images']:,} images in {timer.seconds:.1f}s -> reports/index.html")


if __name__ == "__main__":
    sys.exit(main())
