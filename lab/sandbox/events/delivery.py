"""Delivery of matched events to API destination targets: what moto 5.2.5 never does.

moto evaluates a rule's pattern in ``PutEvents`` and, for an ``api-destination`` target,
calls out only when ``MOTO_EVENTS_INVOKE_HTTP`` is set (with ``requests``, straight to the
URL, no connection, no retries). The sandbox instead delivers as EventBridge documents it
("API destinations as targets", "Retry policies and dead-letter queues"):

1. ``PutEvents`` only *enqueues* (:func:`enqueue`): delivery never blocks the caller. One
   scheduler thread keeps a heap of due attempts; a fixed pool of worker threads
   (:data:`WORKERS`) makes the HTTP calls. Nothing starts a thread per event.
2. Each API destination's ``InvocationRateLimitPerSecond`` is a token bucket: events beyond
   it wait in the heap (EventBridge queues them too), they are not dropped.
3. The body is the target's input: ``Input`` (constant), ``InputPath`` or
   ``InputTransformer`` (``InputPathsMap`` + ``InputTemplate``), else the whole event.
4. The request goes through the destination's connection along the **same modelled path as
   the HTTP Task** (``lab.sandbox.stepfunctions.connections`` for the connection's state and
   credentials, ``lab.sandbox.network`` for connection ACTIVE -> resource configuration ->
   gateway -> endpoint, then ``lab.sandbox.stepfunctions.transport``'s real socket to the
   data plane), with EventBridge's headers:
   ``User-Agent: Amazon/EventBridge/ApiDestinations``, ``Content-Type: application/json;
   charset=utf-8``, the target's ``HttpParameters`` and the connection's key and invocation
   parameters (the connection's win). The request times out after 5 seconds, as AWS's does.
5. The target's role must trust EventBridge and allow ``events:InvokeApiDestination``
   (:mod:`.target_role`); if not, the event goes to the dead-letter queue at once.
   2xx: delivered. 429, 5xx, a network failure or a connection that is not ready: retried
   with exponential backoff and full jitter until ``RetryPolicy.MaximumRetryAttempts`` or
   ``MaximumEventAgeInSeconds`` runs out. Any other 4xx: not retried.
6. An event that failed for good goes to the target's ``DeadLetterConfig`` queue (when its
   policy lets ``events.amazonaws.com`` send for this rule), the event as the body, with
   the message attributes ``RULE_ARN``, ``TARGET_ARN``, ``ERROR_CODE``, ``ERROR_MESSAGE``,
   ``EXHAUSTED_RETRY_CONDITION`` (when retries ran out) and ``RETRY_ATTEMPTS``.
7. Each match and each outcome is published to moto's CloudWatch as the ``AWS/Events``
   metrics EventBridge publishes per rule (dimensions ``EventBusName``, ``RuleName``), so the
   lab reads delivery the same way in both modes.

Written by hand because no library emulates EventBridge delivery; the transport, the path
checks and the request building are the HTTP Task's, reused.
"""

from __future__ import annotations

import datetime
import functools
import heapq
import itertools
import json
import os
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from lab.sandbox import settings
from lab.sandbox.once import Once

USER_AGENT = "Amazon/EventBridge/ApiDestinations"
CONTENT_TYPE = "application/json; charset=utf-8"
#: EventBridge gives an API destination endpoint 5 seconds to answer.
REQUEST_TIMEOUT_SECONDS = 5.0
#: RetryPolicy defaults of a rule target (EventBridge user guide).
DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185
DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 86_400
#: Backoff between attempts: base * 2**retry, full jitter, capped. AWS documents
#: "exponential back off and jitter" but not its constants; these are the sandbox's.
RETRY_BASE_SECONDS = float(os.environ.get("LAB_SANDBOX_EVENT_RETRY_BASE_SECONDS", "0.5"))
RETRY_CAP_SECONDS = 30.0
WORKERS = 8
#: A bound on waiting deliveries, so a flood cannot exhaust the sandbox's memory.
MAX_PENDING = 200_000

