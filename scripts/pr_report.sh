#!/usr/bin/env bash
# Reproduce the pipeline and compare it with a base revision: what the pull-request workflow runs.
# Usage: scripts/pr_report.sh BASE   (a branch, commit or experiment; the head is the workspace)
set -euo pipefail
base="${1:?usage: scripts/pr_report.sh BASE}"
cd "$(dirname "$0")/.."

# Restore what a DVC remote already has, if one is configured; otherwise reproduce from the data.
if [ -n "$(dvc remote list 2>/dev/null)" ]; then
  dvc pull --allow-missing || echo "pr_report: dvc pull incomplete; the missing stages are reproduced"
fi
dvc repro
imgclf compare "$base" workspace --out reports
