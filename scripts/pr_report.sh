#!/usr/bin/env bash
# Reproduce the pipeline and compare it with a base revision: what the pull-request workflow runs.
# Usage: scripts/pr_report.sh BASE   (a branch, commit or experiment; the head is the workspace)
set -euo pipefail
base="${1:?usage: scripts/pr_report.sh BASE}"
cd "$(dirname "$0")/.."

# Restore what a DVC remote already has (outputs and run cache), if one is configured; otherwise, or when the
# remote fails (`imgclf pull` says why in one line), reproduce from the data.
if [ -n "$(dvc remote list 2>/dev/null)" ]; then
  imgclf pull || echo "pr_report: nothing restored from the DVC remote (see the line above); reproducing instead"
fi
dvc repro
imgclf compare "$base" workspace --out reports
