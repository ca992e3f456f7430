"""``arn:aws:states:::http:invoke`` in moto's executing Step Functions interpreter.

A state task service, shaped like moto's own (``moto/stepfunctions/parser/asl/component/
state/exec/state_task/service/state_task_service_*.py``). Works with JSONPath
``Parameters`` (what CDK's ``HttpInvoke`` emits) and JSONata ``Arguments`` alike: the
interpreter evaluates either into the same parameter object before the task runs.

One execution of the task: look up the connection and check its state; build the request
(merge the connection's parameters, add the API key and Step Functions' own headers);
route it along the modelled network path; send it over a real socket; turn the response
into ``{Headers, ResponseBody, StatusCode, StatusText}``, or a non-2xx status into
``States.Http.StatusCode.<code>``. The history shows TaskScheduled -> TaskStarted ->
TaskSucceeded or TaskFailed with real timestamps (moto's event manager stamps them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
    CustomErrorName,
)
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import (
    StatesErrorName,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
    StatesErrorNameType,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (  # noqa: E501
    StateTaskService,
)
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

from lab.sandbox import network
from lab.sandbox.network.errors import HttpTaskError
from lab.sandbox.stepfunctions import connections, execution_role, inspection, transport
from lab.sandbox.stepfunctions.exceptions import (
    STATES_RUNTIME,
    status_code_error,
)
from lab.sandbox.stepfunctions.http_request import HttpRequest, build_request, connection_arn_of

SERVICE_NAME = "http"
API_ACTION = "invoke"

SUPPORTED_PARAMETERS: Final[frozenset[str]] = frozenset(
    {
        "ApiEndpoint",
        "Method",
        "Authentication",
        "InvocationConfig",
        "Headers",
        "QueryParameters",
        "RequestBody",
        "Transform",
    }
)


def _response_body(content_type: str, body: bytes) -> Any:
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type.lower():
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def invoke_output(response: transport.HttpResponse) -> dict[str, Any]:
    """The task's result: headers (lower-cased name -> list of values), parsed body, status."""
    headers: dict[str, list[str]] = {}
    for name, value in response.headers:
        headers.setdefault(name.lower(), []).append(value)
    content_type = (headers.get("content-type") or [""])[0]
    return {
        "Headers": headers,
        "ResponseBody": _response_body(content_type, response.body),
        "StatusCode": response.status,
        "StatusText": inspection.status_text(response.status, response.reason),
    }


@dataclass(frozen=True)
class Caller:
    """Who makes the call: the role Step Functions assumes, and for what."""

    role_arn: str
    session: str  #: the role session (the execution's name)
    state_machine_arn: str | None = None  #: None in TestState: no ARN a policy could name


def perform(
    parameters: dict[str, Any],
    region: str,
    inspection_data: dict | None = None,
    caller: Caller | None = None,
) -> dict[str, Any]:
    """Run one HTTP Task invocation; raises :class:`HttpTaskError` as Step Functions fails.

    ``inspection_data`` (TestState's) receives the raw request and response; ``caller``'s
    role is evaluated first (:mod:`.execution_role`).
    """
    arn = connection_arn_of(parameters)
    if caller is not None and caller.state_machine_arn is not None:
        execution_role.check_invoke(
            caller.role_arn,
            caller.state_machine_arn,
            str(parameters.get("ApiEndpoint")),
            str(parameters.get("Method")),
            caller.session,
        )
    runtime = connections.connection_runtime(arn)
    if caller is not None:
        execution_role.check_credentials(
            caller.role_arn, arn, runtime.secret_arn, caller.session, runtime.kms_key_arn
        )
    connections.check_ready(runtime)
    request: HttpRequest = build_request(parameters, runtime, region)
    if runtime.is_private:
        route = network.private_route(runtime)
    else:
        route = network.public_route(request.host)
    if inspection_data is not None:
        inspection.record_request(inspection_data, request)
    response = transport.send(request, route)
    if inspection_data is not None:
        inspection.record_response(inspection_data, request, response)
    output = invoke_output(response)
    if not 200 <= response.status < 300:
        raise HttpTaskError(
            status_code_error(response.status), json.dumps(output, separators=(",", ":"))
        )
    return output


