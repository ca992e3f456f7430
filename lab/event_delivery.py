"""The second consumer: events put on the lab's bus, delivered by the API destination.

``PutEvents`` answers as soon as EventBridge has the event; the rule's API destination then
POSTs it to the private API's ``/events`` through the same private connection as the HTTP
Task. Its answer goes nowhere, so delivery is observed from outside, the same way in both
modes wherever AWS allows it:

- :func:`send_events` puts N events (each carries its run id, sequence number and the
  sender's clock) and returns a :class:`SentEvents`;
- :func:`dead_letters` reads the dead-letter queue with the attributes EventBridge set;
- :func:`delivery_metrics` reads the rule's ``AWS/Events`` CloudWatch metrics;
- :func:`received_events` (sandbox) reads what the private API received, from the data
  plane's log: which event, when, through which VPC endpoint, with which headers. On AWS
  that needs API Gateway access logging (an account-wide role the lab does not set), so
  aws mode says so and shows the metrics instead;
- :func:`account` waits until every event was received or dead-lettered (bounded) and
  returns sent, delivered, dead_lettered, lost, duplicated and put -> receipt percentiles;
- :func:`redrive` puts dead-lettered events back on the bus and deletes them from the queue;
- :func:`send_and_account` is ``lab events send``: send, then account, optionally with one
  link of the path broken for the run (:data:`BREAKS`) and repaired after.
"""

from __future__ import annotations

import datetime
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cdk_app.names import Output
from lab.clients import client
from lab.config import load_config
from lab.errors import LabError
from lab.masking import mask_secrets, mask_text

EVENT_SOURCE = "lab.private-api"
EVENT_DETAIL_TYPE = "LabEvent"
PUT_BATCH = 10  # PutEvents takes at most 10 entries
DLQ_ATTRIBUTES = (
    "RULE_ARN",
    "TARGET_ARN",
    "ERROR_CODE",
    "ERROR_MESSAGE",
    "EXHAUSTED_RETRY_CONDITION",
    "RETRY_ATTEMPTS",
)
METRICS = (
    "MatchedEvents",
    "Invocations",
    "InvocationAttempts",
    "SuccessfulInvocationAttempts",
    "RetryInvocationAttempts",
    "FailedInvocations",
    # Events moved to the dead-letter queue (eb-monitoring.html); not
    # DeadLetterInvocations, which counts targets that were never invoked.
    "InvocationsSentToDlq",
    "InvocationsFailedToBeSentToDlq",
)


@dataclass(repr=False)
class SentEvents:
    """What :func:`send_events` put: the run id and, per accepted event, its id and send time.

    Its repr is one short line (a cell ending in ``lab.send_events(n=1000)`` printed 70 KB
    of ids and clocks); the ids stay in ``event_ids`` and ``sent_at_ms``.
    """

    run_id: str
    sent_at_ms: dict[int, float] = field(default_factory=dict)  # seq -> sender's clock (ms)
    event_ids: dict[int, str] = field(default_factory=dict)  # seq -> EventBridge event id
    failed: list[dict] = field(default_factory=list)  # entries PutEvents refused
    started: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.UTC))
    put_seconds: float = 0.0
    # aws mode: the rule's SuccessfulInvocationAttempts already counted from the start of
    # the run's first minute, before its first put (per-minute datapoints would otherwise
    # credit this run with an earlier run's deliveries in the same minute).
    successes_before: int = 0

    @property
    def sent(self) -> int:
        return len(self.event_ids)

    def __repr__(self) -> str:
        return (f"SentEvents(run_id={self.run_id!r}, sent={self.sent}, "
                f"failed={len(self.failed)}, put_seconds={self.put_seconds:.3f})")

    def _repr_html_(self) -> str:
        import html

        return (f"<p>{html.escape(self.run_id)}: <b>{self.sent}</b> events put in "
                f"{self.put_seconds:.2f} s, {len(self.failed)} refused by PutEvents "
                "(<code>.event_ids</code> and <code>.failed</code> hold them all)</p>")


def _outputs() -> dict[str, str]:
    from lab.deployment import outputs

    values = outputs()
    if Output.EventBusName not in values:
        raise LabError("the deployed stack has no EventBridge API destination yet; redeploy it "
                       "with `python -m lab deploy --if-changed`.")
    return values


