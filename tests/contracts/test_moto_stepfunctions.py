"""Contracts: the moto 5.2.5 internals the HTTP Task, the data plane and the network path use.

Each test names the sandbox code that relies on the seam. If one fails after a moto
upgrade, fix that place (or drop the patch, when moto now does it itself).
"""

from __future__ import annotations

import inspect
import re

import boto3
import pytest
from moto import mock_aws

from lab.sandbox import seams
from lab.sandbox import stepfunctions as sfn_extension
from lab.sandbox.stepfunctions import performance, programs


@pytest.fixture(scope="module", autouse=True)
def applied():
    sfn_extension.apply()


# --------------------------------------------------------------------------- task services


def test_the_task_factory_imports_the_service_factory_by_name():
    """stepfunctions._patch_task_service_factory replaces the function in both modules."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import state_task_factory
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_factory,
    )

    source = inspect.getsource(state_task_factory.state_task_for)
    assert "state_task_service_for(service_name=resource.service_name)" in source
    assert (
        state_task_factory.state_task_service_for
        is state_task_service_factory.state_task_service_for
    )


def test_moto_itself_does_not_know_the_http_service():
    """If this fails, moto grew its own http:invoke: compare before keeping ours."""
    from antlr4 import RecognitionException

    moto_factory = seams.original(
        "moto.stepfunctions.parser.asl.component.state.exec.state_task.service."
        "state_task_service_factory:state_task_service_for"
    )
    with pytest.raises(RecognitionException):
        moto_factory("http")


def test_an_http_invoke_resource_parses_to_service_http_action_invoke():
    """http_task.StateTaskServiceHttp relies on service_name 'http' and api_action 'invoke'."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
        Resource,
        ServiceResource,
    )

    resource = Resource.from_resource_arn("arn:aws:states:::http:invoke")

    assert isinstance(resource, ServiceResource)
    assert (resource.service_name, resource.api_action, resource.condition) == (
        "http",
        "invoke",
        None,
    )


def test_state_task_service_hooks_have_the_signatures_the_http_task_overrides():
    """http_task.StateTaskServiceHttp overrides these methods of StateTaskService."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (  # noqa: E501
        StateTaskService,
    )

    def params(name):
        return list(inspect.signature(getattr(StateTaskService, name)).parameters)

    assert params("_eval_service_task") == [
        "self", "env", "resource_runtime_part", "normalised_parameters", "state_credentials"
    ]  # fmt: skip
    assert params("_from_error") == ["self", "env", "ex"]
    assert params("_get_supported_parameters") == ["self"]
    assert "_normalise_parameters" in StateTaskService.__dict__


def test_a_failure_event_takes_env_error_name_event_type_and_details():
    """http_task._from_error builds FailureEvent(env=..., error_name=..., ...)."""
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
    )

    assert list(inspect.signature(FailureEvent.__init__).parameters) == [
        "self", "env", "error_name", "event_type", "event_details"
    ]  # fmt: skip


# --------------------------------------------------------------------------- error names


def test_moto_refuses_custom_error_names_with_the_states_prefix():
    """stepfunctions._patch_custom_error_names lets the States.Http. family through."""
    from moto.stepfunctions.parser.asl.component.common.error_name import custom_error_name
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
        CustomErrorName,
    )

    assert custom_error_name.ILLEGAL_CUSTOM_ERROR_PREFIX == "States."
    moto_init = seams.original(
        "moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name:"
        "CustomErrorName.__init__"
    )
    with pytest.raises(ValueError, match="States."):
        moto_init(CustomErrorName.__new__(CustomErrorName), "States.Http.Socket")


def test_error_equals_parses_an_unknown_states_name_as_a_custom_error_name():
    """Retry/Catch on States.Http.StatusCode.404 go through CustomErrorName in the parser."""
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    source = inspect.getsource(Preprocessor.visitError_name)
    assert "CustomErrorName(error_name=error_name)" in source


def test_custom_error_names_are_what_states_task_failed_matches():
    """AWS: States.TaskFailed matches every error but States.Timeout; moto checks the type."""
    from moto.stepfunctions.parser.asl.component.common.error_name.error_equals_decl import (
        ErrorEqualsDecl,
    )

    source = inspect.getsource(ErrorEqualsDecl._eval_body)
    assert "not isinstance(error_name, StatesErrorName)" in source


# --------------------------------------------------------------------------- backend


def test_the_parser_backend_start_execution_signature():
    """stepfunctions._patch_backend wraps start_execution and passes these positionally."""

    moto_start = seams.original(
        "moto.stepfunctions.parser.models:StepFunctionsParserBackend.start_execution"
    )
    assert list(inspect.signature(moto_start).parameters) == [
        "self", "state_machine_arn", "name", "execution_input", "trace_header"
    ]  # fmt: skip


def test_moto_names_an_unnamed_execution_none():
    """If this fails, moto names unnamed executions itself: the wrapper can go."""

    moto_start = seams.original(
        "moto.stepfunctions.parser.models:StepFunctionsParserBackend.start_execution"
    )
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        boto3.client("stepfunctions", region_name="us-east-1").create_state_machine(
            name="contract",
            definition='{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}',
            roleArn="arn:aws:iam::123456789012:role/r",
        )
        from moto.stepfunctions.parser.models import stepfunctions_parser_backends

        backend = stepfunctions_parser_backends["123456789012"]["us-east-1"]
        arn = "arn:aws:states:us-east-1:123456789012:stateMachine:contract"
        execution = moto_start(backend, arn, None, None, None)

    assert execution.name is None
    assert execution.exec_arn.endswith(":None")


def test_definitions_are_validated_by_a_static_helper_and_parsed_by_the_worker():
    """The parse cache replaces _validate_definition and _get_evaluation_entrypoint."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.backend import execution_worker
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    for method in ("create_state_machine", "update_state_machine"):
        source = inspect.getsource(getattr(StepFunctionsParserBackend, method))
        assert "_validate_definition(definition=definition)" in source
    worker_source = inspect.getsource(execution_worker.ExecutionWorker._execution_logic)
    assert "self._get_evaluation_entrypoint()" in worker_source
    program, _ = AmazonStateLanguageParser.parse(
        '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'
    )
    assert hasattr(program, "eval")


