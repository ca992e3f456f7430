"""What the data plane reads of the deployed APIs: one plain view, read live or from a replica.

The data plane needs a small part of moto's state: each REST API's endpoint type, resource
policy, API key source, stages (and their variables), resources with their paths, methods
and MOCK integrations, the enabled API keys of the usage plans on each stage, and which VPC
an execute-api endpoint lives in. :class:`Api` and the classes it holds are that part, as
plain frozen data with the attribute names of moto's models (``mock_integration`` reads
either).

Two sources answer the data plane's two questions (:meth:`find_api`, :meth:`vpc_of_endpoint`)
the same way, from the same builder (:func:`api_view`):

- :class:`LiveConfig` reads moto's backends on every request: the data plane inside the
  sandbox server's process (``LAB_SANDBOX_DATAPLANE_PROCESS=0``) and in-process tests;
- :class:`ReplicaConfig` holds a :func:`snapshot` of every API and endpoint, made in the
  sandbox server's process and sent as JSON to the data plane's own process
  (:mod:`.process`). A :class:`Generation` counter, in memory both processes map, says when
  it is stale: the server bumps it before and after every request that can change an API
  or an endpoint (:func:`changes_config`), and the replica fetches a new snapshot when the
  counter moved. A request therefore never sees a configuration older than the last
  change that completed before it was sent.

Written by hand: this is the sandbox's own split of moto's state between two processes;
no library knows moto's models.
"""

from __future__ import annotations

import mmap
import re
import struct
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class IntegrationResponse:
    status_code: str
    selection_pattern: str | None = None
    response_templates: dict[str, str] | None = None
    response_parameters: dict[str, str] | None = None


@dataclass(frozen=True)
class Integration:
    integration_type: str | None
    request_templates: dict[str, str] | None = None
    integration_responses: dict[str, IntegrationResponse] = field(default_factory=dict)


@dataclass(frozen=True)
class Method:
    api_key_required: bool
    method_integration: Integration | None


@dataclass(frozen=True)
class Resource:
    id: str
    path: str
    resource_methods: dict[str, Method]


@dataclass(frozen=True)
class Stage:
    name: str
    variables: dict[str, str]


@dataclass(frozen=True)
class Api:
    """One REST API as the data plane sees it."""

    id: str
    account_id: str
    region: str
    endpoint_configuration: dict[str, Any] | None
    policy: str | None
    api_key_source: str | None
    stages: dict[str, Stage]
    resources: dict[str, Resource]
    #: stage name -> {enabled API key value: key id}, from the usage plans on that stage
    api_keys: dict[str, dict[str, str]]


def _enabled(flag: Any) -> bool:
    return flag if isinstance(flag, bool) else str(flag).lower() == "true"


def _api_keys(backend: Any, api_id: str) -> dict[str, dict[str, str]]:
    keys: dict[str, dict[str, str]] = {}
    for plan in list(backend.usage_plans.values()):
        stages = [s.get("stage") for s in plan.api_stages or [] if s.get("apiId") == api_id]
        if not stages:
            continue
        values: dict[str, str] = {}
        for plan_key in list(backend.usage_plan_keys.get(plan.id, {}).values()):
            key = backend.keys.get(plan_key.id)
            if key is not None and _enabled(key.enabled):
                values[key.value] = key.id
        for stage in stages:
            keys.setdefault(stage, {}).update(values)
    return keys


def _integration(integration: Any) -> Integration | None:
    if integration is None:
        return None
    return Integration(
        integration_type=integration.integration_type,
        request_templates=dict(integration.request_templates or {}) or None,
        integration_responses={
            status: IntegrationResponse(
                status_code=str(response.status_code),
                selection_pattern=response.selection_pattern,
                response_templates=dict(response.response_templates or {}) or None,
                response_parameters=dict(response.response_parameters or {}) or None,
            )
            for status, response in list((integration.integration_responses or {}).items())
        },
    )


