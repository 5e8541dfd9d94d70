"""The run report, reports/index.html: everything a reviewer needs about one run, in one file.

Drawn by its own stage from the files the other stages wrote, so restyling it never retrains or re-predicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core import arrays, inputs, paths
from ..core.errors import UserError
from ..core.outputs import confusion_array
from ..core.revision import revision
from ..core.stats import interval, wilson
from ..core.text import plural
from ..params import Params, as_dict, flat_items
from . import data_section, diagram, plots
from . import html as h


@dataclass
class RunData:
    params: dict
    meta: dict  # data/dataset.json
    summary: dict  # test, per_class, confusion: as evaluation.summarize() wrote them
    train: dict  # metrics/train.json
    history: list[dict]
    layers: list[dict]  # reports/model_graph.json: the layer graph the build stage wrote
    param_count: int
    revision: str
    probs: np.ndarray
    y_test: np.ndarray
    x_test: np.ndarray | arrays.ImageFile  # read on demand from data/prepared
    augmentation_png: bytes | None = None
    files: list[str] = field(default_factory=list)  # each test image's name (its file in a folder dataset)
    data_summary: dict = field(default_factory=dict)  # data/summary.json: what went in
    environment: dict = field(default_factory=dict)  # metrics/environment.json: what the speed depends on


def read_run(p: Params) -> RunData:
    """Everything the report shows, from the outputs of prepare, build, train and evaluate."""
    try:
        return _read_run(p)
    except FileNotFoundError as exc:
        raise UserError(f"{exc.filename} is missing: run the earlier stages first (dvc repro)") from None


def _read_run(p: Params) -> RunData:
    """Every file through the guarded loader (imgclf.core.inputs), checked for what the drawing relies on: a
    damaged one is one line naming it and the stage that rewrites it, not a KeyError halfway through the page."""
    meta = arrays.load_meta(paths.DATASET)
    classes = meta["classes"]
    x_test, y_test = arrays.load_split(paths.PREPARED, "test", meta)
    samples = inputs.npz(paths.AUGMENTED, ("images", "labels", "augmented"))
    _check_samples(samples, len(classes))
    title = "augmented training samples" if samples["augmented"] else "training samples (augmentation off)"
    probs = inputs.npy(paths.PROBABILITIES, kind="f", ndim=2)
    want = (len(y_test), len(classes))
    inputs.check(probs.shape == want, paths.PROBABILITIES, f"probabilities of shape {probs.shape}, not {want}")
    test = inputs.json_file(paths.TEST_METRICS, keys=("accuracy", "loss", "macro_f1", "images"))
    _numbers(test, ("accuracy", "loss", "macro_f1", "images"), paths.TEST_METRICS)
    per_class = inputs.json_file(paths.PER_CLASS, keys=classes)
    for c in classes:
        inputs.check(isinstance(per_class[c], dict), paths.PER_CLASS, f"class {c!r} holds no scores")
        _numbers(per_class[c], ("precision", "recall", "f1", "support"), paths.PER_CLASS)
    confusion = inputs.json_file(paths.CONFUSION, keys=classes)
    for c in classes:
        inputs.check(isinstance(confusion[c], dict), paths.CONFUSION, f"the row of class {c!r} holds no counts")
        _numbers(confusion[c], classes, paths.CONFUSION)
    layers = inputs.json_file(paths.MODEL_GRAPH, kind=list)
    for layer in layers:
        inputs.check(
            isinstance(layer, dict) and all(k in layer for k in ("name", "type", "output_shape", "params", "inputs")),
            paths.MODEL_GRAPH,
            "a layer without its name, type, output_shape, params and inputs",
        )
    model_metrics = inputs.json_file(paths.MODEL_METRICS, keys=("parameters",))
    _numbers(model_metrics, ("parameters",), paths.MODEL_METRICS)
    return RunData(
        params=as_dict(p),
        meta=meta,
        summary={"test": test, "per_class": per_class, "confusion": confusion},
        train=inputs.json_file(paths.TRAIN_METRICS),
        history=inputs.csv_rows(paths.HISTORY, columns=("epoch",)),
        layers=layers,
        param_count=int(model_metrics["parameters"]),
        revision=revision(),
        probs=probs,
        y_test=y_test,
        x_test=x_test,
        augmentation_png=plots.image_grid(samples["images"], _captions(samples, classes), title=title),
        files=arrays.load_files(paths.PREPARED, "test", len(y_test)),
        data_summary=inputs.json_file(paths.DATA_SUMMARY) if paths.DATA_SUMMARY.exists() else {},
        environment=inputs.json_file(paths.ENVIRONMENT),
    )


def _numbers(d: dict, keys, path: Path) -> None:
    bad = [k for k in keys if isinstance(d.get(k), bool) or not isinstance(d.get(k), (int, float))]
    inputs.check(not bad, path, f"{bad[0]!r} is {d.get(bad[0])!r}, not a number" if bad else "")


def _check_samples(samples: dict, classes: int) -> None:
    """data/augmented_samples.npz: images (N x H x W x C), and per image a class or a row of class shares."""
    images, labels = samples["images"], samples["labels"]
    inputs.check(
        images.ndim == 4 and images.dtype.kind in "uif", paths.AUGMENTED, f"images of {images.dtype} {images.shape}"
    )
    one_hot = labels.ndim == 2 and labels.shape[1] == classes and labels.dtype.kind == "f"
    ints = labels.ndim == 1 and labels.dtype.kind in "iu" and arrays.label_problem(labels, classes) is None
    inputs.check(
        (one_hot or ints) and len(labels) == len(images),
        paths.AUGMENTED,
        f"labels of {labels.dtype} {labels.shape} for {len(images)} images of {classes} classes",
    )


def _captions(samples, classes: list[str]) -> list[str]:
    """A training sample's class; a MixUp or CutMix blend names both classes and their shares."""
    labels = np.asarray(samples["labels"])
    if labels.ndim == 1:
        return [classes[int(y)] for y in labels]
    out = []
    for row in labels:
        top = np.argsort(-row)[:2]
        out.append(
            classes[top[0]]
            if row[top[1]] < 0.05
            else f"{classes[top[0]]} {row[top[0]]:.0%} / {classes[top[1]]} {row[top[1]]:.0%}"
        )
    return out


