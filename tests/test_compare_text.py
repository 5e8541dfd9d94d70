"""Names in the PR comment stay text; p-values are never rounded across the 5% line."""

import html
import re

import pytest
from markdown_it import MarkdownIt

from imgclf.review.markdown import md_code
from imgclf.review.wording import p_text

NAMES = [
    "NA",
    "null",
    "<b>bold</b>",
    "<img src=x onerror=alert(1)>",
    "$x^2$",
    "a|b",
    "`tick`",
    "``",
    "a ` b",
    " padded ",
    "@octocat",
    "*star*",
    "_x_",
    ":smile:",
    "[link](https://evil)",
    "# heading",
    "&amp;",
    "\\",
]


@pytest.mark.parametrize("name", NAMES)
def test_md_code_renders_the_name_as_literal_code(name):
    # Rendered by a CommonMark parser, in running text as compare.md uses it (never in a table cell).
    for doc in (f"classes: {md_code(name)} → {md_code('other')}", f"**{md_code(name)}** 12 fixed"):
        out = MarkdownIt("commonmark").render(doc)
        codes = [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", out, flags=re.S)]
        assert codes[0] == name, (doc, out)
        assert "<b>" not in out and "<img" not in out and "<em>" not in out and "<a " not in out


def test_md_code_keeps_one_line():
    assert md_code("two\nlines") == "`two lines`"


@pytest.mark.parametrize(
    "p, text",
    [
        (0.41, "= 0.41"),
        (0.0001234, "= 0.00012"),
        (0.00001, "< 0.0001"),
        (1.0, "= 1"),
        (0.0496, "= 0.0496"),
        (0.0504, "= 0.05"),
        (0.049, "= 0.049"),
    ],
)
def test_p_text(p, text):
    assert p_text(p) == text


def test_noise_errors_are_one_line(tmp_path):
    import subprocess

    from conftest import BIN

    few = subprocess.run([str(BIN / "imgclf"), "noise", "--seeds", "1"], cwd=tmp_path, capture_output=True, text=True)
    assert few.returncode == 2 and few.stderr == "error: --seeds must be at least 2 to measure a spread; got 1\n"
    away = subprocess.run([str(BIN / "imgclf"), "noise"], cwd=tmp_path, capture_output=True, text=True)
    assert away.returncode == 2 and away.stderr.startswith("error: run `imgclf noise` in the project folder")
    assert list(tmp_path.iterdir()) == []


# The environment.json figures of two runs on the same 2-core AVX2 machine, one of them queued with IMGCLF_THREADS=1.
ALL_CORES = {
    "device": "CPU",
    "cpu_model": "AMD EPYC",
    "isa_class": "avx2",
    "precision": "float32",
    "cpus": 2,
    "intra_op_threads": "auto",
    "inter_op_threads": "auto",
    "replicas": 1,
    "warning": "",
}
ONE_THREAD = {**ALL_CORES, "intra_op_threads": 1, "inter_op_threads": 1}


@pytest.mark.parametrize(
    "base, head, line",
    [
        (
            ONE_THREAD,
            ALL_CORES,
            "base ran with 1 intra-op/1 inter-op threads on 2 CPUs, head with TensorFlow's default of one thread "
            "per CPU (2 CPUs): training times are not comparable",
        ),
        (
            {**ALL_CORES, "cpu_model": "Intel Xeon"},
            ALL_CORES,
            "base ran on Intel Xeon, head on AMD EPYC: training times are not comparable",
        ),
        (  # the CPU class and precision keep the form they always had
            {**ALL_CORES, "isa_class": "avx512_bf16", "precision": "mixed_bfloat16"},
            ALL_CORES,
            "base ran on avx512_bf16/mixed_bfloat16, head on avx2/float32: training times are not comparable",
        ),
        (
            {**ALL_CORES, "device": "GPU", "replicas": 2},
            ALL_CORES,
            "base ran on GPU avx2/float32 with 2 replicas, head on CPU avx2/float32 with 1 replica: training times "
            "are not comparable",
        ),
        (  # "auto" is one thread per CPU: the same setting on more CPUs is more threads
            {**ALL_CORES, "cpus": 16},
            ALL_CORES,
            "base ran with TensorFlow's default of one thread per CPU (16 CPUs), head with TensorFlow's default of "
            "one thread per CPU (2 CPUs): training times are not comparable",
        ),
        ({**ALL_CORES, "warning": "something"}, ALL_CORES, None),  # not what the speed depends on
        (  # an older run that did not record its threads or CPU model: unknown, not different
            {k: v for k, v in ONE_THREAD.items() if k not in ("intra_op_threads", "inter_op_threads", "cpu_model")},
            ALL_CORES,
            None,
        ),
        ({}, ONE_THREAD, None),  # no environment.json at all
    ],
)
def test_hardware_warning_names_what_differs(base, head, line):
    from imgclf.review.machine import pair_warning

    assert pair_warning(base, head) == line


def test_leaderboard_hardware_groups_the_runs():
    from imgclf.core import paths
    from imgclf.review.machine import board
    from imgclf.review.runs import Run

    def run(rev, env):
        return Run(rev=rev, params={}, metrics={paths.ENVIRONMENT: env}, history=[], predictions=None)

    hw = board([run("main", ALL_CORES), run("exp-a", ONE_THREAD), run("exp-b", ONE_THREAD), run("old", {})])
    assert hw["warning"] == (
        "the runs differ in thread counts (TensorFlow's default of one thread per CPU (2 CPUs): main; "
        "1 intra-op/1 inter-op threads on 2 CPUs: exp-a, exp-b): their training times are not comparable"
    )
    assert not hw["training_times_comparable"] and hw["differs_in"] == ["threads"]
    assert hw["runs"]["exp-a"]["intra_op_threads"] == 1 and hw["runs"]["old"] is None
    assert "warning" not in hw["runs"]["main"]  # only what the speed depends on
    same = board([run("main", ALL_CORES), run("again", ALL_CORES)])
    assert (
        same["warning"] is None and same["training_times_comparable"] and same["runs"]["again"] == same["runs"]["main"]
    )


def test_html_prose_turns_code_spans_into_code_and_escapes_the_rest():
    from imgclf.report.html import prose

    assert (
        prose("as `imgclf compare BASE HEAD` does, p < 0.05")
        == "as <code>imgclf compare BASE HEAD</code> does, p &lt; 0.05"
    )
    assert prose("`<b>`") == "<code>&lt;b&gt;</code>"


@pytest.mark.parametrize("kind", ["plain git repository", "no repository"])
def test_compare_outside_a_dvc_project_is_one_line(kind, tmp_path):
    """DVC raises NotDvcRepoError in a git repository without .dvc/, and fails to clone a folder that is not one."""
    import subprocess

    from conftest import BIN
    from support import the_error

    if kind == "plain git repository":
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    for command, *revs in (
        ["compare", "main"], ["compare", "HEAD~1", "HEAD"], ["compare", "a", "b", "c"], ["leaderboard", "a", "b", "c"],
        ["exps"], ["diff", "HEAD"],
    ):  # fmt: skip
        out = subprocess.run([str(BIN / "imgclf"), command, *revs], cwd=tmp_path, capture_output=True, text=True)
        assert out.returncode == 2, out.stderr
        assert the_error(out.stderr) == (
            f"error: not in a DVC project: {tmp_path} and the folders above it have no .dvc/; run `imgclf {command}` "
            f"in the project's folder (the one with dvc.yaml and .dvc/, in a git clone)"
        )
    assert not (tmp_path / "reports").exists()


def test_titles_name_the_branch_and_commit_of_each_side(tmp_path, monkeypatch):
    """Locally the workspace is its branch; in a GitHub PR job (a detached test merge) the PR's branch and head."""
    import subprocess

    from imgclf.review.runs import WORKSPACE, identify

    def git(*args):
        return subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, text=True).stdout.strip()

    git("init", "-q", "-b", "main")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    git("commit", "-q", "--allow-empty", "-m", "base")
    git("checkout", "-q", "-b", "feature/x")
    (tmp_path / "f").write_text("1")
    git("add", "f")
    git("commit", "-q", "-m", "head")
    head, base = git("rev-parse", "--short=7", "HEAD"), git("rev-parse", "--short=7", "main")
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_HEAD_REF", "GITHUB_BASE_REF"):
        monkeypatch.delenv(name, raising=False)
    assert identify(WORKSPACE) == {"name": "feature/x", "commit": head, "uncommitted": False}
    assert identify("main") == {"name": "main", "commit": base, "uncommitted": False}
    (tmp_path / "f").write_text("2")
    assert identify(WORKSPACE)["uncommitted"]
    git("checkout", "-q", "f")
    # GitHub's pull_request checkout: a merge of the PR into the base, detached, with origin/main as the base.
    git("update-ref", "refs/remotes/origin/main", "main")
    git("checkout", "-q", "--detach", "main")
    git("merge", "-q", "--no-ff", "--no-edit", "feature/x")
    monkeypatch.setenv("GITHUB_HEAD_REF", "feature/x")
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    assert identify(WORKSPACE) == {"name": "feature/x", "commit": head, "uncommitted": False}
    assert identify("origin/main") == {"name": "main", "commit": base, "uncommitted": False}


