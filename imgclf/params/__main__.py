"""`python -m imgclf.params [FILE]`: check params.yaml alone, in a fraction of a second, printing one line.

`make run` runs it before `dvc repro`, because DVC reads params.yaml itself before any stage runs (for `${...}` in
dvc.yaml) and expands YAML aliases as it does: a few lines of nested aliases hang it for minutes, or until memory
runs out, before the validate stage could refuse them.
"""

import sys

from ..core.errors import cli_entry
from .loader import load


@cli_entry
def main(argv: list[str]) -> int:
    load(*argv[:1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
