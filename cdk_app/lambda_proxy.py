"""LambdaProxyStack: the "before" path, a Lambda proxy in the VPC calling the same private API.

Before December 2024 a state machine reached a private API through a Lambda function
inside the VPC. This stack builds that path beside the lab's own, on the SAME API: it is a
second stack that takes the first one's VPC, subnets, API URL and API key secret as
CloudFormation parameters (``lab.lambda_proxy`` reads them from the deployed lab stack).
A second stack, not a context flag on the first, because:

- the lab stack's template and outputs stay exactly as the notebooks 01-09 show them;
- each stack is one inline template under CloudFormation's 51,200-byte TemplateBody limit;
- the "before" can be deployed, measured and deleted on its own (cleanup deletes it first:
  its ENIs and endpoint live in the lab stack's subnets).

What it builds: a Secrets Manager interface endpoint (private DNS; the isolated subnets
have no NAT, so without it the function cannot read the key), the function (inline code
from :mod:`cdk_app.proxy_handler`, its own security group, a log group with retention, a
role that can read only that one secret), and a STANDARD and an EXPRESS state machine that
invoke it with ``arn:aws:states:::lambda:invoke``.
"""

from __future__ import annotations

import pathlib

from aws_cdk import Annotations, CfnOutput, CfnParameter, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from cdk_app.acknowledgments import acknowledge
from cdk_app.names import (
    PROXY_MEMORY_MB,
    PROXY_OUTPUT_KEYS,
    PROXY_PARAMETERS,
    PROXY_TIMEOUT_SECONDS,
    ProxyOutput,
    lattice_name,
)
from cdk_app.network import HTTPS, VPC_CIDR
from cdk_app.private_api import HELLO_PATH
from cdk_app.workflows import state_machine_log_group

HANDLER_FILE = pathlib.Path(__file__).with_name("proxy_handler.py")
PROXY_STATE_NAME = "InvokeLambdaProxy"
RUNTIME = lambda_.Runtime.PYTHON_3_14
#: The Retry Workflow Studio writes for a Lambda Invoke state (1 s, 3 attempts, x2, with
#: ``Lambda.TooManyRequestsException``, so a throttled function is retried;
#: https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html). The best-practice
#: page (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html)
#: shows a longer one for service exceptions only (2 s, 6 attempts, x2, with
#: ``Lambda.ClientExecutionTimeoutException``, without throttling); either is AWS's advice.
LAMBDA_RETRY_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]


def handler_code() -> str:
    """The handler's source, as it goes inline into the template."""
    return HANDLER_FILE.read_text()


