"""HttpInvokeWorkflows: one STANDARD and one EXPRESS state machine calling the API."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from cdk_app.acknowledgments import acknowledge
from cdk_app.connection_key import decrypt_statement
from cdk_app.names import EXECUTION_HEADER, TASK_STATE_NAME

# Throttling and transient gateway errors from the API: worth a few retries.
HTTP_RETRY_ERRORS = [f"States.Http.StatusCode.{code}" for code in (429, 502, 503, 504)]
# A new private connection can answer these for a while after it turns ACTIVE.
# Kept short on purpose: a lab that breaks a link must fail within seconds, and
# `lab` waits for the connection itself before it starts executions.
CONNECTION_WARMUP_ERRORS = [
    "Events.ConnectionResource.InvalidPrivateConnectionState",
    "Events.ConnectionResource.AuthInProgress",
    "Events.ConnectionResource.ConcurrentModification",
]


#: What the JSONata twin's Output keeps of the HTTP Task's result (a reshaped response).
JSONATA_OUTPUT = {
    "status": "{% $states.result.StatusCode & ' ' & $states.result.StatusText %}",
    "body": "{% $states.result.ResponseBody %}",
    "execution": "{% $states.context.Execution.Name %}",
}


class HttpInvokeJsonata(tasks.HttpInvoke):
    """``HttpInvoke.jsonata`` naming its connection in ``InvocationConfig``.

    CDK 2.275 writes the connection as ``Authentication.ConnectionArn`` in both query
    languages; the HTTP Task's documentation uses ``InvocationConfig.ConnectionArn`` for
    JSONata (https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html).
    The rendered state is otherwise CDK's own.
    """

    def to_state_json(self, *args, **kwargs):
        rendered = dict(super().to_state_json(*args, **kwargs))
        arguments = dict(rendered.get("Arguments") or {})
        if "Authentication" in arguments:
            arguments["InvocationConfig"] = arguments.pop("Authentication")
            rendered["Arguments"] = arguments
        return rendered


def _add_retries(task: tasks.HttpInvoke, warmup_retry=None) -> tasks.HttpInvoke:
    task.add_retry(
        errors=HTTP_RETRY_ERRORS,
        interval=Duration.seconds(1),
        backoff_rate=2,
        max_attempts=3,
        max_delay=Duration.seconds(8),
        jitter_strategy=sfn.JitterType.FULL,
    )
    added = (warmup_retry or connection_warmup_retry)(task)
    if added is None:  # a learner's function that only mutates: still the same task
        return task
    return added


def _http_invoke_jsonata(
    scope: Construct, *, api_root_url: str, path: str, connection: events.IConnection,
    warmup_retry=None,
) -> tasks.HttpInvoke:
    """The same call written in JSONata: ``Arguments`` with ``InvocationConfig``, an ``Output``."""
    task = HttpInvokeJsonata(
        scope,
        TASK_STATE_NAME,
        api_root=api_root_url,
        api_endpoint=sfn.TaskInput.from_text(path),
        method=sfn.TaskInput.from_text("GET"),
        connection=connection,
        headers=sfn.TaskInput.from_object(
            {EXECUTION_HEADER: "{% $states.context.Execution.Name %}"}
        ),
        outputs=JSONATA_OUTPUT,
        comment="GET the private API (JSONata): the Output reshapes the response",
        query_language=sfn.QueryLanguage.JSONATA,
    )
    return _add_retries(task, warmup_retry)


def _http_invoke(
    scope: Construct, *, api_root_url: str, path: str, connection: events.IConnection,
    warmup_retry=None,
) -> tasks.HttpInvoke:
    task = tasks.HttpInvoke(
        scope,
        TASK_STATE_NAME,
        api_root=api_root_url,
        api_endpoint=sfn.TaskInput.from_text(path),
        method=sfn.TaskInput.from_text("GET"),
        connection=connection,
        headers=sfn.TaskInput.from_object(
            {EXECUTION_HEADER: sfn.JsonPath.string_at("$$.Execution.Name")}
        ),
        comment="GET the private API through the connection's resource configuration",
    )
    return _add_retries(task, warmup_retry)


class HttpInvokeWorkflows(Construct):
    """Both state machine types with the same ``HttpInvoke`` task, and a JSONata twin.

    STANDARD keeps an execution history (the lab times TaskScheduled ->
    TaskSucceeded from it); EXPRESS runs synchronously and reports only to its
    log group. The JSONata twin (STANDARD) makes the same call with
    ``HttpInvoke.jsonata`` (``Arguments`` + ``InvocationConfig``) and reshapes the
    response in its ``Output``; it logs to the STANDARD log group. All log ALL
    events and trace with X-Ray.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name_prefix: str,
        api_root_url: str,
        path: str,
        connection: events.IConnection,
        pieces,
        connection_key=None,
    ) -> None:
        """``connection_key`` (``aws_kms.IKey``): the connection's customer managed key, if
        any; the execution role then also gets ``kms:Decrypt`` on it
        (:func:`cdk_app.connection_key.decrypt_statement`)."""
        super().__init__(scope, construct_id)

        self.pieces = pieces
        self.connection_key = connection_key

        self.standard_log_group = self._log_group("StandardLogs", f"{name_prefix}-standard")
        self.express_log_group = self._log_group("ExpressLogs", f"{name_prefix}-express")
        self.standard = self._state_machine(
            "Standard",
            sfn.StateMachineType.STANDARD,
            self.standard_log_group,
            api_root_url=api_root_url,
            path=path,
            connection=connection,
        )
        self.express = self._state_machine(
            "Express",
            sfn.StateMachineType.EXPRESS,
            self.express_log_group,
            api_root_url=api_root_url,
            path=path,
            connection=connection,
        )
        self.jsonata = self._state_machine(
            "Jsonata",
            sfn.StateMachineType.STANDARD,
            self.standard_log_group,
            api_root_url=api_root_url,
            path=path,
            connection=connection,
            jsonata=True,
        )

    def _log_group(self, construct_id: str, name: str) -> logs.LogGroup:
        return state_machine_log_group(self, construct_id, name)

    def _state_machine(
        self,
        construct_id: str,
        machine_type: sfn.StateMachineType,
        log_group: logs.ILogGroup,
        *,
        api_root_url: str,
        path: str,
        connection: events.IConnection,
        jsonata: bool = False,
    ) -> sfn.StateMachine:
        holder = Construct(self, f"{construct_id}Definition")
        build = _http_invoke_jsonata if jsonata else _http_invoke
        task = build(holder, api_root_url=api_root_url, path=path, connection=connection,
                     warmup_retry=self.pieces.warmup_retry)
        flavour = "JSONata, " if jsonata else ""
        state_machine = sfn.StateMachine(
            self,
            construct_id,
            state_machine_type=machine_type,
            definition_body=sfn.DefinitionBody.from_chainable(task),
            query_language=sfn.QueryLanguage.JSONATA if jsonata else None,
            comment=f"Private API Lab ({flavour}{machine_type.value}): HTTP task -> private API",
            timeout=Duration.minutes(5),
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=True
            ),
        )
        statements = list(
            self.pieces.http_task_policy(connection=connection, api_root_url=api_root_url) or []
        )
        if self.connection_key is not None:
            statements.append(decrypt_statement(self.connection_key, connection))
        _use_http_task_policy(state_machine, statements)
        acknowledge(
            state_machine.role,
            "AwsSolutions-IAM5[Resource::*]",
            "CDK's statements: states:InvokeHTTPEndpoint is narrowed by its states:HTTPEndpoint "
            "condition to this API's stage URL; the CloudWatch Logs delivery and X-Ray actions "
            "do not support resource-level permissions.",
        )
        # cfn-lint W3005 (redundant DependsOn): CDK makes the state machine
        # depend on its whole role construct so the role's DefaultPolicy exists
        # before the first execution; the Role entry in that DependsOn repeats
        # the RoleArn GetAtt. Harmless, and constructs has no API to drop one
        # dependency, so the check is ignored on this resource only.
        cfn_state_machine = state_machine.node.default_child
        if not isinstance(cfn_state_machine, sfn.CfnStateMachine):
            raise RuntimeError(
                "aws_stepfunctions.StateMachine no longer has a CfnStateMachine default child; "
                "update cdk_app/workflows.py to find it another way."
            )
        cfn_state_machine.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})
        return state_machine


