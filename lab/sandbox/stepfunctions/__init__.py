"""Sandbox extension: Step Functions.

Its seams (:func:`seams`, installed by :mod:`lab.sandbox.seams`) change moto 5.2.5's
executing interpreter (``moto.stepfunctions.parser``):

- ``arn:aws:states:::http:invoke`` (:mod:`.http_task`): the service is looked up by
  ``state_task_service_for``, which ``state_task_factory`` imported by name, so the
  replacement is installed in both modules;
- error names of the ``States.Http.`` family pass the parser's ``States.`` prefix check
  (``CustomErrorName``), so ``Retry``/``Catch`` can name ``States.Http.StatusCode.404``;
- StartSyncExecution for EXPRESS state machines (:mod:`.models`, :mod:`.responses`), also
  reachable in-process at botocore's ``sync-states.<region>`` host;
- ``start_execution`` without a name gets a UUID name (:mod:`.models`);
- the definition parse cache executions share, with what sharing needs (:mod:`.programs`);
- work moto repeats for every execution although its result cannot change
  (:mod:`.performance`);
- JSONata ``{% … %}`` fields and ``$variable`` reads evaluated by a real JSONata engine
  (:mod:`.jsonata`; moto 5.2.5 ships the engine stubbed);
- DescribeExecution / ListExecutions with AWS's redrive fields, ``inputDetails`` and
  ``$$.Execution.RedriveCount`` (:mod:`.executions`);
- TestState, the HTTP Task traced through the modelled network path (:mod:`.test_state`);
- definitions refused and validated in Step Functions' words, ValidateStateMachineDefinition,
  one query-language scope stack per parse (:mod:`.definition`);
- AWS's size quotas on inputs, outputs and definitions (:mod:`.limits`);
- the execution role: trusted by Step Functions at CreateStateMachine/UpdateStateMachine,
  its policies evaluated for each HTTP Task call (:mod:`.execution_role`);
- workflow variables' size limits and scopes (:mod:`.variables`);
- ``TimeoutSeconds``/``HeartbeatSeconds`` expressions and paths judged as AWS documents
  them (:mod:`.timeouts`);
- a state that crashes in moto's interpreter fails with "not emulated by the sandbox: …"
  (:mod:`.internal_errors`);
- a Distributed Map run fails past its tolerated failure threshold (:mod:`.map_runs`);
- RedriveExecution (:mod:`.redrive`), re-running only the failed iterations, branches and
  Map Run items of the Map or Parallel state it resumes at (:mod:`.redrive_parts`);
- the actions moto does not implement answer "not emulated by the sandbox: …"
  (:mod:`.not_emulated`).

The HTTP Task's request building (:mod:`.http_request`), its connection's state and
credentials (:mod:`.connections`) and the socket (:mod:`.transport`) serve EventBridge's API
destination delivery too; the path between is :mod:`lab.sandbox.network`.

Every seam has a contract test in ``tests/contracts/test_moto_stepfunctions.py``.

Imports: ``http_task`` -> ``connections``, ``http_request``, ``transport``, ``inspection``
and ``network``; ``test_state`` -> ``inspection`` and ``definition`` -> ``http_task``;
``connections`` and ``http_request`` -> ``events.runtime``. ``inspection`` imports nothing;
``events.delivery`` imports ``connections``, ``http_request`` and ``transport``.
"""

from __future__ import annotations

import re

#: Custom error names allowed despite the reserved ``States.`` prefix.
ALLOWED_STATES_ERROR_PREFIXES = ("States.Http.",)
SYNC_URL_BASE = r"https?://sync-states\.(.+)\.amazonaws\.com"

_CONTRACTS = "tests/contracts/test_moto_stepfunctions.py::"
_SERVICE_FACTORY = (
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service."
    "state_task_service_factory"
)
_TASK_FACTORY = "moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_factory"


def http_task_service(moto_factory):
    """``state_task_service_for``: ``http`` is the HTTP Task, anything else moto's."""
    from lab.sandbox.stepfunctions.http_task import SERVICE_NAME, StateTaskServiceHttp

    def state_task_service_for(service_name: str):
        if service_name == SERVICE_NAME:
            return StateTaskServiceHttp()
        return moto_factory(service_name)

    return state_task_service_for


