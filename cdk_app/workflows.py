"""HttpInvokeWorkflows: one STANDARD and one EXPRESS state machine calling the API."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_events as events
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from cdk_app.acknowledgments import acknowledge

TASK_STATE_NAME = "CallPrivateApi"
EXECUTION_HEADER = "x-lab-execution"

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


def _http_invoke(
    scope: Construct, *, api_root_url: str, path: str, connection: events.IConnection
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
    task.add_retry(
        errors=HTTP_RETRY_ERRORS,
        interval=Duration.seconds(1),
        backoff_rate=2,
        max_attempts=3,
        max_delay=Duration.seconds(8),
        jitter_strategy=sfn.JitterType.FULL,
    )
    task.add_retry(
        errors=CONNECTION_WARMUP_ERRORS,
        interval=Duration.seconds(1),
        backoff_rate=2,
        max_attempts=3,
        max_delay=Duration.seconds(5),
        jitter_strategy=sfn.JitterType.FULL,
    )
    return task


class HttpInvokeWorkflows(Construct):
    """Both state machine types with the same ``HttpInvoke`` task.

    STANDARD keeps an execution history (the lab times TaskScheduled ->
    TaskSucceeded from it); EXPRESS runs synchronously and reports only to its
    log group. Both log ALL events and trace with X-Ray.
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
    ) -> None:
        super().__init__(scope, construct_id)

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

    def _log_group(self, construct_id: str, name: str) -> logs.LogGroup:
        return logs.LogGroup(
            self,
            construct_id,
            # Step Functions' recommended prefix: it keeps the account's
            # CloudWatch Logs resource policy from growing per log group.
            log_group_name=f"/aws/vendedlogs/states/{name}",
            retention=logs.RetentionDays.ONE_WEEK,
            # The lab's cleanup deletes the stack; leave nothing behind.
            removal_policy=RemovalPolicy.DESTROY,
        )

    def _state_machine(
        self,
        construct_id: str,
        machine_type: sfn.StateMachineType,
        log_group: logs.ILogGroup,
        *,
        api_root_url: str,
        path: str,
        connection: events.IConnection,
    ) -> sfn.StateMachine:
        holder = Construct(self, f"{construct_id}Definition")
        task = _http_invoke(holder, api_root_url=api_root_url, path=path, connection=connection)
        state_machine = sfn.StateMachine(
            self,
            construct_id,
            state_machine_type=machine_type,
            definition_body=sfn.DefinitionBody.from_chainable(task),
            comment=f"Private API Lab ({machine_type.value}): HTTP task -> private API",
            timeout=Duration.minutes(5),
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=True
            ),
        )
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
