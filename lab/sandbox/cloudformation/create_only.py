"""Which properties of each resource type the lab's template uses force a replacement.

A change set's ``RequiresRecreation`` (``Always`` or ``Never``) comes from the
resource type's ``createOnlyProperties`` in CloudFormation's resource provider
schemas. This table was read from the schemas cfn-lint 1.58.0 ships (us-east-1;
cfn-lint is a development dependency only, so the table is a committed
constant) and ``tests/sandbox/test_changesets.py`` recomputes it from cfn-lint,
so it fails when the two drift. Only top-level properties are listed.
"""

from __future__ import annotations

CREATE_ONLY_PROPERTIES: dict[str, frozenset[str]] = {
    "AWS::ApiGateway::ApiKey": frozenset(["GenerateDistinctId", "Name", "Value"]),
    "AWS::ApiGateway::Deployment": frozenset(["DeploymentCanarySettings", "RestApiId"]),
    "AWS::ApiGateway::Method": frozenset(["HttpMethod", "ResourceId", "RestApiId"]),
    "AWS::ApiGateway::Resource": frozenset(["ParentId", "PathPart", "RestApiId"]),
    "AWS::ApiGateway::RestApi": frozenset(),
    "AWS::ApiGateway::Stage": frozenset(["RestApiId", "StageName"]),
    "AWS::ApiGateway::UsagePlan": frozenset(),
    "AWS::ApiGateway::UsagePlanKey": frozenset(["KeyId", "KeyType", "UsagePlanId"]),
    "AWS::EC2::RouteTable": frozenset(["VpcId"]),
    "AWS::EC2::SecurityGroup": frozenset(["GroupDescription", "GroupName", "VpcId"]),
    "AWS::EC2::Subnet": frozenset(
        [
            "AvailabilityZone",
            "AvailabilityZoneId",
            "CidrBlock",
            "Ipv4IpamPoolId",
            "Ipv4NetmaskLength",
            "Ipv6IpamPoolId",
            "Ipv6Native",
            "Ipv6NetmaskLength",
            "OutpostArn",
            "VpcId",
        ]
    ),
    "AWS::EC2::SubnetRouteTableAssociation": frozenset(["RouteTableId", "SubnetId"]),
    "AWS::EC2::VPC": frozenset(
        ["CidrBlock", "Ipv4IpamPoolId", "Ipv4NetmaskLength", "VpcEncryptionControl"]
    ),
    "AWS::EC2::VPCEndpoint": frozenset(
        [
            "ResourceConfigurationArn",
            "ServiceName",
            "ServiceNetworkArn",
            "ServiceRegion",
            "VpcEndpointType",
            "VpcId",
        ]
    ),
    "AWS::Events::ApiDestination": frozenset(["Name"]),
    "AWS::Events::Connection": frozenset(["Name"]),
    "AWS::Events::EventBus": frozenset(["Name"]),
    "AWS::Events::Rule": frozenset(["Name"]),
    "AWS::IAM::Policy": frozenset(),
    "AWS::IAM::Role": frozenset(["Path", "RoleName"]),
    "AWS::Logs::LogGroup": frozenset(["LogGroupName"]),
    "AWS::SQS::Queue": frozenset(["FifoQueue", "QueueName"]),
    "AWS::SQS::QueuePolicy": frozenset(),
    "AWS::SecretsManager::Secret": frozenset(["Name"]),
    "AWS::StepFunctions::StateMachine": frozenset(["StateMachineName", "StateMachineType"]),
    "AWS::VpcLattice::ResourceConfiguration": frozenset(
        [
            "CustomDomainName",
            "DomainVerificationId",
            "GroupDomain",
            "ProtocolType",
            "ResourceConfigurationAuthType",
            "ResourceConfigurationType",
            "ResourceGatewayId",
        ]
    ),
    "AWS::VpcLattice::ResourceGateway": frozenset(
        ["IpAddressType", "Name", "ResourceConfigDnsResolution", "SubnetIds", "VpcIdentifier"]
    ),
}
