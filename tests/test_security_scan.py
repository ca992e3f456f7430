"""Nothing secret leaves the lab: not in notebooks, results, logs, nor in anything ``lab`` prints.

The scan covers every committed notebook (``git ls-files``), every file under ``results/``
and the sandbox logs under ``.lab/``, looking for the deployed stack's real API key value
(read from the sandbox through the API), AWS access key ids, secret-access-key-shaped
strings and 12-digit account ids other than the sandbox's 123456789012. It also checks
that the sandbox binds loopback only and that the execution roles keep the
``states:HTTPEndpoint`` condition.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import socket
import subprocess
from pathlib import Path

import pytest
from lab_api_client import lab_api
from test_cli import run_lab

import lab
from lab.clients import client
from lab.config import SANDBOX_ACCOUNT
from lab.errors import LabError

ROOT = Path(__file__).resolve().parent.parent

ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")
# 40 characters of base64 with upper case, lower case and a digit, standing alone: the
# shape of an AWS secret access key (a git SHA is lower-case hex, so it does not match).
SECRET_KEY_SHAPED = re.compile(
    r"(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*\d)"
    r"[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"
)
# CDK's logical ids have that shape too, but end in an 8-digit upper-case hex hash.
CDK_LOGICAL_ID = re.compile(r"^[A-Za-z0-9]+[0-9A-F]{8}$")
# Twelve digits standing alone (as in an ARN); not the tail of a UUID or of a resource id.
ACCOUNT_ID = re.compile(r"(?<![\w.\-])\d{12}(?![\w.\-])")


def notebook_text(path: Path) -> str:
    """A notebook's sources and text outputs (image data is base64, not text a reader sees)."""
    notebook = json.loads(path.read_text())
    parts = []
    for cell in notebook.get("cells", []):
        parts.append("".join(cell.get("source", [])))
        for output in cell.get("outputs", []):
            text = output.get("text", "")
            parts.append("".join(text) if isinstance(text, list) else str(text))
            parts.extend(str(output.get(k, "")) for k in ("ename", "evalue"))
            parts.extend("".join(output.get("traceback", [])))
            for mime, value in (output.get("data") or {}).items():
                if not mime.startswith("image/"):
                    parts.append("".join(value) if isinstance(value, list) else json.dumps(value))
    return "\n".join(parts)


