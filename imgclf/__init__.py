"""imgclf: an image-classification pipeline driven by DVC, in sub-packages that follow the pipeline.

    core      errors, atomic writes, every output path, the prepared arrays, the machine, TensorFlow's start-up
    params    the schema of params.yaml, loading with one-line errors, the params table
    data      the datasets: official sources and mirrors, file formats, image folders, the split (prepare)
    model     presets and `model.custom` built into a Keras model (build, train)
    train     augmentation, the input pipeline, the optimizer and the fit loop (train)
    evaluate  predictions with test-time augmentation and the test metrics (evaluate)
    report    the run report and the HTML, plots and diagram every page uses (report)
    serve     export to deployable formats, their runtimes, `imgclf predict` (export)
    review    comparisons of runs, their verdicts, the seed band and the leaderboard (`imgclf compare`, `noise`)
    share     the shared DVC remote (`imgclf push`, `pull`)
    testing   synthetic data and throw-away projects for the tests and benchmarks

`imgclf.stage` is how the scripts in stages/ start; `imgclf.cli` is the `imgclf` command.
"""

__version__ = "0.1.0"
