"""Reviewing runs side by side: a run as any revision saved it (read through DVC), the two-run comparison and its
verdict (Wilson intervals, McNemar's exact test, the seed band of `imgclf noise`), its HTML page and PR comment,
and the leaderboard of several runs."""

from .compare import compare
from .leaderboard import leaderboard
from .markdown import md_code
from .noise import measure as measure_noise
from .runs import WORKSPACE, Run, load_run
from .significance import analyse
from .wording import p_text

__all__ = ["WORKSPACE", "Run", "analyse", "compare", "leaderboard", "load_run", "md_code", "measure_noise", "p_text"]
