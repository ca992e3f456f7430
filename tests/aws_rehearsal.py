"""The aws-mode rehearsal: every notebook, top to bottom, in aws mode, against the sandbox.

Run by ``make test-aws-rehearsal`` (``.ci/run`` calls it after ``make test``); not part of
the default collection (the file name does not start with ``test_``).

Each notebook runs with papermill, ``LAB_MODE="aws"`` and ``CONFIRM_BILLABLE=True``, in a
kernel whose environment is what a learner with an AWS account has: boto3's standard
``AWS_ENDPOINT_URL`` (here the sandbox), credentials in ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` (dummies), a region, no shared config files, and nothing that
tells the lab it is talking to a sandbox. So the lab takes its aws-mode code path all the
way. Two things differ from a real account, and only these:

- ``*.vpce.amazonaws.com`` names resolve from the sandbox's EC2 model
  (``tests/rehearsal_site/sitecustomize.py``), since no offline resolver knows them;
- ``LAB_WAIT_SCALE`` shrinks aws mode's waits (never to zero, never skipped), so a wait
  AWS needs minutes for takes seconds here.

The caller is an IAM user holding exactly ``docs/deployer-policy.json`` (attached as a
managed policy), and the sandbox evaluates its requests (``enforce_iam``:
``lab.sandbox.iam.enforcement``), so a permission the policy lacks fails here as on an
account; ``tests/test_deployer_identity.py`` shows the deploy failing without one.

``AWS_DISABLE_HOST_PREFIX_INJECTION`` is the SDK's standard switch for endpoints that
cannot take a host prefix (``StartSyncExecution`` is sent to ``sync-<host>`` otherwise).

Every cell must succeed. The notebooks run in their numbered order against one sandbox
(01 deploys what the others read; 99 destroys it), whatever notebooks exist.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / ".lab" / "rehearsal"
SITE = Path(__file__).resolve().parent / "rehearsal_site"
WAIT_SCALE = "0.05"
NOTEBOOK_TIMEOUT_S = 900
CONNECTION_SETTLE_S = 10  # the sandbox's connection_settle_seconds for the walk-through

# Every notebook of the walk-through, in the order a learner runs them.
PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]*.ipynb"))

# Nothing of the developer's own AWS setup, nor of the lab's sandbox mode, may leak in.
_DROPPED = ("AWS_", "LAB_")

# The deployer identity's keys (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), once made.
DEPLOYER_KEYS: dict[str, str] = {}


def rehearsal_env(endpoint: str) -> dict[str, str]:
    """The environment of a learner in aws mode, pointed at ``endpoint``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED)}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_DISABLE_HOST_PREFIX_INJECTION="true",
        LAB_MODE="aws",
        LAB_WAIT_SCALE=WAIT_SCALE,
        LAB_REHEARSAL_RESOLVER="sandbox-ec2-model",
        PYTHONPATH=os.pathsep.join(filter(None, [str(SITE), os.environ.get("PYTHONPATH")])),
        JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="1",
        JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION="1",
    )
    env.update(DEPLOYER_KEYS)
    return env