# --------------------------------------------------------------------------- send


def send_events(
    n: int = 10, concurrency: int = 4, run_id: str | None = None, batch: int = PUT_BATCH
) -> SentEvents:
    """Put ``n`` lab events on the lab's bus, ``concurrency`` PutEvents calls at a time.

    Each call carries up to ``batch`` events (1-10; the bench puts one per call, so each
    event's put -> receipt starts at its own call).
    """
    if not 1 <= int(batch) <= PUT_BATCH:
        raise LabError(f"batch must be between 1 and {PUT_BATCH}, got {batch}.")
    if not 1 <= int(n) <= 100_000:
        raise LabError(f"n must be between 1 and 100000, got {n}.")
    if not 1 <= int(concurrency) <= 64:
        raise LabError(f"concurrency must be between 1 and 64, got {concurrency}.")
    values = _outputs()
    bus = values[Output.EventBusName]
    # A new private connection is not ACTIVE for a while (seconds in the sandbox, minutes
    # on AWS): events sent before would measure the warm-up (and its retries), not the path.
    from lab.harness import wait_for_active_connection

    wait_for_active_connection(load_config(), values)
    events = client("events")
    run = SentEvents(run_id=run_id or f"run-{uuid.uuid4().hex[:10]}")
    if not load_config().is_sandbox:
        # No datapoint yet (EventBridge publishes only non-zero values) means none before.
        run.successes_before = _successful_attempts(since=run.started) or 0
    batch = int(batch)
    batches = [list(range(i, min(i + batch, n))) for i in range(0, n, batch)]

    def put(batch: list[int]) -> list[tuple[int, float, dict]]:
        now_ms = time.time() * 1000
        entries = [
            {
                "Source": EVENT_SOURCE,
                "DetailType": EVENT_DETAIL_TYPE,
                "EventBusName": bus,
                "Detail": json.dumps({"runId": run.run_id, "seq": seq, "sentAtMs": now_ms}),
            }
            for seq in batch
        ]
        answer = events.put_events(Entries=entries)
        return [(seq, now_ms, entry) for seq, entry in zip(batch, answer["Entries"], strict=True)]

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=int(concurrency)) as pool:
        for results in pool.map(put, batches):
            for seq, sent_ms, entry in results:
                if entry.get("EventId"):
                    run.event_ids[seq] = entry["EventId"]
                    run.sent_at_ms[seq] = sent_ms
                else:
                    run.failed.append({"seq": seq, **entry})
    run.put_seconds = time.perf_counter() - started
    return run


# --------------------------------------------------------------------------- observe


def _detail_of(text: str) -> dict:
    try:
        body = json.loads(text)
    except (TypeError, ValueError):
        return {}
    if not isinstance(body, dict):
        return {}
    detail = body.get("detail")
    return detail if isinstance(detail, dict) else {}


def _receipts(run_id: str | None, limit: int | None = None) -> list[dict]:
    """The data plane's ``/events`` requests of ``run_id`` among its last ``limit`` requests."""
    from lab.sandbox import request_log

    rows = []
    for entry in request_log(limit=limit):
        if not str(entry.get("path", "")).endswith("/events"):
            continue
        detail = _detail_of(entry.get("body") or "")
        if run_id is not None and detail.get("runId") != run_id:
            continue
        rows.append({**entry, "detail": detail})
    return rows


def received_events(run: SentEvents | None = None, last: int = 5) -> pd.DataFrame:
    """What the private API received at ``POST /events`` (sandbox data plane log; masked).

    One row per request: when, the event's sequence number and id, the HTTP status the API
    answered, the VPC endpoint it came through, the User-Agent and Content-Type. In aws mode
    the API's requests are not visible without access logging; :func:`delivery_metrics`
    shows what AWS reports instead.
    """
    if not load_config().is_sandbox:
        print("aws mode: the private API's requests are visible only through API Gateway "
              "access logging (an account-wide CloudWatch role the lab leaves alone); see "
              "lab.event_delivery_metrics() for what EventBridge reports.")
        return pd.DataFrame(columns=["time", "seq", "status", "source_vpce", "user_agent"])
    rows = []
    for entry in _receipts(run.run_id if run else None)[-last:]:
        headers = {k.lower(): v for k, v in (entry.get("headers") or {}).items()}
        body = {}
        try:
            body = json.loads(entry.get("body") or "{}")
        except ValueError:
            pass
        rows.append({
            "time": entry.get("time"),
            "seq": entry["detail"].get("seq"),
            "event_id": body.get("eventId") if isinstance(body, dict) else None,
            "status": entry.get("status"),
            "source_vpce": entry.get("source_vpce"),
            "user_agent": headers.get("user-agent"),
            "content_type": headers.get("content-type"),
            "x-api-key": headers.get("x-api-key"),
        })
    return pd.DataFrame(rows)


