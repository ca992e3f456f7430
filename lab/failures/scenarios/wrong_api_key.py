"""The connection's API key is replaced by a wrong one: API Gateway answers 403."""

from __future__ import annotations

import json
import uuid

from cdk_app.names import Output
from lab.failures.scenario import Scenario, Undo
from lab.failures.stack import TEMP_PREFIX, DeployedLab, set_api_key


def _break_wrong_api_key(lab: DeployedLab, undo: Undo) -> None:
    undo.push("put the real API key back", lambda: _restore_api_key(lab))
    set_api_key(lab, f"{TEMP_PREFIX}-wrong-key-{uuid.uuid4().hex}")
    # A new key re-authorizes the connection; wait, so the run meets the key, not the warm-up.
    lab.wait_connection(lab.outputs[Output.ConnectionName])


def _restore_api_key(lab: DeployedLab) -> None:
    set_api_key(lab, lab.api_key_value())
    lab.wait_connection(lab.outputs[Output.ConnectionName])


def _drift_api_key(lab: DeployedLab) -> str | None:
    """The connection's secret holds the stack's key? (None when it does)."""
    try:
        secret = lab.client("secretsmanager").get_secret_value(
            SecretId=lab.connection()["SecretArn"])["SecretString"]
        stored = {k.lower().replace("_", ""): v for k, v in json.loads(secret).items()}
    except Exception:  # the connection's secret is EventBridge's: if unreadable, repair anyway
        return "the connection's key cannot be read back, so it is set again"
    if stored.get("apikeyvalue") != lab.api_key_value():
        return "the connection's API key is not the stack's"
    return None


SCENARIO = Scenario(
    "wrong_api_key",
    "the connection's API key value is replaced by a wrong one (UpdateConnection)",
    "States.Http.StatusCode.403",
    "set the real key again (read from the stack's Secrets Manager secret)",
    "the same 403 {\"message\": \"Forbidden\"} from API Gateway",
    _break_wrong_api_key, _drift_api_key, _restore_api_key,
)
