"""The comparison's verdict on real runs: seeds of the same params, a clear improvement and regression,
different test sets; a seed band from `imgclf noise`; class names that Markdown, HTML or pandas would eat."""

import json
import shutil
import subprocess
import sys

import pytest
from browser import render
from conftest import ROOT, edit_params, make_mirror, make_project, run

from imgclf.testing import synthetic
from imgclf.testing.projects import track

pytestmark = pytest.mark.slow

# Names a PR comment or pandas would otherwise turn into markup, a mention, a table cell break or a missing value.
CLASSES = ["NA", "null", "<b>bold", "a|b", "`tick`", "@octocat", "*star*", "_x_"]
BRANCH = "base`<i>x</i>@me"


def scripts(*args, cwd):
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="module")
def proj(tmp_path_factory):
    """A committed run on an image folder with a fixed test split, and its seed band (imgclf noise)."""
    root = tmp_path_factory.mktemp("significance")
    env = make_mirror(root)
    proj = make_project(root / "project", env)
    images = proj / "data" / "images"
    synthetic.image_folder(images / "train", CLASSES, per_class=40, size=16, seed=1, formats=("png",))
    synthetic.image_folder(images / "test", CLASSES, per_class=12, size=16, seed=2, formats=("png",))
    track(proj, "data/images")
    edit_params(proj, **{"data.dataset": "folder", "data.image_size": [16, 16], "train.epochs": 15})
    run(["dvc", "repro"], proj, env=env)
    run(["git", "add", "-A"], proj)
    run(["git", "commit", "-qm", "base run"], proj)
    out = run(["imgclf", "noise", "--seeds", "2"], proj, env=env)
    assert "noise: test accuracy over 2 seeds" in out.stdout, out.stdout
    # The workspace is back on its own params and run (DVC has nothing to reproduce; the same test accuracy).
    assert run(["git", "diff", "--stat", "params.yaml"], proj).stdout == ""
    assert run(["dvc", "status"], proj).stdout.split() == ["validate:", "always", "changed"]  # only what always runs
    assert run(["git", "show", "HEAD:metrics/test.json"], proj).stdout == (proj / "metrics" / "test.json").read_text()
    run(["git", "add", "metrics/noise.json"], proj)
    run(["git", "commit", "-qm", "seed band"], proj)
    run(["git", "branch", BRANCH], proj)
    run(
        [
            "dvc",
            "exp",
            "run",
            "-n",
            "untrained",
            "-S",
            "seed=42",
            "-S",
            "train.epochs=1",
            "-S",
            "train.learning_rate=0.0001",
        ],
        proj,
        env=env,
    )
    return proj, env


def compare(proj, env, base, head, out):
    run(["imgclf", "compare", base, head, "--out", str(out)], proj, env=env)
    return json.loads((out / "compare.json").read_text()), (out / "compare.md").read_text()


def test_noise_band_restores_the_workspace(proj):
    proj, env = proj
    band = json.loads((proj / "metrics/noise.json").read_text())
    assert band["seeds"] == [42, 43] and band["runs"] == 2 and len(band["accuracy"]) == 2
    assert band["min"] <= band["mean"] <= band["max"] and band["std"] >= 0
    assert "seed" not in band["params"] and band["params"]["data"]["dataset"] == "folder"
    # Each seed is a real DVC experiment.
    shown = json.loads(run(["dvc", "exp", "show", "--json", "--all-commits"], proj).stdout)
    seeds = {
        exp["data"]["params"]["params.yaml"]["data"]["seed"]
        for rev in shown
        for e in (rev.get("experiments") or [])
        for exp in e["revs"]
    }
    assert {42, 43} <= seeds


def experiment_with_seed(proj, seed: int) -> str:
    shown = json.loads(run(["dvc", "exp", "show", "--json", "--all-commits"], proj).stdout)
    return next(
        exp["name"]
        for rev in shown
        for e in rev.get("experiments") or []
        for exp in e["revs"]
        if exp["data"]["params"]["params.yaml"]["data"]["seed"] == seed
    )


def test_same_params_other_seed_is_no_detectable_difference(proj, tmp_path):
    proj, env = proj  # the seed band's run of seed 43 (the commit's seed is 42)
    figures, md = compare(proj, env, "HEAD", experiment_with_seed(proj, 43), tmp_path)
    assert figures["verdict"]["kind"] == "no_difference", figures["verdict"]
    assert md.splitlines()[2].startswith("**⚪ no detectable difference: ")
    assert "the seed spread of base is +/- " in figures["verdict"]["text"]
    p = figures["paired"]
    assert p["p_value"] >= 0.05 and p["fixed"] + p["broken"] + p["still_right"] + p["still_wrong"] == 96
    assert not figures["significant_regression"]


