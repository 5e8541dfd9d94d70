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
    from imgclf.core.text import plural

    with scratch_dir(paths.PREPARED) as scratch:
        prep = data.prepare(p.data, p.seed, scratch=scratch)
        arrays.save(prep, paths.PREPARED, paths.DATASET)
    counts = {split: int(len(y)) for split, (_, y) in prep.arrays.items()}
    write_json(paths.DATA_SUMMARY, prep.summary)
    write_json(
        paths.DATA_METRICS,
        {
            **{f"{k}_images": v for k, v in counts.items()},
            "classes": len(prep.classes),
            "skipped_files": [],
            "ignored_files": 0,
            **prep.notes,
        },
    )
    found = data.summary.line(prep.summary)
    return (
        f"{p.data.dataset} {prep.image_shape} x {plural(len(prep.classes), 'class', 'classes')}; "
        f"train {counts['train']:,} / val {counts['val']:,} / test {counts['test']:,}" + (f"; {found}" if found else "")
    )


if __name__ == "__main__":
    main()