def static_parameter_names(parargs: Any) -> set[str] | None:
    """The top-level field names of a task's ``Parameters``/``Arguments`` as written.

    None when they are only known at run time (``Arguments`` as one JSONata expression).
    """
    template = getattr(parargs, "template_eval_component", None)
    if template is None:
        return set()
    bindings = getattr(template, "payload_bindings", None)  # JSONPath Parameters
    if bindings is not None:
        return {binding.field for binding in bindings}
    bindings = getattr(template, "bindings", None)  # JSONata Arguments object
    if bindings is not None:
        return {binding.identifier for binding in bindings}
    return None


class HttpTaskDefinitionError(ValueError):
    """An HTTP Task written in a way Step Functions refuses at CreateStateMachine."""


def check_definition(parargs: Any) -> None:
    """Refuse, when the state machine is created, a task AWS would refuse as well.

    Raises :class:`HttpTaskDefinitionError` (answered as ``InvalidDefinition``) naming the fix.
    """
    names = static_parameter_names(parargs)
    if names is None:
        return
    unknown = sorted(names - SUPPORTED_PARAMETERS)
    if unknown:
        raise HttpTaskDefinitionError(
            f"The field(s) {', '.join(unknown)} are not supported by the HTTP Task; "
            f"use {', '.join(sorted(SUPPORTED_PARAMETERS))}."
        )
    missing = [name for name in ("ApiEndpoint", "Method") if name not in names]
    if missing:
        raise HttpTaskDefinitionError(f"The HTTP Task needs the field(s) {', '.join(missing)}.")
    if not names & {"Authentication", "InvocationConfig"}:
        raise HttpTaskDefinitionError(
            "The HTTP Task needs a connection: InvocationConfig.ConnectionArn "
            "(or Authentication.ConnectionArn)."
        )


def caller_of(env: Any, state_credentials: Any, testing: bool = False) -> Caller | None:
    """The role and state machine of the execution running in ``env``."""
    role_arn = getattr(state_credentials, "role_arn", None)
    if not role_arn:
        return None
    context = env.states.context_object.context_object_data
    session = str((context.get("Execution") or {}).get("Name") or "StepFunctions")
    machine = None if testing else (context.get("StateMachine") or {}).get("Id")
    return Caller(role_arn=role_arn, session=session, state_machine_arn=machine)


class StateTaskServiceHttp(StateTaskService):
    """The ``http:invoke`` optimized integration (request-response only)."""

    def from_state_props(self, state_props) -> None:
        super().from_state_props(state_props)
        check_definition(self.parargs)

    def _get_supported_parameters(self) -> set[str] | None:
        if self.resource.api_action.lower() != API_ACTION:
            return None  # moto then refuses the definition: unknown resource
        return set(SUPPORTED_PARAMETERS)

    def _normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
        pass  # not a botocore call: parameters are used as written

    def _normalise_response(self, response, boto_service_name=None, service_action_name=None):
        pass

    def _from_error(self, env, ex: Exception) -> FailureEvent:
        if not isinstance(ex, HttpTaskError):
            return super()._from_error(env=env, ex=ex)
        if ex.error == STATES_RUNTIME:
            error_name = StatesErrorName(typ=StatesErrorNameType.StatesRuntime)
        else:
            error_name = CustomErrorName(ex.error)
        return FailureEvent(
            env=env,
            error_name=error_name,
            event_type=HistoryEventType.TaskFailed,
            event_details=EventDetails(
                taskFailedEventDetails=TaskFailedEventDetails(
                    error=ex.error,
                    cause=ex.cause,
                    resource=self._get_sfn_resource(),
                    resourceType=self._get_sfn_resource_type(),
                )
            ),
        )

    def _eval_service_task(
        self, env, resource_runtime_part, normalised_parameters: dict, state_credentials
    ):
        inspection_data = getattr(env, "inspection_data", None)  # TestState's environment
        output = perform(
            normalised_parameters,
            resource_runtime_part.region,
            inspection_data,
            caller_of(env, state_credentials, testing=inspection_data is not None),
        )
        env.stack.append(output)
