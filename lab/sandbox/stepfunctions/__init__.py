"""Sandbox extension: Step Functions.

``apply()`` patches moto 5.2.5's executing interpreter (``moto.stepfunctions.parser``):

- ``arn:aws:states:::http:invoke`` (:mod:`.http_task`): the service is looked up by
  ``state_task_service_for``, which ``state_task_factory`` imported by name, so the
  replacement is installed in both modules;
- error names of the ``States.Http.`` family pass the parser's ``States.`` prefix check
  (``CustomErrorName``), so ``Retry``/``Catch`` can name ``States.Http.StatusCode.404``;
- StartSyncExecution for EXPRESS state machines (:mod:`.models`, :mod:`.responses`), also
  reachable in-process at botocore's ``sync-states.<region>`` host;
- ``start_execution`` without a name gets a UUID name;
- the definition parse cache (which also answers an invalid definition with the
  ``InvalidDefinition`` error code; moto's own exception has none);
- work moto repeats for every execution although its result cannot change
  (:mod:`.performance`);
- JSONata ``{% … %}`` fields and ``$variable`` reads evaluated by a real JSONata engine
  (:mod:`.jsonata`; moto 5.2.5 ships the engine stubbed);
- DescribeExecution / ListExecutions with AWS's redrive fields, ``inputDetails`` and
  ``$$.Execution.RedriveCount`` (:mod:`.executions`).

Every patched seam has a contract test in ``tests/contracts/test_moto_stepfunctions.py``.
"""

from __future__ import annotations

import re

from lab.sandbox.stepfunctions import executions, jsonata, performance

#: Custom error names allowed despite the reserved ``States.`` prefix.
ALLOWED_STATES_ERROR_PREFIXES = ("States.Http.",)
SYNC_URL_BASE = r"https?://sync-states\.(.+)\.amazonaws\.com"

_applied = False


def _patch_task_service_factory() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import (
        state_task_factory,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_factory,
    )

    from lab.sandbox.stepfunctions.http_task import SERVICE_NAME, StateTaskServiceHttp

    moto_factory = state_task_service_factory.state_task_service_for

    def state_task_service_for(service_name: str):
        if service_name == SERVICE_NAME:
            return StateTaskServiceHttp()
        return moto_factory(service_name)

    state_task_service_for.moto_original = moto_factory
    state_task_service_factory.state_task_service_for = state_task_service_for
    state_task_factory.state_task_service_for = state_task_service_for


def _patch_custom_error_names() -> None:
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
        CustomErrorName,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.error_name import ErrorName

    moto_init = CustomErrorName.__init__

    def __init__(self, error_name: str | None):
        if error_name is not None and error_name.startswith(ALLOWED_STATES_ERROR_PREFIXES):
            ErrorName.__init__(self, error_name=error_name)
            return
        moto_init(self, error_name)

    __init__.moto_original = moto_init
    CustomErrorName.__init__ = __init__


def _patch_backend() -> None:
    from moto.moto_api._internal import mock_random
    from moto.stepfunctions.parser.asl.parse.asl_parser import ASLParserException
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    from lab.sandbox.stepfunctions import models
    from lab.sandbox.stepfunctions.exceptions import InvalidDefinition

    moto_start_execution = StepFunctionsParserBackend.start_execution

    def start_execution(
        self, state_machine_arn, name=None, execution_input=None, trace_header=None
    ):
        if name:
            self._validate_name(name)
        else:
            name = str(mock_random.uuid4())  # AWS names an unnamed execution with a UUID
        return moto_start_execution(self, state_machine_arn, name, execution_input, trace_header)

    start_execution.moto_original = moto_start_execution
    StepFunctionsParserBackend.start_execution = start_execution
    StepFunctionsParserBackend.start_sync_execution = models.start_sync_execution

    def _validate_definition(definition: str) -> None:
        # moto's own check, but through the cache: the first execution then skips the parse.
        try:
            models.program_cache.template(definition)
        except ASLParserException as asl_parser_exception:
            raise InvalidDefinition(repr(asl_parser_exception)) from None
        except Exception as exception:
            raise InvalidDefinition(
                f"Error={exception.__class__.__name__} Args={list(exception.args)} "
                f"in definition '{definition}'."
            ) from None

    StepFunctionsParserBackend._validate_definition = staticmethod(_validate_definition)

    def _get_evaluation_entrypoint(self):
        definition = self._evaluation_details.state_machine_details.definition
        return models.program_cache.program(definition)

    ExecutionWorker._get_evaluation_entrypoint = _get_evaluation_entrypoint


def _patch_responses() -> None:
    from moto import backend_index
    from moto.stepfunctions import urls
    from moto.stepfunctions.responses import StepFunctionResponse

    from lab.sandbox.stepfunctions import responses

    StepFunctionResponse.start_sync_execution = responses.start_sync_execution
    # botocore sends StartSyncExecution to "sync-states.<region>..." unless the client turns
    # host prefixes off; in-process (mock_aws) that host must reach moto too.
    if SYNC_URL_BASE not in urls.url_bases:
        urls.url_bases.append(SYNC_URL_BASE)
    if not any(p.pattern == SYNC_URL_BASE for _, p in backend_index.backend_url_patterns):
        backend_index.backend_url_patterns.append(("stepfunctions", re.compile(SYNC_URL_BASE)))


def apply() -> None:
    """Patch moto for this service. Idempotent."""
    global _applied
    if _applied:
        return
    _patch_custom_error_names()
    _patch_task_service_factory()
    _patch_backend()
    _patch_responses()
    performance.apply()
    jsonata.apply()
    executions.apply()
    _applied = True