def received_body(run: SentEvents | None = None) -> dict:
    """The newest body the private API received at ``POST /events`` (the transformed event)."""
    if not load_config().is_sandbox:
        print("aws mode: the body the API received is not observable without access logging.")
        return {}
    receipts = _receipts(run.run_id if run else None)
    if not receipts:
        raise LabError("the private API has received no event yet; send some with "
                       "lab.send_events().")
    return mask_secrets(json.loads(receipts[-1]["body"]))


def _row(message: dict) -> dict:
    try:
        event = json.loads(message["Body"])
    except ValueError:
        event = {}
    event = event if isinstance(event, dict) else {}
    detail = event.get("detail") if isinstance(event.get("detail"), dict) else {}
    attributes = {
        name: (message.get("MessageAttributes") or {}).get(name, {}).get("StringValue")
        for name in DLQ_ATTRIBUTES
    }
    return {"seq": detail.get("seq"), "run_id": detail.get("runId"), "event_id": event.get("id"),
            "event": event, "receipt_handle": message["ReceiptHandle"],
            "message_id": message["MessageId"], **attributes}


class _DeadLetterScan:
    """Reads the dead-letter queue incrementally, then leaves every message in it.

    Each :meth:`poll` receives until the queue has nothing visible: messages read before stay
    hidden (``hide_s``), so a poll costs only what arrived since. :meth:`release` makes them
    visible again, for the next reader (the notebook, a redrive).
    """

    def __init__(self, hide_s: float = 30.0):
        self.sqs = client("sqs")
        self.url = _outputs()[Output.EventDeadLetterQueueUrl]
        self.hide_s = int(max(1, min(hide_s, 43_200)))
        # On AWS a short poll (0 s) samples only some of the queue's servers, so an empty
        # answer does not mean an empty queue; a 1 s long poll asks them all.
        self.wait_s = 0 if load_config().is_sandbox else 1
        self.rows: dict[str, dict] = {}

    def poll(self) -> list[dict]:
        for _ in range(10_000):
            answer = self.sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=10, VisibilityTimeout=self.hide_s,
                MessageAttributeNames=["All"], WaitTimeSeconds=self.wait_s,
            )
            messages = answer.get("Messages", [])
            if not messages:
                break
            for message in messages:
                self.rows[message["MessageId"]] = _row(message)
        return list(self.rows.values())

    def delete(self, rows: list[dict]) -> int:
        """Delete ``rows`` (read by this scan, still hidden) from the queue; how many went."""
        deleted = 0
        for start in range(0, len(rows), 10):
            batch = rows[start:start + 10]
            answer = self.sqs.delete_message_batch(QueueUrl=self.url, Entries=[
                {"Id": str(i), "ReceiptHandle": r["receipt_handle"]} for i, r in enumerate(batch)
            ])
            for entry in answer.get("Successful", []):
                self.rows.pop(batch[int(entry["Id"])]["message_id"], None)
                deleted += 1
        return deleted

    def release(self, keep: list[dict] | None = None) -> None:
        rows = list(self.rows.values()) if keep is None else keep
        for start in range(0, len(rows), 10):
            self.sqs.change_message_visibility_batch(QueueUrl=self.url, Entries=[
                {"Id": str(i), "ReceiptHandle": r["receipt_handle"], "VisibilityTimeout": 0}
                for i, r in enumerate(rows[start:start + 10])
            ])


def _dead_letter_rows(run_id: str | None) -> list[dict]:
    scan = _DeadLetterScan()
    try:
        rows = scan.poll()
    finally:
        scan.release()
    return [r for r in rows if run_id is None or r["run_id"] == run_id]


