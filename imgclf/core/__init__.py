"""What every part of the pipeline shares: one-line user errors, atomic writes, the paths of every output, the
prepared arrays every stage after prepare reads, the machine (memory, disk, CPU class and precision),
TensorFlow's quiet start-up, and how sure a score is (intervals and paired tests, for every report).

Nothing here imports TensorFlow at import time, and nothing here imports another imgclf package.
"""

from .atomic import atomic_dir, atomic_path, scratch_dir, write_bytes, write_json, write_text
from .errors import UserError, cli_entry, first_line
from .startup import limit_threads, quiet_tensorflow, start_tensorflow, thread_limit
from .text import shown

__all__ = [
    "UserError",
    "atomic_dir",
    "atomic_path",
    "cli_entry",
    "first_line",
    "limit_threads",
    "quiet_tensorflow",
    "scratch_dir",
    "shown",
    "start_tensorflow",
    "thread_limit",
    "write_bytes",
    "write_json",
    "write_text",
]
