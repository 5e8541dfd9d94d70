"""Stage 1: fetch the dataset, hold out a stratified validation split, store uint8 arrays.

A folder's images are decoded into a scratch folder beside data/prepared (same disk; removed at the end, or by
the next run if this one is killed), then copied split by split: memory stays bounded.
"""

import sys

from imgclf import dataset, params, storage
from imgclf.atomic import scratch_dir, write_json
from imgclf.errors import cli_entry
from imgclf.stage import META, PREPARED, Timer


@cli_entry
def main() -> None:
    p = params.load()
    timer = Timer()
    with scratch_dir(PREPARED) as scratch:
        prep = dataset.prepare(p.data, p.seed, scratch=scratch)
        storage.save(prep, PREPARED, META)
    counts = {split: int(len(y)) for split, (_, y) in prep.arrays.items()}
    write_json("metrics/data.json", {**{f"{k}_images": v for k, v in counts.items()},
                                     "classes": len(prep.classes),
                                     "skipped_files": prep.notes.get("skipped", []),
                                     "ignored_files": prep.notes.get("ignored_files", 0)})
    skipped = len(prep.notes.get("skipped", []))
    print(f"prepare: {p.data.dataset} {prep.image_shape} x {len(prep.classes)} classes; "
          f"train {counts['train']:,} / val {counts['val']:,} / test {counts['test']:,}"
          f"{f'; skipped {skipped} bad files (listed in metrics/data.json)' if skipped else ''} "
          f"in {timer.seconds:.1f}s")


if __name__ == "__main__":
    sys.exit(main())
