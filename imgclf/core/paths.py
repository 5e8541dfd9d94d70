"""Every file and folder the pipeline reads or writes, declared once (relative to the project root).

dvc.yaml declares the same paths to DVC; tests/test_layout.py holds the two equal. Folders are the stages'
own: `data/` for what the data stages keep, `models/` the trained model, `metrics/` the small files that
`dvc metrics` and `dvc plots` read (kept in git), `reports/` the HTML a person reads.
"""

from __future__ import annotations

from pathlib import Path

# data: the default image folder, the validated params' marker, downloads, the prepared arrays
IMAGES = Path("data/images")  # data.folder's default: a folder dataset's images
VALIDATED = Path("data/params.valid")  # validate: constant, so a valid change reruns nothing
DOWNLOADS = Path("data/downloads")  # the datasets' verified official files (a cache, git-ignored)
PREPARED = Path("data/prepared")  # prepare: <split>_x.npy (uint8 NHWC) and <split>_y.npy
DATASET = Path("data/dataset.json")  # prepare: classes and image shape, all the model depends on
DATA_SUMMARY = Path("data/summary.json")  # prepare: what went in (per split and class, sizes, skipped, duplicates)
FOLDER_SCAN = Path("data/.folder-scan.json")  # validate and prepare: each image's findings, by path and date (a cache)
AUGMENTED = Path("data/augmented_samples.npz")  # train: what the network saw, drawn by the report

# models
START = Path("models/start")  # a user's own starting weights (.h5, .keras): a dependency of the weights stage
PRETRAINED = Path("models/pretrained")  # weights: what train starts from, verified (weights file and source.json)
MODEL = Path("models/model.keras")  # train: the classifier (DVC artifact `classifier`)
EXPORTED = Path("models/export")  # export: the deployable formats and their dataset.json
CHECKPOINT = Path("build/checkpoints/train")  # train: the last finished epoch, to resume from (git-ignored, no DVC)

# metrics (in git; read by `dvc metrics`, `dvc plots`, `imgclf compare`)
DATA_METRICS = Path("metrics/data.json")  # prepare: split sizes, skipped files
MODEL_METRICS = Path("metrics/model.json")  # build: parameter count
TRAIN_METRICS = Path("metrics/train.json")  # train: time, speed, final train/validation scores
HISTORY = Path("metrics/history.csv")  # train: one row per epoch
ENVIRONMENT = Path("metrics/environment.json")  # train: precision, device, CPU class, versions
TEST_METRICS = Path("metrics/test.json")  # evaluate: the headline numbers
PER_CLASS = Path("metrics/per_class.json")  # evaluate: precision, recall, F1 per class
CONFUSION = Path("metrics/confusion.json")  # evaluate: {true class: {predicted class: count}}
PREDICTIONS = Path("metrics/predictions.csv")  # evaluate: one row per test image
PROBABILITIES = Path("metrics/test_probabilities.npy")  # evaluate: the class probabilities (DVC-cached)
EXPORT_METRICS = Path("metrics/export.json")  # export: each format's accuracy, agreement and speed
NOISE = Path("metrics/noise.json")  # `imgclf noise`: the seed band, committed by hand

# reports
REPORTS = Path("reports")
REPORT = REPORTS / "index.html"  # report: the run report
MODEL_SUMMARY = REPORTS / "model_summary.txt"  # build: the layer table
MODEL_GRAPH = REPORTS / "model_graph.json"  # build: the layer graph the report draws
COMPARE = ("compare.html", "compare.md", "compare.json")  # `imgclf compare BASE HEAD`, in its --out folder
LEADERBOARD = ("leaderboard.html", "leaderboard.md", "leaderboard.json", "leaderboard.png")  # and of 3+ runs

# the outputs of the stages, for the clean-up of temporaries a killed run left beside them
STAGE_OUTPUTS = (
    VALIDATED,
    PREPARED,
    DATASET,
    DATA_SUMMARY,
    AUGMENTED,
    PRETRAINED,
    MODEL,
    EXPORTED,
    DATA_METRICS,
    MODEL_METRICS,
    TRAIN_METRICS,
    HISTORY,
    ENVIRONMENT,
    TEST_METRICS,
    PER_CLASS,
    CONFUSION,
    PREDICTIONS,
    PROBABILITIES,
    EXPORT_METRICS,
    REPORT,
    MODEL_SUMMARY,
    MODEL_GRAPH,
)