def state_machine_log_group(scope: Construct, construct_id: str, name: str) -> logs.LogGroup:
    """A state machine's log group ``/aws/vendedlogs/states/<name>``, kept a week."""
    return logs.LogGroup(
        scope,
        construct_id,
        # Step Functions' recommended prefix: it keeps the account's
        # CloudWatch Logs resource policy from growing per log group.
        log_group_name=f"/aws/vendedlogs/states/{name}",
        retention=logs.RetentionDays.ONE_WEEK,
        # The lab's cleanup deletes the stack; leave nothing behind.
        removal_policy=RemovalPolicy.DESTROY,
    )


def _use_http_task_policy(state_machine: sfn.StateMachine, statements) -> None:
    """Make ``statements`` the HTTP Task's part of the role's default policy.

    CDK writes the HTTP Task's statements into the role's ``DefaultPolicy`` itself; the
    lab's (or a learner's) :func:`http_task_policy` replaces them there through the L1's
    typed ``policy_document``, keeping CDK's CloudWatch Logs and X-Ray statements (which
    the task does not need) and the policy's logical id, so the state machine still
    waits for it.
    """
    policy = state_machine.role.node.try_find_child("DefaultPolicy")
    cfn_policy = policy.node.default_child if policy is not None else None
    if not isinstance(cfn_policy, iam.CfnPolicy):
        raise RuntimeError(
            "the state machine's role no longer has a DefaultPolicy with a CfnPolicy child; "
            "update cdk_app/workflows.py to find it another way."
        )
    document = Stack.of(state_machine).resolve(policy.document.to_json())
    kept = [
        iam.PolicyStatement.from_json(statement) for statement in document["Statement"]
        if all(str(action).split(":")[0] in ("logs", "xray")
               for action in _as_list(statement.get("Action")))
    ]
    cfn_policy.policy_document = iam.PolicyDocument(
        statements=[*(statements or []), *kept], minimize=True
    )


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def connection_warmup_retry(task: tasks.HttpInvoke) -> tasks.HttpInvoke:
    """Add to ``task`` the Retry that rides out a private connection's warm-up; return it.

    A connection that has just been created or updated answers
    ``Events.ConnectionResource.*`` errors (:data:`CONNECTION_WARMUP_ERRORS`) for a while
    (eb-target-connection-states.html). Kept short on purpose: a lab that breaks a link
    must fail within seconds.
    """
    task.add_retry(
        errors=CONNECTION_WARMUP_ERRORS,
        interval=Duration.seconds(1),
        backoff_rate=2,
        max_attempts=3,
        max_delay=Duration.seconds(5),
        jitter_strategy=sfn.JitterType.FULL,
    )
    return task


def http_task_policy(*, connection: events.IConnection, api_root_url: str) -> list:
    """The execution role's least-privilege statements for the HTTP Task (call-https-apis.html).

    - ``events:RetrieveConnectionCredentials`` on the connection;
    - ``secretsmanager:DescribeSecret`` and ``GetSecretValue`` on the connection's secret;
    - ``states:InvokeHTTPEndpoint`` on ``*`` (a policy cannot name a state machine whose name
      CloudFormation generates) narrowed by ``states:HTTPEndpoint`` to this API's stage.
    """
    return [
        iam.PolicyStatement(
            actions=["events:RetrieveConnectionCredentials"],
            resources=[connection.connection_arn],
        ),
        iam.PolicyStatement(
            actions=["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
            resources=[connection.connection_secret_arn],
        ),
        iam.PolicyStatement(
            actions=["states:InvokeHTTPEndpoint"],
            resources=["*"],
            conditions={"StringLike": {"states:HTTPEndpoint": f"{api_root_url}*"}},
        ),
    ]
