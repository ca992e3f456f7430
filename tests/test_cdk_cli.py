"""The CDK CLI (npm ``aws-cdk``, pinned in package-lock.json) as a way into the lab.

- ``cdk synth`` writes the very template ``python -m lab synth`` writes;
- ``cdk deploy`` and ``cdk destroy`` against the sandbox (``AWS_ENDPOINT_URL``,
  dummy credentials) reach CREATE_COMPLETE and leave nothing behind: the CLI's
  own change-set calls, not the lab's;
- ``cdk.json`` sets every feature flag a fresh ``cdk init`` sets.

``make setup`` installs the CLI (``npm ci``); these tests fail, naming that
fix, when it is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from lab_api_client import lab_api

ROOT = Path(__file__).resolve().parent.parent
CDK = ROOT / "node_modules" / ".bin" / "cdk"
STACK = "PrivateApiLab"

pytestmark = [pytest.mark.slow, pytest.mark.clients]


def cdk_env(**extra: str) -> dict[str, str]:
    """The environment a learner's shell has after ``source .venv/bin/activate``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_", "LAB_"))}
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # Offline and quiet: no version check, no telemetry, no notices refresh.
    env["CDK_DISABLE_VERSION_CHECK"] = "1"
    env["CDK_DISABLE_CLI_TELEMETRY"] = "true"
    env["JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION"] = "1"
    env["JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION"] = "1"
    env.update(extra)
    return env


def cdk(
    *args: str, env: dict[str, str], timeout: int = 600, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    if not CDK.exists():
        pytest.fail("node_modules/.bin/cdk is missing: run `make setup` (it runs `npm ci`).")
    done = subprocess.run(
        [str(CDK), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"cdk {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def test_the_cli_is_the_pinned_version():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    pinned = package["devDependencies"]["aws-cdk"]
    assert pinned.replace(".", "").isdigit(), "pin aws-cdk exactly (no ^ or ~)"
    assert lock["packages"]["node_modules/aws-cdk"]["version"] == pinned
    assert lock["packages"][""]["devDependencies"] == package["devDependencies"]
    done = cdk("--version", env=cdk_env())
    assert done.stdout.split()[0] == pinned


def test_cdk_synth_writes_the_template_lab_synth_writes(tmp_path):
    from lab.synthesis import synth

    done = cdk("synth", "--quiet", "--output", str(tmp_path / "cdk.out"), env=cdk_env())
    assert "feature flags" not in done.stdout + done.stderr
    from_cli = json.loads((tmp_path / "cdk.out" / f"{STACK}.template.json").read_text())
    from_lab = json.loads(synth(tmp_path / "lab").read_text())
    assert from_cli == from_lab
    manifest = json.loads((tmp_path / "cdk.out" / "manifest.json").read_text())
    properties = manifest["artifacts"][STACK]["properties"]
    # No bootstrap roles: the CLI deploys with the caller's credentials.
    assert "assumeRoleArn" not in properties
    assert "cloudFormationExecutionRoleArn" not in properties


def test_cdk_json_sets_every_flag_cdk_init_sets(tmp_path):
    cdk(
        "init",
        "app",
        "--language",
        "python",
        "--generate-only",
        env=cdk_env(),
        timeout=300,
        cwd=tmp_path,
    )
    fresh = json.loads((tmp_path / "cdk.json").read_text())["context"]
    ours = json.loads((ROOT / "cdk.json").read_text())["context"]
    assert len(fresh) > 80
    missing = sorted(set(fresh) - set(ours))
    assert not missing, f"cdk.json lacks flags a fresh cdk init sets: {missing}"
    differ = sorted(flag for flag in fresh if ours[flag] != fresh[flag])
    assert not differ, f"cdk.json sets these flags unlike cdk init: {differ}"


def test_cdk_deploy_and_destroy_against_the_sandbox(clean_sandbox, sandbox_client):
    env = cdk_env(
        AWS_ENDPOINT_URL=clean_sandbox,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
    )
    cloudformation = sandbox_client("cloudformation")
    deployed = cdk("deploy", "--require-approval", "never", "--progress", "events", env=env)
    assert f"✅  {STACK}" in deployed.stdout + deployed.stderr
    stack = cloudformation.describe_stacks(StackName=STACK)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert "RoleARN" not in stack
    statuses = {
        e["ResourceStatus"]
        for e in cloudformation.describe_stack_events(StackName=STACK)["StackEvents"]
    }
    assert {"REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE"} <= statuses
    assert cloudformation.list_change_sets(StackName=STACK)["Summaries"][0]["ExecutionStatus"] == (
        "EXECUTE_COMPLETE"
    )

    # Again, forced: an UPDATE change set with nothing in it, which the CLI reports as such.
    again = cdk("deploy", "--require-approval", "never", "--force", env=env)
    assert "(no changes)" in again.stdout + again.stderr
    assert cloudformation.describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"] == (
        "CREATE_COMPLETE"
    )

    destroyed = cdk("destroy", "--force", env=env)
    assert f"{STACK}: destroyed" in destroyed.stdout + destroyed.stderr
    assert not cloudformation.describe_stacks()["Stacks"]
    left = lab_api(clean_sandbox, "leftovers")
    assert not any(left.values()), left
