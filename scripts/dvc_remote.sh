#!/usr/bin/env bash
# Point this checkout's DVC at the shared remote named by the environment (the CI workflows' secrets), in
# .dvc/config.local so the committed config is untouched. Does nothing without DVC_REMOTE_URL.
#   DVC_REMOTE_URL       s3://bucket/path (any URL `dvc remote add` takes)
#   DVC_REMOTE_ENDPOINT  optional: the endpoint of an S3-compatible store (MinIO, Ceph), e.g. https://minio.example.org
# Credentials are read by DVC from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DVC_REMOTE_URL:-}" ]; then
  echo "dvc_remote: no DVC_REMOTE_URL; using $(dvc remote list | wc -l) configured remote(s)"
  exit 0
fi
dvc remote add --local --force --default shared "$DVC_REMOTE_URL"
if [ -n "${DVC_REMOTE_ENDPOINT:-}" ]; then
  dvc remote modify --local shared endpointurl "$DVC_REMOTE_ENDPOINT"
fi
echo "dvc_remote: default remote 'shared' set from DVC_REMOTE_URL${DVC_REMOTE_ENDPOINT:+ and DVC_REMOTE_ENDPOINT}"
