"""validate: check params.yaml (and the network and image folder it names) before any other stage runs.

DVC deletes a stage's old outputs before running it; checking here, first, means a bad param stops the run before
anything is deleted. The output is constant, so a valid change reruns nothing more.
"""

from pathlib import Path

from imgclf.stage import stage


@stage("validate")
def main(p) -> str:
    from imgclf import data, model
    from imgclf.core import paths
    from imgclf.core.atomic import write_text

    model.check(p)  # the network fits the images
    if p.data.dataset == "folder" and Path(p.data.folder).is_dir():
        data.check_names(p.data.folder)  # before DVC hashes the folder and fails on such a name
    write_text(paths.VALIDATED, "params.yaml is valid\n")
    return "params.yaml is valid"


if __name__ == "__main__":
    main()
