"""report: draw the run report, reports/index.html, from what the other stages wrote (no TensorFlow).

Restyling a plot or the page reruns only this stage: seconds, not a retraining.
"""

from imgclf.stage import stage


@stage("report")
def main(p) -> str:
    from imgclf import report
    from imgclf.core import paths
    from imgclf.core.atomic import write_text

    write_text(paths.REPORT, report.render(report.read_run(p), p.eval.gallery, p.seed))
    return str(paths.REPORT)


if __name__ == "__main__":
    main()
