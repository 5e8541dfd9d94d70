"""Stage 4: score the trained model on the test set; write the metrics, predictions and probabilities."""

import sys

from imgclf.errors import cli_entry
from imgclf.stage import begin


@cli_entry
def main() -> None:
    p = begin()
    import numpy as np

    from imgclf import evaluation, storage
    from imgclf.atomic import atomic_path, write_json
    from imgclf.stage import META, MODEL, PREPARED, PROBABILITIES, Timer, load_model

    timer = Timer()
    meta = storage.load_meta(META)
    x_test, y_test = storage.load_split(PREPARED, "test")
    probs = evaluation.predict(load_model(MODEL), x_test, p.eval.batch_size, tta_flip=p.eval.tta_flip,
                                   tta_shift=p.eval.tta_shift)
    summary = evaluation.summarize(probs, y_test, meta["classes"])
    with atomic_path("metrics/predictions.csv") as tmp:
        evaluation.predictions_table(probs, y_test, meta["classes"]).to_csv(tmp, index=False)
    with atomic_path(PROBABILITIES) as tmp:
        np.save(tmp, probs)
    write_json("metrics/per_class.json", summary["per_class"])
    write_json("metrics/confusion.json", summary["confusion"])
    # Headline last: it is the file `dvc exp show` and `dvc metrics diff` lead with.
    write_json("metrics/test.json", summary["test"])
    t = summary["test"]
    print(f"evaluate: test accuracy {t['accuracy']:.4f}, loss {t['loss']:.4f}, macro F1 {t['macro_f1']:.4f} "
          f"on {t['images']:,} images in {timer.seconds:.1f}s")


if __name__ == "__main__":
    sys.exit(main())