def test_retriers_keep_a_lazily_assigned_heap_key_on_the_component():
    """Why programs.assign_heap_keys draws every key when a program is parsed."""
    from moto.stepfunctions.parser.asl.component.common.retry.max_attempts_decl import (
        MaxAttemptsDecl,
    )

    decl = MaxAttemptsDecl(1)
    assert decl._EvalComponent__heap_key is None
    key = decl.heap_key
    assert decl._EvalComponent__heap_key == key


def test_sync_execution_classes_exist_with_the_execution_constructor():
    """models.start_sync_execution builds SyncExecution with these keyword arguments."""
    from moto.stepfunctions.parser.backend.execution import Execution, SyncExecution

    assert issubclass(SyncExecution, Execution)
    assert list(inspect.signature(Execution.__init__).parameters) == [
        "self", "name", "sm_type", "role_arn", "exec_arn", "account_id", "region_name",
        "state_machine", "start_date", "cloud_watch_logging_session", "activity_store",
        "input_data", "trace_header",
    ]  # fmt: skip
    assert callable(SyncExecution.to_start_sync_execution_output)


def test_moto_state_machines_say_standard_whatever_their_type():
    """models.typed_state_machine_details: moto hard-codes sm_type, and an execution's
    environment takes its type from it (``state_machine_details.typ``)."""
    from moto.stepfunctions import models as sfn_models
    from moto.stepfunctions.parser.backend import execution

    init = inspect.getsource(sfn_models.StateMachineInstance.__init__)
    assert 'self.sm_type = "STANDARD"' in init and 'self.type = sm_type or "STANDARD"' in init
    details = inspect.getsource(
        seams.original(
            "moto.stepfunctions.parser.backend.execution:Execution.get_start_state_machine_details"
        )
    )
    assert "typ=self.state_machine.sm_type" in details
    environment = seams.original(
        "moto.stepfunctions.parser.backend.execution_worker:ExecutionWorker."
        "_get_evaluation_environment"
    )
    assert "execution_type=self._evaluation_details.state_machine_details.typ" in (
        inspect.getsource(environment)
    )
    assert execution.Execution.get_start_state_machine_details is seams.installed(
        "moto.stepfunctions.parser.backend.execution:Execution.get_start_state_machine_details"
    )


def test_moto_does_not_answer_start_sync_execution_itself():
    """responses.start_sync_execution is added to StepFunctionResponse by the extension."""
    from moto.stepfunctions.responses import StepFunctionResponse

    from lab.sandbox.stepfunctions import responses

    assert StepFunctionResponse.start_sync_execution is responses.start_sync_execution
    assert "def start_sync_execution" not in inspect.getsource(StepFunctionResponse)


