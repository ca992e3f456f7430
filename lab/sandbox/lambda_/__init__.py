"""Sandbox extension: Lambda functions run without Docker (Python handlers).

moto 5.2.5 runs a function in a Docker container; the sandbox replaces its invoke
(``LambdaFunction.invoke``, :mod:`.invoke`) so the handler runs in a Python worker process
with the Lambda runtime's contract:

- the event (JSON) and a context (``function_name``, ``function_version``,
  ``invoked_function_arn``, ``memory_limit_in_mb``, ``aws_request_id``, ``log_group_name``,
  ``log_stream_name``, ``get_remaining_time_in_millis()``);
- the function's ``Environment`` variables plus the runtime's reserved ones (``AWS_REGION``,
  ``AWS_LAMBDA_FUNCTION_NAME``, ``LAMBDA_TASK_ROOT``, …; an ``Environment`` naming one is
  refused, :mod:`.configuration`); nothing of the sandbox's own environment but ``PATH``
  and the locale;
- ``/tmp``: a directory of its own per execution environment;
- ``Timeout``: the worker is killed when it passes; the invoke answers ``FunctionError:
  Unhandled`` with ``{"errorType": "Sandbox.Timedout", "errorMessage": "RequestId: … Error:
  Task timed out after N.NN seconds"}``; ``MemorySize`` is reported, not enforced;
- execution environments (:mod:`.runtime`): a cold start (INIT: the handler's module is
  imported once) when no instance is free, reuse afterwards (module state persists), idle
  ones stopped after ``lambda_idle_seconds``; concurrency up to the function's
  ``ReservedConcurrentExecutions`` (else ``lambda_account_concurrency``), beyond it ``429
  TooManyRequestsException``;
- handler errors as the Python runtime reports them (``errorMessage``, ``errorType``,
  ``requestId``, ``stackTrace``);
- everything printed, framed by ``START``/``END``/``REPORT`` lines (``Init Duration`` on a
  cold start), in the log group ``/aws/lambda/<name>``;
- outbound HTTPS along the modelled network path of the function's VPC ENIs
  (:mod:`.egress`): security groups, the interface endpoint's private DNS and its
  security group, so the failure labs' breaks apply;
- Step Functions' ``arn:aws:states:::lambda:invoke`` answers with AWS's task output
  (:mod:`.states`).

Code comes from CreateFunction's ``ZipFile`` or a template's inline ``Code.ZipFile`` (moto
zips it as ``index.py`` on create; :mod:`.templates` zips it on a stack update too). The
worker runs the sandbox's own Python, whatever ``Runtime`` says.

Not modelled: the memory limit (``MemorySize`` is reported; ``Max Memory Used`` is the
worker's peak resident memory), INIT billing, the Lambda role's policies (the handler's
calls are not evaluated against them), layers, container images, other runtimes, the
``requests`` library's own HTTPS to ``*.amazonaws.com`` (``urllib``/``http.client`` and boto3
go along the path). A deleted function's execution environments stop with it.

Public interface: :func:`seams` (installed by :mod:`lab.sandbox.seams`), :func:`shutdown`
(stop every execution environment and egress gate; the server calls it when it stops, a
reset too) and :func:`instances` (the live execution environments, for tests and the lab's
measurements).

Imports: ``invoke`` -> ``runtime``, ``egress``; ``configuration`` imports none of them;
``egress`` -> ``network``, ``ec2.models`` and ``stepfunctions.transport``/``http_request``
(function-level); all -> ``settings``.
Nothing of the sandbox imports this package but ``seams`` (by name) and ``server`` (to stop
the workers when it stops).
``worker`` imports nothing (it runs in its own process).
"""

from __future__ import annotations

_CONTRACTS = "tests/contracts/test_moto_lambda.py::"

__all__ = ["instances", "seams", "shutdown"]


def seams():
    """The Lambda seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.lambda_ import configuration, invoke, states, templates
    from lab.sandbox.seams import Seam

    backend = "moto.awslambda.models:LambdaBackend"
    return (
        Seam(
            "lab.sandbox.lambda_.configuration",
            f"{backend}.create_function",
            configuration.checked_create,
            "moto accepts reserved runtime variables in a function's Environment",
            _CONTRACTS + "test_create_and_update_take_the_request_as_a_dict",
            kind="wrap",
        ),
        Seam(
            "lab.sandbox.lambda_.configuration",
            f"{backend}.update_function_configuration",
            configuration.checked_update,
            "moto accepts reserved runtime variables in a function's Environment",
            _CONTRACTS + "test_create_and_update_take_the_request_as_a_dict",
            kind="wrap",
        ),
        Seam(
            "lab.sandbox.lambda_.invoke",
            "moto.awslambda.models:LambdaFunction.invoke",
            invoke.invoke,
            "moto runs a function only in Docker, one container per invoke",
            _CONTRACTS + "test_backend_invoke_calls_the_function_models_invoke",
        ),
        Seam(
            "lab.sandbox.lambda_.invoke",
            "moto.awslambda.responses:LambdaResponse._enrich_response",
            invoke.enrich_response,
            "moto gives every answer a random request id; an invoke's is the handler's",
            _CONTRACTS + "test_every_answer_gets_its_request_id_in_enrich_response",
        ),
        Seam(
            "lab.sandbox.lambda_.invoke",
            "moto.awslambda.models:LambdaBackend.delete_function",
            invoke.stop_with_the_function,
            "moto knows no execution environments to stop when a function is deleted",
            _CONTRACTS + "test_delete_function_takes_a_name_and_a_qualifier",
            kind="wrap",
        ),
        Seam(
            "lab.sandbox.lambda_.states",
            states.TARGET,
            states.execute_lambda_function_integration,
            "moto's lambda:invoke task output lacks SdkHttpMetadata and SdkResponseMetadata",
            _CONTRACTS + "test_the_lambda_task_service_calls_the_integration_by_module",
            kind="wrap",
        ),
        Seam(
            "lab.sandbox.lambda_.templates",
            "moto.awslambda.models:LambdaFunction.update_from_cloudformation_json",
            templates.UPDATE_FROM_CLOUDFORMATION,
            "moto hands a template's inline code to update_function_code unzipped on an update",
            "tests/contracts/test_moto_lambda_templates.py::"
            "test_an_update_passes_the_inline_code_on_as_it_is",
        ),
    )


def finish() -> None:
    """Stop the execution environments on reset (registered once)."""
    from lab.sandbox.settings import on_reset

    on_reset(shutdown)


def shutdown() -> None:
    """Stop every execution environment and every egress gate (idempotent)."""
    from lab.sandbox.lambda_ import egress, runtime

    runtime.shutdown()
    egress.shutdown()


def instances(function_arn: str | None = None) -> list:
    """The live execution environments (``runtime.Instance``: ``pid``, ``busy``, ``invokes``)."""
    from lab.sandbox.lambda_ import runtime

    return runtime.instances(function_arn)
