"""Plots draw every user-given string (class names, branch names) as plain text (issue 9, defect 9); `dvc plots`
pages draw offline, with whole-number epochs, named axes and the true classes as rows in class order."""

import io
import json
from pathlib import Path

import numpy as np
import pytest
from browser import render
from conftest import run
from PIL import Image

from imgclf.core.paths import PREDICTIONS
from imgclf.report import plots

# Valid mathtext, mathtext that makes matplotlib raise, and plain dollars.
NAMES = [r"$\alpha$_1", r"$\notacommand{x}$", "$x^$", "cost $5 or $6", "a_b^c"]


def size(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


@pytest.mark.parametrize("name", NAMES)
def test_image_grid_titles_are_plain_text(name):
    images = np.zeros((2, 8, 8, 1), np.uint8)
    png = plots.image_grid(images, [name, "ok"], cols=2, title=name)
    assert size(png)[0] > 50


@pytest.mark.parametrize("name", NAMES)
def test_learning_curve_legends_are_plain_text(name):
    rows = [
        {
            "epoch": e,
            "loss": 1 / e,
            "val_loss": 1.1 / e,
            "accuracy": 0.5,
            "val_accuracy": 0.4,
            "cross_entropy": 0.9 / e,
            "val_cross_entropy": 1 / e,
        }
        for e in (1, 2)
    ]
    png = plots.learning_curves({f"base ({name})": rows, f"head ({name})": rows})
    assert size(png)[0] > 200


def test_a_title_is_drawn_as_written_not_as_mathtext():
    """A figure title `$\\alpha$_1 ...` as plain text makes a wider PNG than as mathtext (one glyph)."""
    from matplotlib.figure import Figure

    def drawn(parse_math: bool) -> bytes:
        fig = Figure(figsize=(1, 1))
        fig.text(0, 0, r"$\alpha$_1 $\beta$_2 $\gamma$_3", parse_math=parse_math)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight")
        return buf.getvalue()

    images = np.zeros((1, 8, 8, 1), np.uint8)
    ours = plots.image_grid(images, [""], cols=1, title=r"$\alpha$_1 $\beta$_2 $\gamma$_3")
    assert size(drawn(False))[0] > 1.5 * size(drawn(True))[0]
    assert size(ours)[0] > 1.5 * size(drawn(True))[0]


# `dvc plots show/diff` pages (.dvc/plots/): drawn offline, whole-number epochs, named axes, true classes as rows.
DRAWN = "document.querySelectorAll('.vega-embed svg.marks').length >= 3"
# Per chart: its title, its SVGs, its facets' headers (the revisions of a confusion matrix) and each labelled axis
# ('x' or 'y', title, tick labels), as vega drew them.
AXES = """Array.from(document.querySelectorAll('.vega-embed')).map(e => ({
  title: Array.from(e.querySelectorAll('.role-frame.root > g > g > .role-title text')).map(t => t.textContent)[0],
  svgs: e.querySelectorAll('svg.marks').length,
  columns: Array.from(e.querySelectorAll('.role-column-header text')).map(t => t.textContent),
  axes: Array.from(e.querySelectorAll('g.role-axis[aria-label]')).map(a => ({
    orient: a.getAttribute('aria-label')[0].toLowerCase(),
    title: Array.from(a.querySelectorAll('.role-axis-title text')).map(t => t.textContent).join(' '),
    labels: Array.from(a.querySelectorAll('.role-axis-label text')).map(t => t.textContent)}))}))"""
Y_TITLES = {"Cross-entropy (no label smoothing)": "cross-entropy", "Accuracy": "accuracy"}


def drawn_offline(page: Path, revisions: list[str], screenshot: Path | None = None) -> dict[str, list[dict]]:
    """The charts of a `dvc plots` page opened with the network off: {chart title: its labelled axes}."""
    shown = render(page, screenshot=screenshot, offline=True, wait_for=DRAWN, evaluate=AXES)
    assert shown.blocked == [] and shown.requests == [] and shown.console_errors == []
    charts = {chart["title"]: chart for chart in shown.evaluated}
    assert set(charts) == {*Y_TITLES, "Confusion matrix (test set)"}
    assert all(chart["svgs"] == 1 for chart in charts.values())
    assert sorted(charts["Confusion matrix (test set)"]["columns"]) == sorted(revisions)  # one matrix per revision
    return {title: chart["axes"] for title, chart in charts.items()}


def read_csv(path: Path):
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False)


def check_axes(project: Path, charts: dict[str, list[dict]], predictions: list) -> None:
    """Epoch ticks are whole numbers, y axes are named, and the confusion matrix has the true classes as rows and
    the predicted ones as columns, both in the dataset's class order (`predictions`: each revision's table)."""
    epochs = len(read_csv(project / "metrics/history.csv"))
    for title, y_title in Y_TITLES.items():
        (x,) = [a for a in charts[title] if a["orient"] == "x"]
        (y,) = [a for a in charts[title] if a["orient"] == "y"]
        assert x["title"] == "epoch" and x["labels"] == [str(e) for e in range(1, epochs + 1)], x
        assert y["title"] == y_title, y
    classes = json.loads((project / "data/dataset.json").read_text())["classes"]
    axes = charts["Confusion matrix (test set)"]
    assert {a["orient"] for a in axes} == {"x", "y"}
    for axis in axes:  # one x axis per revision shown
        title, column = {"y": ("true class", "actual"), "x": ("predicted class", "predicted")}[axis["orient"]]
        shown = {c for table in predictions for c in table[column]}
        assert axis["title"] == title and axis["labels"] == [c for c in classes if c in shown], axis
    assert len({c for table in predictions for c in table["actual"]}) > 2


@pytest.mark.slow
def test_dvc_plots_draw_offline_with_whole_epochs_named_axes_and_true_classes_as_rows(trained_project, tmp_path):
    project = trained_project
    run(["dvc", "plots", "show", "-o", str(tmp_path / "show")], project)
    charts = drawn_offline(tmp_path / "show" / "index.html", ["workspace"], screenshot=tmp_path / "show.png")
    committed = read_csv(project / PREDICTIONS)
    check_axes(project, charts, [committed])
    classes = json.loads((project / "data/dataset.json").read_text())["classes"]
    assert classes != sorted(classes)  # so class order is not alphabetical order by chance

    # An experiment, then `dvc plots diff` against the commit: both revisions drawn, offline, the same way.
    run(["dvc", "exp", "run", "-S", "eval.tta_flip=false"], project)
    run(["dvc", "plots", "diff", "HEAD", "-o", str(tmp_path / "diff")], project)
    page = (tmp_path / "diff" / "index.html").read_text()
    assert "cdn.jsdelivr" not in page and '"rev": "HEAD"' in page and '"rev": "workspace"' in page
    charts = drawn_offline(tmp_path / "diff" / "index.html", ["HEAD", "workspace"])
    check_axes(project, charts, [committed, read_csv(project / PREDICTIONS)])

    # The control: DVC's own page loads the libraries from a CDN, so offline it draws nothing.
    from dvc_render.html import PAGE_HTML

    (tmp_path / "dvc.html").write_text(PAGE_HTML)
    run(["dvc", "plots", "show", "-o", str(tmp_path / "cdn"), "--html-template", str(tmp_path / "dvc.html")], project)
    cdn = render(tmp_path / "cdn" / "index.html", offline=True, evaluate="document.querySelectorAll('svg').length")
    assert cdn.blocked and all("cdn.jsdelivr.net" in url for url in cdn.blocked) and cdn.evaluated == 0
