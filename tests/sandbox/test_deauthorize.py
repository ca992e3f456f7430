"""DeauthorizeConnection (EventBridge API reference): "Removes all authorization parameters
from the connection"; the connection goes DEAUTHORIZING -> DEAUTHORIZED, an HTTP Task through
it fails with Events.ConnectionResource.InvalidConnectionState (call-https-apis.html,
connection errors), and UpdateConnection with new credentials authorizes it again. moto 5.2.5
answered HTTP 500 ("not implemented")."""

from __future__ import annotations

import time

from http_invoke_builders import (
    build_private_path,
    create_state_machine,
    http_task_definition,
    run_execution,
    task_failure,
    wait_for_connection,
)

from lab.sandbox.events import models


def test_deauthorize_then_reauthorize(aws, dataplane, monkeypatch):
    monkeypatch.setattr(models, "DEAUTHORIZING_SECONDS", 0.2)
    path = build_private_path(aws)
    events = aws("events")
    machine = create_state_machine(aws, http_task_definition(path.api.url(), path.connection_arn))

    answer = events.deauthorize_connection(Name="lab-connection")
    assert answer["ConnectionState"] == "DEAUTHORIZING"
    time.sleep(0.25)
    described = events.describe_connection(Name="lab-connection")
    assert described["ConnectionState"] == "DEAUTHORIZED"
    assert "ApiKeyAuthParameters" not in described["AuthParameters"]

    failed = run_execution(aws, machine)
    assert failed["status"] == "FAILED"
    assert task_failure(aws, failed["executionArn"])["error"] == (
        "Events.ConnectionResource.InvalidConnectionState"
    )

    events.update_connection(
        Name="lab-connection",
        AuthParameters={
            "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": path.api.api_key}
        },
    )
    wait_for_connection(aws, "lab-connection")
    assert run_execution(aws, machine)["status"] == "SUCCEEDED"
