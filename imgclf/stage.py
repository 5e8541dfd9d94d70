"""How every stage script starts and ends: params.yaml validated before anything slow (a bad param fails in a
fraction of a second), TensorFlow started quietly on at most IMGCLF_THREADS threads where the stage needs it, one
summary line at the end (`train: ... in 12.3s`), and a user error as one `error:` line with exit code 2.

    @stage("evaluate", tensorflow=True)
    def main(p: Params) -> str:
        ...
        return "test accuracy 0.9379 on 10,000 images"

Only the scripts in stages/ import this module; the library below it never does.
"""

from __future__ import annotations

import atexit
import functools
import os
import signal
import sys
import time
from collections.abc import Callable

from .core.errors import cli_entry
from .core.startup import start_tensorflow
from .params import Params, load


def stage(name: str, tensorflow: bool = False) -> Callable[[Callable[[Params], str]], Callable[[], None]]:
    """Wrap a stage's main(p) -> summary into the script's entry point, which exits with the stage's status."""

    def wrap(main: Callable[[Params], str]) -> Callable[[], None]:
        @functools.wraps(main)
        def entry() -> None:
            code = cli_entry(lambda: _run(name, main, tensorflow))()
            if tensorflow:  # Skip the interpreter's teardown of TensorFlow: 1.3 s of every TF stage (10.1 -> 8.8 s
                # for import + exit, 4 runs each, 2-core AVX2 EPYC). Every output was written and closed by now; the
                # atexit handlers still run, since they delete the files autograph wrote for tf.data's functions.
                atexit._run_exitfuncs()
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
            sys.exit(code)

        return entry

    return wrap


def _run(name: str, main: Callable[[Params], str], tensorflow: bool) -> None:
    signal.signal(signal.SIGTERM, _terminated)  # a kill cleans up like Ctrl-C: temporaries removed, one line
    p = load()
    if tensorflow:
        start_tensorflow()
    start = time.perf_counter()
    summary = main(p)
    print(f"{name}: {summary} in {time.perf_counter() - start:.1f}s", flush=True)


def _terminated(signum, frame):
    raise KeyboardInterrupt