def _count(value):
    """A message attribute's number: ``"2"``, or ``["2"]`` (a string list value), as 2."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def dead_letters(run: SentEvents | None = None) -> pd.DataFrame:
    """The dead-letter queue's events (of ``run``, or all) with EventBridge's error attributes.

    Same in both modes: the messages stay in the queue (read, then made visible again).
    """
    rows = _dead_letter_rows(run.run_id if run else None)
    columns = ["seq", "event_id", *DLQ_ATTRIBUTES]
    table = pd.DataFrame([{k: r[k] for k in columns} for r in rows], columns=columns)
    # Whole (07 cut it at 140 characters, mid security-group id, with no "…"); the display
    # wraps it. RETRY_ATTEMPTS is a count: a number, not the message attribute's text.
    table["ERROR_MESSAGE"] = table["ERROR_MESSAGE"].map(
        lambda text: mask_text(text) if isinstance(text, str) else text
    )
    table["RETRY_ATTEMPTS"] = pd.to_numeric(
        table["RETRY_ATTEMPTS"].map(_count), errors="coerce").astype("Int64")
    return table.sort_values("seq", ignore_index=True) if not table.empty else table


def delivery_metrics(minutes: int = 15, since: datetime.datetime | None = None) -> pd.DataFrame:
    """The rule's ``AWS/Events`` metrics (sums over the last ``minutes``, or ``since``), in
    both modes.

    On AWS they arrive a minute or more late and some are sent only when non-zero; the
    sandbox publishes the same metrics to its CloudWatch as each delivery ends. Datapoints
    are per minute, so ``since`` counts from the start of its minute.
    """
    values = _outputs()
    cloudwatch = client("cloudwatch")
    end = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1)
    if since is not None:
        start = since.replace(second=0, microsecond=0)
    else:
        start = end - datetime.timedelta(minutes=minutes + 1)
    dimensions = [{"Name": "EventBusName", "Value": values[Output.EventBusName]},
                  {"Name": "RuleName", "Value": values[Output.EventRuleName]}]
    rows, datapoints = [], {}
    for name in METRICS:
        answer = cloudwatch.get_metric_statistics(
            Namespace="AWS/Events", MetricName=name, Dimensions=dimensions,
            StartTime=start, EndTime=end, Period=60, Statistics=["Sum"],
        )
        points = answer.get("Datapoints", [])
        datapoints[name] = len(points)
        rows.append({"metric": name, "sum": float(sum(p["Sum"] for p in points))})
    table = pd.DataFrame(rows)
    # How many datapoints each sum has: 0 means "not published (yet)", not "zero".
    table.attrs["datapoints"] = datapoints
    return table


def _successful_attempts(since: datetime.datetime) -> int | None:
    """The rule's SuccessfulInvocationAttempts since ``since``; None: no datapoint yet."""
    metrics = delivery_metrics(since=since)
    if metrics.attrs.get("datapoints", {}).get("SuccessfulInvocationAttempts", 1) == 0:
        return None
    return int(metrics.set_index("metric")["sum"]["SuccessfulInvocationAttempts"])


def _stage_successes(since: datetime.datetime) -> int | None:
    """2xx requests the API's stage answered since ``since`` (API Gateway's ``Count`` minus
    ``4XXError`` and ``5XXError``, dimensions ApiName and Stage); None: no datapoint.

    Every caller of the stage counts, not only this run's events: an upper bound.
    """
    values = _outputs()
    name = client("apigateway").get_rest_api(restApiId=values[Output.RestApiId])["name"]
    stage = values[Output.ApiRootUrl].rstrip("/").rsplit("/", 1)[-1]
    cloudwatch = client("cloudwatch")
    start = since.replace(second=0, microsecond=0)
    end = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1)
    sums = {}
    for metric in ("Count", "4XXError", "5XXError"):
        points = cloudwatch.get_metric_statistics(
            Namespace="AWS/ApiGateway", MetricName=metric, StartTime=start, EndTime=end,
            Dimensions=[{"Name": "ApiName", "Value": name}, {"Name": "Stage", "Value": stage}],
            Period=60, Statistics=["Sum"],
        ).get("Datapoints", [])
        sums[metric] = None if not points else sum(p["Sum"] for p in points)
    if sums["Count"] is None:
        return None
    return int(sums["Count"] - (sums["4XXError"] or 0) - (sums["5XXError"] or 0))