def test_botocore_knows_the_start_sync_execution_shape_the_response_fills():
    """models.sync_execution_output returns these members; ActionResult serializes them."""
    model = boto3.session.Session().get_available_services()
    assert "stepfunctions" in model
    shape = (
        boto3.client("stepfunctions", region_name="us-east-1")
        .meta.service_model.operation_model("StartSyncExecution")
        .output_shape
    )
    assert {"billingDetails", "status", "startDate", "stopDate", "output", "error"} <= set(
        shape.members
    )
    assert set(shape.members["billingDetails"].members) == {
        "billedMemoryUsedInMB",
        "billedDurationInMilliseconds",
    }


def test_moto_routes_stepfunctions_by_url_base_and_backend_index():
    """_patch_responses adds the sync-states host to both tables."""
    from moto import backend_index
    from moto.stepfunctions import urls

    assert isinstance(urls.url_bases, list)
    assert urls.url_paths == {"{0}/$": urls.StepFunctionResponse.dispatch}
    assert all(
        isinstance(service, str) and hasattr(pattern, "match")
        for service, pattern in backend_index.backend_url_patterns
    )


# --------------------------------------------------------------------------- data plane reads


def test_apigateway_models_expose_what_the_data_plane_reads():
    """dataplane.app reads the REST API, its resources, methods, integrations, keys, plans."""
    with mock_aws():
        apigw = boto3.client("apigateway", region_name="us-east-1")
        api = apigw.create_rest_api(name="c", policy='{"Statement": []}')
        ids = {"restApiId": api["id"], "resourceId": api["rootResourceId"], "httpMethod": "GET"}
        apigw.put_method(**ids, authorizationType="NONE", apiKeyRequired=True)
        apigw.put_integration(**ids, type="MOCK", requestTemplates={"application/json": "{}"})
        apigw.put_integration_response(
            **ids, statusCode="200", selectionPattern="", responseTemplates={}
        )
        apigw.create_deployment(restApiId=api["id"], stageName="prod")
        key = apigw.create_api_key(name="k", enabled=True)
        plan = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api["id"], "stage": "prod"}])
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
        from moto.apigateway.models import apigateway_backends

        found = [
            (account, region, b)
            for account, region, b in apigateway_backends.iter_backends()
            if api["id"] in b.apis
        ]
        assert len(found) == 1
        backend = found[0][2]
        rest_api = backend.apis[api["id"]]
        assert rest_api.policy == '{"Statement": []}'
        assert rest_api.endpoint_configuration == {"types": ["EDGE"]}
        assert rest_api.api_key_source == "HEADER"
        assert "prod" in rest_api.stages and rest_api.stages["prod"].variables == {}
        root = rest_api.resources[api["rootResourceId"]]
        assert root.get_path() == "/"
        method = root.resource_methods["GET"]
        assert method.api_key_required is True
        integration = method.method_integration
        assert integration.integration_type == "MOCK"
        assert integration.request_templates == {"application/json": "{}"}
        response = integration.integration_responses["200"]
        assert (response.status_code, response.selection_pattern) == ("200", "")
        assert hasattr(response, "response_templates") and hasattr(response, "response_parameters")
        assert backend.usage_plans[plan["id"]].api_stages == [{"apiId": api["id"], "stage": "prod"}]
        plan_key = backend.usage_plan_keys[plan["id"]][key["id"]]
        assert plan_key.id == key["id"]
        assert (backend.keys[key["id"]].value, backend.keys[key["id"]].enabled) == (
            key["value"],
            True,
        )


def test_ec2_models_expose_what_the_network_path_reads():
    """network.path and network.security_groups read endpoints, ENIs, subnets and SG rules."""
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
        group = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                            "UserIdGroupPairs": [{"GroupId": group}],
                            "IpRanges": [{"CidrIp": "10.9.0.0/16"}]}],
        )  # fmt: skip
        endpoint = ec2.create_vpc_endpoint(
            VpcId=vpc,
            ServiceName="com.amazonaws.us-east-1.execute-api",
            VpcEndpointType="Interface",
            SubnetIds=[subnet],
            SecurityGroupIds=[group],
        )["VpcEndpoint"]
        from moto.ec2.models import ec2_backends

        backend = ec2_backends["123456789012"]["us-east-1"]
        model = backend.vpc_end_points[endpoint["VpcEndpointId"]]
        assert (model.vpc_id, model.security_group_ids, model.state) == (vpc, [group], "available")
        assert model.service_name == "com.amazonaws.us-east-1.execute-api"
        assert isinstance(model.dns_entries, list)
        eni = backend.enis[model.network_interface_ids[0]]
        assert eni.subnet.id == subnet and eni.private_ip_address
        assert isinstance(eni.private_ip_addresses, list)
        assert all(hasattr(g, "id") for g in eni.group_set)
        assert backend.get_subnet(subnet).cidr_block == "10.9.1.0/24"
        sg = backend.get_security_group_from_id(group)
        rules = [r for r in sg.ingress_rules if r.ip_protocol == "tcp"]
        assert {(r.from_port, r.to_port) for r in rules} == {(443, 443)}
        assert {r.ip_range.get("CidrIp") for r in rules} >= {"10.9.0.0/16"}
        assert {r.source_group.get("GroupId") for r in rules} >= {group}
        assert [r.ip_protocol for r in sg.egress_rules] == ["-1"]


