"""What a stage may use of the machine: available memory and free disk, checked before the slow work starts.

Prepared images stream from disk (see storage), so a dataset's size is a question of disk space; memory bounds
only what is in flight at once, which grows with the batch, not with the dataset.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .errors import UserError

# tf.data keeps a few batches in flight (parallel gathers, augmentation, prefetch); each is held as uint8 and,
# while augmented, as float32: 5 bytes a pixel.
BATCHES_IN_FLIGHT = 8
BYTES_PER_PIXEL_IN_FLIGHT = 5


def gb(n: int) -> str:
    return f"{n / 1e9:.1f} GB"


def available_memory() -> int:
    """Bytes this process can still allocate: MemAvailable, capped by a cgroup or address-space limit."""
    limits = []
    try:
        meminfo = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
        limits.append(int(meminfo["MemAvailable"].split()[0]) * 1024)
    except (OSError, KeyError, ValueError):
        try:
            limits.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (OSError, ValueError, AttributeError):
            pass
    try:
        high = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if high != "max":
            limits.append(int(high) - int(Path("/sys/fs/cgroup/memory.current").read_text()))
    except (OSError, ValueError):
        pass
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        if soft != resource.RLIM_INFINITY:
            status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
            limits.append(soft - int(status["VmSize"].split()[0]) * 1024)
    except (ImportError, OSError, KeyError, ValueError):
        pass
    return max(min(limits), 0) if limits else 1 << 62


def free_disk(folder: str | os.PathLike) -> int:
    """Free bytes on the file system that holds `folder` (or its nearest existing parent)."""
    path = Path(folder).absolute()
    while not path.exists():
        path = path.parent
    return shutil.disk_usage(path).free


def check_disk(need: int, folder: str | os.PathLike, what: str, fix: str) -> None:
    have = free_disk(folder)
    if need > have:
        raise UserError(f"{what}, but {gb(have)} is free in {folder}: {fix}")


def check_batch_memory(batch_size: int, image_shape, param: str = "train.batch_size") -> None:
    """The input pipeline's batches in flight must fit in memory (the dataset itself stays on disk)."""
    pixels = 1
    for d in image_shape:
        pixels *= int(d)
    need, have = BATCHES_IN_FLIGHT * batch_size * pixels * BYTES_PER_PIXEL_IN_FLIGHT, available_memory()
    if need > have:
        shape = "x".join(str(int(d)) for d in image_shape)
        raise UserError(
            f"{param}={batch_size} images at {shape} need about {gb(need)} of memory for the "
            f"{BATCHES_IN_FLIGHT} batches the input pipeline holds at once, but {gb(have)} is available: "
            f"lower {param}"
        )