def test_clear_improvement_and_regression(proj, tmp_path):
    proj, env = proj
    worse, md = compare(proj, env, "HEAD", "untrained", tmp_path / "worse")
    p = worse["paired"]
    assert worse["verdict"]["kind"] == "worse" and worse["significant_regression"]
    assert p["p_value"] < 0.001 and p["broken"] > p["fixed"]
    assert (
        f"{p['fixed']:,} image" in worse["verdict"]["text"]
        and f"fixed, {p['broken']:,} broken" in worse["verdict"]["text"]
    )
    assert worse["noise"]["head_outside"] is True
    assert md.splitlines()[2].startswith("**🔴 head is worse: ")
    # The accuracy change and its interval agree with the two runs' own metrics.
    base_acc = json.loads(run(["git", "show", "HEAD:metrics/test.json"], proj).stdout)["accuracy"]
    assert worse["head"]["accuracy"] - worse["base"]["accuracy"] == pytest.approx(p["delta"])
    assert worse["base"]["accuracy"] == pytest.approx(base_acc, abs=1e-4)
    assert p["delta_ci"][0] <= p["delta"] < p["delta_ci"][1] < 0
    gate = scripts(str(ROOT / "scripts/pr_gate.py"), str(tmp_path / "worse" / "compare.json"), cwd=proj)
    assert gate.returncode == 1 and gate.stdout.startswith("significant regression: head is worse")

    better, _ = compare(proj, env, "untrained", "HEAD", tmp_path / "better")
    assert better["verdict"]["kind"] == "better" and not better["significant_regression"]
    assert better["paired"]["fixed"] == p["broken"] and better["paired"]["broken"] == p["fixed"]
    assert better["noise"] is None  # untrained has no band of its own
    gate = scripts(str(ROOT / "scripts/pr_gate.py"), str(tmp_path / "better" / "compare.json"), cwd=proj)
    assert gate.returncode == 0 and gate.stdout.startswith("no significant regression: head is better")


def test_names_show_as_text_in_the_comment_and_reports(proj, tmp_path):
    from markdown_it import MarkdownIt

    proj, env = proj
    figures, md = compare(proj, env, BRANCH, "untrained", tmp_path)
    sha = run(["git", "rev-parse", "--short=7", BRANCH], proj).stdout.strip()
    assert md.startswith(f"### imgclf: ``base`<i>x</i>@me`` ({sha}) → `untrained` (")
    # Every class is in the figures under its own name: pandas did not read NA or null as missing values.
    assert [r["class"] for r in figures["per_class"]] == sorted(CLASSES)
    # Rendered as GitHub does (CommonMark + tables), the names come out as literal code, never as markup.
    html = MarkdownIt("commonmark").enable("table").render(md)
    import html as htmllib
    import re

    codes = {htmllib.unescape(c) for c in re.findall(r"<code>(.*?)</code>", html)}
    assert BRANCH in codes
    named = {n for c in figures["confusion_changes"] for n in (c["true"], c["predicted"])}
    assert named and named <= codes
    assert "<i>" not in html and "<b>" not in html and "<em>" not in html
    assert "<table>" in html and "<th>metric</th>" in html

    page = render(tmp_path / "compare.html")
    assert page.console_errors == [] and page.requests == []
    assert page.text.index(figures["verdict"]["text"]) < page.text.index("Params that changed")
    for name in CLASSES:
        assert name in page.text
    assert f"{figures['head']['accuracy']:.2%}" in page.text