ERROR_CLIENT = "SDK_CLIENT_ERROR"
ERROR_NOT_FOUND = "RESOURCE_NOT_FOUND"
EXHAUSTED_ATTEMPTS = "MaximumRetryAttempts"
EXHAUSTED_AGE = "MaximumEventAgeInSeconds"

METRICS_NAMESPACE = "AWS/Events"


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    rule_arn: str = field(compare=False)
    bus_name: str = field(compare=False)
    rule_name: str = field(compare=False)
    target: dict[str, Any] = field(compare=False)
    event: dict[str, Any] = field(compare=False)
    account: str = field(compare=False)
    region: str = field(compare=False)
    ingested: float = field(compare=False)  # time.time() when PutEvents accepted it
    retries: int = field(default=0, compare=False)
    generation: int = field(default=0, compare=False)


@dataclass
class Outcome:
    """What one attempt came to."""

    delivered: bool
    retryable: bool = False
    error_code: str = ""
    error_message: str = ""
    status: int | None = None


class _TokenBucket:
    def __init__(self, rate: float):
        self.rate = max(float(rate), 1.0)
        self.tokens = self.rate
        self.stamp = time.monotonic()

    def take(self, now: float) -> float:
        """0 if a token was taken, else the seconds until one is available."""
        self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class DeliveryEngine:
    """The scheduler heap, the rate limiters and the worker pool (one per process)."""

    def __init__(self, workers: int = WORKERS):
        self._heap: list[_Job] = []
        self._cv = threading.Condition()
        self._seq = itertools.count()
        self._buckets: dict[str, _TokenBucket] = {}
        self._slots = threading.BoundedSemaphore(workers)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lab-events")
        self._generation = 0
        self._in_flight = 0
        self._thread = threading.Thread(target=self._run, name="lab-events-scheduler", daemon=True)
        self._thread.start()

    # -- called by PutEvents ------------------------------------------------------------

    def enqueue(self, job: _Job) -> bool:
        with self._cv:
            if len(self._heap) >= MAX_PENDING:
                return False
            job.seq = next(self._seq)
            job.generation = self._generation
            heapq.heappush(self._heap, job)
            self._cv.notify()
        return True

    def pending(self) -> int:
        """Deliveries waiting or in flight."""
        with self._cv:
            return len(self._heap) + self._in_flight

    def reset(self) -> None:
        """Forget every waiting delivery (the sandbox was reset)."""
        with self._cv:
            self._heap.clear()
            self._buckets.clear()
            self._generation += 1

    # -- the scheduler ------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._heap or self._heap[0].due > time.time():
                    timeout = None if not self._heap else self._heap[0].due - time.time()
                    self._cv.wait(timeout)
                job = heapq.heappop(self._heap)
                wait = self._rate_wait(job)
                if wait > 0:
                    job.due = time.time() + wait
                    heapq.heappush(self._heap, job)
                    continue
                self._in_flight += 1
            self._slots.acquire()  # at most WORKERS calls at once; PutEvents never waits here
            self._pool.submit(self._attempt, job)

    def _rate_wait(self, job: _Job) -> float:
        arn = job.target.get("Arn", "")
        destination = _destination(job)
        if destination is None:
            return 0.0
        rate = float(destination.invocation_rate_limit_per_second or 300)
        bucket = self._buckets.get(arn)
        if bucket is None or bucket.rate != rate:
            bucket = self._buckets[arn] = _TokenBucket(rate)
        return bucket.take(time.monotonic())

    # -- one attempt --------------------------------------------------------------------

    def _attempt(self, job: _Job) -> None:
        try:
            if job.generation != self._generation:
                return
            started = time.time()
            outcome = attempt(job)
            _metric(job, "InvocationAttempts", 1)
            if job.retries == 0:
                latency_ms = max(0.0, (started - job.ingested) * 1000)
                _metric(job, "IngestionToInvocationStartLatency", latency_ms, "Milliseconds")
            if outcome.delivered:
                _metric(job, "SuccessfulInvocationAttempts", 1)
                _metric(job, "Invocations", 1)
                return
            if job.retries > 0:
                _metric(job, "RetryInvocationAttempts", 1)
            exhausted = self._retry_or_exhausted(job, outcome)
            if exhausted is not None:
                _metric(job, "Invocations", 1)
                _metric(job, "FailedInvocations", 1)
                dead_letter(job, outcome, exhausted)
        except Exception as exc:  # never let a worker die silently
            _metric(job, "FailedInvocations", 1)
            dead_letter(job, Outcome(False, False, ERROR_CLIENT, f"Internal error: {exc!r}"), None)
        finally:
            with self._cv:
                self._in_flight -= 1
            self._slots.release()

    def _retry_or_exhausted(self, job: _Job, outcome: Outcome) -> str | None:
        """Schedule the next attempt, or say which retry condition ran out (``""``: no retry)."""
        if not outcome.retryable:
            return ""
        policy = job.target.get("RetryPolicy") or {}
        max_retries = int(policy.get("MaximumRetryAttempts", DEFAULT_MAXIMUM_RETRY_ATTEMPTS))
        max_age = float(policy.get("MaximumEventAgeInSeconds", DEFAULT_MAXIMUM_EVENT_AGE_SECONDS))
        if job.retries >= max_retries:
            return EXHAUSTED_ATTEMPTS
        delay = random.uniform(0, min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2**job.retries))
        due = time.time() + delay
        if due - job.ingested > max_age:
            return EXHAUSTED_AGE
        job.retries += 1
        job.due = due
        with self._cv:
            if job.generation == self._generation:
                job.seq = next(self._seq)
                heapq.heappush(self._heap, job)
                self._cv.notify()
        return None