def worst_mistakes(probs: np.ndarray, y: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n most confident wrong predictions."""
    pred = probs.argmax(axis=1)
    wrong = np.flatnonzero(pred != np.asarray(y))
    return wrong[np.argsort(-probs[wrong, pred[wrong]], kind="stable")][:n]


def _relevant(params: dict) -> dict:
    """Hide settings that do not apply to this run (a custom network that is not used, folder options)."""
    p = {k: (dict(v) if isinstance(v, dict) else v) for k, v in params.items()}
    if p["model"]["preset"] != "custom":
        p["model"].pop("custom", None)
    if p["data"]["dataset"] != "folder":
        p["data"] = {k: v for k, v in p["data"].items() if k in ("dataset", "val_split")}
    return p


def params_list(params: dict) -> str:
    items = "".join(f"<div><code>{h.esc(k)}</code>: {h.esc(v)}</div>" for k, v in flat_items(params))
    return f'<div class="params">{items}</div>'


def machine_items(environment: dict) -> dict:
    """environment.json as the Machine section lists it: lists as text, and only what was recorded (an empty
    warning or ONEDNN_MAX_CPU_ISA that was not set says nothing)."""
    shown = {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in environment.items()}
    return {k: v for k, v in shown.items() if v not in ("", None)}


def confusion_section(cm: np.ndarray, classes: list[str]) -> str:
    rows = cm.sum(axis=1, keepdims=True)
    norm = np.divide(cm, rows, out=np.zeros_like(cm, dtype=float), where=rows > 0)
    return (
        '<div class="cm-wrap">'
        + h.heatmap(cm, classes, fmt=lambda v: f"{int(v)}", title="Counts")
        + h.heatmap(norm * 100, classes, fmt=lambda v: f"{v:.1f}", title="Row-normalised (% of each true class)")
        + "</div>"
    )


def per_class_table(per_class: dict, cm: np.ndarray) -> str:
    """Precision, recall and F1 per class; recall (the class's accuracy) with its 95% Wilson interval."""
    rows = [
        (
            c,
            f"{m['precision']:.3f}",
            f"{m['recall']:.3f}",
            interval(wilson(int(cm[i, i]), int(cm[i].sum()))),
            f"{m['f1']:.3f}",
            m["support"],
        )
        for i, (c, m) in enumerate(per_class.items())
    ]
    return h.table(["class", "precision", "recall (accuracy)", "95% CI", "F1", "support"], rows)


def mistakes_gallery(x, y, probs, classes, indices, files=None) -> str:
    figs = []
    for i in indices:
        name = files[i] if files else f"#{i}"
        p = int(probs[i].argmax())
        figs.append(
            h.figure(
                plots.png_of_image(np.asarray(x[i])),
                [
                    ("wrong", f"predicted {classes[p]} {probs[i, p]:.0%}"),
                    ("", f"true {classes[int(y[i])]} {probs[i, int(y[i])]:.0%}"),
                    ("note", name),
                ],
                alt=f"test image {name}",
            )
        )
    return f'<div class="gallery">{"".join(figs)}</div>' if figs else '<p class="note">No mistakes.</p>'


def samples_gallery(x, y, probs, classes, indices, files=None) -> str:
    figs = []
    for i in indices:
        top = np.argsort(-probs[i])[:3]
        right = int(top[0]) == int(y[i])
        name = files[i] if files else f"#{i}"
        lines = [("right" if right else "wrong", f"true {classes[int(y[i])]}")]
        lines += [("", f"{classes[k]} {probs[i, k]:.1%}") for k in top] + [("note", name)]
        figs.append(h.figure(plots.png_of_image(np.asarray(x[i])), lines, alt=f"test image {name}"))
    return f'<div class="gallery">{"".join(figs)}</div>'


def render(run: RunData, gallery: int, seed: int) -> str:
    classes = run.meta["classes"]
    test = run.summary["test"]
    cm = confusion_array(run.summary["confusion"], classes)
    p = run.params

    cards = "".join(
        [
            h.card(
                "test accuracy",
                f"{test['accuracy']:.2%}",
                f"95% CI {h.esc(interval(wilson(int(np.trace(cm)), int(cm.sum()))))}",
                "same",
            ),
            h.card("test loss", f"{test['loss']:.4f}", "cross-entropy", "same"),
            h.card("validation loss", f"{run.train['val_cross_entropy']:.4f}", "cross-entropy", "same")
            if "val_cross_entropy" in run.train
            else "",
            h.card("macro F1", f"{test['macro_f1']:.4f}"),
            h.card(
                "training time",
                f"{run.train.get('train_seconds', 0):.0f} s",
                f"{run.train.get('images_per_second', 0):,.0f} images/s",
                "same",
            ),
            h.card("parameters", f"{run.param_count:,}"),
            h.card(
                "precision",
                h.esc(run.environment.get("precision", "?")),
                h.esc(f"{run.environment.get('device', '?')}, {run.environment.get('isa_class', '?')}"),
                "same",
            )
            if run.environment
            else "",
        ]
    )
    rng = np.random.default_rng(seed)
    samples = np.sort(rng.choice(len(run.y_test), size=min(16, len(run.y_test)), replace=False))
    body = [
        f'<div class="cards">{cards}</div>',
        "<h2>Learning curves</h2>",
        h.img(
            plots.learning_curves({"": run.history}),
            "loss and accuracy per epoch",
            narrow=plots.learning_curves({"": run.history}, stacked=True),
        )
        if run.history
        else "",
        f'<p class="note">{plural(len(run.history), "epoch")}; final validation accuracy '
        f"{run.train.get('val_accuracy', float('nan')):.2%}, train accuracy "
        f"{run.train.get('train_accuracy', float('nan')):.2%}"
        f" (train accuracy is measured on augmented batches while the weights change). The test and validation "
        f"losses above and the curves are plain cross-entropy, comparable with each other; the training objective "
        f"(<code>loss</code>, <code>val_loss</code> in metrics/) adds label smoothing of "
        f"{p['train']['label_smoothing']}.</p>",
        "<h2>Confusion matrix (test set)</h2>",
        '<p class="note">Rows are the true class, columns the predicted class. Green: correct predictions (the '
        "diagonal); orange: mistakes, shaded on their own scale so that small ones stay visible.</p>",
        confusion_section(cm, classes),
        "<h2>Per-class precision, recall and F1</h2>",
        per_class_table(run.summary["per_class"], cm),
        "<h2>Most confident mistakes</h2>",
        mistakes_gallery(
            run.x_test, run.y_test, run.probs, classes, worst_mistakes(run.probs, run.y_test, gallery), run.files
        ),
        "<h2>Sample test predictions (top 3)</h2>",
        samples_gallery(run.x_test, run.y_test, run.probs, classes, samples, run.files),
    ]
    if run.augmentation_png:
        body += [
            "<h2>Augmented training samples</h2>",
            '<p class="note">What the network sees during training (drawn fresh every batch, never stored).</p>',
            h.img(run.augmentation_png, "augmented training images"),
        ]
    body += ["<h2>Data</h2>", data_section.section(run.data_summary)]
    if run.environment:
        body += [
            "<h2>Machine</h2>",
            '<p class="note">Training time holds only for this hardware class and precision; '
            "<code>imgclf compare</code> warns when two runs differ here.</p>",
            params_list(machine_items(run.environment)),
        ]
    body += ["<h2>Model</h2>", diagram.section(run.layers), "<h2>Params</h2>", params_list(_relevant(p))]
    sub = (
        f"{h.esc(run.meta['dataset'])} &middot; preset <b>{h.esc(p['model']['preset'])}</b> &middot; "
        f"{test['images']:,} test images &middot; revision {h.esc(run.revision)}"
    )
    return h.page("imgclf run report", sub, "\n".join(body))
