"""The experiments table of `imgclf exps` on a terminal; tests/test_reports.py renders it at 100 columns on real
experiments (the fixture's), with the warning when an experiment keeps the `-S` values an earlier one left."""


def test_a_long_params_cell_wraps_onto_continuation_lines_instead_of_being_cut():
    from imgclf.review.terminal import table

    changed = "model.preset=tutorial_mlp300 train.learning_rate=0.006 data.augment.flip=true"
    lines = table([["mlp300", "59.50%", changed]], ["run", "accuracy", "params"], cols=50).splitlines()
    assert all(len(line) <= 50 for line in lines) and len(lines) == 4, lines
    assert lines[1].startswith("mlp300") and all(line.startswith(" " * 18) for line in lines[2:])
    assert " ".join(line[18:] for line in lines[1:]).split() == changed.split()
