"""Create, update and delete the lab's stack with the CloudFormation API alone.

The same calls go to AWS or to the sandbox (``lab.clients`` decides the
endpoint): ``create_stack``/``update_stack`` with the synthesized template as
``TemplateBody``, then stack events are polled and printed until the stack
settles. No CDK CLI, no bootstrap stack, no S3 bucket.

What a learner may run into, and what happens:

- the stack is mid-operation (``*_IN_PROGRESS``): wait for it, then carry on;
- it is ``ROLLBACK_COMPLETE`` (an earlier create failed) or otherwise stuck
  after a failure: delete it, say so, create it again;
- the template has not changed: nothing to do, the outputs come back at once;
- a create fails: the error names the first resource that failed and why, and
  the stack is deleted (``OnFailure=DELETE``), so nothing is left half-built.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable

from cdk_app.names import Output
from lab.config import LabConfig, load_config, require_aws_credentials
from lab.errors import LabError
from lab.progress_bars import StackProgress, is_resource_event
from lab.waiting import profile

# CloudFormation's limit for an inline TemplateBody; larger templates need
# TemplateURL (an S3 bucket), which this lab deliberately does without.
TEMPLATE_BODY_LIMIT = 51_200


# The stack is up and its template is the deployed one.
HEALTHY = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"})
# The stack exists and takes an update_stack call.
UPDATABLE = HEALTHY | {"UPDATE_ROLLBACK_COMPLETE", "UPDATE_FAILED", "IMPORT_ROLLBACK_COMPLETE"}
# Left over from a failed attempt: cannot be updated, only deleted and created again.
REPLACE = frozenset(
    {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", "DELETE_FAILED", "REVIEW_IN_PROGRESS"}
)
# Needs a human decision (continue the rollback, or destroy).
STUCK = frozenset({"UPDATE_ROLLBACK_FAILED", "IMPORT_ROLLBACK_FAILED"})

_IAM_NAME_PROPERTIES = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
}
_CREDENTIAL_ERRORS = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "RequestExpired",
    }
)


def in_progress(status: str) -> bool:
    """True while CloudFormation is still working on the stack.

    ``REVIEW_IN_PROGRESS`` (a change set nobody executed) never finishes by
    itself, so it does not count.
    """
    return status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS"


def required_capabilities(template: dict) -> list[str]:
    """The capabilities ``create_stack`` needs for ``template``.

    Always ``CAPABILITY_IAM`` (the stack has roles); ``CAPABILITY_NAMED_IAM``
    only if an IAM resource sets its own name; ``CAPABILITY_AUTO_EXPAND`` only
    for a template with a ``Transform``.
    """
    capabilities = ["CAPABILITY_IAM"]
    for resource in template.get("Resources", {}).values():
        name_property = _IAM_NAME_PROPERTIES.get(resource.get("Type", ""))
        if name_property and name_property in resource.get("Properties", {}):
            capabilities.append("CAPABILITY_NAMED_IAM")
            break
    if "Transform" in template:
        capabilities.append("CAPABILITY_AUTO_EXPAND")
    return capabilities


def template_body(template: dict) -> str:
    """The template as compact JSON, checked against the TemplateBody limit.

    CDK writes indented JSON; sending it without whitespace is the same template
    in fewer bytes. Raises :class:`LabError` if it is still too large.
    """
    body = json.dumps(template, separators=(",", ":"))
    size = len(body.encode("utf-8"))
    if size > TEMPLATE_BODY_LIMIT:
        raise LabError(
            f"The synthesized template is {size:,} bytes even without whitespace, over "
            f"CloudFormation's {TEMPLATE_BODY_LIMIT:,}-byte TemplateBody limit, and the lab "
            "deploys without an S3 bucket (no TemplateURL); remove resources from cdk_app/ "
            "until `python -m lab synth` gives a smaller template."
        )
    return body


def outputs_of(stack: dict) -> dict:
    """A stack description's outputs as a plain ``{OutputKey: OutputValue}`` dict."""
    return {item["OutputKey"]: item["OutputValue"] for item in stack.get("Outputs") or []}


def _error_code(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "")