#: What aws-mode accounting read delivery from (``report["source"]``).
SOURCE_METRIC = "CloudWatch AWS/Events SuccessfulInvocationAttempts + dead-letter queue"
SOURCE_STAGE = ("API Gateway stage Count minus 4XX/5XX (every caller of the stage: an upper "
                "bound) + dead-letter queue")
SOURCE_DLQ_ONLY = "dead-letter queue only (no delivery metric had a datapoint)"


# --------------------------------------------------------------------------- account


def _percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_ms": None, "p90_ms": None, "p99_ms": None}
    p50, p90, p99 = np.percentile(np.asarray(values), [50, 90, 99])
    return {"p50_ms": round(float(p50), 1), "p90_ms": round(float(p90), 1),
            "p99_ms": round(float(p99), 1)}


def _receipt_ms(entry: dict) -> float:
    return datetime.datetime.fromisoformat(entry["time"]).timestamp() * 1000


def account(
    run: SentEvents, timeout_s: float | None = None, delete_dead_letters: bool = False,
    progress: bool | None = None,
) -> dict[str, Any]:
    """Wait (bounded) until every event of ``run`` was received or dead-lettered; count them.

    ``delivered``: distinct events the private API answered 2xx; ``duplicated``: extra 2xx
    receipts of an event already delivered (EventBridge delivers at least once);
    ``dead_lettered``: distinct events in the DLQ; ``lost``: sent minus both. Latencies are
    put -> receipt at the API (sender's clock to the API's, the same host in the sandbox).
    In aws mode the API's receipts are not observable: ``delivered`` comes from the rule's
    ``SuccessfulInvocationAttempts`` metric and latencies are not measured (None). Those
    metrics are best-effort (eb-monitoring.html: a datapoint may be late or never sent):
    when none has arrived after a grace period (a fifth of the mode's resource timeout,
    3 minutes on AWS), delivery is read from API Gateway's stage metrics instead; when
    neither has a datapoint the count ends once no event has reached the dead-letter queue
    for a third of the grace period, ``lost`` is None (unknown, not zero) and ``observed``
    says what could be seen. While it waits, aws mode prints what it has seen.

    The dead-letter queue is read once, 10 messages per ``ReceiveMessage``, each message kept
    hidden until the count is done; then the messages are made visible again, or, with
    ``delete_dead_letters``, this run's are deleted (``dead_letters_deleted``) and only the
    others are made visible again.

    ``progress`` (default: in a notebook) shows a bar of the events accounted for while it
    waits (seconds in the sandbox, a minute or more on AWS), then its one-line summary.
    """
    from lab.progress_bars import Progress, in_kernel
    from lab.waiting import profile

    cfg = load_config()
    pace = profile(cfg)
    # Sandbox: seconds. AWS: a retried event can take MaximumEventAgeInSeconds (60 s) plus
    # the dead-letter write, and the metrics arrive a minute or more late.
    timeout_s = timeout_s if timeout_s is not None else min(600.0, pace.resource_timeout_s * 2)
    # Polling costs the sandbox CPU that delivery needs (both share two cores in CI).
    poll_s = 0.5 if cfg.is_sandbox else max(pace.resource_poll_s, 0.2)
    deadline = time.monotonic() + timeout_s
    wanted = set(run.event_ids)
    # The run's requests are among the newest: a few per event covers its retries too.
    recent = min(10_000, 4 * len(wanted) + 100)
    scan = _DeadLetterScan(hide_s=timeout_s + 60)
    began = time.monotonic()
    grace_s = min(timeout_s, pace.resource_timeout_s / 5)
    source, said_at = SOURCE_METRIC, began
    dead_seen, dead_changed_at = -1, began
    bar = Progress(len(wanted), "accounting", "event",
                   enabled=in_kernel() if progress is None else progress)
    try:
        while True:
            rows = scan.poll()
            dead = {r["seq"] for r in rows if r["run_id"] == run.run_id} & wanted
            if len(dead) != dead_seen:
                dead_seen, dead_changed_at = len(dead), time.monotonic()
            unobservable = False
            if cfg.is_sandbox:
                ok = [r for r in _receipts(run.run_id, limit=recent)
                      if 200 <= int(r.get("status") or 0) < 300]
                delivered_seqs = {r["detail"].get("seq") for r in ok} & wanted
                delivered, duplicated = len(delivered_seqs), len(ok) - len(delivered_seqs)
            else:
                successes = _successful_attempts(since=run.started)
                if successes is not None:
                    successes -= run.successes_before
                    source = SOURCE_METRIC
                elif time.monotonic() - began >= grace_s:
                    successes = _stage_successes(since=run.started)
                    source = SOURCE_STAGE if successes is not None else SOURCE_DLQ_ONLY
                    # Nothing shows deliveries: wait only while events still reach the DLQ.
                    unobservable = (successes is None
                                    and time.monotonic() - dead_changed_at >= grace_s / 3)
                successes = max(0, successes or 0)
                delivered = min(successes, len(wanted) - len(dead))
                duplicated = max(0, successes - delivered) if source == SOURCE_METRIC else 0
            bar.update(max(0, min(len(wanted), delivered + len(dead)) - bar.n))
            if (delivered + len(dead) >= len(wanted) or unobservable
                    or time.monotonic() > deadline):
                break
            if not cfg.is_sandbox and time.monotonic() - said_at >= 30 * pace.resource_poll_s / 5:
                said_at = time.monotonic()
                print(f"waiting for delivery to show: {delivered} delivered, {len(dead)} "
                      f"dead-lettered of {len(wanted)} after {said_at - began:.0f} s "
                      "(EventBridge's metrics are best-effort and a minute or more late; "
                      f"at most {timeout_s:.0f} s)", flush=True)
            time.sleep(poll_s)
        deleted = scan.delete([r for r in rows if r["run_id"] == run.run_id]) if (
            delete_dead_letters) else 0
    finally:
        scan.release()
        bar.close()
    report: dict[str, Any] = {
        "run_id": run.run_id,
        "mode": cfg.mode,
        "sent": run.sent,
        "put_failed": len(run.failed),
        "delivered": delivered,
        "dead_lettered": len(dead),
        "lost": max(0, run.sent - delivered - len(dead)),
        "duplicated": duplicated,
        "put_seconds": round(run.put_seconds, 3),
    }
    if delete_dead_letters:
        report["dead_letters_deleted"] = deleted
    if cfg.is_sandbox:
        first: dict[int, float] = {}
        for entry in ok:
            seq = entry["detail"].get("seq")
            if seq in run.sent_at_ms:
                first[seq] = min(first.get(seq, float("inf")), _receipt_ms(entry))
        report.update(_percentiles([first[s] - run.sent_at_ms[s] for s in first]))
        # First put to last first receipt: what delivering the whole run took.
        report["receipt_span_s"] = (
            round((max(first.values()) - min(run.sent_at_ms.values())) / 1000.0, 3)
            if first else None
        )
        report["source"] = "private API data plane log + dead-letter queue"
    else:
        report.update(_percentiles([]))
        report["receipt_span_s"] = None
        report["source"] = source
        unseen = run.sent - delivered - len(dead)
        if source == SOURCE_DLQ_ONLY and unseen > 0:
            report["lost"] = None  # not observable: unknown, not lost
        report["observed"] = (
            f"{delivered} delivered ({source}), {len(dead)} dead-lettered"
            + (f"; {unseen} neither seen delivered nor dead-lettered within "
               f"{time.monotonic() - began:.0f} s" if unseen > 0 else "")
            + ("; CloudWatch metrics are best-effort, so unseen is not proof of loss"
               if unseen > 0 else ""))
    return report


