"""Stage 0: validate params.yaml before any other stage runs.

DVC deletes a stage's old outputs before running it; checking the params here, first, means a bad param
stops the run before anything is deleted. The output is constant, so a valid change reruns nothing more.
"""

import sys

from pathlib import Path

from imgclf import folder, params
from imgclf.atomic import write_text
from imgclf.errors import cli_entry
from imgclf.stage import VALIDATED


@cli_entry
def main() -> None:
    p = params.load()
    if p.data.dataset == "folder" and Path(p.data.folder).is_dir():
        folder.check_names(p.data.folder)   # before DVC hashes the folder and fails on such a name
    write_text(VALIDATED, "params.yaml is valid\n")


if __name__ == "__main__":
    sys.exit(main())
