"""The `imgclf` command's conventions: --version, complete usage lines, a sub-command's own usage for its errors."""

import re
import subprocess

import pytest
from conftest import BIN


def imgclf(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "imgclf"), *args], capture_output=True, text=True)


def test_version_names_what_it_runs_on():
    out = imgclf("--version")
    assert out.returncode == 0
    pattern = r"imgclf \d+\.\d+\.\d+ \(Python 3\.\d+\.\d+, Keras 3\.\S+, TensorFlow \S+, DVC \S+\)\n"
    assert re.fullmatch(pattern, out.stdout), out.stdout


def test_unknown_option_gets_the_sub_commands_usage():
    out = imgclf("params", "--bogus")
    assert out.returncode == 2
    assert out.stderr.startswith("usage: imgclf params [-h] [--markdown]\n")
    assert out.stderr.rstrip().endswith("imgclf params: error: unrecognized arguments: --bogus")


@pytest.mark.parametrize("command", ["exps", "diff", "compare", "leaderboard", "noise", "push", "pull", "predict"])
def test_every_usage_line_lists_every_option(command):
    """argparse writes the usage lines (compare's hand-written one left options out)."""
    text = imgclf(command, "--help").stdout
    usage, options = text.split("\n\n")[0], text.split("options:\n", 1)[1]
    listed = re.findall(r"^ +(?:(-\w)(?: \S+)?, )?(--[a-z][a-z-]*)", options, re.M)
    assert len(listed) > 1, text  # --help and at least one of its own
    assert all(f"[{short or long}" in usage for short, long in listed), (usage, listed)


def test_leaderboard_is_a_command():
    out = imgclf("leaderboard", "--help")
    assert out.returncode == 0 and "usage: imgclf leaderboard [-h] [--out DIR] REV [REV ...]" in out.stdout
