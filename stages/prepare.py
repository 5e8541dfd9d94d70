"""prepare: fetch the dataset, hold out stratified validation (and test) splits, store uint8 arrays.

A folder's images are decoded into a scratch folder beside data/prepared (same disk; removed at the end, or by the
next run if this one is killed), then copied split by split: memory stays bounded.
"""

from imgclf.stage import stage


@stage("prepare")
def main(p) -> str:
    from imgclf import data
    from imgclf.core import arrays, paths
    from imgclf.core.atomic import scratch_dir, write_json

    with scratch_dir(paths.PREPARED) as scratch:
        prep = data.prepare(p.data, p.seed, scratch=scratch)
        arrays.save(prep, paths.PREPARED, paths.DATASET)
    counts = {split: int(len(y)) for split, (_, y) in prep.arrays.items()}
    skipped = prep.notes.get("skipped", [])
    write_json(
        paths.DATA_METRICS,
        {
            **{f"{k}_images": v for k, v in counts.items()},
            "classes": len(prep.classes),
            "skipped_files": skipped,
            "ignored_files": prep.notes.get("ignored_files", 0),
        },
    )
    return (
        f"{p.data.dataset} {prep.image_shape} x {len(prep.classes)} classes; train {counts['train']:,} / "
        f"val {counts['val']:,} / test {counts['test']:,}"
        + (f"; skipped {len(skipped)} bad files (listed in {paths.DATA_METRICS})" if skipped else "")
    )


if __name__ == "__main__":
    main()
