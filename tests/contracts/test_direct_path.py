"""Contract: the direct path (lab/sandbox/direct_path.py) answers exactly as moto's path does.

The same scenario runs twice, each time in a fresh moto world with the same seed and a
frozen clock: once with the direct path off (every request through moto's Flask app,
``setup_class``, ``call_action`` and serializer) and once with it on. Every exchange must
be identical: status line, every header (the request id too: both draw it from moto's
seeded random, so ids made later stay the same) and the body's bytes. The scenario
covers successes and the errors of the four operations (unknown ARNs, malformed ARNs,
a name reused with another input, an oversized input, the wrong state machine type, an
unreadable body); the sandbox does not throttle Step Functions, so there is no throttling
answer to compare. Successful bodies also pass botocore's output shapes.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import time

import pytest
import wsgi_transport
from botocore.exceptions import ClientError
from shape_check import assert_valid_output

from lab.sandbox import direct_path

pytestmark = pytest.mark.sandbox

FROZEN = "2026-03-01 12:00:00.250000"
#: Modules freezegun need not look through: the scenario runs in moto and the sandbox only.
#: On start it reads every attribute of every loaded module; a pytest-xdist worker that ran
#: the CDK tests first holds the CDK's bindings, and that alone took 20-30 s under load.
NOT_FROZEN = ("aws_cdk", "jsii", "constructs", "cdk_nag", "pandas", "matplotlib", "numpy")
ROLE = "arn:aws:iam::123456789012:role/lab"
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": "é"}, "End": True}}}
FAIL = {
    "StartAt": "F",
    "States": {
        "F": {"Type": "Fail", "Error": "Lab.Broken", "Cause": "on purpose <RequestId>x</RequestId>"}
    },
}
TARGETS = tuple(direct_path.OPERATIONS)


class _MotoSpy:
    """Stands in front of moto's dispatcher and remembers which targets reached it."""

    def __init__(self, moto) -> None:
        self._moto = moto
        self.targets: list[str] = []

    def __getattr__(self, name):
        return getattr(self._moto, name)

    def __call__(self, environ, start_response):
        self.targets.append(environ.get("HTTP_X_AMZ_TARGET", ""))
        return self._moto(environ, start_response)


def _wait_until_stopped(execution_arn: str) -> None:
    # Through the backend, not a request: a request would draw a request id.
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    backend = stepfunctions_parser_backends["123456789012"]["us-east-1"]
    for _ in range(500):
        if backend.describe_execution(execution_arn).status != "RUNNING":
            return
        time.sleep(0.01)
    raise AssertionError(f"{execution_arn} did not stop")


def _scenario(sfn, app) -> list[tuple[str, tuple]]:
    """Every exchange of the scenario: (what, (status line, headers, body))."""
    exchanges = []

    def call(what, method, **kwargs):
        try:
            getattr(sfn, method)(**kwargs)
        except ClientError:
            pass
        last = sfn.transport.last
        exchanges.append((what, (last["status"], last["headers"], last["body"])))
        return last

    def raw(what, environ, body: bytes):
        environ = wsgi_transport.copy_environ(environ)
        environ["wsgi.input"] = __import__("io").BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        try:
            exchanges.append((what, wsgi_transport.call_app(app, environ)))
        except Exception as exc:  # moto's action crashed: the server answers 500 for both
            exchanges.append((what, ("raised", type(exc).__name__, str(exc))))

    made = {}
    for name, kind, definition in (
        ("express", "EXPRESS", PASS),
        ("express-fail", "EXPRESS", FAIL),
        ("standard", "STANDARD", PASS),
        ("standard-fail", "STANDARD", FAIL),
    ):
        made[name] = sfn.create_state_machine(
            name=name, definition=json.dumps(definition), roleArn=ROLE, type=kind
        )["stateMachineArn"]
    missing_machine = made["standard"].replace(":standard", ":nothing-here")

    call("sync ok", "start_sync_execution", stateMachineArn=made["express"], name="s1",
         input='{"n": 1, "text": "\u00fcber \u2603"}')
    call("sync unnamed", "start_sync_execution", stateMachineArn=made["express"], input="{}")
    call("sync failed", "start_sync_execution", stateMachineArn=made["express-fail"], name="s2")
    call("sync on standard", "start_sync_execution", stateMachineArn=made["standard"], name="s3")
    call("sync unknown machine", "start_sync_execution", stateMachineArn=missing_machine)
    call("sync input too large", "start_sync_execution", stateMachineArn=made["express"],
         input=json.dumps({"x": "a" * 262_144}))

    started = call("start ok", "start_execution", stateMachineArn=made["standard"], name="e1",
                   input='{"k": [1, 2, 3]}')
    # Whether e1 still runs would decide the next answer (idempotent 200, or 400): it does not.
    _wait_until_stopped(made["standard"].replace(":stateMachine:", ":execution:") + ":e1")
    call("start same name same input", "start_execution", stateMachineArn=made["standard"],
         name="e1", input='{"k": [1, 2, 3]}')
    call("start same name other input", "start_execution", stateMachineArn=made["standard"],
         name="e1", input="{}")
    call("start failing", "start_execution", stateMachineArn=made["standard-fail"], name="e2")
    call("start unknown machine", "start_execution", stateMachineArn=missing_machine, name="e3")
    call("start malformed arn", "start_execution", stateMachineArn="not-an-arn", name="e4")
    call("start input not json", "start_execution", stateMachineArn=made["standard"],
         name="e5", input="{nope")

    ok = made["standard"].replace(":stateMachine:", ":execution:") + ":e1"
    failed = made["standard-fail"].replace(":stateMachine:", ":execution:") + ":e2"
    _wait_until_stopped(ok)
    _wait_until_stopped(failed)

    described = call("describe ok", "describe_execution", executionArn=ok)
    call("describe failed", "describe_execution", executionArn=failed)
    call("describe unknown", "describe_execution", executionArn=ok + "-missing")
    call("describe malformed", "describe_execution", executionArn="arn:aws:states:nope")
    call("history ok", "get_execution_history", executionArn=ok)
    call("history reversed, paged", "get_execution_history", executionArn=failed,
         reverseOrder=True, maxResults=2)
    call("history unknown", "get_execution_history", executionArn=failed + "-missing")

    environ = described["environ"]
    raw("body not json", environ, b"{not json")
    raw("body a json list", environ, b"[1, 2]")
    raw("body with & and =", environ,
        json.dumps({"executionArn": ok, "x": "a&executionArn=zzz"}).encode())
    raw("body not utf-8", environ, b'{"executionArn": "\xff"}')
    raw("empty body", environ, b"")
    raw("start via raw body", started["environ"],
        json.dumps({"stateMachineArn": made["standard"], "name": "e6"}).encode())
    return exchanges


