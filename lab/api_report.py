"""What the private API reported about a request, read from an HTTP Task's output.

``GET /hello``'s response template (``cdk_app/mapping_templates/hello_response.vtl``)
answers with API Gateway's own ``$context`` and the method request's headers and query
string (the API key left out, only its id shown). The HTTP Task puts that answer in its
output's ``ResponseBody``, so the same code reads it on AWS and in the sandbox: no access
logs, no account-wide API Gateway CloudWatch role, no sandbox-only request log.

It also gives the latency one more hop. ``requestTimeEpoch`` is when the request reached
API Gateway (ms since the epoch, API Gateway's clock), so

- ``sfn_to_api_ms``: Step Functions -> API, from the task attempt's ``TaskStarted`` event
  (STANDARD) or the execution's ``startDate`` (EXPRESS, which has no history on AWS) to
  ``requestTimeEpoch``: the connection, the resource gateway and the VPC endpoint;
- ``api_to_result_ms``: API -> result, from ``requestTimeEpoch`` to the ``TaskSucceeded``
  event (STANDARD) or the execution's ``stopDate`` (EXPRESS): the API's answer travelling
  back and Step Functions recording it.

Both subtract timestamps of two AWS services, each kept to the millisecond; their clocks
agree closely but not exactly, so a hop of a few ms can read a little off (even negative).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cdk_app.names import EXECUTION_HEADER
from lab.masking import mask_secrets


@dataclass(frozen=True)
class ApiReport:
    """One request as API Gateway saw it (``ResponseBody.received`` of ``GET /hello``)."""

    request_id: str
    request_time_epoch_ms: int
    http_method: str
    resource_path: str
    stage: str
    domain_name: str
    source_ip: str
    vpce_id: str
    vpc_id: str
    user_agent: str
    api_key_id: str
    headers: dict[str, str] = field(default_factory=dict)
    querystring: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_output(cls, output: Any) -> ApiReport | None:
        """The report in an HTTP Task output (JSON text or dict), or None if it has none."""
        if isinstance(output, str):
            try:
                output = json.loads(output)
            except ValueError:
                return None
        if not isinstance(output, dict):
            return None
        body = output.get("ResponseBody")
        if isinstance(body, str):
            try:
                body = json.loads(body)
            except ValueError:
                return None
        received = body.get("received") if isinstance(body, dict) else None
        if not isinstance(received, dict):
            return None
        context = received.get("context") or {}
        identity = context.get("identity") or {}
        try:
            epoch = int(context["requestTimeEpoch"])
        except (KeyError, TypeError, ValueError):
            return None
        return cls(
            request_id=str(context.get("requestId", "")),
            request_time_epoch_ms=epoch,
            http_method=str(context.get("httpMethod", "")),
            resource_path=str(context.get("resourcePath", "")),
            stage=str(context.get("stage", "")),
            domain_name=str(context.get("domainName", "")),
            source_ip=str(identity.get("sourceIp", "")),
            vpce_id=str(identity.get("vpceId", "")),
            vpc_id=str(identity.get("vpcId", "")),
            user_agent=str(identity.get("userAgent", "")),
            api_key_id=str(identity.get("apiKeyId", "")),
            headers=mask_secrets(dict(received.get("headers") or {})),
            querystring=mask_secrets(dict(received.get("querystring") or {})),
        )

    @property
    def received_at(self) -> datetime:
        """``requestTimeEpoch`` as an aware UTC datetime."""
        return datetime.fromtimestamp(self.request_time_epoch_ms / 1000, UTC)

    @property
    def execution_name(self) -> str | None:
        """The execution that sent the request (its ``x-lab-execution`` header)."""
        for name, value in self.headers.items():
            if name.lower() == EXECUTION_HEADER:
                return value
        return None

    def row(self) -> dict[str, Any]:
        """One table row: when, which request, how it arrived (headers as a dict)."""
        return {
            "time": self.received_at.isoformat(timespec="milliseconds"),
            "request_id": self.request_id,
            "execution": self.execution_name,
            "method": self.http_method,
            "host": self.domain_name,
            "path": f"/{self.stage}{self.resource_path}",
            "source_vpce": self.vpce_id or None,
            "source_vpc": self.vpc_id or None,
            "source_ip": self.source_ip,
            "api_key_id": self.api_key_id or None,
            "user_agent": self.user_agent,
            "headers": self.headers,
        }


def _ms(start: datetime | None, stop_ms: float | None) -> float | None:
    if start is None or stop_ms is None:
        return None
    return round(stop_ms - start.timestamp() * 1000.0, 3)


def hops_standard(events: Iterable[dict], report: ApiReport | None) -> dict[str, float | None]:
    """``sfn_to_api_ms`` and ``api_to_result_ms`` of a STANDARD execution.

    Measured on the attempt that succeeded: its ``TaskStarted`` event and the
    ``TaskSucceeded`` event after it (a retried attempt's request is not the one
    the report describes).
    """
    started = succeeded = None
    for event in events:
        if event.get("type") == "TaskStarted":
            started = event["timestamp"]
        elif event.get("type") == "TaskSucceeded":
            succeeded = event["timestamp"]
    return _hops(report, started, succeeded)


def hops_express(response: dict, report: ApiReport | None) -> dict[str, float | None]:
    """``sfn_to_api_ms`` and ``api_to_result_ms`` of an EXPRESS ``start_sync_execution``."""
    return _hops(report, response.get("startDate"), response.get("stopDate"))


def _hops(report, start: datetime | None, stop: datetime | None) -> dict[str, float | None]:
    if report is None or start is None:
        return {"sfn_to_api_ms": None, "api_to_result_ms": None}
    seen = float(report.request_time_epoch_ms)
    return {
        "sfn_to_api_ms": _ms(start, seen),
        "api_to_result_ms": None if stop is None else round(stop.timestamp() * 1000.0 - seen, 3),
    }