def test_what_compare_writes_into_reports_is_git_ignored(tmp_path):
    """Every file `imgclf compare` writes (paths.COMPARE, paths.LEADERBOARD), by the .gitignore a clone gets; the
    stages' reports/ outputs are DVC's to ignore, so only the project's own .gitignore is used here."""
    import shutil
    import subprocess

    from conftest import ROOT

    from imgclf.core import paths

    shutil.copy(ROOT / ".gitignore", tmp_path / ".gitignore")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    names = [(paths.REPORTS / name).as_posix() for name in (*paths.COMPARE, *paths.LEADERBOARD)]
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *names], cwd=tmp_path, capture_output=True, text=True
    )
    assert ignored.stdout.split() == names


def test_noise_in_a_git_repository_without_dvc_is_one_line(tmp_path):
    """dvc.yaml is there but `dvc init` never ran: one line before any experiment starts, not DVC's RevError."""
    import os
    import shutil
    import subprocess

    from conftest import BIN, ROOT
    from support import the_error

    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    for name in ("dvc.yaml", "params.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    out = subprocess.run(
        [str(BIN / "imgclf"), "noise", "--seeds", "2"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert out.returncode == 2 and the_error(out.stderr).startswith(
        f"error: not in a DVC project: {tmp_path} and the folders above it have no .dvc/; run `imgclf noise`"
    )
    assert (tmp_path / "params.yaml").read_text() == (ROOT / "params.yaml").read_text()


def test_runs_on_different_test_sets_get_no_paired_test():
    import pandas as pd

    from imgclf.core import paths
    from imgclf.review import significance
    from imgclf.review.runs import Run

    def scored(rev: str, actual: list[str], predicted: list[str]) -> Run:
        cm = {t: {p: sum(a == t and b == p for a, b in zip(actual, predicted)) for p in "ab"} for t in "ab"}
        right = sum(a == b for a, b in zip(actual, predicted))
        test = {"accuracy": right / len(actual), "loss": 0.5, "images": len(actual)}
        frame = pd.DataFrame({"actual": actual, "predicted": predicted})
        return Run(rev, {"seed": 42}, {paths.TEST_METRICS: test, paths.CONFUSION: cm}, [], frame)

    base = scored("base", ["a", "b"] * 48, ["a", "b"] * 40 + ["b", "a"] * 8)
    for head, why in (
        (scored("head", ["a", "b"] * 32, ["a", "b"] * 32), "base has 96 test images, head 64"),
        (scored("head", ["b", "a"] * 48, ["b", "a"] * 48), "96 of the 96 test images have different true labels"),
    ):
        figures = significance.analyse(base, head)
        assert figures["paired"] is None and not figures["significant_regression"]
        assert figures["verdict"]["kind"] == "not_comparable"
        assert figures["verdict"]["text"].startswith(
            f"not comparable: the two runs were evaluated on different test sets ({why}), so there is no paired test"
        ), figures["verdict"]["text"]
