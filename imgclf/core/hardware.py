"""What this machine runs fast, read from the hardware itself, and the precision `model.precision: auto` picks.

TensorFlow's own bfloat16 check (`IsBF16SupportedByOneDNNOnThisCPU`) only looks for AVX-512F, so it says yes on
Skylake/Cascade Lake CPUs that emulate bfloat16 slowly. The reliable signal is the CPU's `avx512_bf16` / `amx_bf16`
flags, capped by oneDNN's `ONEDNN_MAX_CPU_ISA` when it is set. Measured on Fashion-MNIST `default` training:
mixed bfloat16 is 1.9x faster than float32 with native bf16 (AMX), but 5-14x slower on AVX2-only CPUs.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
from dataclasses import asdict, dataclass

from .errors import UserError

# ISA classes from oldest to newest; a speed figure holds only for the class it was measured on.
CLASSES = ("other", "avx2", "avx512", "avx512_bf16", "amx")
BF16_NATIVE = {"avx512_bf16", "amx"}

# ONEDNN_MAX_CPU_ISA values (oneDNN's names) -> the class they allow at most.
_ONEDNN_CAP = {
    "SSE41": "other",
    "AVX": "other",
    "AVX2": "avx2",
    "AVX2_VNNI": "avx2",
    "AVX2_VNNI_2": "avx2",
    "AVX512_CORE": "avx512",
    "AVX512_CORE_VNNI": "avx512",
    "AVX512_CORE_BF16": "avx512_bf16",
    "AVX512_CORE_FP16": "avx512_bf16",
    "AVX10_1_512": "avx512_bf16",
    "AVX512_CORE_AMX": "amx",
    "AVX512_CORE_AMX_FP16": "amx",
    "AVX10_1_512_AMX": "amx",
    "AVX10_1_512_AMX_FP16": "amx",
    "ALL": "amx",
    "DEFAULT": "amx",
}


def cpu_flags() -> set[str]:
    """The CPU's feature flags (Linux); empty where /proc/cpuinfo does not exist (macOS, Windows)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def native_class(flags: set[str]) -> str:
    if "amx_bf16" in flags:
        return "amx"
    if "avx512_bf16" in flags:
        return "avx512_bf16"
    if "avx512f" in flags:
        return "avx512"
    if "avx2" in flags:
        return "avx2"
    return "other"


def isa_class(flags: set[str] | None = None, cap: str | None = None) -> str:
    """The class oneDNN actually uses: the CPU's own, lowered by ONEDNN_MAX_CPU_ISA when that is set."""
    flags = cpu_flags() if flags is None else flags
    native = native_class(flags)
    cap = os.environ.get("ONEDNN_MAX_CPU_ISA", "") if cap is None else cap
    limit = _ONEDNN_CAP.get(cap.strip().upper())
    if limit is None:
        return native
    return min(native, limit, key=CLASSES.index)


@dataclass(frozen=True)
class Gpu:
    name: str
    compute_capability: tuple[int, int]


def gpus() -> list[Gpu]:
    """Visible GPUs (imports TensorFlow)."""
    import tensorflow as tf

    found = []
    for device in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(device)
        found.append(Gpu(details.get("device_name", device.name), tuple(details.get("compute_capability", (0, 0)))))
    return found


@dataclass(frozen=True)
class Choice:
    """The precision a run uses and why; `warning` is set when the user's explicit choice will be slow."""

    policy: str
    requested: str
    device: str
    isa_class: str
    reason: str
    warning: str = ""


def choose(requested: str, isa: str, gpu: Gpu | None, native: str | None = None) -> Choice:
    """Pure decision, so every hardware case is testable on any machine; `native` is the CPU's own class
    when ONEDNN_MAX_CPU_ISA lowered it to `isa`."""
    device = f"GPU:{gpu.name}" if gpu else "CPU"
    if gpu:
        cc = gpu.compute_capability
        if cc >= (8, 0):
            best, why = "mixed_bfloat16", f"GPU compute capability {cc[0]}.{cc[1]} runs bfloat16 natively"
        elif cc >= (7, 0):
            best, why = "mixed_float16", f"GPU compute capability {cc[0]}.{cc[1]} has float16 tensor cores"
        else:
            best, why = "float32", f"GPU compute capability {cc[0]}.{cc[1]} has no tensor cores"
    elif isa in BF16_NATIVE:
        best, why = "mixed_bfloat16", f"the CPU runs bfloat16 natively ({isa})"
    else:
        best, why = "float32", f"the CPU has no native bfloat16 ({isa})"
    if requested == "auto":
        return Choice(best, requested, device, isa, f"auto: {why}")
    if gpu is None and requested == "mixed_bfloat16" and isa not in BF16_NATIVE:
        if isa in ("avx2", "other") and (native or isa) not in ("avx2", "other"):
            # TensorFlow sees AVX-512 and picks oneDNN's bf16 kernels, which the ISA cap forbids.
            raise UserError(
                f"model.precision mixed_bfloat16 cannot run with ONEDNN_MAX_CPU_ISA="
                f"{os.environ.get('ONEDNN_MAX_CPU_ISA')} (no bfloat16 kernels below AVX-512): "
                f"set model.precision: auto (or float32), or unset ONEDNN_MAX_CPU_ISA"
            )
        return Choice(
            requested,
            requested,
            device,
            isa,
            "set in params.yaml",
            warning=f"model.precision mixed_bfloat16 on a CPU without native bfloat16 ({isa}): expect "
            f"training 5-14x slower than float32; set model.precision: auto",
        )
    if gpu is None and requested == "mixed_float16":
        return Choice(
            requested,
            requested,
            device,
            isa,
            "set in params.yaml",
            warning="model.precision mixed_float16 on a CPU: float16 is emulated and slow; set model.precision: auto",
        )
    return Choice(requested, requested, device, isa, "set in params.yaml")


def apply(requested: str, warn: bool = True) -> Choice:
    """Resolve model.precision on this machine and set Keras' global policy; `warn=False` where another stage of
    the same run already printed the warning (build only sizes the model, train warns)."""
    import keras

    visible = gpus()
    choice = choose(requested, isa_class(), visible[0] if visible else None, native_class(cpu_flags()))
    if warn and choice.warning:
        print(f"warning: {choice.warning}", file=sys.stderr, flush=True)
    keras.mixed_precision.set_global_policy(choice.policy)
    return choice


def environment(choice: Choice) -> dict:
    """What a run's speed depends on, for metrics/environment.json and the reports."""
    import keras
    import tensorflow as tf

    flags = cpu_flags()
    return {
        **asdict(choice),
        "precision": choice.policy,
        "cpu_model": cpu_model(),
        "cpu_native_class": native_class(flags),
        "cpu_flags": sorted(f for f in flags if f.startswith(("avx", "amx", "fma", "f16c"))),
        "onednn_max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA", ""),
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        # 0 means TensorFlow's default: one thread per visible CPU.
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads() or "auto",
        "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads() or "auto",
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
    }


@contextlib.contextmanager
def kernel_errors(model):
    """oneDNN refusing a kernel (bfloat16 under an AVX2 cap, say) is one line, not a graph-execution traceback."""
    import tensorflow as tf

    try:
        yield
    except tf.errors.OpError as exc:
        if "could not create a primitive" not in str(exc):
            raise
        raise UserError(
            f"this CPU (oneDNN class {isa_class()}) has no kernel for a {model.dtype_policy.name} layer of the model: "
            f"set model.precision: auto (or float32) and rerun"
        ) from None