def api_view(account_id: str, region: str, backend: Any, api: Any) -> Api:
    """The data plane's view of moto's ``RestAPI`` ``api`` (in ``backend``)."""
    return Api(
        id=api.id,
        account_id=account_id,
        region=region,
        endpoint_configuration=dict(api.endpoint_configuration or {}) or None,
        policy=api.policy,
        api_key_source=api.api_key_source,
        stages={
            name: Stage(name=stage.name, variables=dict(stage.variables or {}))
            for name, stage in list(api.stages.items())
        },
        resources={
            resource_id: Resource(
                id=resource.id,
                path=resource.get_path(),
                resource_methods={
                    verb: Method(
                        api_key_required=bool(method.api_key_required),
                        method_integration=_integration(method.method_integration),
                    )
                    for verb, method in list((resource.resource_methods or {}).items())
                },
            )
            for resource_id, resource in list(api.resources.items())
        },
        api_keys=_api_keys(backend, api.id),
    )


def _apigateway_backends():
    from moto.apigateway.models import apigateway_backends

    return apigateway_backends


def _ec2_backends():
    from moto.ec2.models import ec2_backends

    return ec2_backends


class LiveConfig:
    """Reads moto's backends of this process on every call."""

    def find_api(self, api_id: str, region: str) -> Api | None:
        # iter_backends() visits only backends that exist: looking up must not create any.
        for account_id, backend_region, backend in list(_apigateway_backends().iter_backends()):
            if backend_region == region:
                api = backend.apis.get(api_id)
                if api is not None:
                    return api_view(account_id, region, backend, api)
        return None

    def vpc_of_endpoint(self, vpce_id: str, region: str) -> str | None:
        for _, backend_region, backend in list(_ec2_backends().iter_backends()):
            if backend_region == region:
                endpoint = backend.vpc_end_points.get(vpce_id)
                if endpoint is not None:
                    return endpoint.vpc_id
        return None


# --------------------------------------------------------------------------- the replica


@dataclass(frozen=True)
class Snapshot:
    """Every API and VPC endpoint of every account and region, at ``generation``."""

    generation: int
    apis: dict[tuple[str, str], Api]  # (region, api id) -> Api
    endpoints: dict[tuple[str, str], str]  # (region, vpce id) -> vpc id


def snapshot(generation: int) -> Snapshot:
    """Read moto's backends now (the server's process); ``generation`` is read before."""
    for _attempt in range(5):
        try:
            return _snapshot(generation)
        except RuntimeError:  # a dict changed size while a request was changing it: again
            continue
    return _snapshot(generation)


def _snapshot(generation: int) -> Snapshot:
    import sys

    apis: dict[tuple[str, str], Api] = {}
    if "moto.apigateway.models" in sys.modules:  # never imported: no API exists
        for account_id, region, backend in list(_apigateway_backends().iter_backends()):
            for api_id, api in list(backend.apis.items()):
                apis.setdefault((region, api_id), api_view(account_id, region, backend, api))
    endpoints: dict[tuple[str, str], str] = {}
    if "moto.ec2.models" in sys.modules:
        for _, region, backend in list(_ec2_backends().iter_backends()):
            for vpce_id, endpoint in list(backend.vpc_end_points.items()):
                endpoints.setdefault((region, vpce_id), endpoint.vpc_id)
    return Snapshot(generation=generation, apis=apis, endpoints=endpoints)


def to_json(snap: Snapshot) -> dict[str, Any]:
    """``snap`` as JSON-ready data (what the server sends the data plane's process)."""
    return {
        "generation": snap.generation,
        "apis": [asdict(api) for api in snap.apis.values()],
        "endpoints": [[region, vpce, vpc] for (region, vpce), vpc in snap.endpoints.items()],
    }


