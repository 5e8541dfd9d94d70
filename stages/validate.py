"""Stage 0: validate params.yaml before any other stage runs.

DVC deletes a stage's old outputs before running it; checking the params here, first, means a bad param
stops the run before anything is deleted. The output is constant, so a valid change reruns nothing more.
"""

import sys

from imgclf import params
from imgclf.atomic import write_text
from imgclf.errors import cli_entry
from imgclf.stage import VALIDATED


@cli_entry
def main() -> None:
    params.load()
    write_text(VALIDATED, "params.yaml is valid\n")


if __name__ == "__main__":
    sys.exit(main())
