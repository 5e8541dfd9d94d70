"""Is an image folder inside the project tracked, the DVC way? `dvc exp run` commits every file git does not ignore
into the experiment (a repository grew from 4 MB to 51 MB after one run on 398 photos), and `--temp` and `--queue`
see only what git and DVC track. So a folder inside the project must be tracked by DVC (`dvc add`, which also
git-ignores it) or by git; the validate stage refuses one that is neither, with the commands to run."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..core.errors import UserError
from ..core.text import plural, shown
from .decode import is_image


def check(folder: str | Path) -> None:
    """One line when `folder` is inside this git checkout and holds images git does not know and does not ignore."""
    path = Path(folder)
    try:
        inside = not path.is_absolute() or path.resolve().is_relative_to(Path.cwd().resolve())
    except OSError:
        return
    if not inside or ".." in path.parts:
        return  # outside the project: neither git nor DVC sees it, and experiments read it where it is
    untracked = _git("ls-files", "--others", "--exclude-standard", "-z", "--", str(path))
    if untracked is None:
        return  # not a git checkout
    images = [name for name in untracked.split("\0") if name and is_image(Path(name))]
    if not images:
        return
    tracked = _git("ls-files", "-z", "--", str(path)) or ""
    unstage = f"git rm -r -q --cached {path} && " if tracked.strip("\0") else ""
    raise UserError(
        f"{path} has {plural(len(images), 'image')} that neither git nor DVC tracks (e.g. {shown(images[0])}): "
        f"`dvc exp run` would commit them into git, and --temp or --queue experiments would not see them. Track "
        f"the folder with DVC: {unstage}dvc add {path} && git add {path}.dvc {path.parent}/.gitignore && git commit "
        f"-m 'images' (see docs/data.md)"
    )


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, errors="replace", timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