def deployer_identity(endpoint: str) -> dict[str, str]:
    """An IAM user holding exactly docs/deployer-policy.json and, for notebook 10's "before"
    stack, docs/deployer-policy-lambda-proxy.json; then IAM is enforced."""
    import json

    import boto3
    from lab_api_client import lab_api

    iam = boto3.client(
        "iam", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    iam.create_user(UserName="lab-deployer")
    for name, file in (("lab-deployer", "deployer-policy.json"),
                       ("lab-deployer-lambda-proxy", "deployer-policy-lambda-proxy.json")):
        policy = json.dumps(json.loads((ROOT / "docs" / file).read_text()))
        arn = iam.create_policy(PolicyName=name, PolicyDocument=policy)
        iam.attach_user_policy(UserName="lab-deployer", PolicyArn=arn["Policy"]["Arn"])
    key = iam.create_access_key(UserName="lab-deployer")["AccessKey"]
    lab_api(endpoint, "config", {"enforce_iam": True})
    return {
        "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
    }


@pytest.fixture(scope="module")
def rehearsal_sandbox(sandbox):
    """A fresh sandbox (nothing deployed, ids reseeded) for the whole walk-through."""
    from lab_api_client import lab_api

    lab_api(sandbox, "reset", {})
    lab_api(sandbox, "config", {"connection_warmup_seconds": 2})
    # As AWS documents (eb-target-connection-states.html): a new private connection, once
    # ACTIVE, can fail calls for a while; aws mode must wait that out (lab.warmup).
    lab_api(sandbox, "config", {"connection_settle_seconds": CONNECTION_SETTLE_S})
    DEPLOYER_KEYS.update(deployer_identity(sandbox))
    OUT.mkdir(parents=True, exist_ok=True)
    yield sandbox
    lab_api(sandbox, "config", {"enforce_iam": False})
    DEPLOYER_KEYS.clear()


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs_in_aws_mode(rehearsal_sandbox, path):
    out = OUT / path.name
    started = time.monotonic()
    with _callers_unchecked_for(path, rehearsal_sandbox):
        done = _papermill_in_aws_mode(path, out, rehearsal_sandbox)
    seconds = time.monotonic() - started
    print(f"{path.name}: {seconds:.1f} s in aws mode (executed copy: {out.relative_to(ROOT)})")
    assert done.returncode == 0, (
        f"{path.name} failed in aws mode (executed copy with the error: {out}):\n"
        + "\n".join(done.stderr.strip().splitlines()[-25:])
    )
    # The kernel really was in aws mode: lab.use() reports the mode it resolved.
    assert "mode=aws" in _outputs_text(out), f"{path.name} did not run in aws mode"
    if path.name.startswith("03_"):
        # The configuration's DNS name went through the system resolver (aws mode's path).
        text = _outputs_text(out)
        assert "sandbox model" not in text and re.search(r"\bDNS\b", text), text[-2000:]


#: Notebooks whose aws-mode run goes without the caller check (enforce_iam), and why.
#: 10's Lambda proxy: the sandbox's caller enforcement also checks the calls services make
#: for a role (Step Functions' lambda:invoke integration, the function's own boto3 calls),
#: which carry no credentials the sandbox minted for that role, so every one is refused
#: InvalidClientTokenId; on AWS those calls are the roles', not the deployer's. Until the
#: sandbox gives them the role's credentials, 10 runs in aws mode with the check off.
UNCHECKED_CALLERS = {"10_before_after.ipynb"}


@contextlib.contextmanager
def _callers_unchecked_for(path, sandbox):
    from lab_api_client import lab_api

    if path.name not in UNCHECKED_CALLERS:
        yield
        return
    lab_api(sandbox, "config", {"enforce_iam": False})
    try:
        yield
    finally:
        lab_api(sandbox, "config", {"enforce_iam": True})


def _papermill_in_aws_mode(path, out, sandbox) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable, "-m", "papermill", str(path), str(out),
            "--kernel", "python3", "--cwd", str(NOTEBOOKS), "--no-progress-bar",
            "-p", "LAB_MODE", "aws", "-p", "LAB_REGION", "us-east-1",
            "-p", "CONFIRM_BILLABLE", "True",
        ],
        env=rehearsal_env(sandbox),
        capture_output=True,
        text=True,
        timeout=NOTEBOOK_TIMEOUT_S,
    )


def test_build_exercises_solved_in_aws_mode_check_in_the_local_sandbox(rehearsal_sandbox):
    """08 with the reference answers (SOLVED=True) in aws mode: every check is correct and
    says it ran in the local sandbox, not in the learner's account."""
    path = NOTEBOOKS / "08_build_it_yourself.ipynb"
    out = OUT / "08_build_it_yourself-solved.ipynb"
    # The checks start a local sandbox of their own: on a free port, stopped afterwards (on
    # the default 5599 it outlived the run and refused the next run's state directory).
    env = {**rehearsal_env(rehearsal_sandbox), "LAB_SANDBOX_PORT": str(_free_port())}
    try:
        done = subprocess.run(
            [
                sys.executable, "-m", "papermill", str(path), str(out),
                "--kernel", "python3", "--cwd", str(NOTEBOOKS), "--no-progress-bar",
                "-p", "LAB_MODE", "aws", "-p", "LAB_REGION", "us-east-1",
                "-p", "CONFIRM_BILLABLE", "True", "-p", "SOLVED", "True",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=NOTEBOOK_TIMEOUT_S,
        )
    finally:
        subprocess.run([sys.executable, "-m", "lab", "sandbox", "stop"], env=env,
                       capture_output=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, "\n".join(done.stderr.strip().splitlines()[-25:])
    text = _outputs_text(out)
    from lab.exercises import EXERCISES

    assert text.count("✔ correct") == len(EXERCISES), text[-3000:]
    assert "not in your AWS account" in text, text[-3000:]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _outputs_text(path: Path) -> str:
    import nbformat

    texts = []
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            texts.append(str(output.get("text", "")))
            texts.append(str(output.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


def test_the_rehearsal_runs_every_notebook_of_the_walk_through():
    names = [p.name for p in PATHS]
    assert names[0].startswith("00_") and names[-1].startswith("99_"), names
    assert len(names) >= 8, names


def test_the_rehearsal_runs_as_the_deployer_identity_with_iam_enforced(rehearsal_sandbox):
    """The notebooks' keys are the deployer user's, and the sandbox evaluates its requests."""
    import boto3
    from lab_api_client import lab_api

    assert lab_api(rehearsal_sandbox, "config")["enforce_iam"] is True
    sts = boto3.client(
        "sts", endpoint_url=rehearsal_sandbox, region_name="us-east-1",
        aws_access_key_id=DEPLOYER_KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DEPLOYER_KEYS["AWS_SECRET_ACCESS_KEY"],
    )  # fmt: skip
    assert sts.get_caller_identity()["Arn"].endswith(":user/lab-deployer")
    assert rehearsal_env(rehearsal_sandbox)["AWS_ACCESS_KEY_ID"] != "testing"
