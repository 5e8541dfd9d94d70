"""The shared remote on S3, for real: moto's standalone S3 server on a free localhost port, with IAM
authentication on and throwaway keys. Push from one clone; a fresh clone set up the way the CI workflows do it
pulls and reproduces nothing; an experiment travels with `dvc exp push`/`pull`; a wrong key or a dead endpoint
is one line and costs nothing in the local cache."""

import json
import os
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest
from conftest import BIN, run

pytestmark = pytest.mark.slow
BUCKET = "imgclf-team"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3(tmp_path):
    """moto's S3 server with one IAM user that may do anything, and a bucket; yields the client environment."""
    import boto3

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    # The first 4 requests (user, policy, key, bucket) are let through; every later one must be signed by a key
    # that moto issued, so a wrong key is refused as S3 would.
    log = open(tmp_path / "moto.log", "w")
    server = subprocess.Popen(
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "4"},
    )
    try:
        deadline = time.monotonic() + 60
        while socket.socket().connect_ex(("127.0.0.1", port)):
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "moto.log").read_text()
            time.sleep(0.2)
        anon = {
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "aws_access_key_id": "setup",
            "aws_secret_access_key": "setup",
        }
        iam = boto3.client("iam", **anon)
        iam.create_user(UserName="team")
        iam.put_user_policy(
            UserName="team",
            PolicyName="all",
            PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
            ),
        )
        key = iam.create_access_key(UserName="team")["AccessKey"]
        boto3.client("s3", **anon).create_bucket(Bucket=BUCKET)
        yield {
            "endpoint": endpoint,
            "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
            "AWS_DEFAULT_REGION": "us-east-1",
            # Nothing from this machine's own AWS set-up; one attempt per request, so a dead endpoint fails fast.
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
            "AWS_MAX_ATTEMPTS": "1",
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def cache_files(proj: Path) -> dict[str, int]:
    return {str(p.relative_to(proj)): p.stat().st_size for p in (proj / ".dvc" / "cache").rglob("*") if p.is_file()}


def ran(output: str) -> list[str]:
    return re.findall(r"Running stage '(\w+)'", output)


def test_round_trip_through_s3(s3, tmp_path, copy_baseline):
    proj, env = copy_baseline("remote")
    aws = {k: v for k, v in s3.items() if k != "endpoint"}
    env = {**env, **aws}
    # A cheap experiment (report only reruns) to carry over with `dvc exp push`.
    run(["dvc", "exp", "run", "--temp", "-n", "small-gallery", "-S", "eval.gallery=4"], proj, env=env)
    run(["git", "init", "-q", "--bare", str(tmp_path / "origin.git")], tmp_path)
    run(["git", "remote", "add", "origin", str(tmp_path / "origin.git")], proj)
    run(["git", "push", "-q", "origin", "HEAD:refs/heads/main"], proj)
    # Like the workflows: the remote comes from the environment (secrets), into .dvc/config.local.
    remote_env = {"DVC_REMOTE_URL": f"s3://{BUCKET}/dvc", "DVC_REMOTE_ENDPOINT": s3["endpoint"]}
    out = run(["bash", "scripts/dvc_remote.sh"], proj, env=remote_env)
    assert "default remote 'shared' set" in out.stdout
    out = run(["imgclf", "push"], proj, env=env)
    assert "push: dvc push --run-cache" in out.stdout and "pushed" in out.stdout, out.stdout
    out = run(["dvc", "exp", "push", "origin", "small-gallery"], proj, env=env)
    assert "small-gallery" in out.stdout, out.stdout

    clone = tmp_path / "clone"
    run(["git", "clone", "-q", "-b", "main", str(tmp_path / "origin.git"), str(clone)], tmp_path)
    run(["bash", "scripts/dvc_remote.sh"], clone, env=remote_env)
    # No dataset source at all: a stage that ran would fail, so the pull must have restored everything.
    offline = {**aws, "IMGCLF_MIRROR": str(tmp_path / "no-mirror")}
    out = run(["bash", "scripts/pr_report.sh", "HEAD"], clone, env=offline)
    assert "pull: dvc pull --run-cache" in out.stdout and ran(out.stdout) == ["validate"], out.stdout
    assert "compare: HEAD -> workspace: no detectable difference" in out.stdout, out.stdout
    out = run(["dvc", "repro"], clone, env=offline)
    assert ran(out.stdout) == ["validate"], out.stdout  # validate always runs (it checks before DVC hashes)
    assert (clone / "models" / "model.keras").read_bytes() == (proj / "models" / "model.keras").read_bytes()

    out = run(["dvc", "exp", "pull", "origin", "small-gallery"], clone, env=offline)
    shown = json.loads(run(["dvc", "exp", "show", "--json"], clone).stdout)
    names = [exp.get("name") for base in shown for exp in (base.get("experiments") or [])]
    assert "small-gallery" in names, shown
    print(out.stdout)

    # A wrong key, then a dead endpoint: one line each, and the clone's cache and workspace stay as they were.
    before = cache_files(clone)
    wrong = run(["imgclf", "pull"], clone, check=False, env={**offline, "AWS_SECRET_ACCESS_KEY": "wrong"})
    assert wrong.returncode == 2 and wrong.stderr.startswith("error: DVC remote 'shared' (s3://imgclf-team/dvc at ")
    assert len(wrong.stderr.strip().splitlines()) == 1 and "refused the credentials" in wrong.stderr, wrong.stderr
    report = run(["bash", "scripts/pr_report.sh", "HEAD"], clone, env={**offline, "AWS_SECRET_ACCESS_KEY": "wrong"})
    assert [line for line in report.stderr.splitlines() if line.startswith("error:")] == [wrong.stderr.strip()]
    assert "reproducing instead" in report.stdout and ran(report.stdout) == ["validate"], report.stdout
    run(["dvc", "remote", "modify", "--local", "shared", "endpointurl", f"http://127.0.0.1:{free_port()}"], clone)
    dead = run(["imgclf", "push"], clone, check=False, env=offline)
    assert dead.returncode == 2 and len(dead.stderr.strip().splitlines()) == 1, dead.stderr
    assert dead.stderr.startswith("error: cannot reach DVC remote 'shared'"), dead.stderr
    assert cache_files(clone) == before
    assert run(["dvc", "status"], clone).stdout.split() == ["validate:", "always", "changed"]  # only what always runs
