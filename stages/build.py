"""Stage 2: build the architecture from params and save it untrained, with its summary."""

import sys

from imgclf.errors import cli_entry
from imgclf.stage import begin


@cli_entry
def main() -> None:
    p = begin()
    from imgclf import hardware, models, storage
    from imgclf.atomic import atomic_path, write_json, write_text
    from imgclf.stage import META, UNTRAINED, Timer

    timer = Timer()
    meta = storage.load_meta(META)
    choice = hardware.apply(p.model.precision)
    shape = tuple(meta["image_shape"])
    model = models.build(models.resolve(p.model), shape, len(meta["classes"]), crop_size=p.augment.crop_size,
                         seed=p.seed)
    with atomic_path(UNTRAINED) as tmp:
        model.save(tmp)
    write_text("reports/model_summary.txt", models.summary_text(model))
    write_json("metrics/model.json", {"preset": p.model.preset, "parameters": int(model.count_params())})
    print(f"build: {p.model.preset} ({models.resolve(p.model).kind}) for {shape}: "
          f"{model.count_params():,} params, {choice.policy} ({choice.reason}) in {timer.seconds:.1f}s")


if __name__ == "__main__":
    sys.exit(main())
