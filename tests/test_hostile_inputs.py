"""Hostile inputs, each made here: labels outside the classes, outputs that cannot be written, damaged files
between stages, a params.yaml that is an alias bomb, not UTF-8 or has a key twice, and names with control
characters. Every one ends in one `error:` line (no traceback) or in escaped text; hangs are run under a time limit."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import BIN, ROOT, make_project, run
from support import one_line, the_error

from imgclf import params
from imgclf.core import arrays, atomic, inputs, paths
from imgclf.core.errors import UserError
from imgclf.core.text import printable
from imgclf.data import builtin, cifar, idx
from imgclf.testing import synthetic

# ------------------------------------------------------------------ helpers

_DAC = "cap_dac_override,cap_dac_read_search,cap_fowner"
ROOT_USER = os.geteuid() == 0
needs_file_modes = pytest.mark.skipif(
    ROOT_USER and shutil.which("capsh") is None, reason="root ignores file modes; capsh drops that privilege"
)


def bound_by_modes(command: str) -> list[str]:
    """A shell command run so that file modes bind: root ignores them unless it drops its DAC capabilities."""
    if ROOT_USER:
        return ["capsh", f"--drop={_DAC}", "--", "-c", command]
    return ["sh", "-c", command]


def shell(command: str, cwd: Path, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    full = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **(env or {})}
    return subprocess.run(bound_by_modes(command), cwd=cwd, capture_output=True, text=True, env=full, timeout=timeout)


def fashion_mirror(root: Path, **replaced: bytes) -> dict[str, str]:
    """A small synthetic Fashion-MNIST mirror with some files replaced by these IDX bytes, vouched for by the
    mirror's own checksums (as a private mirror would): returns the environment that points at it."""
    sums = synthetic.fashion_mirror(root / "mirror", n_train=60, n_test=20)
    for name, data in replaced.items():
        packed = gzip.compress(data, mtime=0)
        (root / "mirror" / "fashion-mnist" / name).write_bytes(packed)
        sums[f"fashion-mnist/{name}"] = hashlib.md5(packed).hexdigest()
    checks = synthetic.write_checksums(root / "checksums.json", sums)
    return {"IMGCLF_MIRROR": str(root / "mirror"), "IMGCLF_CHECKSUMS": str(checks)}


