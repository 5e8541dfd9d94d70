"""export (opt-in by export.formats): the trained model in deployable formats, each measured through its own
runtime on the test set beside the Keras model, and held to the parity bars."""

from imgclf.stage import stage


@stage("export")
def main(p) -> str:
    import shutil

    from imgclf.core import arrays, paths
    from imgclf.core.atomic import atomic_dir, write_json

    formats = p.export.formats
    arrays.load_meta(paths.DATASET)  # missing or damaged: one line, before it is copied beside the exports
    with atomic_dir(paths.EXPORTED) as out:
        # Beside the exported files, the class names and image shape that `imgclf predict` needs.
        shutil.copyfile(paths.DATASET, out / paths.DATASET.name)
        if not formats:
            write_json(paths.EXPORT_METRICS, {})
            return f"nothing to export (export.formats is []); wrote {paths.EXPORTED / paths.DATASET.name}"
        from imgclf.core.startup import start_tensorflow

        start_tensorflow()  # only when there is something to export; LiteRT and onnxruntime get the same threads
        import numpy as np

        from imgclf import serve

        x_train, _ = arrays.load_split(paths.PREPARED, "train")
        x_test, y_test = arrays.load_split(paths.PREPARED, "test")
        pick = np.random.default_rng(p.seed).permutation(len(x_train))[: p.export.calibration_images]
        figures = serve.export.run(
            paths.MODEL, formats, out, np.asarray(x_train[np.sort(pick)]), x_test, y_test, p.export
        )
        write_json(paths.EXPORT_METRICS, figures)
        serve.export.check(figures, p.export)
    name = figures["setup"]["reference"]
    return f"{', '.join(formats)}; test accuracy {name} {figures[name]['accuracy']:.2%}, " + ", ".join(
        f"{f} {figures[f]['accuracy']:.2%} ({figures[f]['agreement']:.2%} agree)" for f in formats
    )


if __name__ == "__main__":
    main()