def _api_from_json(data: dict[str, Any]) -> Api:
    def integration(value: dict[str, Any] | None) -> Integration | None:
        if value is None:
            return None
        return Integration(
            integration_type=value["integration_type"],
            request_templates=value["request_templates"],
            integration_responses={
                status: IntegrationResponse(**response)
                for status, response in value["integration_responses"].items()
            },
        )

    return Api(
        id=data["id"],
        account_id=data["account_id"],
        region=data["region"],
        endpoint_configuration=data["endpoint_configuration"],
        policy=data["policy"],
        api_key_source=data["api_key_source"],
        stages={name: Stage(**stage) for name, stage in data["stages"].items()},
        resources={
            resource_id: Resource(
                id=resource["id"],
                path=resource["path"],
                resource_methods={
                    verb: Method(
                        api_key_required=method["api_key_required"],
                        method_integration=integration(method["method_integration"]),
                    )
                    for verb, method in resource["resource_methods"].items()
                },
            )
            for resource_id, resource in data["resources"].items()
        },
        api_keys=data["api_keys"],
    )


def from_json(data: dict[str, Any]) -> Snapshot:
    """The inverse of :func:`to_json`."""
    apis = {(api["region"], api["id"]): _api_from_json(api) for api in data["apis"]}
    endpoints = {(region, vpce): vpc for region, vpce, vpc in data["endpoints"]}
    return Snapshot(generation=int(data["generation"]), apis=apis, endpoints=endpoints)


class Generation:
    """A counter in a shared, unlinked temporary file: the server writes, the data plane reads.

    The file is mapped by both processes (the data plane's inherits its descriptor), so a
    read is a memory load, not a round trip.
    """

    _FORMAT = "<Q"

    def __init__(self, fd: int | None = None) -> None:
        if fd is None:
            self._file = tempfile.TemporaryFile(prefix="lab-dataplane-generation-")
            self._file.write(b"\0" * mmap.PAGESIZE)
            self._file.flush()
            fd = self._file.fileno()
        else:
            self._file = None
        self.fd = fd
        self._map = mmap.mmap(fd, mmap.PAGESIZE)
        self._lock = threading.Lock()

    @property
    def value(self) -> int:
        return struct.unpack_from(self._FORMAT, self._map, 0)[0]

    def bump(self) -> int:
        with self._lock:
            value = self.value + 1
            struct.pack_into(self._FORMAT, self._map, 0, value)
            return value


class ReplicaConfig:
    """Answers from a snapshot; fetches a new one (``fetch()``) when ``generation`` moved."""

    def __init__(self, generation: Generation, fetch: Callable[[], Snapshot]) -> None:
        self._generation = generation
        self._fetch = fetch
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self.fetches = 0

    def current(self) -> Snapshot:
        snap, now = self._snapshot, self._generation.value
        if snap is not None and snap.generation == now:
            return snap
        with self._lock:
            snap = self._snapshot
            if snap is None or snap.generation != self._generation.value:
                snap = self._snapshot = self._fetch()
                self.fetches += 1
            return snap

    def find_api(self, api_id: str, region: str) -> Api | None:
        return self.current().apis.get((region, api_id))

    def vpc_of_endpoint(self, vpce_id: str, region: str) -> str | None:
        return self.current().endpoints.get((region, vpce_id))


# ----------------------------------------------------------------- what changes the config

#: Services whose calls never change an API or a VPC endpoint (the hot ones among them: Step
#: Functions, EventBridge, CloudWatch Logs, SQS). Every other service's call, and every
#: control call, bumps the generation: an unknown service errs on the side of a new snapshot.
READ_ONLY_SERVICES = frozenset(
    {"states", "events", "logs", "sqs", "sts", "secretsmanager", "iam", "kms", "s3", "lambda"}
)
_CREDENTIAL_SERVICE = re.compile(r"Credential=[^/,]*/\d{8}/[^/,]*/([^/,]+)/")


def changes_config(environ: dict[str, Any]) -> bool:
    """Whether this (signed) AWS request may change what the data plane reads."""
    auth = environ.get("HTTP_AUTHORIZATION") or ""
    match = _CREDENTIAL_SERVICE.search(auth)
    if match is None:
        query = environ.get("QUERY_STRING", "")
        match = _CREDENTIAL_SERVICE.search(query.replace("%2F", "/").replace("%2f", "/"))
    return match is None or match.group(1) not in READ_ONLY_SERVICES