def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    """IDX bytes of any dtype (idx.encode writes uint8 only)."""
    big = array.astype(array.dtype.newbyteorder(">"))
    return bytes([0, 0, code, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape) + big.tobytes()


def labels_of(n: int, bad_at: int | None = None, bad: int = 200) -> np.ndarray:
    y = (np.arange(n) % 10).astype(np.uint8)
    if bad_at is not None:
        y[bad_at] = bad
    return y


def repro_within(project: Path, seconds: int) -> subprocess.CompletedProcess:
    """`dvc repro`, failing the test (TimeoutExpired) if it hangs past `seconds`."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["dvc", "repro"], cwd=project, capture_output=True, text=True, timeout=seconds, env=env)


# ------------------------------------------------------------------ 1. labels outside the classes


def test_idx_labels_outside_the_classes_stop_prepare_under_dvc_and_nothing_is_cached(tmp_path):
    """A label of 200 used to pass prepare, train to chance and crash evaluate, and DVC's run cache kept it."""
    env = fashion_mirror(tmp_path, **{"train-labels-idx1-ubyte.gz": idx.encode(labels_of(60, bad_at=7))})
    proj = make_project(tmp_path / "project", env)
    proc = run(["dvc", "repro"], proj, check=False, env=env)
    line = the_error(proc.stderr)
    assert proc.returncode != 0 and "Running stage 'train'" not in proc.stdout
    assert (
        "data/downloads/fashion-mnist/train-labels-idx1-ubyte.gz: label 200 at index 7 is outside the 10 classes "
        "(labels 0-9) of Fashion-MNIST; it is not Fashion-MNIST's file: delete it" in line
    ), line
    assert not (proj / "data" / "prepared").exists() and not (proj / "data" / "dataset.json").exists()
    runs = proj / ".dvc" / "cache" / "runs"
    assert not runs.exists() or not [p for p in runs.rglob("*") if p.is_file()], "a failed prepare was cached"
    print(f"\nLINE: {line}", file=sys.__stdout__)


@pytest.mark.parametrize(
    "name, data, match",
    [
        (
            "t10k-labels-idx1-ubyte.gz",
            idx.encode(labels_of(20, bad_at=19, bad=10)),
            r"t10k-labels-idx1-ubyte.gz: label 10 at index 19 is outside the 10 classes",
        ),
        (
            "train-labels-idx1-ubyte.gz",
            idx_bytes(labels_of(60).astype(np.float32), 0x0D),
            r"train-labels-idx1-ubyte.gz holds float32 data of shape \(60,\), not one integer label per image",
        ),
        (
            "train-labels-idx1-ubyte.gz",
            idx.encode(labels_of(60).reshape(30, 2)),
            r"train-labels-idx1-ubyte.gz holds uint8 data of shape \(30, 2\), not one integer label",
        ),
        (
            "train-labels-idx1-ubyte.gz",
            idx.encode(labels_of(59)),
            r"train-images-idx3-ubyte.gz holds 60 images but .*train-labels-idx1-ubyte.gz holds 59 labels",
        ),
        (
            "train-images-idx3-ubyte.gz",
            idx_bytes(np.zeros((60, 28, 28), np.int16), 0x0B),
            r"train-images-idx3-ubyte.gz holds int16 data of shape \(60, 28, 28\), not uint8 images",
        ),
    ],
)
def test_each_idx_problem_is_one_line_naming_the_file(tmp_path, monkeypatch, capsys, name, data, match):
    for key, value in fashion_mirror(tmp_path, **{name: data}).items():
        monkeypatch.setenv(key, value)
    one_line(capsys, builtin.load, "fashion_mnist", tmp_path / "downloads", match=match)


def test_a_cifar_label_outside_the_classes_is_one_line(tmp_path, capsys):
    x, y = synthetic.patterned_images(6, 32, 3, 10, 0)
    y[4] = 10
    (tmp_path / "data_batch_1.bin").write_bytes(cifar.encode(x, y))
    one_line(
        capsys,
        cifar.load,
        tmp_path,
        ["data_batch_1.bin"],
        match=r"data_batch_1.bin: label 10 at index 4 is outside the 10 classes \(labels 0-9\) of CIFAR-10",
    )


def _prepared(folder: Path, y: np.ndarray, x: np.ndarray | None = None, classes: int = 3) -> Path:
    """data/prepared/test_{x,y}.npy and data/dataset.json as prepare writes them, with these labels."""
    prepared = folder / "prepared"
    prepared.mkdir(parents=True)
    np.save(prepared / "test_x.npy", np.zeros((len(y), 4, 4, 1), np.uint8) if x is None else x)
    np.save(prepared / "test_y.npy", y, allow_pickle=True)
    meta = {"dataset": "folder", "classes": [f"c{i}" for i in range(classes)], "image_shape": [4, 4, 1]}
    (folder / "dataset.json").write_text(json.dumps(meta))
    return prepared


@pytest.mark.parametrize(
    "y, x, match",
    [
        (
            np.array([0, 1, 3, 2], np.int32),
            None,
            r"test_y.npy is corrupt \(label 3 at index 2 is outside the 3 classes",
        ),
        (np.array([0, -1], np.int32), None, r"label -1 at index 1 is outside"),
        (np.array([0.0, 1.0]), None, r"test_y.npy is corrupt \(an array of float64, not of integers\)"),
        (np.array([[0, 1]], np.int32), None, r"test_y.npy is corrupt \(an array of shape \(1, 2\), not of 1 dimension"),
        (np.array([0, 1, 2], np.int32), np.zeros((2, 4, 4, 1), np.uint8), r"test is corrupt \(2 images but 3 labels"),
        (np.array([0, 1]), np.zeros((2, 4, 4, 1), np.float32), r"test_x.npy is corrupt \(images of float32"),
        (
            np.array([0, 1]),
            np.zeros((2, 5, 4, 1), np.uint8),
            r"test_x.npy is corrupt \(images of shape \(5, 4, 1\), not",
        ),
        (np.array([{"a": 1}], object), None, r"test_y.npy is corrupt \(Object arrays cannot be loaded"),
    ],
)
def test_prepared_splits_are_checked_where_they_are_read(tmp_path, capsys, y, x, match):
    prepared = _prepared(tmp_path / "data", y, x)
    line = one_line(capsys, arrays.load_split, prepared, "test", match=match)
    assert "rerun the prepare stage (dvc repro -f -s prepare, then dvc repro)" in line


def test_good_prepared_splits_still_load(tmp_path):
    x, y = arrays.load_split(_prepared(tmp_path / "data", np.array([0, 2, 1], np.int32)), "test")
    assert len(x) == 3 and y.tolist() == [0, 2, 1]


# ------------------------------------------------------------------ 2. outputs that cannot be written


@needs_file_modes
@pytest.mark.parametrize("folder, stage, output", [("metrics", "prepare", "metrics/data.json")])
def test_a_read_only_output_folder_under_dvc_repro_is_one_line(tmp_path, mirror, folder, stage, output):
    proj = make_project(tmp_path / "project")
    (proj / folder).mkdir(exist_ok=True)
    (proj / folder).chmod(0o555)
    try:
        proc = shell(f"dvc repro {stage}", proj)
    finally:
        (proj / folder).chmod(0o755)
    line = the_error(proc.stderr)
    assert proc.returncode != 0
    assert line == (
        f"error: cannot write {output}: permission denied (the folder {folder} is read-only): make it writable "
        f"(chmod u+w {folder}) and rerun"
    ), line
    assert [p.name for p in (proj / folder).iterdir() if p.name.startswith(".") and "tmp" in p.name] == []
    print(f"\nLINE: {line}", file=sys.__stdout__)


@needs_file_modes
def test_a_stage_run_by_hand_into_a_read_only_folder_is_one_line(trained_project):
    (trained_project / "reports").chmod(0o555)
    try:
        proc = shell(f"{sys.executable} -m stages.report", trained_project)
    finally:
        (trained_project / "reports").chmod(0o755)
    line = the_error(proc.stderr)
    assert proc.returncode == 2 and "cannot write reports/index.html: permission denied (the folder reports is " in line
    print(f"\nLINE: {line}", file=sys.__stdout__)


def test_a_read_only_file_system_and_a_place_that_takes_no_files(tmp_path, capsys):
    """Under unshare (a read-only bind mount: EROFS, where even removing a missing temporary fails) and /proc."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"]).returncode:
        pytest.skip("needs unshare for a read-only mount")
    out = tmp_path / "ro"
    out.mkdir()
    code = (
        "import sys; from imgclf.core import atomic, cli_entry;"
        "a = cli_entry(atomic.write_text)(sys.argv[1], 'x');"
        "b = cli_entry(atomic.atomic_dir(sys.argv[2]).__enter__)(); sys.exit(a or b)"
    )
    proc = subprocess.run(
        ["unshare", "-rm", "sh", "-c", f'mount --bind {out} {out} && mount -o remount,bind,ro {out} && "$@"', "-"]
        + [sys.executable, "-c", code, f"{out}/index.html", f"{out}/export"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and len(errors) == 2, proc.stderr
    assert (
        errors[0]
        == f"error: cannot write {out}/index.html: read-only file system ({out} is on a read-only file system); "
        "write elsewhere"
    )
    assert errors[1].startswith(f"error: cannot write {out}/export: read-only file system")
    one_line(
        capsys,
        atomic.write_text,
        "/proc/imgclf-predictions.csv",
        "x",
        match=r"cannot write /proc/imgclf-predictions.csv: no such file or directory \(the folder /proc takes no new",
    )
    one_line(
        capsys,
        atomic.write_json,
        "/proc/self/imgclf/out.json",
        {},
        match=r"cannot write /proc/self/imgclf/out.json: .* \(the folder /proc/self takes no new files\)",
    )


def test_reading_a_missing_input_inside_a_write_is_not_blamed_on_the_output(tmp_path):
    """Only errors about the output or its temporary become `cannot write`: a missing input stays what it is."""
    with pytest.raises(FileNotFoundError):
        with atomic.atomic_dir(tmp_path / "out"):
            (tmp_path / "no-such-input.json").read_text()


@needs_file_modes
def test_check_writable_names_the_output_before_dvc_deletes_it(tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports").chmod(0o555)
    code = (
        "import sys; from imgclf.core import atomic, cli_entry;"
        "sys.exit(cli_entry(atomic.check_writable)(['metrics/test.json', 'reports/index.html']))"
    )
    try:
        proc = shell(f'{sys.executable} -c "{code}"', tmp_path, env={"PYTHONPATH": str(ROOT)})
    finally:
        (tmp_path / "reports").chmod(0o755)
    assert proc.returncode == 2, proc.stderr
    assert the_error(proc.stderr).startswith(
        "error: cannot write reports/index.html: permission denied (the folder reports is read-only)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"] and not list((tmp_path / "reports").iterdir())


@needs_file_modes
def test_predict_out_to_a_read_only_folder_or_proc_is_one_line(trained_project, tmp_path):
    synthetic.image_folder(tmp_path / "imgs", ["a"], per_class=2, size=28, formats=("png",))
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro").chmod(0o555)
    try:
        proc = shell(
            f"imgclf predict {tmp_path / 'imgs'} --out {tmp_path / 'ro' / 'p.csv'}; echo rc=$?; "
            f"imgclf predict {tmp_path / 'imgs'} --out /proc/p.json",
            trained_project,
        )
    finally:
        (tmp_path / "ro").chmod(0o755)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert "rc=2" in proc.stdout and proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert errors == [
        f"error: cannot write {tmp_path}/ro/p.csv: permission denied (the folder {tmp_path}/ro is read-only): make "
        f"it writable (chmod u+w {tmp_path}/ro) and rerun",
        "error: cannot write /proc/p.json: no such file or directory (the folder /proc takes no new files); write "
        "elsewhere",
    ], proc.stderr
    assert list((tmp_path / "ro").iterdir()) == []
    print("\nLINE: " + "\nLINE: ".join(errors), file=sys.__stdout__)


# ------------------------------------------------------------------ 3. damaged files between stages


def _object_array(path: Path) -> None:
    np.save(path, np.array([{"a": 1}], object), allow_pickle=True)


def _cut(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


DAMAGE = {
    "object array": (paths.PROBABILITIES, _object_array, r"metrics/test_probabilities.npy is corrupt \(Object arrays"),
    "truncated npy": (paths.PROBABILITIES, _cut, r"metrics/test_probabilities.npy is corrupt \(Failed to read all"),
    "wrong shape": (
        paths.PROBABILITIES,
        lambda p: np.save(p, np.zeros((3, 10), np.float32)),
        r"test_probabilities.npy is corrupt \(probabilities of shape \(3, 10\), not \(200, 10\)\)",
    ),
    "npz without a key": (
        paths.AUGMENTED,
        lambda p: np.savez(p, images=np.zeros((2, 28, 28, 1), np.uint8)),
        r"data/augmented_samples.npz is corrupt \(it has no 'labels', 'augmented'\); rerun the train stage",
    ),
    "truncated npz": (paths.AUGMENTED, _cut, r"data/augmented_samples.npz is corrupt \("),
    "bad json": (
        paths.TEST_METRICS,
        lambda p: p.write_text('{"accuracy": 0.5,'),
        r"metrics/test.json is corrupt \(not valid JSON: .*\); rerun the evaluate stage \(dvc repro -f -s evaluate",
    ),
    "json without a key": (
        paths.PER_CLASS,
        lambda p: p.write_text(json.dumps({"T-shirt/top": {}})),
        r"metrics/per_class.json is corrupt \(it has no 'Trouser'",
    ),
    "json of the wrong kind": (
        paths.MODEL_GRAPH,
        lambda p: p.write_text("{}"),
        r"model_graph.json is corrupt \(a JSON dict, not a list\); rerun the build stage",
    ),
    "not a number": (
        paths.MODEL_METRICS,
        lambda p: p.write_text('{"parameters": "many"}'),
        r"metrics/model.json is corrupt \('parameters' is 'many', not a number\)",
    ),
    "broken csv": (
        paths.HISTORY,
        lambda p: p.write_text('epoch,accuracy\n1,"x\n'),
        r"metrics/history.csv is corrupt \(not a readable CSV",
    ),
    "bad dataset.json": (
        paths.DATASET,
        lambda p: p.write_bytes(b"\xff{}"),
        r"data/dataset.json is corrupt \(not valid JSON",
    ),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_damaged_inputs_of_the_report_are_one_line(trained_project, monkeypatch, capsys, case):
    from imgclf.report import read_run

    path, damage, match = DAMAGE[case]
    monkeypatch.chdir(trained_project)
    damage(path)
    one_line(capsys, read_run, params.load(), match=match)


def test_a_damaged_file_that_dvc_recorded_is_one_line_under_dvc_repro(trained_project):
    """DVC restores a damaged output from its cache by itself; one that was committed (dvc commit) reaches the
    report stage, which names it and the stage to rerun."""
    _object_array(trained_project / paths.PROBABILITIES)
    run(["dvc", "commit", "-f", "evaluate"], trained_project)
    proc = run(["dvc", "repro"], trained_project, check=False)
    line = the_error(proc.stderr)
    assert proc.returncode != 0 and "Running stage 'report'" in proc.stdout
    assert line == (
        "error: metrics/test_probabilities.npy is corrupt (Object arrays cannot be loaded when allow_pickle=False); "
        "rerun the evaluate stage (dvc repro -f -s evaluate, then dvc repro)"
    ), line
    print(f"\nLINE: {line}", file=sys.__stdout__)


def test_every_file_the_loader_knows_is_written_by_that_stage_in_dvc_yaml():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    outs = {}
    for name, stage in stages.items():
        for entry in stage.get("outs", []) + stage.get("metrics", []):
            outs[Path(entry if isinstance(entry, str) else next(iter(entry)))] = name
    assert {str(p): s for p, s in inputs.WRITERS.items()} == {str(p): outs[p] for p in inputs.WRITERS}
    assert inputs.writer("data/prepared/test_y.npy") == "prepare" and inputs.writer("elsewhere.json") is None


# ------------------------------------------------------------------ 4. params.yaml itself


def _bomb(levels: int) -> str:
    """A billion laughs under a new key: `levels` lines of nine aliases each, 9**levels strings when expanded."""
    lines = ["bomb:", '  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"  l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _check_params(folder: Path, timeout: int = 30) -> subprocess.CompletedProcess:
    """`python -m imgclf.params` (what `make run` runs before DVC), under a time limit and 2 GiB of address space."""
    import resource

    return subprocess.run(
        [sys.executable, "-m", "imgclf.params", "params.yaml"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)),
    )


def test_a_yaml_alias_bomb_is_refused_at_once_in_bounded_memory(tmp_path):
    (tmp_path / "params.yaml").write_text((ROOT / "params.yaml").read_text() + _bomb(9))  # 387 million strings
    start = time.monotonic()
    proc = _check_params(tmp_path)
    seconds = time.monotonic() - start
    line = the_error(proc.stderr)
    assert proc.returncode == 2 and seconds < 20, (seconds, proc.stderr)
    n = len((ROOT / "params.yaml").read_text().splitlines()) + 2
    assert line == (
        f"error: params.yaml line {n}: YAML anchors and aliases (&l0, *l0) are not allowed in a params file: "
        "write the values out"
    ), line
    print(f"\nLINE: {line} ({seconds:.1f}s)", file=sys.__stdout__)


@pytest.mark.parametrize(
    "text, match",
    [
        ("seed: &s 1\n", r"params.yaml line 1: YAML anchors and aliases \(&s, \*s\) are not allowed"),
        ("base: &b {epochs: 1}\ntrain:\n  <<: *b\n", r"line 1: YAML anchors and aliases \(&b, \*b\)"),
        (
            "train:\n  epochs: 3\n  batch_size: 8\n  epochs: 4\n",
            r"'train.epochs' is given twice \(lines 2 and 4\); keep one",
        ),
        ("seed: 1\ntrain: {}\nseed: 2\n", r"params.yaml: 'seed' is given twice \(lines 1 and 3\)"),
        (
            "model:\n  custom:\n    blocks:\n      - {filters: 8, filters: 16}\n",
            r"'model.custom.blocks\[0\].filters' is given twice",
        ),
        (
            "seed: [" + ",".join(["1"] * 100_000) + "]\n",
            r"^error: seed must be an integer; got \[1, 1, 1, 1, 1, 1, \.\.\.\] \(list\)$",
        ),
        ("[" * 5000 + "]" * 5000 + "\n", r"params.yaml is nested too deeply"),
    ],
)
def test_params_yaml_anchors_duplicates_and_huge_values_are_one_short_line(tmp_path, capsys, text, match):
    (tmp_path / "params.yaml").write_text(text)
    line = one_line(capsys, params.load, tmp_path / "params.yaml", match=match)
    assert len(line) < 300


def test_a_params_file_that_is_not_utf8_is_one_line_when_a_stage_runs_by_hand(tmp_path):
    (tmp_path / "params.yaml").write_bytes((ROOT / "params.yaml").read_bytes() + b"# caf\xe9\n")
    proc = subprocess.run(
        [sys.executable, "-m", "stages.validate"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    n = len((ROOT / "params.yaml").read_bytes().splitlines()) + 1
    assert proc.returncode == 2
    assert (
        the_error(proc.stderr) == f"error: params.yaml line {n} is not UTF-8 text (byte 0xe9): save the file as UTF-8"
    )


def test_a_huge_params_file_is_refused_before_it_is_parsed(tmp_path, capsys):
    (tmp_path / "params.yaml").write_text("# " + "x" * (params.loader.MAX_BYTES + 1) + "\n")
    one_line(
        capsys,
        params.load,
        tmp_path / "params.yaml",
        match=r"params.yaml is 1,048,580 bytes; a params file is at most 1,048,576",
    )


@pytest.mark.parametrize(
    "tail, match", [(b"# caf\xe9\n", "is not valid utf-8"), (b"seed: 7\n", 'found duplicate key "seed"')]
)
def test_what_dvc_itself_does_with_such_a_params_yaml(tmp_path, tail, match):
    """DVC reads params.yaml before any stage runs (for `${...}` in dvc.yaml): it refuses bad UTF-8 and a key given
    twice with its own ERROR line, so no stage runs. (An alias bomb it expands: minutes, then memory; `make run`
    checks params.yaml first with `python -m imgclf.params`, tested above.)"""
    proj = make_project(tmp_path / "project")
    with open(proj / "params.yaml", "ab") as f:
        f.write(tail)
    proc = repro_within(proj, 120)
    assert proc.returncode != 0 and "Running stage" not in proc.stdout and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("ERROR: unable to read: 'params.yaml'") and match in proc.stderr, proc.stderr


# ------------------------------------------------------------------ 5. control characters in names


def test_printable_escapes_what_moves_the_cursor_and_keeps_the_rest():
    assert (
        printable("a\x1b[2J\nb\r\tc\x00\x7f\x9b\u202eé 日本 \\")
        == "a\\x1b[2J\\nb\\r\\tc\\x00\\x7f\\x9b\\u202eé 日本 \\"
    )
    assert printable(Path("plain/name.png")) == "plain/name.png"


def test_a_user_error_cannot_send_escape_codes(capsys):
    def fail():
        raise UserError("evil\x1b]0;pwned\x07\x1b[2J.png: unreadable")

    line = one_line(capsys, fail, match=r"evil\\x1b\]0;pwned\\x07\\x1b\[2J.png: unreadable")
    assert "\x1b" not in line and "\x07" not in line


def test_markdown_shows_control_characters_as_escapes():
    from imgclf.review.markdown import md_code, table_cell

    assert md_code("cat\x1b[31m") == "`cat\\x1b[31m`"
    assert table_cell("a|b\x07") == "`a\\|b\\x07`"


def test_predict_prints_hostile_names_escaped_one_row_each(trained_project, tmp_path, monkeypatch, capsys):
    from imgclf.serve import predict

    written = synthetic.image_folder(tmp_path / "src", ["a"], per_class=2, size=28, formats=("png",))
    folder = tmp_path / "in"
    folder.mkdir()
    names = ["evil\x1b[2J\x1b]0;title\x07.png", "forged\nnot-a-row  Bag 100.0%.png"]
    for name, source in zip(names, written):
        shutil.copy(source, folder / name)
    (folder / "empty\x1b[31m.png").write_bytes(b"")
    monkeypatch.chdir(trained_project)
    capsys.readouterr()
    result = predict.run([str(folder)], paths.MODEL)
    out, err = capsys.readouterr()
    assert result["predicted"] == 2 and "\x1b" not in out + err and "\x07" not in out + err
    rows = out.splitlines()
    assert len(rows) == 3 and rows[0].startswith("file"), out  # the header and one row per image, nothing forged
    assert any("evil\\x1b[2J\\x1b]0;title\\x07.png" in r for r in rows) and any("forged\\nnot-a-row" in r for r in rows)
    assert f"skipped {folder}/empty\\x1b[31m.png: empty file" in err, err


# ------------------------------------------------------------------ 6. folder contents that change after validate


def _committed_folder_project(root: Path, **changes) -> Path:
    """A folder-dataset project whose images are committed to git (what validate's tracking check asks for)."""
    proj = make_project(root)
    shutil.rmtree(proj / "data" / "images", ignore_errors=True)
    synthetic.image_folder(proj / "data" / "images", ["a", "b"], per_class=20, size=12, formats=("png",))
    from conftest import edit_params

    edit_params(proj, **{"data.dataset": "folder", "data.image_size": [12, 12], **changes})
    run(["git", "add", "-A"], proj)
    run(["git", "commit", "-qm", "images"], proj)
    return proj


@pytest.mark.slow
@pytest.mark.parametrize("bad_files", ["fail", "skip"])
def test_a_fifo_in_the_image_folder_stops_dvc_repro_at_once(tmp_path, bad_files):
    """Left to DVC, a FIFO named like an image blocks `dvc repro` for ever when it hashes the folder (seen with
    data.bad_files: skip before validate refused it): here it must stop within the time limit, with one line."""
    proj = _committed_folder_project(tmp_path / "project", **{"data.bad_files": bad_files})
    os.mkfifo(proj / "data" / "images" / "a" / "stuck.png")
    start = time.monotonic()
    proc = repro_within(proj, 120)
    line = the_error(proc.stderr)
    assert proc.returncode != 0 and time.monotonic() - start < 120
    assert line == (
        "error: data/images/a/stuck.png: not a regular file (a FIFO), which DVC would block on when it hashes the "
        "folder: remove it"
    ), line
    assert not (proj / paths.PREPARED).exists()
    print(f"\nLINE: {line}", file=sys.__stdout__)


# ------------------------------------------------------------------ 8. temporaries a killed run left


def _dead_pid() -> int:
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1


@pytest.mark.slow
def test_temporaries_of_a_killed_run_are_removed_even_when_dvc_restores_the_outputs(trained_project):
    """After `kill -9` during prepare, DVC restores data/prepared from its cache without running prepare, whose
    next write would have removed the temporaries; validate, which always runs, removes them."""
    proj, dead = trained_project, _dead_pid()
    left = [
        proj / "data" / f".prepared.{dead}.0badf00d.tmp",  # prepare's scratch folder
        proj / "metrics" / f".test.json.{dead}.0badf00d.tmp.json",  # an interrupted write_json
        proj / "models" / f".model.keras.{dead}.0badf00d.tmp.keras",
    ]
    left[0].mkdir()
    (left[0] / "train_x.npy").write_bytes(b"\0" * 1_000_000)
    for path in left[1:]:
        path.write_bytes(b"half")
    alive = proj / "metrics" / f".test.json.{os.getpid()}.0badf00d.tmp.json"  # a writer still running: kept
    alive.write_bytes(b"mine")
    shutil.rmtree(proj / paths.PREPARED)  # as a killed prepare leaves it: DVC restores it from the cache
    proc = run(["dvc", "repro"], proj)
    assert "Running stage 'prepare'" not in proc.stdout and (proj / paths.PREPARED / "train_x.npy").exists()
    assert [p for p in left if p.exists()] == [] and alive.exists()
