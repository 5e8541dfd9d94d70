"""model.precision: auto decides from the hardware's own flags; a bad explicit choice warns or fails in one line."""

import os
import subprocess
import sys

import pytest

from imgclf.core import hardware
from imgclf.core.errors import UserError
from imgclf.core.hardware import Gpu, choose, isa_class, native_class

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SKYLAKE = {"sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq"}  # no bf16
ZEN4 = SKYLAKE | {"avx512_bf16", "avx512_vnni"}
SAPPHIRE_RAPIDS = ZEN4 | {"amx_bf16", "amx_tile", "amx_int8"}
HASWELL = {"sse4_2", "avx", "avx2", "fma"}


@pytest.mark.parametrize(
    "flags, expected",
    [(HASWELL, "avx2"), (SKYLAKE, "avx512"), (ZEN4, "avx512_bf16"), (SAPPHIRE_RAPIDS, "amx"), ({"sse2"}, "other")],
)
def test_native_class_from_cpu_flags(flags, expected):
    assert native_class(flags) == expected


@pytest.mark.parametrize(
    "cap, expected",
    [
        ("AVX2", "avx2"),
        ("avx512_core", "avx512"),
        ("AVX512_CORE_BF16", "avx512_bf16"),
        ("AVX512_CORE_AMX", "amx"),
        ("", "amx"),
        ("nonsense", "amx"),
    ],
)
def test_onednn_cap_lowers_the_class_never_raises_it(cap, expected):
    assert isa_class(SAPPHIRE_RAPIDS, cap) == expected
    assert isa_class(HASWELL, cap) == "avx2" or cap.upper() in ("SSE41", "AVX")


@pytest.mark.parametrize(
    "isa, policy",
    [
        ("amx", "mixed_bfloat16"),
        ("avx512_bf16", "mixed_bfloat16"),
        ("avx512", "float32"),
        ("avx2", "float32"),
        ("other", "float32"),
    ],
)
def test_auto_on_cpus_uses_bfloat16_only_where_native(isa, policy):
    choice = choose("auto", isa, None)
    assert (choice.policy, choice.device, choice.warning) == (policy, "CPU", "")
    assert isa in choice.reason


@pytest.mark.parametrize(
    "cc, policy",
    [
        ((9, 0), "mixed_bfloat16"),
        ((8, 0), "mixed_bfloat16"),
        ((7, 5), "mixed_float16"),
        ((7, 0), "mixed_float16"),
        ((6, 1), "float32"),
    ],
)
def test_auto_on_gpus_by_compute_capability(cc, policy):
    choice = choose("auto", "avx2", Gpu("NVIDIA Test", cc))
    assert choice.policy == policy and choice.device == "GPU:NVIDIA Test"


def test_explicit_bfloat16_without_native_support_warns_with_the_slowdown():
    choice = choose("mixed_bfloat16", "avx512", None, native="avx512")
    assert choice.policy == "mixed_bfloat16" and "5-14x slower" in choice.warning and "auto" in choice.warning
    assert choose("mixed_bfloat16", "amx", None).warning == ""
    assert choose("float32", "amx", None).policy == "float32"


def test_explicit_bfloat16_under_an_avx2_cap_is_refused_up_front():
    with pytest.raises(UserError, match="cannot run with ONEDNN_MAX_CPU_ISA"):
        choose("mixed_bfloat16", "avx2", None, native="avx512_bf16")


def test_this_machine_is_classified_and_recorded():
    choice = hardware.apply("auto")
    env = hardware.environment(choice)
    assert env["isa_class"] in hardware.CLASSES and env["precision"] in ("float32", "mixed_bfloat16")
    assert env["precision"] == ("mixed_bfloat16" if env["isa_class"] in hardware.BF16_NATIVE else "float32")
    assert env["tensorflow"] and env["cpus"] >= 1


@pytest.mark.skipif(native_class(hardware.cpu_flags()) in ("avx2", "other"), reason="needs an AVX-512 CPU to cap")
def test_bfloat16_kernel_failure_under_a_cap_is_one_line():
    """Build a bfloat16 model with TensorFlow unaware of the cap, then train it under ONEDNN_MAX_CPU_ISA=AVX2."""
    code = (
        "import sys; import numpy as np\n"
        "from imgclf.core import cli_entry, quiet_tensorflow\n"
        "quiet_tensorflow(); import keras\n"
        "from imgclf import model, train\n"
        "from imgclf.params import AugmentParams, TrainParams\n"
        "from imgclf.model import PRESETS\n"
        "keras.mixed_precision.set_global_policy('mixed_bfloat16')\n"
        "m = model.build(PRESETS['tutorial_cnn'], (28, 28, 1), 10)\n"
        "x = np.zeros((64, 28, 28, 1), np.uint8); y = np.arange(64) % 10\n"
        "sys.exit(cli_entry(lambda: train.fit(m, x, y, x, y, 10, TrainParams(epochs=1, batch_size=32),"
        " AugmentParams(), 0))())\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "ONEDNN_MAX_CPU_ISA": "AVX2"},
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors and "model.precision: auto" in errors[0] and "Traceback" not in proc.stderr


def test_the_slow_precision_warning_is_printed_only_where_asked(capsys):
    """build and train both resolve the precision; only train warns, so a run says it once."""
    if hardware.gpus():
        pytest.skip("mixed_float16 is no warning on a GPU")
    try:
        hardware.apply("mixed_float16", warn=False)
        assert capsys.readouterr().err == ""
        hardware.apply("mixed_float16")
        assert capsys.readouterr().err.count("warning: model.precision mixed_float16") == 1
    finally:
        hardware.apply("float32")
