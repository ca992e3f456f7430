"""Contract: the moto seams ``lab.sandbox.lambda_`` relies on (moto 5.2.5)."""

from __future__ import annotations

import inspect

from lab.sandbox import seams


def test_backend_invoke_calls_the_function_models_invoke():
    """Invoke reaches ``LambdaFunction.invoke(body, headers, response_headers)`` through
    the backend (the Docker one: the simple backend, ``use_docker: False``, never runs
    code), and moto's own ``invoke`` runs the function in Docker (``_invoke_lambda``). If
    moto moves the run elsewhere, the seam (``lab.sandbox.lambda_.invoke``) must follow."""
    from moto.awslambda import responses, utils
    from moto.awslambda.models import LambdaBackend

    backend_invoke = inspect.getsource(LambdaBackend.invoke)
    assert "fn.invoke(body, headers, response_headers)" in backend_invoke
    assert "self.backend.invoke(" in inspect.getsource(responses.LambdaResponse.invoke)
    original = seams.original("moto.awslambda.models:LambdaFunction.invoke")
    assert "self._invoke_lambda(" in inspect.getsource(original)
    assert list(inspect.signature(original).parameters) == [
        "self",
        "body",
        "request_headers",
        "response_headers",
    ]
    # The Docker backend is the default: the seam is reached unless a user turns Docker off.
    assert '.get("use_docker", True) is False' in inspect.getsource(utils.get_backend)


def test_every_answer_gets_its_request_id_in_enrich_response():
    """moto sets ``x-amzn-requestid`` to a random id in ``BaseResponse._enrich_response``,
    called through ``self`` after the action (so a ``LambdaResponse`` attribute overrides
    it); the seam keeps an invoke's id there instead."""
    from moto.awslambda.responses import LambdaResponse
    from moto.core.responses import BaseResponse

    call_action = inspect.getsource(BaseResponse.call_action)
    assert "self._enrich_response(headers, body)" in call_action
    assert "gen_amzn_requestid_long(headers)" in inspect.getsource(BaseResponse._enrich_response)
    assert "_enrich_response" not in vars(seams.original(
        "moto.awslambda.responses:LambdaResponse._enrich_response"
    ).__class__)  # a plain function, inherited from BaseResponse, not LambdaResponse's own
    assert seams.original(
        "moto.awslambda.responses:LambdaResponse._enrich_response"
    ) is BaseResponse.__dict__["_enrich_response"].__func__ or callable(LambdaResponse)


def test_delete_function_takes_a_name_and_a_qualifier():
    """The wrapper resolves the function with ``get_function(name, qualifier)`` first (it
    raises for an unknown one, as DeleteFunction must) and calls moto's with both."""
    from moto.awslambda.models import LambdaBackend

    original = seams.original("moto.awslambda.models:LambdaBackend.delete_function")
    assert list(inspect.signature(original).parameters) == ["self", "function_name", "qualifier"]
    assert list(inspect.signature(LambdaBackend.get_function).parameters)[:3] == [
        "self",
        "function_name_or_arn",
        "qualifier",
    ]


def test_create_and_update_take_the_request_as_a_dict():
    """CreateFunction and UpdateFunctionConfiguration (and CloudFormation's handler) pass the
    request's members to these backend methods as one dict, ``Environment`` included."""
    from moto.awslambda import responses
    from moto.awslambda.models import LambdaFunction

    create = seams.original("moto.awslambda.models:LambdaBackend.create_function")
    update = seams.original("moto.awslambda.models:LambdaBackend.update_function_configuration")
    assert list(inspect.signature(create).parameters) == ["self", "spec"]
    assert list(inspect.signature(update).parameters) == [
        "self",
        "function_name",
        "qualifier",
        "body",
    ]
    assert "self.backend.create_function(self.json_body)" in inspect.getsource(
        responses.LambdaResponse
    )
    assert "backend.create_function(spec)" in inspect.getsource(
        LambdaFunction.create_from_cloudformation_json
    )
    assert 'spec.get("Environment", {}).get("Variables", {})' in inspect.getsource(
        LambdaFunction.__init__
    )


def test_the_function_model_keeps_what_the_runtime_reads():
    """The replacement reads the zip (``code_bytes``), the configuration and the logs
    backend from moto's model, and a template's inline code arrives zipped as ``index.py``."""
    from moto.awslambda.models import LambdaFunction

    init = inspect.getsource(LambdaFunction.__init__)
    for attribute in (
        "self.environment_vars",
        "self.timeout",
        "self.memory_size",
        "self.reserved_concurrency",
        "self.logs_group_name",
        "self._vpc_config",
        "self.logs_backend",
    ):
        assert attribute in init, attribute
    assert "self.code_bytes" in inspect.getsource(LambdaFunction._set_function_code)
    inline = inspect.getsource(LambdaFunction._create_zipfile_from_plaintext_code)
    assert 'writestr("index.py", code)' in inline


def test_the_lambda_task_service_calls_the_integration_by_module():
    """``arn:aws:states:::lambda:invoke`` looks ``execute_lambda_function_integration`` up on
    the module at call time (so replacing the module attribute reaches it), and the
    replacement reuses moto's ``_invoke_lambda_function`` and error class."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_lambda,
    )

    source = inspect.getsource(state_task_service_lambda.StateTaskServiceLambda)
    assert "lambda_eval_utils.execute_lambda_function_integration(" in source
    assert "isinstance(ex, lambda_eval_utils.LambdaFunctionErrorException)" in source
    invoke = inspect.getsource(lambda_eval_utils._invoke_lambda_function)
    assert "lambda_client.invoke(**parameters)" in invoke
    assert 'invocation_response["Payload"] = payload_json' in invoke
    assert list(
        inspect.signature(
            seams.original(
                "moto.stepfunctions.parser.asl.component.state.exec.state_task."
                "lambda_eval_utils:execute_lambda_function_integration"
            )
        ).parameters
    ) == ["env", "parameters", "region", "state_credentials"]
