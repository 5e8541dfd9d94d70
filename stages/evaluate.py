"""evaluate: score the trained model on the test set; write the metrics, predictions and probabilities."""

from imgclf.stage import stage


@stage("evaluate", tensorflow=True)
def main(p) -> str:
    import numpy as np

    from imgclf import evaluate, model
    from imgclf.core import arrays, paths
    from imgclf.core.atomic import atomic_path, write_json
    from imgclf.core.text import plural

    meta = arrays.load_meta(paths.DATASET)
    x_test, y_test = arrays.load_split(paths.PREPARED, "test")
    probs = evaluate.predict(
        model.load_model(paths.MODEL), x_test, p.eval.batch_size, tta_flip=p.eval.tta_flip, tta_shift=p.eval.tta_shift
    )
    summary = evaluate.summarize(probs, y_test, meta["classes"])
    with atomic_path(paths.PREDICTIONS) as tmp:
        files = arrays.load_files(paths.PREPARED, "test", len(y_test))
        evaluate.predictions_table(probs, y_test, meta["classes"], files).to_csv(tmp, index=False)
    with atomic_path(paths.PROBABILITIES) as tmp:
        np.save(tmp, probs)
    write_json(paths.PER_CLASS, summary["per_class"])
    write_json(paths.CONFUSION, summary["confusion"])
    # Headline last: it is the file `dvc exp show` and `dvc metrics diff` lead with.
    write_json(paths.TEST_METRICS, summary["test"])
    t = summary["test"]
    return (
        f"test accuracy {t['accuracy']:.4f}, loss {t['loss']:.4f}, macro F1 {t['macro_f1']:.4f} on "
        f"{plural(t['images'], 'image')}"
    )


if __name__ == "__main__":
    main()