#: The breaks ``send_and_account`` (``lab events send --break``) can run under: links of the
#: API destination's path that fail every event in a known way (lab.failures scenarios).
BREAKS = {
    "wrong_api_key": "API Gateway answers 403: not retried, dead-lettered at once",
    "gateway_sg_no_egress": "no answer: retried until MaximumRetryAttempts runs out",
}


def send_and_account(
    n: int,
    concurrency: int = 4,
    timeout_s: float | None = None,
    break_link: str | None = None,
    keep_dead_letters: bool = False,
) -> dict[str, Any]:
    """:func:`send_events` then :func:`account`, optionally with one link of the path broken.

    With ``break_link`` (one of :data:`BREAKS`) the link is broken for the run
    (:func:`lab.failures.broken`) and always repaired after it, also on Ctrl-C or SIGTERM;
    every event should then be dead-lettered and none lost. Unless ``keep_dead_letters``,
    the run's dead letters are deleted once counted, so runs do not pile up in the queue.
    ``wall_s``: from the start of :func:`send_events` (its check that the connection is
    ACTIVE, then the puts) to the end of the count.
    """
    if break_link is not None and break_link not in BREAKS:
        raise LabError(f"unknown break {break_link!r}; one of: {', '.join(BREAKS)}.")
    if break_link is None:
        started = time.perf_counter()
        report = account(send_events(n=n, concurrency=concurrency), timeout_s=timeout_s)
        report["wall_s"] = round(time.perf_counter() - started, 3)
        return report
    from lab.failures import broken

    with broken(break_link):
        started = time.perf_counter()
        run = send_events(n=n, concurrency=concurrency)
        report = account(run, timeout_s=timeout_s, delete_dead_letters=not keep_dead_letters)
        report["wall_s"] = round(time.perf_counter() - started, 3)
    report["broken"] = break_link
    return report


