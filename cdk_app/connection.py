"""PrivateConnection: an EventBridge connection that calls into the VPC."""

from __future__ import annotations

from aws_cdk import SecretValue
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_vpclattice as lattice
from constructs import Construct


def private_connectivity(
    resource_configuration: lattice.CfnResourceConfiguration,
) -> events.CfnConnection.InvocationConnectivityParametersProperty:
    """The connection's ``InvocationConnectivityParameters``: calls go through this resource
    configuration (named by its ARN) into the VPC, not to the public internet."""
    return events.CfnConnection.InvocationConnectivityParametersProperty(
        resource_parameters=events.CfnConnection.ResourceParametersProperty(
            resource_configuration_arn=resource_configuration.attr_arn
        )
    )


class PrivateConnection(Construct):
    """EventBridge connection with API-key auth and private connectivity.

    ``InvocationConnectivityParameters`` (the resource configuration that
    carries calls into the VPC) has no L2 prop, so it is set on the L1 child
    through its typed property. The L2's L1 child is named "Connection", not
    "Resource", so ``node.default_child`` is None: find it by name.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api_key_header: str,
        api_key_value: SecretValue,
        resource_configuration: lattice.CfnResourceConfiguration,
        pieces,
        kms_key: kms.IKey | None = None,
    ) -> None:
        """``kms_key``: the customer managed key for the connection's secret
        (:mod:`cdk_app.connection_key`); None keeps EventBridge's AWS owned key."""
        super().__init__(scope, construct_id)

        self.connection = events.Connection(
            self,
            "Connection",
            description="Private API Lab: API key auth, private connectivity via VPC Lattice",
            authorization=events.Authorization.api_key(api_key_header, api_key_value),
        )
        cfn_connection = self.connection.node.find_child("Connection")
        if not isinstance(cfn_connection, events.CfnConnection):
            raise RuntimeError(
                "aws_events.Connection no longer has an L1 child named 'Connection'; "
                "update cdk_app/connection.py to find the CfnConnection another way."
            )
        cfn_connection.invocation_connectivity_parameters = pieces.private_connectivity(
            resource_configuration
        )
        if kms_key is not None:
            cfn_connection.kms_key_identifier = kms_key.key_arn