_engine: Once[DeliveryEngine] = Once(DeliveryEngine)


def engine() -> DeliveryEngine:
    """The process's delivery engine (started on first use)."""
    return _engine.get()


@settings.on_reset
def reset() -> None:
    """Drop every waiting delivery (``/lab-api/reset``)."""
    started = _engine.made
    if started is not None:
        started.reset()


def pending() -> int:
    """Deliveries waiting or in flight in this process."""
    started = _engine.made
    return started.pending() if started is not None else 0


# --------------------------------------------------------------------------- from PutEvents


def aws_event(event: dict[str, Any]) -> dict[str, Any]:
    """moto's event message as EventBridge delivers it (``time`` in ISO 8601, UTC)."""
    shaped = {
        key: event[key]
        for key in ("version", "id", "detail-type", "source", "account", "time", "region")
        if key in event
    }
    stamp = event.get("time")
    if isinstance(stamp, datetime.datetime):
        stamp = stamp.timestamp()
    if isinstance(stamp, int | float):
        shaped["time"] = datetime.datetime.fromtimestamp(stamp, datetime.UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    shaped["resources"] = list(event.get("resources") or [])
    shaped["detail"] = event.get("detail") or {}
    return shaped


def enqueue(rule: Any, event: dict[str, Any]) -> int:
    """Queue ``event`` for every API destination target of ``rule`` it matched; never blocks.

    Returns how many deliveries were queued.
    """
    queued = 0
    for name in ("MatchedEvents", "TriggeredRules"):
        _publish(rule.account_id, rule.region_name, rule.event_bus_name, rule.name, name, 1)
    for target in list(rule.targets):
        if ":api-destination/" not in str(target.get("Arn", "")):
            continue
        job = _Job(
            due=time.time(),
            seq=0,
            rule_arn=rule.arn,
            bus_name=rule.event_bus_name,
            rule_name=rule.name,
            target=dict(target),
            event=aws_event(event),
            account=rule.account_id,
            region=rule.region_name,
            ingested=time.time(),
        )
        if engine().enqueue(job):
            queued += 1
        else:
            dead_letter(
                job, Outcome(False, False, ERROR_CLIENT, "Too many pending deliveries."), ""
            )
    return queued


# --------------------------------------------------------------------------- input


@functools.lru_cache(maxsize=256)
def _compiled(path: str) -> Any:
    # jsonpath_ng builds a new PLY parser for every parse() (tens of milliseconds): once
    # per distinct path, not once per event.
    from jsonpath_ng.ext import parse

    return parse(path)


def _find(path: str, event: dict[str, Any]) -> tuple[bool, Any]:
    matches = _compiled(path).find(event)
    if not matches:
        return False, None
    return True, matches[0].value


_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")


def transform(transformer: dict[str, Any], event: dict[str, Any]) -> str:
    """An ``InputTransformer``'s output for ``event`` (EventBridge's substitution rules).

    A placeholder inside a JSON string gets the value's text (a string as is, anything else
    as JSON); outside quotes it gets the value as JSON. A path that matches nothing gives
    ``null`` outside quotes and an empty string inside. ``<aws.events.event>`` and
    ``<aws.events.event.json>`` are the whole event.
    """
    template = str(transformer.get("InputTemplate") or "")
    values: dict[str, tuple[bool, Any]] = {
        name: _find(path, event) for name, path in (transformer.get("InputPathsMap") or {}).items()
    }
    values.setdefault("aws.events.event", (True, event))
    values.setdefault("aws.events.event.json", (True, event))
    values.setdefault("aws.events.rule-arn", (False, None))
    out: list[str] = []
    in_string = False
    index = 0
    while index < len(template):
        char = template[index]
        match = _PLACEHOLDER.match(template, index) if char == "<" else None
        if match and match.group(1) in values:
            found, value = values[match.group(1)]
            if in_string:
                text = "" if not found else value if isinstance(value, str) else _json(value)
                out.append(json.dumps(text)[1:-1] if isinstance(value, str) else text)
            else:
                out.append(_json(value) if found else "null")
            index = match.end()
            continue
        if char == '"' and (index == 0 or template[index - 1] != "\\"):
            in_string = not in_string
        out.append(char)
        index += 1
    return "".join(out)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def target_input(target: dict[str, Any], event: dict[str, Any]) -> str:
    """The body EventBridge sends: ``Input``, ``InputPath``, ``InputTransformer`` or the event."""
    if target.get("Input") is not None:
        return str(target["Input"])
    if target.get("InputPath"):
        found, value = _find(target["InputPath"], event)
        return _json(value if found else None)
    if target.get("InputTransformer"):
        return transform(target["InputTransformer"], event)
    return _json(event)


# --------------------------------------------------------------------------- the call


def _destination(job: _Job) -> Any | None:
    from moto.events.models import events_backends

    backend = events_backends[job.account][job.region]
    return backend.find_api_destination(job.target.get("Arn", ""))


def _substitute_path(endpoint: str, values: list[str]) -> str:
    # Each "*" in the endpoint takes the next PathParameterValues entry.
    parts = endpoint.split("*")
    if len(parts) == 1:
        return endpoint
    filled = [parts[0]]
    for index, part in enumerate(parts[1:]):
        filled.append(str(values[index]) if index < len(values) else "")
        filled.append(part)
    return "".join(filled)


def build_request(job: _Job, destination: Any, runtime: Any):
    """The HTTP request EventBridge sends for ``job`` through ``destination``'s connection.

    ``runtime`` is that connection's :class:`~lab.sandbox.events.runtime.ConnectionRuntime`.
    """
    from urllib.parse import urlencode, urlsplit, urlunsplit

    from lab.sandbox.stepfunctions.http_request import HttpRequest
    from lab.sandbox.stepfunctions.transport import RESERVED_HEADERS

    http = job.target.get("HttpParameters") or {}
    url = _substitute_path(destination.invocation_endpoint, http.get("PathParameterValues") or [])
    query = {str(k): str(v) for k, v in (http.get("QueryStringParameters") or {}).items()}
    headers: dict[str, str] = {}

    def put(name: str, value: Any) -> None:
        for existing in [k for k in headers if k.lower() == name.lower()]:
            del headers[existing]
        headers[name] = str(value)

    for name, value in (http.get("HeaderParameters") or {}).items():
        if str(name).lower() not in RESERVED_HEADERS:
            put(str(name), value)
    invocation = runtime.invocation_http_parameters
    for entry in invocation.get("HeaderParameters") or []:
        put(str(entry.get("Key")), entry.get("Value", ""))
    for entry in invocation.get("QueryStringParameters") or []:
        query[str(entry.get("Key"))] = str(entry.get("Value", ""))
    for name, value in runtime.auth_headers.items():
        put(str(name), value)
    put("User-Agent", USER_AGENT)
    put("Content-Type", CONTENT_TYPE)

    body_text = target_input(job.target, job.event)
    body_parameters = {
        str(e.get("Key")): e.get("Value", "") for e in invocation.get("BodyParameters") or []
    }
    if body_parameters:
        try:
            parsed = json.loads(body_text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            body_text = _json({**parsed, **body_parameters})

    parts = urlsplit(url)
    if query:
        extra = urlencode(query)
        url = urlunsplit(
            (parts.scheme, parts.netloc, parts.path or "/", f"{parts.query}&{extra}".strip("&"), "")
        )
    body = body_text.encode("utf-8")
    return HttpRequest(
        method=str(destination.http_method).upper(), url=url, headers=headers, body=body
    )


def attempt(job: _Job) -> Outcome:
    """One HTTP call for ``job``, along the modelled network path."""
    from lab.sandbox import network
    from lab.sandbox.events import target_role
    from lab.sandbox.network.errors import CONNECTION_NOT_FOUND, HttpTaskError, SocketError
    from lab.sandbox.stepfunctions import connections, transport

    destination = _destination(job)
    if destination is None:
        return Outcome(
            False,
            False,
            ERROR_NOT_FOUND,
            f"API destination {job.target.get('Arn')} does not exist.",
        )
    refused = target_role.delivery_refusal(job.target, job.region, job.rule_arn)
    if refused is not None:  # not retried (eb-rule-dlq.html)
        return Outcome(False, False, *refused)
    try:
        runtime = connections.connection_runtime(destination.connection_arn)
        connections.check_ready(runtime)
        request = build_request(job, destination, runtime)
        if runtime.is_private:
            route = network.private_route(runtime)
        else:
            route = network.public_route(request.host)
        response = transport.send(request, route, timeout=REQUEST_TIMEOUT_SECONDS)
    except SocketError as exc:
        return Outcome(
            False, True, ERROR_CLIENT, f"Unable to invoke ApiDestination endpoint: {exc.cause}"
        )
    except HttpTaskError as exc:
        retryable = exc.error != CONNECTION_NOT_FOUND
        return Outcome(False, retryable, ERROR_CLIENT, f"{exc.error}: {exc.cause}")
    if 200 <= response.status < 300:
        return Outcome(True, status=response.status)
    retryable = response.status == 429 or response.status >= 500
    return Outcome(
        False,
        retryable,
        ERROR_CLIENT,
        "Unable to invoke ApiDestination endpoint: The request failed because the endpoint "
        f"returned HTTP {response.status} ({response.reason}).",
        response.status,
    )


# --------------------------------------------------------------------------- dead letters


def _queue_name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def _queue_policy_allows(queue: Any, rule_arn: str) -> bool:
    """Does the queue's policy let events.amazonaws.com SendMessage for ``rule_arn``?"""
    raw = getattr(queue, "policy", None)
    if not raw:
        return False
    try:
        document = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return False
    statements = document.get("Statement") or []
    for statement in statements if isinstance(statements, list) else [statements]:
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal") or {}
        services = principal.get("Service") if isinstance(principal, dict) else principal
        services = services if isinstance(services, list) else [services]
        if "events.amazonaws.com" not in services and "*" not in services:
            continue
        actions = statement.get("Action") or []
        actions = actions if isinstance(actions, list) else [actions]
        if not {"sqs:SendMessage", "sqs:*", "*"} & set(actions):
            continue
        condition = statement.get("Condition") or {}
        source = None
        for operator in ("ArnEquals", "ArnLike", "StringEquals", "StringLike"):
            source = (condition.get(operator) or {}).get("aws:SourceArn") or source
        if source is None:
            return True
        sources = source if isinstance(source, list) else [source]
        if any(re.fullmatch(re.escape(s).replace(r"\*", ".*"), rule_arn) for s in sources):
            return True
    return False


def dead_letter(job: _Job, outcome: Outcome, exhausted: str | None) -> bool:
    """Send ``job``'s event to its target's dead-letter queue; False if it could not."""
    arn = (job.target.get("DeadLetterConfig") or {}).get("Arn")
    if not arn:
        return False
    from moto.sqs.models import sqs_backends

    account, region = arn.split(":")[4], arn.split(":")[3]
    backend = sqs_backends[account][region]
    queue = backend.queues.get(_queue_name(arn))
    if queue is None or not _queue_policy_allows(queue, job.rule_arn):
        _metric(job, "InvocationsFailedToBeSentToDlq", 1)
        return False
    attributes = {
        "RULE_ARN": job.rule_arn,
        "TARGET_ARN": job.target.get("Arn", ""),
        "ERROR_CODE": outcome.error_code,
        "ERROR_MESSAGE": outcome.error_message,
        "RETRY_ATTEMPTS": str(job.retries),
    }
    if exhausted:
        attributes["EXHAUSTED_RETRY_CONDITION"] = exhausted
    backend.send_message(
        queue_name=queue.name,
        message_body=_json(job.event),
        message_attributes={
            name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()
        },
    )
    # eb-monitoring.html: InvocationsSentToDlq counts the invocations moved to a DLQ;
    # DeadLetterInvocations counts targets NOT invoked (e.g. a rule that would loop).
    _metric(job, "InvocationsSentToDlq", 1)
    return True


# --------------------------------------------------------------------------- metrics


def _metric(job: _Job, name: str, value: float, unit: str = "Count") -> None:
    """Publish one ``AWS/Events`` datum for ``job``'s rule to moto's CloudWatch."""
    _publish(job.account, job.region, job.bus_name, job.rule_name, name, value, unit)


def _publish(
    account: str, region: str, bus: str, rule: str, name: str, value: float, unit: str = "Count"
) -> None:
    from moto.cloudwatch.models import cloudwatch_backends

    try:
        cloudwatch_backends[account][region].put_metric_data(
            METRICS_NAMESPACE,
            [
                {
                    "MetricName": name,
                    "Value": value,
                    "Unit": unit,  # no Timestamp: moto stamps "now" as it stores them
                    "Dimensions": [
                        {"Name": "EventBusName", "Value": bus},
                        {"Name": "RuleName", "Value": rule},
                    ],
                }
            ],
        )
    except Exception:  # metrics are best effort on AWS too
        pass


# --------------------------------------------------------------------------- the rule's seam


class _OtherTargets:
    """The rule as moto's ``send_to_targets`` sees it, minus its API destination targets.

    moto would run its own input transformation on them (which breaks on templates with a
    string placeholder outside quotes, valid on AWS) before its no-op HTTP branch.
    """

    def __init__(self, rule, targets):
        self._rule = rule
        self.targets = targets

    def __getattr__(self, name):
        return getattr(self._rule, name)


def _is_api_destination(target) -> bool:
    return ":api-destination/" in str(target.get("Arn", ""))


def wrap_send_to_targets(original):
    @functools.wraps(original)
    def send_to_targets(self, original_event, transform_input=True):
        others = [t for t in list(self.targets) if not _is_api_destination(t)]
        if others:
            original(_OtherTargets(self, others), original_event, transform_input)
        if self.state == "ENABLED" and self.event_pattern.matches_event(original_event):
            enqueue(self, original_event)

    return send_to_targets