# --------------------------------------------------------------------------- performance patches


def test_json_paths_are_parsed_through_a_module_level_parse_function():
    """performance.cache_json_path_parsers replaces `parse` in both modules with a cached one."""
    import jsonpath_ng
    import jsonpath_ng.ext
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    assert (
        seams.original("moto.stepfunctions.parser.asl.utils.json_path:parse")
        is jsonpath_ng.ext.parse
    )
    assert (
        seams.original("moto.stepfunctions.parser.asl.component.common.path.result_path:parse")
        is jsonpath_ng.parse
    )
    assert "input_expr = parse(path)" in inspect.getsource(json_path.extract_json)
    assert "parse(self.result_path_src)" in inspect.getsource(result_path.ResultPath._eval_body)


@pytest.mark.parametrize("module", ["jsonpath_ng", "jsonpath_ng.ext"])
def test_a_parsed_json_path_is_left_unchanged_by_find_and_update(module):
    """performance.cache_json_path_parsers shares one parsed path between executions."""
    import importlib

    parse = importlib.import_module(module).parse
    expression = parse("$.a.b[0].c")
    before = repr(expression)

    found = [m.value for m in expression.find({"a": {"b": [{"c": 1}]}})]
    updated = expression.update_or_create({}, 2)

    assert (found, updated) == ([1], {"a": {"b": [{"c": 2}]}})
    assert repr(expression) == before
    assert [m.value for m in expression.find({"a": {"b": [{"c": 3}]}})] == [3]


_MUTATING_METHODS = frozenset(
    {"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "add"}
)


def _self_attribute(node) -> str | None:
    """``x`` for ``self.x``, ``self.x[...]`` or ``self.x.y``; else None."""
    import ast

    while isinstance(node, ast.Subscript | ast.Attribute):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        ):
            return node.attr
        node = node.value
    return None


def _writes_to_self_outside_construction() -> list[str]:
    """Every write an ASL component's methods make to its own attributes after parsing."""
    import ast
    import importlib
    import pathlib

    import moto.stepfunctions.parser.asl.component as package
    from moto.stepfunctions.parser.asl.component.component import Component

    root = pathlib.Path(package.__file__).parent
    writes = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        module = importlib.import_module(".".join((package.__name__, *parts)))
        for cls in [n for n in ast.parse(path.read_text()).body if isinstance(n, ast.ClassDef)]:
            obj = getattr(module, cls.name, None)
            if not (inspect.isclass(obj) and issubclass(obj, Component)):
                continue  # per-run helpers (workers, job pools), not parts of a program
            for fn in [n for n in cls.body if isinstance(n, ast.FunctionDef)]:
                if fn.name in ("__init__", "from_state_props"):  # parse time
                    continue
                for node in ast.walk(fn):
                    if isinstance(node, ast.Assign):
                        targets = node.targets
                    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                        targets = [node.target]
                    elif (
                        isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Attribute)
                        and node.func.attr in _MUTATING_METHODS
                    ):
                        targets = [node.func.value]
                    else:
                        continue
                    for target in targets:
                        elements = target.elts if isinstance(target, ast.Tuple) else [target]
                        for element in elements:
                            name = _self_attribute(element)
                            if name is not None:
                                writes.append(f"{cls.name}.{fn.name}: self.{name}")
    return writes


def test_the_only_write_evaluation_makes_to_a_program_is_the_lazy_heap_key():
    """programs.ProgramCache shares one program between executions.

    programs.assign_heap_keys draws every heap key at parse time; if moto adds another
    write to a component outside parsing, sharing is no longer safe: go back to a copy per
    execution (copy.deepcopy in ProgramCache.program) or draw that value up front too.
    """
    assert _writes_to_self_outside_construction() == ["EvalComponent.heap_key: self.__heap_key"]


