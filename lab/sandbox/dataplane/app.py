"""The private REST API's data plane: a WSGI app that plays the execute-api VPC endpoint.

A request arrives with the API's host name (``<api-id>.execute-api.<region>.amazonaws.com``)
and, when it came through a VPC endpoint, ``x-lab-source-vpce: <vpce-id>`` (the sandbox's
stand-in for "which endpoint the packet arrived through"). Both are believed only when the
sandbox's network path carried the request (its proof header, ``lab.sandbox.access``); a
request sent straight here comes from outside the VPC and gets 403 Forbidden. The app then
does what API Gateway does, in its order:

1. find the REST API (any account, the host's region) and the stage -> else 403 Forbidden;
2. evaluate the resource policy (a private API needs one and is reachable only through an
   endpoint) -> else 403 ``User: anonymous is not authorized ...``;
3. find the resource and method -> else 403 Missing Authentication Token;
4. check the API key against the enabled keys of usage plans on this API and stage
   -> else 403 Forbidden;
5. run the MOCK integration and render its response.

It reads the API configuration through ``config`` (:mod:`.config`): moto's live apigateway
backend in this process, or a replica of it in the data plane's own process. Either way
moto keeps no per-deployment snapshot, so a change is served before it is deployed
(README says so).
"""

from __future__ import annotations

import datetime
import json
import time
import uuid
from collections.abc import Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from lab.config import SOURCE_VPCE_HEADER
from lab.masking import mask_text
from lab.sandbox import access
from lab.sandbox.dataplane import hosts, mock_integration, policy
from lab.sandbox.dataplane.config import LiveConfig
from lab.sandbox.dataplane.request_log import RequestLog

_RECEIVED_MS = "lab.received_epoch_ms"  # WSGI environ key
#: The request log keeps at most this many bytes of each request's body.
BODY_LOG_LIMIT = 4096
_PROOF_ENVIRON_KEY = "HTTP_" + access.PATH_PROOF_HEADER.upper().replace("-", "_")


class _Refusal(Exception):
    """API Gateway answers the request with an error before any integration runs."""

    def __init__(self, status: int, body: dict, error_type: str):
        super().__init__(body)
        self.status = status
        self.body = body
        self.error_type = error_type


def _forbidden() -> _Refusal:
    return _Refusal(403, {"message": "Forbidden"}, "ForbiddenException")


def _missing_authentication_token() -> _Refusal:
    # What API Gateway answers for a path or method the API does not define.
    return _Refusal(
        403, {"message": "Missing Authentication Token"}, "MissingAuthenticationTokenException"
    )


def _match_segment(part: str, segment: str, params: dict[str, str]) -> bool:
    if part.startswith("{") and part.endswith("}"):
        params[part[1:-1]] = segment
        return True
    return part == segment


def match_resource(api: Any, path: str) -> tuple[Any, dict[str, str]] | None:
    """The API resource serving ``path`` and its path parameters; literal parts win."""
    segments = [s for s in path.strip("/").split("/") if s]
    best = None
    for resource in api.resources.values():
        parts = [p for p in resource.path.strip("/").split("/") if p]
        params: dict[str, str] = {}
        if parts and parts[-1].endswith("+}"):
            head = parts[:-1]
            if len(segments) <= len(head):
                continue
            if all(_match_segment(p, s, params) for p, s in zip(head, segments, strict=False)):
                params[parts[-1][1:-2]] = "/".join(segments[len(head) :])
                score = (len(head), sum(not p.startswith("{") for p in head), 0)
            else:
                continue
        elif len(parts) == len(segments) and all(
            _match_segment(p, s, params) for p, s in zip(parts, segments, strict=True)
        ):
            score = (len(parts), sum(not p.startswith("{") for p in parts), 1)
        else:
            continue
        if best is None or score > best[0]:
            best = (score, resource, params)
    return (best[1], best[2]) if best else None


