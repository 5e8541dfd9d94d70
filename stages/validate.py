"""validate: check params.yaml, the network it names and the image folder it points at, before any other stage.

DVC deletes a stage's old outputs before running it; checking here, first, means a bad param, a bad image or a
labels CSV that `prepare` would stop on stops the run before anything is deleted. It runs every time (DVC hashes
a folder only after it), and its output is constant, so a valid change reruns nothing more.
"""

import sys
from pathlib import Path

from imgclf.stage import stage


@stage("validate")
def main(p) -> str:
    from imgclf import data, model
    from imgclf.core import paths
    from imgclf.core.atomic import clean_stale, write_text
    from imgclf.core.text import plural
    from imgclf.data import tracking
    from imgclf.params import as_dict, inherited

    for output in paths.STAGE_OUTPUTS:  # a killed run's temporaries: DVC may restore that output from its cache
        clean_stale(output)  # without rerunning the stage whose next write would have removed them
    model.check(p)  # the network fits the images
    found = ""
    if p.data.dataset == "folder":
        if Path(p.data.folder).is_dir():
            data.check_names(p.data.folder)  # before DVC hashes the folder and fails on such a name
            tracking.check(p.data.folder)
        s = data.survey(p.data, p.seed)  # layout, labels, bad files: what prepare would stop on
        data.with_splits(s, p.data, p.seed)  # and its splits and their duplicates
        images = sum(len(files) for files, _ in s.splits.values())
        found = f"; {plural(images, 'image')} in {plural(len(s.classes), 'class', 'classes')}"
    warning = inherited.check(as_dict(p))  # an earlier experiment's -S values still in params.yaml
    if warning:
        print(warning, file=sys.stderr, flush=True)
    write_text(paths.VALIDATED, "params.yaml is valid\n")
    return "params.yaml is valid" + found


if __name__ == "__main__":
    main()
