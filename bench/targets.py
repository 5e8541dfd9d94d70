"""Every target the benchmarks are held to, declared once and named by what it means. The sections print each
target beside the figure it bounds, and the performance page (docs/performance.md) quotes them from here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AccuracyTarget:
    """A recipe's mean test accuracy over the seeds, within a training-time bound."""

    accuracy: float
    max_time_ratio: float | None = None  # at most this many times the tutorial CNN's time, same run and class
    max_seconds: float | None = None  # or at most this many seconds of training

    def text(self) -> str:
        bound = (f" within {self.max_time_ratio}x the tutorial's time" if self.max_time_ratio else "") + (
            f" within {self.max_seconds:.0f} s" if self.max_seconds else ""
        )
        return f"mean >= {self.accuracy:.1%}{bound}"


# Fashion-MNIST's `default` preset in every ISA class: as accurate as it can be at a time a laptop can wait.
FASHION = AccuracyTarget(accuracy=0.935, max_time_ratio=1.5)
# CIFAR-10's `default_color` with bench/cifar10.yaml: in float32 (AVX2 and plain AVX-512 CPUs), and in bfloat16
# where the CPU runs it natively.
CIFAR_FLOAT32 = AccuracyTarget(accuracy=0.905, max_seconds=1200)
CIFAR_BFLOAT16 = AccuracyTarget(accuracy=0.91, max_seconds=900)

NO_OP_REPRO_SECONDS = 3.0  # `dvc repro` with nothing to do
EVALUATE_RERUN_SECONDS = 30.0  # an evaluation param changed: evaluate and report rerun
REPORT_RERUN_SECONDS = 10.0  # a plot's style changed: only report reruns
STREAM_PEAK_RSS_MB = 2048.0  # any stage on a folder far bigger than memory would allow as one array
STREAM_MIN_SPEED_RATIO = 0.90  # training streamed from disk against training from memory


def accuracy_target(dataset: str, precision: str) -> AccuracyTarget:
    if dataset == "fashion_mnist":
        return FASHION
    return CIFAR_BFLOAT16 if precision == "mixed_bfloat16" else CIFAR_FLOAT32