def scanned_files() -> list[Path]:
    """Committed notebooks, everything under results/, the sandbox logs."""
    committed = subprocess.run(
        ["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    files = [ROOT / name for name in committed]
    files += [p for p in (ROOT / "results").rglob("*") if p.is_file()]
    files += sorted((ROOT / ".lab").glob("*.log")) + sorted((ROOT / ".lab").glob("*/*.log"))
    # under pytest-xdist each worker's sandbox logs in .lab/pytest/<worker>/ (tests/conftest.py)
    files += sorted((ROOT / ".lab" / "pytest").glob("*/*.log"))
    return files


def text_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        return notebook_text(path)
    return path.read_text(errors="replace")


def findings(text: str, api_key: str) -> list[str]:
    """Every secret-looking thing in ``text``, named (never the value itself)."""
    found = []
    if api_key and api_key in text:
        found.append("the stack's API key value")
    found += ["an AWS access key id" for _ in ACCESS_KEY_ID.finditer(text)]
    found += ["a secret-access-key-shaped string" for m in SECRET_KEY_SHAPED.finditer(text)
              if not CDK_LOGICAL_ID.match(m.group(0))]
    found += [f"account id ending {m.group(0)[-4:]}" for m in ACCOUNT_ID.finditer(text)
              if m.group(0) != SANDBOX_ACCOUNT]
    return found


@pytest.fixture(scope="module")
def deployed(sandbox):
    """The stack freshly deployed in the test sandbox; its deploy output is kept to scan."""
    from lab.deployment import deploy, destroy

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        destroy()
        outputs = deploy()
    return outputs, printed.getvalue()


@pytest.fixture(scope="module")
def api_key(deployed) -> str:
    """The real API key value, read through the API from the stack's secret."""
    resources = client("cloudformation").describe_stack_resources(
        StackName=lab.load_config().stack_name)["StackResources"]
    secret = next(r["PhysicalResourceId"] for r in resources
                  if r["ResourceType"] == "AWS::SecretsManager::Secret")
    value = client("secretsmanager").get_secret_value(SecretId=secret)["SecretString"]
    assert len(value) >= 20
    return value


@pytest.fixture(scope="module")
def executed(deployed):
    """One STANDARD execution that reached the API (after the connection's warm-up)."""
    from lab import harness

    harness.wait_until_ready(harness.plan("standard", outputs=deployed[0]), "standard")
    result = lab.run_once("standard")
    assert result["status"] == "SUCCEEDED"
    return result


# --------------------------------------------------------------------------- the detectors


@pytest.mark.parametrize(
    "text, finding",
    [
        ("key AKIAIOSFODNN7EXAMPLE here", "an AWS access key id"),
        ("secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "a secret-access-key-shaped string"),
        ("arn:aws:iam::210987654321:role/x", "account id ending 4321"),
        ("the key is s3cr3t-value-of-the-lab", "the stack's API key value"),
    ],
)
def test_each_detector_finds_what_it_looks_for(text, finding):
    assert findings(text, "s3cr3t-value-of-the-lab") == [finding]


def test_the_sandbox_account_shas_uuids_and_cdk_logical_ids_are_not_findings():
    text = ("arn:aws:iam::123456789012:role/x commit 61d1a86e2f0b7c1d9a3e4f5a6b7c8d9e0f1a2b3c "
            "ResourceGatewayPathSecurityGroup0E0D2AF4 connection/x/4e9c2d1a-0b1c-4d2e-8f3a-"
            "839275715677")
    assert findings(text, "s3cr3t-value-of-the-lab") == []


# --------------------------------------------------------------------------- the files


@pytest.mark.sandbox
def test_no_secret_in_committed_notebooks_results_or_sandbox_logs(api_key, executed):
    files = scanned_files()
    assert any(p.suffix == ".log" for p in files)  # the test sandbox's own log at least

    leaks = {str(p.relative_to(ROOT)): found for p in files if (found := findings(text_of(p),
                                                                                  api_key))}
    assert leaks == {}


# --------------------------------------------------------------------------- what lab prints


@pytest.mark.sandbox
def test_deploy_output_shows_no_secret(deployed, api_key):
    assert findings(deployed[1], api_key) == []


@pytest.mark.sandbox
def test_the_connection_table_masks_the_key(api_key, deployed):
    shown = lab.connection()

    assert api_key not in shown.to_string()
    assert shown["ApiKeyValue"] == "**** (never shown)"


@pytest.mark.sandbox
def test_an_execution_its_history_and_what_the_api_received_are_masked(api_key, executed):
    shown = [
        json.dumps(executed, default=str),
        lab.execution_events(executed["executionArn"]).to_string(),
        lab.private_api_requests(last=3).to_json(),
        lab.private_api_request_headers().to_string(),
        lab.sandbox_request_log(last=3).to_json(),
    ]

    assert all(api_key not in text for text in shown)
    # What API Gateway reports leaves the key out; the sandbox's log shows it arrived, masked.
    reported = dict(lab.private_api_request_headers().to_numpy())
    assert "x-api-key" not in {name.lower() for name in reported}
    logged = lab.sandbox_request_log(last=1).headers.item()
    assert {k.lower(): v for k, v in logged.items()}["x-api-key"] == "****"


@pytest.mark.sandbox
def test_the_sandbox_request_log_is_masked_at_the_source(api_key, executed, sandbox):
    assert api_key not in json.dumps(lab_api(sandbox, "requests"))


@pytest.mark.sandbox
def test_a_failure_lab_row_is_masked(api_key, executed):
    row = lab.run_failure("wrong_api_key")

    assert api_key not in json.dumps(row, default=str)


@pytest.mark.sandbox
@pytest.mark.parametrize("argv", [["outputs"], ["outputs", "--json"], ["sandbox", "status"]])
def test_cli_output_shows_no_secret(api_key, deployed, argv):
    import os

    done = run_lab(*argv, LAB_SANDBOX_PORT=os.environ["LAB_SANDBOX_PORT"],
                   LAB_STATE_DIR=os.environ["LAB_STATE_DIR"])

    assert done.returncode == 0, done.stderr
    assert findings(done.stdout + done.stderr, api_key) == []


# --------------------------------------------------------------------------- loopback only


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "localhost"])
def test_the_sandbox_server_refuses_every_address_but_loopback(host):
    from lab.sandbox import server

    port = _free_port()
    with pytest.raises(LabError, match="127.0.0.1"):
        server.make_server(port, host=host)

    with socket.socket() as probe:  # and it bound nothing on the way
        assert probe.connect_ex(("127.0.0.1", port)) != 0


# --------------------------------------------------------------------------- least privilege


def _invoke_http_statements(template: dict) -> list[dict]:
    resources = template["Resources"]
    roles = {r["Properties"]["RoleArn"]["Fn::GetAtt"][0] for r in resources.values()
             if r["Type"] == "AWS::StepFunctions::StateMachine"}
    statements = []
    for resource in resources.values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        attached = {ref.get("Ref") for ref in resource["Properties"].get("Roles", [])}
        if attached & roles:
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                actions = statement["Action"]
                if "states:InvokeHTTPEndpoint" in ([actions] if isinstance(actions, str)
                                                   else actions):
                    statements.append(statement)
    return statements


def test_every_execution_role_may_invoke_http_only_with_the_http_endpoint_condition():
    from lab.synthesis import template

    statements = _invoke_http_statements(template())

    assert len(statements) == 3  # one per state machine role (STANDARD, EXPRESS, JSONata twin)
    for statement in statements:
        conditions = {key for operator in statement["Condition"].values() for key in operator}
        assert "states:HTTPEndpoint" in conditions
        endpoint = next(op["states:HTTPEndpoint"] for op in statement["Condition"].values()
                        if "states:HTTPEndpoint" in op)
        assert endpoint["Fn::Join"][1][0] == "https://"  # this API's URL, not a wildcard
