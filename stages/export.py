"""Stage 6 (opt-in by export.formats): the trained model in deployable formats, each measured through its own
runtime on the test set beside the Keras model, and held to the parity bars."""

import shutil
import sys

from imgclf import params
from imgclf.atomic import atomic_dir, write_json
from imgclf.errors import cli_entry, quiet_tensorflow
from imgclf.stage import EXPORTED, EXPORT_METRICS, META, MODEL, PREPARED, Timer, limit_threads


@cli_entry
def main() -> None:
    p = params.load()
    timer = Timer()
    formats = p.export.formats
    with atomic_dir(EXPORTED) as out:
        # Beside the exported files, the class names and image shape that `imgclf predict` needs.
        shutil.copyfile(META, out / "dataset.json")
        if not formats:
            write_json(EXPORT_METRICS, {})
            print("export: nothing to export (export.formats is []); wrote models/export/dataset.json")
            return
        quiet_tensorflow()
        limit_threads()   # IMGCLF_THREADS; LiteRT and onnxruntime get the same count
        import numpy as np

        from imgclf import export, storage

        x_train, _ = storage.load_split(PREPARED, "train")
        x_test, y_test = storage.load_split(PREPARED, "test")
        pick = np.random.default_rng(p.seed).permutation(len(x_train))[:p.export.calibration_images]
        figures = export.run(MODEL, formats, out, np.asarray(x_train[np.sort(pick)]), x_test, y_test, p.export)
        write_json(EXPORT_METRICS, figures)
        export.check(figures, p.export)
    name = figures["setup"]["reference"]
    reference = figures[name]
    print(f"export: {', '.join(formats)} in {timer.seconds:.1f}s; test accuracy {name} "
          f"{reference['accuracy']:.2%}, " + ", ".join(f"{f} {figures[f]['accuracy']:.2%} "
                                                      f"({figures[f]['agreement']:.2%} agree)" for f in formats))


if __name__ == "__main__":
    sys.exit(main())
