"""PrivateApiLabStack: the whole path, wired from the constructs."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from cdk_app import connection_key
from cdk_app.connection import PrivateConnection
from cdk_app.event_delivery import EventApiDestination
from cdk_app.lattice import ResourceGatewayPath
from cdk_app.names import OUTPUT_KEYS, Output, lattice_name
from cdk_app.network import PrivateNetwork
from cdk_app.pieces import REFERENCE
from cdk_app.private_api import API_KEY_HEADER, EVENTS_PATH, HELLO_PATH, PrivateApi
from cdk_app.workflows import HttpInvokeWorkflows


class PrivateApiLabStack(Stack):
    """Step Functions HTTP task and EventBridge API destination -> EventBridge connection
    -> VPC Lattice resource configuration -> resource gateway -> execute-api VPC endpoint
    -> private REST API.

    Environment-agnostic on purpose (no ``env``): the one template deploys in
    the sandbox and in any supported account and region.
    """

    def __init__(self, scope: Construct, construct_id: str, *, pieces=None, **kwargs) -> None:
        """``pieces`` (:class:`cdk_app.pieces.Pieces`): the functions that build the parts a
        learner can write; default the kit's reference versions."""
        super().__init__(scope, construct_id, **kwargs)
        name = self.stack_name
        pieces = pieces or REFERENCE

        self.network = PrivateNetwork(self, "Network")
        self.private_api = PrivateApi(
            self, "PrivateApi", name_prefix=name, endpoint=self.network.endpoint
        )
        self.gateway_path = ResourceGatewayPath(
            self,
            "ResourceGatewayPath",
            vpc=self.network.vpc,
            vpc_cidr=self.network.vpc_cidr,
            subnet_ids=self.network.subnet_ids,
            endpoint=self.network.endpoint,
            gateway_name=lattice_name(name, "rgw"),
            configuration_name=lattice_name(name, "rcfg"),
            pieces=pieces,
        )
        # Off by default: -c connection_kms_key=true (cdk_app/connection_key.py).
        self.connection_key = (
            connection_key.connection_key(self, "ConnectionKey")
            if connection_key.wanted(self)
            else None
        )
        self.connection = PrivateConnection(
            self,
            "PrivateConnection",
            api_key_header=API_KEY_HEADER,
            api_key_value=self.private_api.api_key_secret.secret_value,
            resource_configuration=self.gateway_path.configuration,
            pieces=pieces,
            kms_key=self.connection_key,
        )
        self.workflows = HttpInvokeWorkflows(
            self,
            "Workflows",
            name_prefix=name,
            api_root_url=self.private_api.root_url,
            path=HELLO_PATH,
            connection=self.connection.connection,
            pieces=pieces,
            connection_key=self.connection_key,
        )
        # The second consumer of the same private connection.
        self.event_delivery = EventApiDestination(
            self,
            "EventDelivery",
            name_prefix=name,
            connection=self.connection.connection,
            endpoint_url=f"{self.private_api.root_url}/{EVENTS_PATH}",
            pieces=pieces,
        )
        self._outputs()

    def _outputs(self) -> None:
        api = self.private_api
        gateway = self.gateway_path
        connection = self.connection.connection
        delivery = self.event_delivery
        values = {
            Output.StandardStateMachineArn: self.workflows.standard.state_machine_arn,
            Output.ExpressStateMachineArn: self.workflows.express.state_machine_arn,
            Output.JsonataStateMachineArn: self.workflows.jsonata.state_machine_arn,
            Output.RestApiId: api.api.rest_api_id,
            Output.ApiRootUrl: api.root_url,
            Output.VpcId: self.network.vpc.vpc_id,
            Output.VpcEndpointId: self.network.endpoint.vpc_endpoint_id,
            Output.VpcEndpointSecurityGroupId: (
                self.network.endpoint_security_group.security_group_id
            ),
            Output.ResourceGatewayId: gateway.gateway.attr_id,
            Output.ResourceGatewayArn: gateway.gateway.attr_arn,
            Output.ResourceGatewaySecurityGroupId: gateway.security_group.security_group_id,
            Output.ResourceConfigurationId: gateway.configuration.attr_id,
            Output.ResourceConfigurationArn: gateway.configuration.attr_arn,
            Output.ConnectionName: connection.connection_name,
            Output.ConnectionArn: connection.connection_arn,
            Output.ApiKeyId: api.api_key.key_id,
            Output.UsagePlanId: api.usage_plan.usage_plan_id,
            Output.ExpressLogGroupName: self.workflows.express_log_group.log_group_name,
            Output.EventBusName: delivery.bus.event_bus_name,
            Output.EventRuleName: delivery.rule.rule_name,
            Output.EventRuleArn: delivery.rule.rule_arn,
            Output.ApiDestinationName: delivery.api_destination.api_destination_name,
            Output.ApiDestinationArn: delivery.api_destination.api_destination_arn,
            Output.EventDeadLetterQueueUrl: delivery.dead_letter_queue.queue_url,
            Output.EventDeadLetterQueueArn: delivery.dead_letter_queue.queue_arn,
        }
        assert tuple(values) == OUTPUT_KEYS, "outputs drifted from OUTPUT_KEYS"
        for key, value in values.items():
            CfnOutput(self, str(key), value=value)