def latency_table(report: dict[str, Any], http_task: pd.DataFrame | None = None) -> pd.DataFrame:
    """Put -> receipt percentiles of an event run beside the HTTP Task's start -> API receipt.

    ``http_task`` is what ``lab.run`` returns; its ``sfn_to_api_ms`` is the time from the
    execution's start to the moment the API saw the request (``$context.requestTimeEpoch``).
    """
    rows = [{"path": "EventBridge API destination: put -> API receipt",
             **{k: report.get(k) for k in ("p50_ms", "p90_ms", "p99_ms")}, "n": report["sent"]}]
    if http_task is not None and not http_task.empty and "sfn_to_api_ms" in http_task:
        for workflow, group in http_task.groupby("workflow"):
            values = pd.to_numeric(group["sfn_to_api_ms"], errors="coerce").dropna().tolist()
            rows.append({"path": f"HTTP Task ({workflow}): start -> API receipt",
                         **_percentiles(values), "n": len(values)})
    return pd.DataFrame(rows, columns=["path", "p50_ms", "p90_ms", "p99_ms", "n"])


# --------------------------------------------------------------------------- redrive


def redrive(run: SentEvents | None = None) -> dict[str, int]:
    """Put the dead-lettered events (of ``run``, or all) back on the bus, then delete them.

    EventBridge has no redrive of its own for a rule's DLQ (SQS's message move task only
    moves messages to another queue), so the lab re-puts each original event.
    """
    scan = _DeadLetterScan()
    try:
        rows = [r for r in scan.poll() if run is None or r["run_id"] == run.run_id]
    except BaseException:
        scan.release()
        raise
    deleted: set[str] = set()
    try:
        redriven, failed = _redrive_rows(rows, deleted)
    finally:
        scan.release([r for r in scan.rows.values() if r["message_id"] not in deleted])
    return {"redriven": redriven, "failed": failed}


def _redrive_rows(rows: list[dict], deleted: set[str]) -> tuple[int, int]:
    events, sqs = client("events"), client("sqs")
    url = _outputs()[Output.EventDeadLetterQueueUrl]
    bus = _outputs()[Output.EventBusName]
    redriven = failed = 0
    for start in range(0, len(rows), PUT_BATCH):
        batch = rows[start:start + PUT_BATCH]
        answer = events.put_events(Entries=[
            {"Source": r["event"].get("source", EVENT_SOURCE),
             "DetailType": r["event"].get("detail-type", EVENT_DETAIL_TYPE),
             "Detail": json.dumps(r["event"].get("detail") or {}), "EventBusName": bus}
            for r in batch
        ])
        done = [r for r, e in zip(batch, answer["Entries"], strict=True) if e.get("EventId")]
        failed += len(batch) - len(done)
        redriven += len(done)
        if done:
            sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": r["receipt_handle"]} for i, r in enumerate(done)
            ])
            deleted.update(r["message_id"] for r in done)
    return redriven, failed