def test_heap_keys_are_drawn_on_first_access_and_kept():
    """programs.assign_heap_keys touches `heap_key` on every EvalComponent of a program."""
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    program, _ = AmazonStateLanguageParser.parse(
        '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'
    )
    state = program.states.states["P"]
    assert state._EvalComponent__heap_key is None
    programs.assign_heap_keys(program)
    assert isinstance(state._EvalComponent__heap_key, str)
    assert state.heap_key == state._EvalComponent__heap_key
    assert isinstance(EvalComponent.__dict__["heap_key"], property)


def test_a_pass_result_pushes_the_object_it_holds():
    """programs._pass_result_copy pushes a copy instead (executions share the program)."""

    source = inspect.getsource(
        seams.original(
            "moto.stepfunctions.parser.asl.component.state.state_pass.result:Result._eval_body"
        )
    )
    assert "env.stack.append(self.result_obj)" in source


def test_tmp_threads_is_only_ever_appended_to_in_the_modules_the_patch_knows():
    """performance.forget_finished_threads swaps TMP_THREADS in exactly these modules.

    A new module binding TMP_THREADS, or code reading it, means the swap misses it or
    breaks it: add the module to TMP_THREADS_MODULES, or keep the list and prune it.
    """
    import pathlib
    import re

    import moto.stepfunctions.parser as package

    root = pathlib.Path(package.__file__).parent
    users = set()
    for path in root.rglob("*.py"):
        text = path.read_text()
        if "TMP_THREADS" not in text or path.name == "utils.py":
            continue
        module = ".".join((package.__name__, *path.relative_to(root).with_suffix("").parts))
        users.add(module)
        for line in text.splitlines():
            if "TMP_THREADS" in line:
                imported = line.strip() == "from moto.stepfunctions.parser.utils import TMP_THREADS"
                appended = re.fullmatch(r"\s*TMP_THREADS\.append\([\w.]+\)", line)
                assert imported or appended, (module, line)
    assert users == set(performance.TMP_THREADS_MODULES)


def test_the_interpreter_modules_share_one_forgetful_thread_list():
    """performance.forget_finished_threads: appends keep nothing, in every module."""
    import importlib

    from moto.stepfunctions.parser import utils

    lists = {id(importlib.import_module(m).TMP_THREADS) for m in performance.TMP_THREADS_MODULES}
    assert lists == {id(utils.TMP_THREADS)}
    utils.TMP_THREADS.append(object())
    assert len(utils.TMP_THREADS) == 0


def test_failure_logs_are_formatted_before_the_logger_is_asked():
    """performance.quiet_failure_logs asks the logger first; moto builds repr(self) anyway."""
    from moto.stepfunctions.parser.asl.component import eval_component
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent

    assert eval_component.LOG.name == performance.EVAL_COMPONENT_LOGGER
    for name in ("_log_failure_event_exception", "_log_exception"):
        source = inspect.getsource(seams.original(performance._EVAL_COMPONENT + name))
        assert "component_repr = repr(self)" in source and "LOG.error(" in source
    eval_source = inspect.getsource(EvalComponent.eval)
    assert "self._log_failure_event_exception(" in eval_source
    assert "self._log_exception(exception=exception)" in eval_source


def test_a_program_runs_in_a_thread_it_only_starts_and_joins_for_its_timeout():
    """performance.run_without_watchdog_threads makes that thread inline without TimeoutSeconds.

    The patch swaps program.threading for a shim whose Thread sees the bound target.
    """
    import threading

    from moto.stepfunctions.parser.asl.component.program import program

    source = inspect.getsource(program.Program.eval)
    assert "timeout = self.timeout_seconds.timeout_seconds if self.timeout_seconds else None" in (
        source
    )
    assert "threading.Thread(target=super().eval, args=(env,), daemon=True)" in source
    assert "worker_thread.join(timeout=timeout)" in source
    assert "is_timeout = worker_thread.is_alive()" in source
    assert (
        program.threading is seams.installed(f"{performance._PROGRAM}:threading")
        and program.threading.Event is threading.Event
    )


