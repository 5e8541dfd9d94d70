"""Stage 5: draw the run report, reports/index.html, from what the other stages wrote (no TensorFlow).

Restyling a plot or the page reruns only this stage: seconds, not a retraining.
"""

import sys

from imgclf import params, report
from imgclf.atomic import write_text
from imgclf.errors import cli_entry
from imgclf.stage import REPORT, Timer


@cli_entry
def main() -> None:
    p = params.load()
    timer = Timer()
    write_text(REPORT, report.render(report.read_run(p), p.eval.gallery, p.seed))
    print(f"report: {REPORT} in {timer.seconds:.1f}s")


if __name__ == "__main__":
    sys.exit(main())