def _world(direct: bool):
    from freezegun import freeze_time
    from moto import mock_aws

    from lab.sandbox import control, seams, server

    seams.install()
    control.update_settings({"iam_evaluation": False})  # module-scoped: before conftest's
    with (freeze_time(FROZEN, ignore=list(NOT_FROZEN)),  # a list: freezegun extends it
          mock_aws(config={"stepfunctions": {"execute_state_machine": True}})):
        control.seed_ids()
        app = server.SandboxApp(port=None)
        app.direct.enabled = direct
        spy = _MotoSpy(app.moto)
        app.moto = spy
        sfn = wsgi_transport.client(app, "stepfunctions")
        return _scenario(sfn, app), spy.targets


@pytest.fixture(scope="module")
def both_paths():
    via_moto, moto_targets = _world(direct=False)
    via_direct, direct_targets = _world(direct=True)
    return via_moto, via_direct, moto_targets, direct_targets


def test_every_exchange_is_identical_on_both_paths(both_paths):
    via_moto, via_direct, _, _ = both_paths
    assert [what for what, _ in via_direct] == [what for what, _ in via_moto]
    for (what, moto_answer), (_, direct_answer) in zip(via_moto, via_direct, strict=True):
        assert direct_answer == moto_answer, what


def test_the_scenario_covers_successes_and_each_kind_of_error(both_paths):
    via_moto, _, _, _ = both_paths
    answered = {what: answer for what, answer in via_moto if answer[0] != "raised"}
    statuses = {what: answer[0] for what, answer in answered.items()}
    kinds = {what: dict(answer[1]).get("X-Amzn-ErrorType") for what, answer in answered.items()}
    assert statuses["sync ok"] == statuses["describe ok"] == statuses["history ok"] == "200 OK"
    assert {
        kinds["sync on standard"],
        kinds["start same name other input"],
        kinds["describe unknown"],
        kinds["describe malformed"],
        kinds["sync input too large"],
    } == {
        "StateMachineTypeNotSupported",
        "ExecutionAlreadyExists",
        "ExecutionDoesNotExist",
        "InvalidArn",
        "ValidationException",
    }
    # moto reads a JSON body as a query string first: the direct path keeps that quirk.
    assert b"zzz" in answered["body with & and ="][2]


def test_the_direct_path_answered_and_declined_only_what_it_must(both_paths):
    _, _, moto_targets, direct_targets = both_paths
    assert sum(t in TARGETS for t in moto_targets) == 26  # every one of them, without it
    # With it on, moto saw only the body that is not UTF-8 (the direct path declines it).
    assert [t for t in direct_targets if t in TARGETS] == ["AWSStepFunctions.DescribeExecution"]


@pytest.mark.parametrize(
    ("what", "operation"),
    [
        ("sync ok", "StartSyncExecution"),
        ("sync failed", "StartSyncExecution"),
        ("start ok", "StartExecution"),
        ("describe ok", "DescribeExecution"),
        ("describe failed", "DescribeExecution"),
        ("history ok", "GetExecutionHistory"),
        ("history reversed, paged", "GetExecutionHistory"),
    ],
)
def test_direct_answers_pass_botocore_output_shapes(both_paths, what, operation):
    _, via_direct, _, _ = both_paths
    status, _, body = dict(via_direct)[what]
    assert status == "200 OK"
    assert_valid_output("stepfunctions", operation, json.loads(body), raw=True)


