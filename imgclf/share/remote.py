"""`imgclf push` and `imgclf pull`: DVC's push and pull of outputs and run cache to the shared remote.

DVC reports a refused key as "unexpected error - Forbidden ... HeadObject" and an unreachable endpoint as two
ERROR lines about files that failed to download. So the remote is checked first, through DVC's own filesystem
for it, and each of those cases is one line that says what to fix. Nothing touches the local cache before the
check passes, and DVC never deletes from it on a failed transfer.
"""

from __future__ import annotations

import subprocess

from ..core.errors import UserError

SETUP = "see docs/scaling.md, 'Sharing runs: a DVC remote on S3'"


def _remote(name: str | None):
    """(name, url, DVC's remote object) of the named or default remote."""
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    try:
        repo = Repo()
    except DvcException as exc:
        raise UserError(f"not in a DVC project ({exc}): run imgclf push/pull in the project folder") from None
    with repo:
        remotes = repo.config["remote"]
        name = name or repo.config["core"].get("remote")
        if not remotes:
            raise UserError(
                f"no DVC remote is configured: add one with `dvc remote add -d store s3://BUCKET/PATH` ({SETUP})"
            )
        if not name or name not in remotes:
            what = f"no DVC remote named '{name}'" if name else "no default DVC remote"
            raise UserError(
                f"{what}: choose one of {', '.join(sorted(remotes))} with `dvc remote default NAME` or -r NAME"
            )
        url = remotes[name].get("url", "?")
        endpoint = remotes[name].get("endpointurl")
        where = f"'{name}' ({url}" + (f" at {endpoint})" if endpoint else ")")
        try:
            return where, repo.cloud.get_remote(name, "push")
        except DvcException as exc:
            first = " ".join(str(exc).split())
            if "missing dependencies" in first:
                raise UserError(
                    f"DVC remote {where} needs the s3 extra: pip install -e '.[s3]' (make setup installs it)"
                ) from None
            raise UserError(f"DVC remote {where}: {first}") from None


def check(name: str | None = None) -> str:
    """Reach the remote and read its root; one line for what stops that. Returns where it is, for messages."""
    where, remote = _remote(name)
    root = remote.path
    bucket = root.split("/")[0] if remote.fs.protocol in ("s3", "gs", "gcs", "azure") else None
    try:
        # The path itself, not the bucket: s3fs answers "no such bucket" to a refused key or a dead endpoint.
        missing = not remote.fs.exists(root) and bucket and not remote.fs.exists(bucket)
    except PermissionError as exc:
        raise UserError(
            f"DVC remote {where} refused the credentials ({exc}): set AWS_ACCESS_KEY_ID and "
            f"AWS_SECRET_ACCESS_KEY (or `dvc remote modify --local {remote.name} access_key_id ...`) to "
            f"a key that may read and write it; the local cache is untouched"
        ) from None
    except Exception as exc:  # noqa: BLE001 - each backend raises its own types; name them for the user
        kind = type(exc).__name__
        if kind == "NoCredentialsError":
            raise UserError(
                f"no credentials for DVC remote {where}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                f"(or AWS_PROFILE); the local cache is untouched"
            ) from None
        if "Connect" in kind or isinstance(exc, (ConnectionError, TimeoutError)):
            raise UserError(
                f"cannot reach DVC remote {where} ({' '.join(str(exc).split())}): check the URL and "
                f"`dvc remote modify {remote.name} endpointurl`, and that the server is up; the local "
                f"cache is untouched"
            ) from None
        raise UserError(f"DVC remote {where}: {kind}: {' '.join(str(exc).split())[:300]}") from None
    if missing:
        raise UserError(
            f"DVC remote {where}: bucket '{bucket}' does not exist: create it (e.g. `aws s3 mb "
            f"s3://{bucket}`) or fix the URL with `dvc remote modify {remote.name} url`"
        )
    return where


def transfer(direction: str, name: str | None = None) -> None:
    """`dvc push`/`dvc pull` with the run cache, so that `dvc repro` elsewhere restores instead of retraining.
    A pull skips what the remote lacks (`dvc repro` makes it)."""
    where = check(name)
    cmd = ["dvc", direction, "--run-cache", *(["-r", name] if name else [])]
    if direction == "pull":
        cmd.append("--allow-missing")
    print(f"{direction}: {' '.join(cmd)} ({where})", flush=True)
    if subprocess.run(cmd).returncode:
        raise UserError(f"`{' '.join(cmd)}` failed (DVC's output is above); the local cache is untouched")