def _is_private(api: Any) -> bool:
    return "PRIVATE" in [t.upper() for t in (api.endpoint_configuration or {}).get("types", [])]


class DataPlane:
    """WSGI application for every ``*.execute-api.*`` host of the sandbox."""

    def __init__(self, log: RequestLog, config: Any = None):
        self.log = log
        #: Where the APIs are read from: moto's live backends, or a replica (``.config``).
        self.config = config if config is not None else LiveConfig()

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        # The proof never reaches the API (its logs, $input.params()): it is the path's.
        proof = environ.pop(_PROOF_ENVIRON_KEY, None)
        request = Request(environ)
        started = time.perf_counter()
        received = datetime.datetime.now(datetime.UTC)
        # $context.requestTimeEpoch: when the request reached API Gateway, in ms.
        environ[_RECEIVED_MS] = int(received.timestamp() * 1000)
        request_id = str(uuid.uuid4())
        through_path = access.path_proof_valid(proof, request.headers.get(SOURCE_VPCE_HEADER))
        entry: dict[str, Any] = {
            "time": received.isoformat(timespec="milliseconds"),
            "request_id": request_id,
            "method": request.method,
            "host": request.host,
            "path": request.path,
            "query": request.query_string.decode("latin-1"),
            "source_vpce": request.headers.get(SOURCE_VPCE_HEADER) if through_path else None,
            "through_network_path": through_path,
            "headers": dict(request.headers.items()),
            # What an API destination delivered (the event), so the lab can tell which
            # event arrived when; cut to BODY_LOG_LIMIT, masked like the headers.
            "body": mask_text(
                request.get_data(cache=True)[:BODY_LOG_LIMIT].decode("utf-8", "replace")
            ),
            "api_id": None,
            "stage": None,
        }
        try:
            if not through_path:
                # Sent straight to the endpoint, not through the sandbox's network path:
                # from outside the VPC, which AWS refuses for a private API with 403.
                raise _forbidden()
            response = self._handle(request, request_id, entry)
        except _Refusal as refusal:
            response = Response(
                json.dumps(refusal.body, separators=(",", ":")),
                status=refusal.status,
                content_type="application/json",
            )
            response.headers["x-amzn-ErrorType"] = refusal.error_type
        response.headers["x-amzn-RequestId"] = request_id
        response.headers["x-amz-apigw-id"] = uuid.uuid4().hex[:16]
        entry["status"] = response.status_code
        entry["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
        self.log.add(entry)
        return response(environ, start_response)

    def _target(self, request: Request) -> tuple[str, str, str | None]:
        host = request.host or ""
        match = hosts.API_HOST.match(host)
        if match:
            return match["api"].lower(), match["region"].lower(), match["vpce"]
        match = hosts.ENDPOINT_HOST.match(host)
        if match and request.headers.get("x-apigw-api-id"):
            return request.headers["x-apigw-api-id"].lower(), match["region"].lower(), None
        raise _forbidden()

    def _handle(self, request: Request, request_id: str, entry: dict[str, Any]) -> Response:
        api_id, region, host_vpce = self._target(request)
        source_vpce = request.headers.get(SOURCE_VPCE_HEADER) or host_vpce
        api = self.config.find_api(api_id, region)
        if api is None:
            raise _forbidden()
        account_id = api.account_id
        entry["api_id"] = api_id
        segments = request.path.lstrip("/").split("/", 1)
        stage_name = segments[0]
        resource_path = "/" + (segments[1] if len(segments) > 1 else "")
        stage = api.stages.get(stage_name) if stage_name else None
        if stage is None:
            raise _forbidden()
        entry["stage"] = stage_name

        self._authorize(api, account_id, region, stage_name, request, resource_path, source_vpce)

        matched = match_resource(api, resource_path)
        if matched is None:
            raise _missing_authentication_token()
        resource, path_params = matched
        method = resource.resource_methods.get(request.method) or resource.resource_methods.get(
            "ANY"
        )
        if method is None:
            raise _missing_authentication_token()
        api_key = api_key_id = None
        if method.api_key_required and (api.api_key_source or "HEADER") == "HEADER":
            presented = request.headers.get("x-api-key")
            api_key_id = api.api_keys.get(stage_name, {}).get(presented or "")
            if api_key_id is None:
                raise _forbidden()
            api_key = presented

        identity = {
            "source_ip": request.remote_addr or "",
            "vpce_id": source_vpce if _is_private(api) else None,
            "vpc_id": self.config.vpc_of_endpoint(source_vpce, region)
            if source_vpce and _is_private(api)
            else None,
            "api_key": api_key,
            "api_key_id": api_key_id,
        }
        return self._integrate(
            request, request_id, api, account_id, stage, resource, method, path_params, identity
        )

    def _authorize(
        self,
        api: Any,
        account_id: str,
        region: str,
        stage_name: str,
        request: Request,
        resource_path: str,
        source_vpce: str | None,
    ) -> None:
        private = _is_private(api)
        if private and not source_vpce:
            # A private API is reachable only through an interface VPC endpoint.
            raise _forbidden()
        document = policy.load_policy(api.policy)
        if document is None and not private:
            return
        api_arn = f"arn:aws:execute-api:{region}:{account_id}:{api.id}"
        method_arn = f"{api_arn}/{stage_name}/{request.method}/{resource_path.lstrip('/')}"
        context: dict[str, str] = {}
        if source_vpce:
            context["aws:SourceVpce"] = source_vpce
            vpc_id = self.config.vpc_of_endpoint(source_vpce, region)
            if vpc_id:
                context["aws:SourceVpc"] = vpc_id
        decision = policy.evaluate(document, policy.InvokeRequest(api_arn, method_arn, context))
        if decision != policy.ALLOW:
            raise _Refusal(
                403,
                {"Message": policy.denial_message(decision, method_arn)},
                "AccessDeniedException",
            )

    def _integrate(
        self,
        request: Request,
        request_id: str,
        api: Any,
        account_id: str,
        stage: Any,
        resource: Any,
        method: Any,
        path_params: dict[str, str],
        identity: dict[str, Any],
    ) -> Response:
        integration = method.method_integration
        if integration is None or (integration.integration_type or "").upper() != "MOCK":
            # Only MOCK integrations answer in the sandbox: nothing else runs behind the API.
            return _internal_error()
        scope = mock_integration.TemplateScope(
            context=mock_integration.context_variables(
                request_id=request_id,
                request_time_epoch_ms=request.environ[_RECEIVED_MS],
                api_id=api.id,
                account_id=account_id,
                stage=stage.name,
                resource_id=resource.id,
                resource_path=resource.path,
                http_method=request.method,
                path=request.path,
                domain_name=(request.host or "").split(":")[0],
                protocol=request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                user_agent=request.headers.get("User-Agent"),
                **identity,
            ),
            stage_variables=dict(stage.variables or {}),
            headers=_method_request_headers(request),
            query=dict(request.args.items()),
            path=path_params,
            body=request.get_data(as_text=True),
        )
        try:
            result = mock_integration.invoke(integration, scope, request.mimetype or None)
        except mock_integration.IntegrationConfigurationError:
            return _internal_error()
        response = Response(
            b"" if request.method == "HEAD" else result.body.encode("utf-8"),
            status=result.status,
            content_type=result.content_type,
        )
        for name, value in result.headers.items():
            response.headers[name] = value
        return response


def _method_request_headers(request: Request) -> dict[str, str]:
    """The headers API Gateway passes to the method request (not the sandbox's own)."""
    return {
        name: value for name, value in request.headers.items() if name.lower() != SOURCE_VPCE_HEADER
    }


def _internal_error() -> Response:
    response = Response(
        json.dumps({"message": "Internal server error"}, separators=(",", ":")),
        status=500,
        content_type="application/json",
    )
    response.headers["x-amzn-ErrorType"] = "InternalServerErrorException"
    return response
