"""The execute-api host names, defined once: what the server routes here, what each names.

- :data:`EXECUTE_API_HOST`: every ``*.execute-api.*.amazonaws.com`` name (port allowed),
  which the sandbox server hands to the data plane rather than to moto;
- :data:`API_HOST`: ``<api-id>.execute-api.<region>.amazonaws.com``, or the endpoint-specific
  ``<api-id>-<vpce-id>.execute-api.<region>.amazonaws.com`` (groups ``api``, ``vpce``,
  ``region``);
- :data:`ENDPOINT_HOST`: the VPC endpoint's own DNS name,
  ``<vpce-id>-<suffix>.execute-api.<region>.vpce.amazonaws.com`` (API Gateway then needs
  the API id in ``x-apigw-api-id``);
- :func:`public_api_host`: the API a name reaches over the public internet (no endpoint in it).
"""

from __future__ import annotations

import re

EXECUTE_API_HOST = re.compile(
    r"^[a-z0-9-]+\.execute-api\.[a-z0-9.-]+\.amazonaws\.com(:\d+)?$", re.IGNORECASE
)
API_HOST = re.compile(
    r"^(?P<api>[a-z0-9]+)(?:-(?P<vpce>vpce-[0-9a-f]+))?"
    r"\.execute-api\.(?P<region>[a-z0-9-]+)\.amazonaws\.com\.?(?::\d+)?$",
    re.IGNORECASE,
)
ENDPOINT_HOST = re.compile(
    r"^(?P<vpce>vpce-[0-9a-f]+)-[a-z0-9]+(?:-[a-z0-9-]+)?"
    r"\.execute-api\.(?P<region>[a-z0-9-]+)\.vpce\.amazonaws\.com\.?(?::\d+)?$",
    re.IGNORECASE,
)


def public_api_host(host: str) -> re.Match[str] | None:
    """``<api-id>.execute-api.<region>.amazonaws.com`` (no port, no endpoint id), or None."""
    match = API_HOST.match(host)
    if match is None or match["vpce"] or ":" in host:
        return None
    return match
