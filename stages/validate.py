"""validate: check params.yaml, the network it names and the image folder it points at, before any other stage.

DVC deletes a stage's old outputs before running it; checking here, first, means a bad param, a bad image or a
labels CSV that `prepare` would stop on stops the run before anything is deleted. It runs every time (DVC hashes
a folder only after it), and its output is constant, so a valid change reruns nothing more.
"""

from pathlib import Path

from imgclf.stage import stage


@stage("validate")
def main(p) -> str:
    from imgclf import data, model
    from imgclf.core import paths
    from imgclf.core.atomic import write_text
    from imgclf.core.text import plural
    from imgclf.data import tracking

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
    write_text(paths.VALIDATED, "params.yaml is valid\n")
    return "params.yaml is valid" + found


if __name__ == "__main__":
    main()