def _error_message(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Message", "") or str(exc)


def _is_busy(exc: Exception) -> bool:
    """CloudFormation refused because another operation is running on the stack."""
    return _error_code(exc) == "ValidationError" and "_IN_PROGRESS state" in _error_message(exc)


def _is_missing_stack(exc: Exception) -> bool:
    return _error_code(exc) == "ValidationError" and "does not exist" in _error_message(exc)


class StackDeployer:
    """Drives one stack through CloudFormation, printing its events as they happen.

    The module functions (:func:`deploy`, :func:`destroy`, :func:`outputs`,
    :func:`ensure_deployed`) build one of these from the lab's config. Tests
    pass a stubbed ``cloudformation`` client, a ``template`` callable and
    ``poll_seconds=0``.
    """

    def __init__(
        self,
        cfg: LabConfig,
        *,
        cloudformation=None,
        template: Callable[[], dict] | None = None,
        poll_seconds: float | None = None,
        max_wait_seconds: float | None = None,
        out=None,
        progress_bar: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.cfg = cfg
        self.stack_name = cfg.stack_name
        if cloudformation is None:
            from lab.clients import client

            cloudformation = client("cloudformation", cfg)
        self.cfn = cloudformation
        self._template_source = template or (lambda: _synthesized_template(cfg))
        self._template: dict | None = None
        # The mode's pace (lab.waiting): seconds in the sandbox, minutes on AWS.
        pace = profile(cfg)
        self.poll_seconds = pace.stack_poll_s if poll_seconds is None else poll_seconds
        self.max_wait_seconds = (
            pace.stack_timeout_s if max_wait_seconds is None else max_wait_seconds
        )
        self.out = out
        self.progress_bar = progress_bar
        self._sleep = sleep
        self._clock = clock

    # ----------------------------------------------------------------- helpers

    @property
    def where(self) -> str:
        """Where the stack lives, for messages."""
        if self.cfg.is_sandbox:
            return f"the sandbox ({self.cfg.region})"
        return f"AWS region {self.cfg.region}"

    def say(self, line: str) -> None:
        print(line, file=self.out or sys.stdout, flush=True)

    def template(self) -> dict:
        """The synthesized template (synthesized at most once per deployer)."""
        if self._template is None:
            self._template = self._template_source()
        return self._template

    def _call(self, operation: str, **params):
        """Call CloudFormation, turning unreachable endpoints and bad credentials into LabErrors."""
        from botocore.exceptions import ClientError, EndpointConnectionError
        from botocore.parsers import ResponseParserError

        try:
            return getattr(self.cfn, operation)(**params)
        except ResponseParserError:
            # moto answers an unhandled exception with an HTML 500 page
            if not self.cfg.is_sandbox:
                raise
            raise LabError(
                f"The sandbox failed on cloudformation:{operation} (an internal error in the "
                f"lab's sandbox, logged in {_sandbox_log()}); run `python -m lab sandbox stop`, "
                "then deploy again, and report the log if it happens again."
            ) from None
        except EndpointConnectionError:
            if self.cfg.is_sandbox:
                raise LabError(
                    f"The sandbox is not answering at {self.cfg.sandbox_endpoint}; start it "
                    "with `python -m lab sandbox start` (deploying starts it too)."
                ) from None
            raise LabError(
                f"Could not reach CloudFormation in {self.cfg.region}; check your network "
                "connection and LAB_REGION, then run the same command again."
            ) from None
        except ClientError as exc:
            code = _error_code(exc)
            if code in _CREDENTIAL_ERRORS:
                raise LabError(
                    f"AWS refused your credentials ({code}: {_error_message(exc)}); refresh "
                    "them (`aws sso login`, or new keys in `aws configure`) and run the same "
                    "command again."
                ) from None
            if code.startswith("AccessDenied"):
                raise LabError(
                    f"AWS denied cloudformation:{operation} ({_error_message(exc)}); use "
                    "credentials allowed to manage CloudFormation stacks and the resources "
                    "in this lab (see the README's IAM section)."
                ) from None
            raise

    def describe(self, stack: str | None = None) -> dict | None:
        """The stack's description, or None if it does not exist (or was deleted)."""
        from botocore.exceptions import ClientError

        try:
            found = self._call("describe_stacks", StackName=stack or self.stack_name)["Stacks"]
        except ClientError as exc:
            if _is_missing_stack(exc):
                return None
            raise
        if not found or found[0]["StackStatus"] == "DELETE_COMPLETE":
            return None
        return found[0]

    def latest_event_id(self, stack_id: str) -> str | None:
        events = self._call("describe_stack_events", StackName=stack_id).get("StackEvents", [])
        return events[0]["EventId"] if events else None

    def _new_events(self, stack_id: str, seen: set[str], stop_at: str | None) -> list[dict]:
        """Events not printed yet, oldest first (the API lists newest first, paginated)."""
        fresh: list[dict] = []
        params = {"StackName": stack_id}
        while True:
            page = self._call("describe_stack_events", **params)
            for event in page.get("StackEvents", []):
                if event["EventId"] in seen or event["EventId"] == stop_at:
                    return fresh[::-1]
                fresh.append(event)
            token = page.get("NextToken")
            if not token:
                return fresh[::-1]
            params["NextToken"] = token

    # ------------------------------------------------------------------ waiting

    def _watch(
        self,
        stack_id: str,
        description: str,
        total: int,
        done_statuses: tuple[str, ...],
        *,
        after_event: str | None = None,
    ) -> tuple[dict, list[dict]]:
        """Print events until the stack settles; return its final description and the events.

        ``after_event`` is the newest event from before this operation, so only
        this operation's events are shown.
        """
        progress = StackProgress(
            description, total, done_statuses, out=self.out, bar=self.progress_bar
        )
        seen: set[str] = set()
        events: list[dict] = []
        deadline = self._clock() + self.max_wait_seconds
        final_status = ""
        try:
            while True:
                # Status first, then events: every event up to a final status
                # is printed before the loop ends.
                stack = self._call("describe_stacks", StackName=stack_id)["Stacks"][0]
                for event in self._new_events(stack_id, seen, after_event):
                    seen.add(event["EventId"])
                    events.append(event)
                    progress.event(event)
                if not in_progress(stack["StackStatus"]):
                    final_status = stack["StackStatus"]
                    return stack, events
                if self._clock() > deadline:
                    raise LabError(
                        f"Stack {self.stack_name} is still {stack['StackStatus']} after "
                        f"{self.max_wait_seconds / 60:.0f} minutes; CloudFormation carries on "
                        "by itself, so look at its events in the console and run the same "
                        "command again later."
                    )
                self._sleep(self.poll_seconds)
        finally:
            progress.close(complete=final_status in HEALTHY | {"DELETE_COMPLETE"})

    def _wait_until_settled(self, stack: dict) -> dict | None:
        """Wait out an operation someone else started; return the stack, or None if deleted."""
        self.say(
            f"Stack {self.stack_name} is {stack['StackStatus']} in {self.where}; "
            "waiting for that to finish first."
        )
        stack_id = stack["StackId"]
        final, _ = self._watch(
            stack_id,
            f"waiting for {self.stack_name}",
            self._resource_count(stack_id),
            ("CREATE_COMPLETE", "UPDATE_COMPLETE", "DELETE_COMPLETE"),
            after_event=self.latest_event_id(stack_id),
        )
        return None if final["StackStatus"] == "DELETE_COMPLETE" else final

    @staticmethod
    def first_failure(events: list[dict]) -> dict | None:
        """The event that explains a failure: the first failed resource, not the cancellations."""
        failed = [
            event
            for event in events
            if event.get("ResourceStatus", "").endswith("_FAILED") and is_resource_event(event)
        ]
        for event in failed:
            reason = event.get("ResourceStatusReason") or ""
            if "cancelled" not in reason.lower():
                return event
        return failed[0] if failed else None

    def _failure_text(self, events: list[dict], stack: dict) -> str:
        event = self.first_failure(events)
        if event is None:
            reason = stack.get("StackStatusReason") or "CloudFormation gave no reason"
            return f"{stack['StackStatus']}: {reason}"
        return (
            f"{event['LogicalResourceId']} ({event.get('ResourceType', '?')}) "
            f"{event['ResourceStatus']}: {event.get('ResourceStatusReason') or 'no reason given'}"
        )

    # --------------------------------------------------------------- operations

    def _resource_count(self, stack_id: str) -> int:
        paginator = self.cfn.get_paginator("list_stack_resources")
        try:
            return sum(
                len(page.get("StackResourceSummaries", []))
                for page in paginator.paginate(StackName=stack_id)
            )
        except Exception:  # the count only sizes the progress bar
            return 0

    def _delete(self, stack: dict) -> dict:
        """Delete the stack and wait; return its final description."""
        stack_id = stack["StackId"]
        total = self._resource_count(stack_id)
        after = self.latest_event_id(stack_id)
        self._call("delete_stack", StackName=stack_id)
        final, events = self._watch(
            stack_id,
            f"deleting {self.stack_name}",
            total,
            ("DELETE_COMPLETE", "DELETE_SKIPPED"),
            after_event=after,
        )
        if final["StackStatus"] != "DELETE_COMPLETE":
            raise LabError(
                f"Deleting stack {self.stack_name} failed at {self._failure_text(events, final)}; "
                "fix or remove that resource (in the console or with the AWS CLI), then run "
                "`python -m lab destroy` again."
            )
        return final

    def _another_deploy(self) -> str:
        return (
            f"Another deploy of stack {self.stack_name} is running in {self.where} (it started "
            "between this command's check and its own start); let it finish, then run "
            "`python -m lab deploy --if-changed` (it waits for a running deploy and does "
            "nothing more if that one deployed the current template)."
        )

    def _create(self) -> dict:
        from botocore.exceptions import ClientError

        template = self.template()
        body = template_body(template)
        total = len(template.get("Resources", {}))
        self.say(f"Creating stack {self.stack_name} ({total} resources) in {self.where}.")
        try:
            created = self._call(
                "create_stack",
                StackName=self.stack_name,
                TemplateBody=body,
                Capabilities=required_capabilities(template),
                OnFailure="DELETE",
            )
        except ClientError as exc:
            if _error_code(exc) == "AlreadyExistsException":
                raise LabError(self._another_deploy()) from None
            raise LabError(
                f"CloudFormation refused to create stack {self.stack_name}: "
                f"{_error_message(exc)}; fix the cause and run `python -m lab deploy` again."
            ) from None
        stack_id = created["StackId"]
        final, events = self._watch(
            stack_id, f"creating {self.stack_name}", total, ("CREATE_COMPLETE",)
        )
        if final["StackStatus"] == "CREATE_COMPLETE":
            self.say(f"Stack {self.stack_name} is CREATE_COMPLETE in {self.where}.")
            return outputs_of(final)
        failure = self._failure_text(events, final)
        if final["StackStatus"] != "DELETE_COMPLETE":
            # OnFailure=DELETE normally removes it; if it did not, do it here so
            # the next attempt starts clean.
            self.say(f"Deleting the failed stack {self.stack_name} so nothing is left behind.")
            self._delete(final)
        raise LabError(
            f"Creating stack {self.stack_name} failed at {failure}; the stack was rolled back "
            "and deleted, so fix the cause and run `python -m lab deploy` again."
        )

    def _update(self, stack: dict) -> dict:
        from botocore.exceptions import ClientError

        template = self.template()
        body = template_body(template)
        stack_id = stack["StackId"]
        after = self.latest_event_id(stack_id)
        try:
            self._call(
                "update_stack",
                StackName=stack_id,
                TemplateBody=body,
                Capabilities=required_capabilities(template),
            )
        except ClientError as exc:
            if "No updates are to be performed" in _error_message(exc):
                self.say(f"Stack {self.stack_name} is up to date in {self.where}.")
                return outputs_of(stack)
            if _is_busy(exc):
                raise LabError(self._another_deploy()) from None
            raise LabError(
                f"CloudFormation refused to update stack {self.stack_name}: "
                f"{_error_message(exc)}; fix the cause and run `python -m lab deploy` again."
            ) from None
        self.say(f"Updating stack {self.stack_name} in {self.where}.")
        final, events = self._watch(
            stack_id,
            f"updating {self.stack_name}",
            len(template.get("Resources", {})),
            ("CREATE_COMPLETE", "UPDATE_COMPLETE", "DELETE_COMPLETE"),
            after_event=after,
        )
        if final["StackStatus"] == "UPDATE_COMPLETE":
            self.say(f"Stack {self.stack_name} is UPDATE_COMPLETE in {self.where}.")
            return outputs_of(final)
        failure = self._failure_text(events, final)
        if final["StackStatus"] in STUCK:
            raise LabError(
                f"Updating stack {self.stack_name} failed at {failure}, and so did the rollback; "
                f"run `aws cloudformation continue-update-rollback --stack-name "
                f"{self.stack_name}`, or `python -m lab destroy` and deploy again."
            )
        raise LabError(
            f"Updating stack {self.stack_name} failed at {failure}; CloudFormation rolled it "
            "back to the previous version, so fix the cause and run `python -m lab deploy` again."
        )

    def deploy(self) -> dict:
        """Create the stack, or update it, and return its outputs."""
        return self._deploy(self.describe())

    def _deploy(self, stack: dict | None) -> dict:
        if stack is not None and in_progress(stack["StackStatus"]):
            stack = self._wait_until_settled(stack)
        if stack is not None and stack["StackStatus"] in REPLACE:
            self.say(
                f"Stack {self.stack_name} is {stack['StackStatus']} in {self.where} (left by an "
                "earlier failed attempt, so it cannot be updated); deleting it, then creating it "
                "again."
            )
            self._delete(stack)
            stack = None
        if stack is not None and stack["StackStatus"] in STUCK:
            raise LabError(
                f"Stack {self.stack_name} is {stack['StackStatus']}; run `aws cloudformation "
                f"continue-update-rollback --stack-name {self.stack_name}`, or "
                "`python -m lab destroy`, then deploy again."
            )
        if stack is None:
            return self._create()
        return self._update(stack)

    def is_up_to_date(self, stack: dict) -> bool:
        """True if the stack is healthy and runs exactly the current template."""
        if stack["StackStatus"] not in HEALTHY:
            return False
        deployed = self._call("get_template", StackName=stack["StackId"], TemplateStage="Original")
        body = deployed.get("TemplateBody")
        if isinstance(body, str):  # botocore parses JSON bodies; anything else arrives as text
            try:
                body = json.loads(body)
            except ValueError:
                return False
        return body == self.template()

    def ensure_deployed(self) -> dict:
        """Deploy only if needed; return the outputs."""
        stack = self.describe()
        if stack is not None and self.is_up_to_date(stack):
            self.say(f"Stack {self.stack_name} is up to date in {self.where}.")
            return outputs_of(stack)
        return self._deploy(stack)

    def destroy(self) -> str:
        """Delete the stack and wait until it is gone; a missing stack is fine."""
        stack = self.describe()
        if stack is not None and in_progress(stack["StackStatus"]):
            stack = self._wait_until_settled(stack)
        if stack is None:
            return f"Stack {self.stack_name} does not exist in {self.where}; nothing to destroy."
        self.say(f"Deleting stack {self.stack_name} from {self.where}.")
        self._delete(stack)
        return f"Stack {self.stack_name} is deleted from {self.where}."

    def outputs(self) -> dict:
        """The outputs of the deployed stack."""
        stack = self.describe()
        if stack is None:
            raise LabError(
                f"Stack {self.stack_name} does not exist in {self.where}; deploy it with "
                "`python -m lab deploy` (notebook 01_deploy_stack) or lab.ensure_deployed()."
            )
        if stack["StackStatus"] not in UPDATABLE:
            raise LabError(
                f"Stack {self.stack_name} is {stack['StackStatus']}, so its outputs are not "
                "ready; run `python -m lab deploy` (or lab.ensure_deployed()), which waits for "
                "it or rebuilds it."
            )
        return outputs_of(stack)


# ------------------------------------------------------------------ module API


def _synthesized_template(cfg: LabConfig) -> dict:
    from lab.synthesis import template

    return template(cfg=cfg)


def _start_sandbox() -> None:
    """Start the sandbox unless it runs (``lab.sandbox`` imported only now)."""
    from lab.sandbox import ensure_running

    ensure_running()


#: Set (to 1) by ``lab.prepare(confirm_billable=True)`` in notebook 00, or by hand
#: for the CLI, once the learner has read what the stack costs per hour.
CONSENT_VARIABLE = "LAB_CONFIRM_BILLABLE"


def require_billable_consent(cfg: LabConfig) -> None:
    """In aws mode, refuse to create anything billable until the learner has said yes."""
    if cfg.is_sandbox or os.environ.get(CONSENT_VARIABLE, "").strip() in ("1", "true", "yes"):
        return
    raise LabError(
        "aws mode creates billable resources (the VPC endpoint and secrets cost per hour); "
        "read the cost table in 00_setup and set CONFIRM_BILLABLE = True there, "
        f"or set {CONSENT_VARIABLE}=1 for the CLI."
    )


def deployer_for(cfg: LabConfig | None, *, start_sandbox: bool, creates: bool = False
              ) -> StackDeployer:
    cfg = cfg or load_config()
    if cfg.is_sandbox:
        if start_sandbox:
            _start_sandbox()
    else:
        require_aws_credentials(cfg)
        if creates:
            require_billable_consent(cfg)
    return StackDeployer(cfg)


def deploy(cfg: LabConfig | None = None) -> dict:
    """Create or update the lab's stack, showing its events live; return its outputs.

    Starts the sandbox if needed; in aws mode waits until the path carries a call. Raises
    :class:`LabError` naming the failed resource if CloudFormation cannot build the stack.
    """
    cfg = cfg or load_config()
    deployed = deployer_for(cfg, start_sandbox=True, creates=True).deploy()
    _wait_until_path_carries_calls(cfg, deployed)
    return deployed


def _wait_until_path_carries_calls(cfg: LabConfig, deployed: dict) -> None:
    """aws mode: wait, bounded and saying why, until a call goes through (:mod:`lab.warmup`)."""
    if not cfg.is_sandbox:
        from lab.warmup import ensure_path_ready

        ensure_path_ready(cfg, deployed)


def ensure_deployed(cfg: LabConfig | None = None) -> dict:
    """Make sure the stack is deployed with the current template; return its outputs.

    Idempotent and cheap when nothing changed (a cached synth and two API
    calls); deploys when the stack is missing, failed, or the template changed.
    """
    cfg = cfg or load_config()
    deployed = deployer_for(cfg, start_sandbox=True, creates=True).ensure_deployed()
    _wait_until_path_carries_calls(cfg, deployed)
    return deployed


def destroy(cfg: LabConfig | None = None) -> str:
    """Delete the lab's stack and wait until it is gone; return what happened.

    Destroying a stack that does not exist is a no-op that says so.
    """
    cfg = cfg or load_config()
    if cfg.is_sandbox and not _sandbox_answers(cfg):
        return (
            f"The sandbox is not running, so stack {cfg.stack_name} does not exist there; "
            "nothing to destroy."
        )
    return deployer_for(cfg, start_sandbox=False).destroy()


def outputs(cfg: LabConfig | None = None) -> dict:
    """The deployed stack's outputs as ``{OutputKey: OutputValue}``.

    Raises :class:`LabError` naming ``python -m lab deploy`` when nothing is
    deployed yet (in the sandbox: also when the sandbox is not running, which
    deploying fixes too).
    """
    cfg = cfg or load_config()
    if cfg.is_sandbox and not _sandbox_answers(cfg):
        raise LabError(
            f"The sandbox is not running at {cfg.sandbox_endpoint}, so stack {cfg.stack_name} "
            "is not deployed there; run `python -m lab deploy` (notebook 01_deploy_stack), "
            "which starts the sandbox and deploys the stack."
        )
    return deployer_for(cfg, start_sandbox=False).outputs()


def _sandbox_log() -> str:
    """The sandbox's log file."""
    from lab.sandbox import log_path

    return str(log_path())


def _sandbox_answers(cfg: LabConfig) -> bool:
    """True if something listens on the sandbox port (a TCP connect, no HTTP)."""
    import socket

    from lab.config import SANDBOX_HOST

    try:
        with socket.create_connection((SANDBOX_HOST, cfg.sandbox_port), timeout=0.5):
            return True
    except OSError:
        return False


def api_key_value(cfg: LabConfig | None = None, api_key_id: str | None = None) -> str:
    """The value of the deployed API key, for a request header or a repair only.

    Never print or store it: callers put it in a header or give it back to the
    connection. Read from API Gateway, which is what the usage plan checks.
    """
    cfg = cfg or load_config()
    api_key_id = api_key_id or outputs(cfg)[Output.ApiKeyId]
    from lab.clients import client

    value = client("apigateway", cfg).get_api_key(apiKey=api_key_id, includeValue=True).get("value")
    if not value:
        raise LabError(f"API key {api_key_id} has no value; redeploy: `python -m lab destroy`, "
                       "then `python -m lab deploy`.")
    return value