class LambdaProxyStack(Stack):
    """Secrets Manager endpoint + Lambda proxy + STANDARD/EXPRESS state machines invoking it."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        name = self.stack_name
        params = {
            key: CfnParameter(self, key, type=cfn_type, description=description)
            for key, (cfn_type, description) in PROXY_PARAMETERS.items()
        }
        subnet_ids = params["SubnetIds"].value_as_list
        subnets = [
            ec2.Subnet.from_subnet_attributes(
                self, f"Subnet{index}", subnet_id=Fn.select(index, subnet_ids),
                availability_zone=Fn.select(index, Fn.get_azs()),
            )
            for index in (0, 1)
        ]
        for subnet in subnets:
            # Nothing here reads the subnets' route tables (isolated: local routes only).
            Annotations.of(subnet).acknowledge_warning(
                "@aws-cdk/aws-ec2:noSubnetRouteTableId",
                "interface endpoints and a Lambda ENI need no route table entry",
            )
        vpc = ec2.Vpc.from_vpc_attributes(
            self, "LabVpc", vpc_id=params["VpcId"].value_as_string,
            availability_zones=[subnet.availability_zone for subnet in subnets],
            vpc_cidr_block=VPC_CIDR,
        )
        placement = ec2.SubnetSelection(subnets=subnets)
        secret_arn = params["ApiKeySecretArn"].value_as_string

        self.function_security_group = ec2.SecurityGroup(
            self, "FunctionSecurityGroup", vpc=vpc, allow_all_outbound=False,
            description="Lambda proxy: HTTPS out to the interface endpoints in the VPC only",
        )
        # Both endpoints it calls (execute-api, Secrets Manager) are ENIs in the VPC.
        self.function_security_group.add_egress_rule(
            ec2.Peer.ipv4(VPC_CIDR), ec2.Port.tcp(HTTPS),
            "HTTPS to the execute-api and Secrets Manager endpoints in the VPC",
        )
        self.secrets_endpoint_security_group = ec2.SecurityGroup(
            self, "SecretsEndpointSecurityGroup", vpc=vpc, allow_all_outbound=False,
            description="Secrets Manager VPC endpoint: HTTPS in from the Lambda proxy only",
        )
        self.secrets_endpoint_security_group.add_ingress_rule(
            self.function_security_group, ec2.Port.tcp(HTTPS),
            "HTTPS from the ENIs of the Lambda proxy",
        )
        self.secrets_endpoint = ec2.InterfaceVpcEndpoint(
            self, "SecretsManagerEndpoint", vpc=vpc,
            service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
            private_dns_enabled=True, subnets=placement,
            security_groups=[self.secrets_endpoint_security_group], open=False,
        )

        # Named, so its log group is Lambda's default /aws/lambda/<name> as well as the
        # LoggingConfig's: the REPORT lines land where every reader looks.
        function_name = lattice_name(name, "fn")
        self.log_group = logs.LogGroup(
            self, "FunctionLogs", log_group_name=f"/aws/lambda/{function_name}",
            retention=logs.RetentionDays.ONE_WEEK, removal_policy=RemovalPolicy.DESTROY,
        )
        self.role = iam.Role(
            self, "FunctionRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Lambda proxy: its ENIs, its log group, and the API key secret only",
            inline_policies={"LambdaProxy": iam.PolicyDocument(
                statements=function_policy(secret_arn, self.log_group.log_group_arn))},
        )
        acknowledge(
            self.role, "AwsSolutions-IAM5[Resource::*]",
            "The ec2 network-interface actions a function in a VPC needs "
            "(AWSLambdaVPCAccessExecutionRole's) do not support resource-level permissions.",
        )
        self.function = lambda_.Function(
            self, "Proxy", function_name=function_name, runtime=RUNTIME, handler="index.handler",
            code=lambda_.Code.from_inline(handler_code()),
            description="Private API Lab (before): GET the private API with the key from "
                        "Secrets Manager",
            memory_size=PROXY_MEMORY_MB, timeout=Duration.seconds(PROXY_TIMEOUT_SECONDS),
            vpc=vpc, vpc_subnets=placement, security_groups=[self.function_security_group],
            role=self.role, log_group=self.log_group,
            environment={
                "API_URL": f"{params['ApiRootUrl'].value_as_string}/{HELLO_PATH}",
                "SECRET_ARN": secret_arn,
            },
        )

        # CDK makes the function depend on its role, which the Role GetAtt already does
        # (cfn-lint W3005); the inline policy is part of the role, so nothing is lost.
        self.function.node.default_child.add_deletion_override("DependsOn")

        self.express_log_group = state_machine_log_group(
            self, "ExpressLogs", f"{name}-express")
        self.standard_log_group = state_machine_log_group(
            self, "StandardLogs", f"{name}-standard")
        self.standard = self._state_machine(
            "Standard", sfn.StateMachineType.STANDARD, self.standard_log_group)
        self.express = self._state_machine(
            "Express", sfn.StateMachineType.EXPRESS, self.express_log_group)
        self._outputs()

    def _state_machine(self, construct_id: str, machine_type: sfn.StateMachineType,
                       log_group: logs.ILogGroup) -> sfn.StateMachine:
        holder = Construct(self, f"{construct_id}Definition")
        task = tasks.LambdaInvoke(
            holder, PROXY_STATE_NAME, lambda_function=self.function,
            payload=sfn.TaskInput.from_object(
                {"execution": sfn.JsonPath.string_at("$$.Execution.Name")}),
            # CDK's own retry (2 s, 6 attempts) is replaced by the recommended one below.
            retry_on_service_exceptions=False,
            comment="Invoke the Lambda proxy, which calls the private API",
        )
        task.add_retry(errors=LAMBDA_RETRY_ERRORS, interval=Duration.seconds(1),
                       max_attempts=3, backoff_rate=2)
        state_machine = sfn.StateMachine(
            self, construct_id, state_machine_type=machine_type,
            definition_body=sfn.DefinitionBody.from_chainable(task),
            comment=f"Private API Lab (before, {machine_type.value}): Lambda proxy -> private API",
            timeout=Duration.minutes(5), tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL,
                                include_execution_data=True),
        )
        function_id = self.get_logical_id(self.function.node.default_child)
        acknowledge(
            state_machine.role, f"AwsSolutions-IAM5[Resource::<{function_id}.Arn>:*]",
            "CDK's grant: lambda:InvokeFunction on the proxy's versions and aliases too, "
            "so a published version can be invoked; no other function.",
        )
        acknowledge(
            state_machine.role, "AwsSolutions-IAM5[Resource::*]",
            "CDK's statements for CloudWatch Logs delivery and X-Ray, whose actions do not "
            "support resource-level permissions.",
        )
        cfn_state_machine = state_machine.node.default_child
        # cfn-lint W3005, as in cdk_app/workflows.py: CDK's DependsOn repeats the RoleArn.
        cfn_state_machine.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})
        return state_machine

    def _outputs(self) -> None:
        values = {
            ProxyOutput.ProxyStandardStateMachineArn: self.standard.state_machine_arn,
            ProxyOutput.ProxyExpressStateMachineArn: self.express.state_machine_arn,
            ProxyOutput.ProxyFunctionName: self.function.function_name,
            ProxyOutput.ProxyFunctionSecurityGroupId:
                self.function_security_group.security_group_id,
            ProxyOutput.ProxyLogGroupName: self.log_group.log_group_name,
            ProxyOutput.ProxyExpressLogGroupName: self.express_log_group.log_group_name,
            ProxyOutput.SecretsManagerEndpointId: self.secrets_endpoint.vpc_endpoint_id,
            ProxyOutput.SecretsEndpointSecurityGroupId:
                self.secrets_endpoint_security_group.security_group_id,
        }
        assert tuple(values) == PROXY_OUTPUT_KEYS, "outputs drifted from PROXY_OUTPUT_KEYS"
        for key, value in values.items():
            CfnOutput(self, str(key), value=value)


def function_policy(secret_arn: str, log_group_arn: str) -> list[iam.PolicyStatement]:
    """The proxy's least-privilege statements: its ENIs, its own log group, one secret.

    - the ec2 actions of AWSLambdaVPCAccessExecutionRole (a function in a VPC creates and
      deletes its ENIs; https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html);
    - ``logs:CreateLogStream``/``PutLogEvents`` on its log group only (the group exists;
      its ``Arn`` attribute already ends in ``:*``, its streams);
    - ``secretsmanager:GetSecretValue`` on the API key's secret only.
    """
    return [
        iam.PolicyStatement(
            actions=["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
                     "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface",
                     "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
            resources=["*"],
        ),
        iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                            resources=[log_group_arn]),
        iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[secret_arn]),
    ]