def test_pr_comment_body(proj, tmp_path):
    proj, env = proj
    figures, md = compare(proj, env, "HEAD", "untrained", tmp_path)
    (tmp_path / "compare.md").write_text(md)
    artifact = "https://github.com/o/r/actions/runs/1/artifacts/2"
    preview = "https://o.github.io/r/pr-preview/pr-5/"
    out = scripts(
        str(ROOT / "scripts/pr_comment.py"),
        str(tmp_path / "compare.md"),
        "--artifact-url",
        artifact,
        "--preview-url",
        preview,
        cwd=proj,
    )
    assert out.returncode == 0, out.stderr
    body = out.stdout.splitlines()
    # Readable on its own: the verdict first, then the headline table, the params, the confusion changes, links.
    assert body[0] == f"### imgclf: `HEAD` ({figures['base']['commit']}) → `untrained` ({figures['head']['commit']})"
    assert body[2] == f"**🔴 {figures['verdict']['text']}**"
    assert "| metric | base | head | change |" in body
    assert any(line.startswith("| test accuracy | ") for line in body)
    assert "**Params changed:** `train.epochs`: `15` → `1`, `train.learning_rate`: `0.003` → `0.0001`" in body, body
    assert any(line.startswith("**Largest confusion changes**") for line in body)
    assert body[-1] == (
        f"**Full report:** [compare.html]({preview.rstrip('/')}/compare.html) and the [head's run "
        f"report]({preview.rstrip('/')}/index.html), rendered (GitHub Pages preview of this PR); "
        f"[every report as a zip]({artifact}) (this run's artifact)."
    )
    # Without Pages only the artifact link; a URL that could break out of the link is refused.
    only = scripts(
        str(ROOT / "scripts/pr_comment.py"), str(tmp_path / "compare.md"), "--artifact-url", artifact, cwd=proj
    )
    assert (
        only.stdout.splitlines()[-1] == f"**Full report:** [every report as a zip]({artifact}) (this run's artifact)."
    )
    bad = scripts(
        str(ROOT / "scripts/pr_comment.py"),
        str(tmp_path / "compare.md"),
        "--artifact-url",
        "https://x/a) [click](https://evil",
        cwd=proj,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error: --artifact-url must be a plain https:// URL")


@pytest.mark.extended  # the verdict on different test sets: test_compare_text.py
def test_different_test_sets_get_no_paired_test(proj, tmp_path):
    proj, env = proj
    flat = tmp_path / "flat"  # outside the project, where DVC and git need not track it
    shutil.copytree(proj / "data" / "images" / "train", flat)
    try:
        run(["dvc", "exp", "run", "-n", "flat", "-S", f"data.folder={flat}"], proj, env=env)
        figures, md = compare(proj, env, "HEAD", "flat", tmp_path)
    finally:
        shutil.rmtree(flat)
    assert figures["verdict"]["kind"] == "not_comparable" and figures["paired"] is None
    assert figures["verdict"]["text"].startswith(
        "not comparable: the two runs were evaluated on different test sets (base has 96 test images, head 64)"
    )
    assert not figures["significant_regression"]
    assert "Paired test" not in md and "Right in base, wrong in head" not in (tmp_path / "compare.html").read_text()


@pytest.mark.extended  # what each difference of machine says, runs grouped by machine: test_compare_text.py
def test_runs_on_different_hardware_classes_are_flagged(proj, tmp_path):
    """metrics/environment.json (a DVC output of the train stage) set per branch with `dvc commit`: hw-a and hw-b
    differ, hw-b and hw-c do not, hw-none is an older run whose pipeline had no such output."""
    import yaml

    proj, env = proj
    other = tmp_path / "checkout"
    run(["git", "worktree", "add", "-q", "-b", "hw-none", str(other), "HEAD"], proj)
    try:
        run(["dvc", "cache", "dir", "--local", str(proj / ".dvc" / "cache")], other)
        run(["dvc", "checkout", "-q"], other, env=env)
        for branch, environment in (
            ("hw-a", {"precision": "mixed_bfloat16", "device": "CPU", "isa_class": "avx512_bf16"}),
            ("hw-b", {"precision": "float32", "device": "CPU", "isa_class": "avx2"}),
            ("hw-c", {"precision": "float32", "device": "CPU", "isa_class": "avx2"}),
        ):
            run(["git", "checkout", "-q", "-b", branch], other)
            (other / "metrics" / "environment.json").write_text(
                json.dumps({**environment, "cpu_model": "some CPU", "tensorflow": "2.21.0"})
            )
            run(["dvc", "commit", "-q", "-f", "train"], other, env=env)
            run(["git", "commit", "-qam", f"environment {branch}", "--allow-empty"], other)
        run(["git", "checkout", "-q", "hw-none"], other)
        for name in ("dvc.yaml", "dvc.lock"):
            text = (other / name).read_text()
            if name == "dvc.lock":
                lock = yaml.safe_load(text)
                for stage in lock["stages"].values():
                    for key in ("deps", "outs"):
                        stage[key] = [o for o in stage.get(key, []) if o["path"] != "metrics/environment.json"]
                text = yaml.safe_dump(lock, sort_keys=False)
            else:
                text = "".join(line for line in text.splitlines(True) if "metrics/environment.json" not in line)
            (other / name).write_text(text)
        run(["git", "commit", "-qam", "an older run: no environment.json"], other)
    finally:
        run(["git", "worktree", "remove", "--force", str(other)], proj)
    warning = "base ran on avx512_bf16/mixed_bfloat16, head on avx2/float32: training times are not comparable"
    figures, md = compare(proj, env, "hw-a", "hw-b", tmp_path / "ab")
    assert figures["hardware"] == warning and md.splitlines()[4] == f"⚠️ {warning}"
    assert warning in render(tmp_path / "ab" / "compare.html").text
    # Same hardware class, or an older run without the file: nothing to say.
    assert compare(proj, env, "hw-b", "hw-c", tmp_path / "bc")[0]["hardware"] is None
    assert compare(proj, env, "hw-none", "hw-b", tmp_path / "old")[0]["hardware"] is None