def test_a_state_runs_in_a_thread_it_only_starts_and_waits_for_with_its_timeout():
    """performance.run_without_watchdog_threads: execute_state.Thread makes it inline when the
    timeout is the default (TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS)."""
    import threading

    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import TimeoutSeconds
    from moto.stepfunctions.parser.asl.component.state.exec import execute_state

    source = inspect.getsource(
        seams.original(f"{performance._EXECUTE_STATE}:ExecutionState._evaluate_with_timeout")
    )
    assert "thread = Thread(target=_exec_and_notify, daemon=True)" in source
    assert "finished_on_time: bool = terminated_event.wait(timeout_seconds)" in source
    assert source.count("Thread(") == 1
    assert execute_state.threading is threading  # Event and the rest are the real ones
    assert TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS == 99999999
    constructor = inspect.getsource(execute_state.ExecutionState.__init__)
    assert "TimeoutSeconds(" in constructor and "DEFAULT_TIMEOUT_SECONDS" in constructor


def test_a_standard_execution_runs_in_a_thread_it_only_starts():
    """performance.PooledThread stands in for execution_worker.Thread: moto only constructs
    it with a target and daemon, starts it and forgets it (TMP_THREADS, a forgetful list)."""
    from moto.stepfunctions.parser.backend import execution_worker

    source = inspect.getsource(execution_worker)
    assert source.count("Thread(") == 1
    start = inspect.getsource(seams.original(f"{performance._EXECUTION_WORKER}:Thread").__init__)
    assert "target" in start  # the real threading.Thread
    method = inspect.getsource(execution_worker.ExecutionWorker.start)
    assert "Thread(target=self._execution_logic, daemon=True)" in method
    assert "execution_logic_thread.start()" in method
    assert "join" not in method and "is_alive" not in method
    assert execution_worker.Thread is performance.PooledThread


def test_a_state_machine_keeps_its_executions_in_a_list_it_only_appends_to():
    """performance.index_executions swaps that list for an indexed one at construction."""
    import pathlib
    import re

    import moto.stepfunctions as package

    assert "self.executions: list[Execution] = []" in inspect.getsource(
        seams.original("moto.stepfunctions.models:StateMachineInstance.__init__")
    )
    root = pathlib.Path(package.__file__).parent
    writes = []
    for path in root.rglob("*.py"):
        if path.name == "provider.py":  # LocalStack's provider: moto never imports it
            continue
        for line in path.read_text().splitlines():
            if re.search(r"\.executions(\.(?!append\()\w+\(|\s*[+-]?=[^=]|\[.*\]\s*=)", line):
                writes.append(line.strip())
    assert writes == []  # no assignment, no mutation other than append


def test_the_name_check_reads_only_the_executions_of_its_state_machine():
    """performance.index_executions runs moto's check over the executions with that name."""

    source = inspect.getsource(
        seams.original("moto.stepfunctions.models:StateMachine._handle_name_input_idempotency")
    )
    assert set(re.findall(r"self\.\w+", source)) == {"self.executions"}
    assert "if execution.name == name:" in source


def test_describe_execution_is_a_scan_for_the_arn_the_index_replaces():
    """performance.index_executions reimplements exactly this with a dict lookup."""

    source = inspect.getsource(
        seams.original("moto.stepfunctions.models:StepFunctionBackend.describe_execution")
    )
    body = [line.strip() for line in source.splitlines()[1:] if line.strip()]
    assert body == [
        "self._validate_execution_arn(execution_arn)",
        "state_machine = self._get_state_machine_for_execution(execution_arn)",
        "exctn = next(",
        "(x for x in state_machine.executions if x.execution_arn == execution_arn),",
        "None,",
        ")",
        "if not exctn:",
        "raise ExecutionDoesNotExist(",
        '"Execution Does Not Exist: \'" + execution_arn + "\'"',
        ")",
        "return exctn",
    ]


def test_state_machine_role_parameters():
    """``lab.sandbox.stepfunctions.execution_role`` wraps the parser backend's
    ``create_state_machine(…, roleArn, …)`` and ``update_state_machine(…, role_arn, …)``,
    reads the role from that parameter and the region from ``self.region_name``; the HTTP
    Task reads the execution role from ``StateCredentials.role_arn``. The seams can go when
    moto checks that Step Functions may assume the role."""
    import inspect

    from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import (
        StateCredentials,
    )

    from lab.sandbox import seams

    target = "moto.stepfunctions.parser.models:StepFunctionsParserBackend."
    create = seams.original(target + "create_state_machine")
    update = seams.original(target + "update_state_machine")
    assert "roleArn" in inspect.signature(create).parameters
    assert "role_arn" in inspect.signature(update).parameters
    assert "role_arn" in StateCredentials.__dataclass_fields__
