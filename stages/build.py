"""Stage 2: the architecture's summary and parameter count (train builds the same model itself, seeded)."""

import sys

from imgclf.errors import cli_entry
from imgclf.stage import begin


@cli_entry
def main() -> None:
    p = begin()
    from imgclf import hardware, models, storage
    from imgclf.atomic import write_json, write_text
    from imgclf.stage import META, Timer

    timer = Timer()
    meta = storage.load_meta(META)
    choice = hardware.apply(p.model.precision, warn=False)
    model = models.from_params(p, meta)
    write_text("reports/model_summary.txt", models.summary_text(model))
    write_json("reports/model_graph.json", models.layer_graph(model))   # drawn by the report (no TensorFlow there)
    write_json("metrics/model.json", {"preset": p.model.preset, "parameters": int(model.count_params())})
    print(f"build: {p.model.preset} for {tuple(meta['image_shape'])}: {model.count_params():,} params, "
          f"{choice.policy} ({choice.reason}) in {timer.seconds:.1f}s")


if __name__ == "__main__":
    sys.exit(main())