def test_setup_sets_what_moto_setup_class_sets():
    """direct_path.setup against BaseResponse.setup_class, attribute by attribute."""
    import io

    from moto.core.request import Request
    from moto.stepfunctions.responses import StepFunctionResponse

    class ServerRequest(Request):
        from_wsgi_server = True

    body = json.dumps({"executionArn": "arn:aws:states:us-east-1:123456789012:execution:a:b",
                       "x": "a&b=c d+e%41"}).encode()
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/", "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "5599", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-amz-json-1.0", "HTTP_HOST": "127.0.0.1:5599",
        "HTTP_X_AMZ_TARGET": "AWSStepFunctions.DescribeExecution",
        "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260301/"
        "eu-west-1/states/aws4_request, SignedHeaders=host, Signature=0",
    }
    moto_side = StepFunctionResponse()
    request = ServerRequest(dict(environ, **{"wsgi.input": io.BytesIO(body)}))
    moto_side.setup_class(request, request.raw_url, dict(request.headers))
    ours = StepFunctionResponse()
    direct_path.setup(ours, ServerRequest(dict(environ, **{"wsgi.input": io.BytesIO(body)})), body)

    def comparable(response):
        values = dict(vars(response))
        values["normalized_request"] = type(values["normalized_request"]).__mro__[1]
        values["headers"] = list(values["headers"].items())
        values["form_data"] = values["form_data"].to_dict(flat=False)
        return values

    assert comparable(ours) == comparable(moto_side)
    assert ours.region == "eu-west-1" and ours.querystring  # moto reads the body as a query


# The moto code the direct path reproduces: a change here means re-reading it against
# direct_path.setup / DirectPath.respond / ShapeSerializer, then updating the digest.
PINNED = {
    "moto.core.responses:BaseResponse.setup_class": "0045fc77574abb17",
    "moto.core.responses:BaseResponse.call_action": "26076963fd17fd1a",
    "moto.core.responses:BaseResponse.serialized": "af486a0ef1327162",
    "moto.core.responses:ActionResult.execute_result": "6333faa349b58671",
    "moto.core.serialize:ResponseSerializer._serialize_type_structure": "f9b47068f40ce489",
    "moto.core.serialize:ResponseSerializer._serialize_structure_member": "437fdce43aa5ac84",
    "moto.core.serialize:ResponseSerializer._serialize_type_timestamp": "d7a3cfcabffc13b1",
    "moto.core.serialize:BaseJSONSerializer._serialize_type_list": "f87b14fe9166e099",
    "moto.core.serialize:BaseJSONSerializer._serialize_type_map": "faa32d1fa9a8bfc9",
    "moto.core.serialize:BaseJSONSerializer._serialize_type_string": "44954e02145012ba",
    "moto.core.serialize:BaseJSONSerializer._serialized_result_to_response": "99acea02e74ab1c4",
    "moto.core.utils:convert_to_flask_response.__call__": "2c82766d05909ebb",
    "moto.moto_server.werkzeug_app:DomainDispatcherApplication.get_application": "0ff6939685bde917",
}


def _source_digest(target: str) -> str:
    from lab.sandbox.seams import resolve

    holder, name = resolve(target)
    return hashlib.sha256(inspect.getsource(getattr(holder, name)).encode()).hexdigest()[:16]


@pytest.mark.parametrize("target", sorted(PINNED))
def test_the_moto_code_the_direct_path_reproduces_is_unchanged(target):
    assert _source_digest(target) == PINNED[target], (
        f"{target} changed: re-read lab/sandbox/direct_path.py against it"
    )


def test_the_four_operations_are_moto_step_functions_actions():
    from moto.core.utils import camelcase_to_underscores
    from moto.stepfunctions.responses import StepFunctionResponse

    for operation in direct_path.OPERATIONS.values():
        assert callable(getattr(StepFunctionResponse, camelcase_to_underscores(operation)))



def test_the_sandbox_setting_switches_the_direct_path_unless_it_is_fixed():
    from lab.sandbox import control

    environ = {"HTTP_X_AMZ_TARGET": "AWSStepFunctions.DescribeExecution"}
    path = direct_path.DirectPath(dispatcher=None)
    control.reset_settings()
    try:
        control.update_settings({"direct_path": False})
        assert path.eligible(environ) is None  # off: before anything else is looked at
        with pytest.raises(ValueError, match="true or false"):
            control.update_settings({"direct_path": 1})
    finally:
        control.reset_settings()
    assert control.settings()["direct_path"] is True


def test_the_recorder_and_iam_authentication_send_requests_back_to_moto():
    """moto's request recorder and IAM authentication live in its dispatch: the direct path
    declines while either is on (it reads the flags it relies on here)."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.moto_api import recorder

    assert recorder._user_enabled is False
    assert direct_path._recording() is False and direct_path._iam_authentication() is False
    recorder._user_enabled = True
    try:
        assert direct_path._recording() is True
    finally:
        recorder._user_enabled = False
    previous = settings.INITIAL_NO_AUTH_ACTION_COUNT
    settings.INITIAL_NO_AUTH_ACTION_COUNT = ActionAuthenticatorMixin.request_count
    try:
        assert direct_path._iam_authentication() is True
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT = previous