def allow_http_error_names(moto_init):
    """``CustomErrorName.__init__``: ``States.Http.*`` names are allowed, and so are the
    ``States.*`` names Step Functions itself raises (moto wraps an error that failed a Map
    iteration, ``States.Runtime`` or ``States.QueryEvaluationError`` included, in a
    ``CustomErrorName``, whose check then failed the Map with "Custom Error Names MUST NOT
    begin with the prefix 'States.'"). A definition's ``ErrorEquals`` still cannot invent a
    ``States.`` name: the grammar reads the real ones as such, never as custom names."""

    from moto.stepfunctions.parser.asl.component.common.error_name.error_name import ErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )

    states_names = frozenset(member.to_name() for member in StatesErrorNameType)

    def __init__(self, error_name: str | None):
        if error_name is not None and (
            error_name.startswith(ALLOWED_STATES_ERROR_PREFIXES) or error_name in states_names
        ):
            ErrorName.__init__(self, error_name=error_name)
            return
        moto_init(self, error_name)

    return __init__


def seams():
    """The Step Functions seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam
    from lab.sandbox.stepfunctions import (
        definition,
        execution_role,
        executions,
        internal_errors,
        json_copy,
        jsonata,
        limits,
        map_runs,
        models,
        not_emulated,
        performance,
        programs,
        redrive,
        redrive_parts,
        responses,
        test_state,
        timeouts,
        variables,
    )

    owner = __name__
    routing = _CONTRACTS + "test_moto_routes_stepfunctions_by_url_base_and_backend_index"
    return (
        Seam(
            owner,
            "moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name:"
            "CustomErrorName.__init__",
            allow_http_error_names,
            "moto's parser refuses custom error names starting with States.",
            _CONTRACTS + "test_moto_refuses_custom_error_names_with_the_states_prefix",
            kind="wrap",
        ),
        Seam(
            owner,
            f"{_SERVICE_FACTORY}:state_task_service_for",
            http_task_service,
            "moto has no http:invoke task service",
            _CONTRACTS + "test_the_task_factory_imports_the_service_factory_by_name",
            kind="wrap",
            also=(f"{_TASK_FACTORY}:state_task_service_for",),
        ),
        Seam(
            "lab.sandbox.stepfunctions.models",
            "moto.stepfunctions.parser.models:StepFunctionsParserBackend.start_execution",
            models.name_unnamed_executions,
            "moto names an unnamed execution None, so a second one collides",
            _CONTRACTS + "test_moto_names_an_unnamed_execution_none",
            kind="wrap",
        ),
        Seam(
            "lab.sandbox.stepfunctions.models",
            "moto.stepfunctions.parser.backend.execution:Execution.get_start_state_machine_details",
            models.typed_state_machine_details,
            "moto's state machines say sm_type STANDARD whatever their type",
            _CONTRACTS + "test_moto_state_machines_say_standard_whatever_their_type",
            kind="wrap",
        ),
        Seam(
            "lab.sandbox.stepfunctions.models",
            "moto.stepfunctions.parser.models:StepFunctionsParserBackend.start_sync_execution",
            models.start_sync_execution,
            "moto has the SyncExecution classes but no StartSyncExecution",
            _CONTRACTS + "test_sync_execution_classes_exist_with_the_execution_constructor",
            kind="add",
        ),
        Seam(
            "lab.sandbox.stepfunctions.responses",
            "moto.stepfunctions.responses:StepFunctionResponse.start_sync_execution",
            responses.start_sync_execution,
            "moto does not answer StartSyncExecution",
            _CONTRACTS + "test_moto_does_not_answer_start_sync_execution_itself",
            kind="add",
        ),
        # botocore sends StartSyncExecution to "sync-states.<region>..." unless the client
        # turns host prefixes off; in-process (mock_aws) that host must reach moto too.
        Seam(
            owner,
            "moto.stepfunctions.urls:url_bases",
            (SYNC_URL_BASE,),
            "botocore prefixes sync- to StartSyncExecution's host",
            routing,
            kind="extend",
        ),
        Seam(
            owner,
            "moto.backend_index:backend_url_patterns",
            (("stepfunctions", re.compile(SYNC_URL_BASE)),),
            "in-process, moto finds a backend by these patterns, not the url bases",
            routing,
            kind="extend",
        ),
        *programs.seams(),
        *performance.seams(),
        *jsonata.seams(),
        *executions.seams(),
        *definition.seams(),
        *test_state.seams(),
        *limits.seams(),
        *variables.seams(),
        *timeouts.seams(),
        *internal_errors.seams(),
        *map_runs.seams(),
        *not_emulated.seams(),
        *redrive.seams(),
        *redrive_parts.seams(),
        *json_copy.seams(),
        *execution_role.seams(),
    )


def apply() -> None:
    """Install this package's seams (idempotent)."""
    from lab.sandbox import seams

    seams.install(__name__)
