"""Builders shared by the HTTP Task, data plane and network path tests (fixtures: conftest.py).

Everything is created in-process (``moto.mock_aws`` with every extension applied, the
data plane on an ephemeral loopback port) through boto3, so these tests run in seconds
and need neither the sandbox server nor the CloudFormation models.
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/lab-sfn"
HELLO_BODY = {"message": "hello from the private API"}

# --------------------------------------------------------------------------- API


@dataclass
class Api:
    """A deployed REST API: ids, its host name and a valid API key value."""

    id: str
    stage: str
    host: str
    api_key: str | None
    resource_id: str

    def url(self, path: str = "/hello") -> str:
        return f"https://{self.host}/{self.stage}{path}"


def allow_only_from(vpce_id: str) -> dict:
    """The lab's resource policy: allow execute-api:Invoke only through ``vpce_id``."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": "execute-api:/*",
                "Condition": {"StringEquals": {"aws:SourceVpce": vpce_id}},
            }
        ],
    }


def deploy_api(
    aws,
    *,
    endpoint_type: str = "PRIVATE",
    policy: dict | None = None,
    api_key_required: bool = True,
    request_template: str = '{"statusCode": 200}',
    integration_responses: list[dict] | None = None,
    stage: str = "prod",
) -> Api:
    """A REST API with ``GET /hello`` on a MOCK integration, deployed to ``stage``."""
    apigw = aws("apigateway")
    kwargs = {"endpointConfiguration": {"types": [endpoint_type]}}
    if policy is not None:
        kwargs["policy"] = json.dumps(policy)
    api = apigw.create_rest_api(name="lab-api", **kwargs)
    resource = apigw.create_resource(
        restApiId=api["id"], parentId=api["rootResourceId"], pathPart="hello"
    )
    ids = {"restApiId": api["id"], "resourceId": resource["id"], "httpMethod": "GET"}
    apigw.put_method(**ids, authorizationType="NONE", apiKeyRequired=api_key_required)
    apigw.put_integration(
        **ids, type="MOCK", requestTemplates={"application/json": request_template}
    )
    for response in integration_responses or [
        {"statusCode": "200", "responseTemplates": {"application/json": json.dumps(HELLO_BODY)}}
    ]:
        apigw.put_method_response(**ids, statusCode=response["statusCode"])
        apigw.put_integration_response(**ids, **response)
    apigw.create_deployment(restApiId=api["id"], stageName=stage)
    key_value = None
    if api_key_required:
        key = apigw.create_api_key(name="lab-key", enabled=True)
        plan = apigw.create_usage_plan(
            name="lab-plan", apiStages=[{"apiId": api["id"], "stage": stage}]
        )
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
        key_value = key["value"]
    return Api(
        id=api["id"],
        stage=stage,
        host=f"{api['id']}.execute-api.{REGION}.amazonaws.com",
        api_key=key_value,
        resource_id=resource["id"],
    )


def http_get(
    port: int, host: str, path: str, headers: dict | None = None, through_path: bool = True
):
    """GET ``path`` from the data plane on ``port`` with Host ``host``: (status, headers, body).

    ``through_path``: as the sandbox's network path sends it (with its proof for the
    ``x-lab-source-vpce`` in ``headers``); False: straight from a client outside the VPC.
    """
    from lab.sandbox import access

    sent = {"Host": host, **(headers or {})}
    if through_path:
        sent[access.PATH_PROOF_HEADER] = access.path_proof(sent.get("x-lab-source-vpce"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=sent)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


# --------------------------------------------------------------------------- network


@dataclass
class Vpc:
    """A VPC with two subnets and an execute-api interface endpoint (private DNS on)."""

    id: str
    cidr: str
    subnet_ids: list[str]
    endpoint_id: str
    endpoint_dns_name: str
    endpoint_sg_id: str


def create_vpc_with_endpoint(aws, cidr: str = "10.0.0.0/16", endpoint_ingress: bool = True) -> Vpc:
    """A VPC, two subnets and an execute-api endpoint whose SG allows 443 from the VPC."""
    ec2 = aws("ec2")
    vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    prefix = cidr.split(".")[0] + "." + cidr.split(".")[1]
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"{prefix}.{i}.0/24", AvailabilityZone=az)[
            "Subnet"
        ]["SubnetId"]
        for i, az in ((1, f"{REGION}a"), (2, f"{REGION}b"))
    ]
    sg_id = ec2.create_security_group(
        GroupName=f"endpoint-{vpc_id}", Description="execute-api endpoint", VpcId=vpc_id
    )["GroupId"]
    if endpoint_ingress:
        allow_https(ec2, sg_id, ingress=True, cidr=cidr)
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc_id,
        ServiceName=f"com.amazonaws.{REGION}.execute-api",
        VpcEndpointType="Interface",
        SubnetIds=subnet_ids,
        SecurityGroupIds=[sg_id],
        PrivateDnsEnabled=True,
    )["VpcEndpoint"]
    return Vpc(
        id=vpc_id,
        cidr=cidr,
        subnet_ids=subnet_ids,
        endpoint_id=endpoint["VpcEndpointId"],
        endpoint_dns_name=regional_dns_name(endpoint["DnsEntries"]),
        endpoint_sg_id=sg_id,
    )


def regional_dns_name(dns_entries: list[dict]) -> str:
    """Entry 0 of an endpoint's DnsEntries is the regional name (what CDK selects)."""
    return dns_entries[0]["DnsName"]


def allow_https(ec2, group_id: str, *, ingress: bool, cidr: str | None = None, group=None):
    """Add a tcp/443 rule (to/from ``cidr`` or security group ``group``) to ``group_id``."""
    permission = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}
    if cidr:
        permission["IpRanges"] = [{"CidrIp": cidr}]
    if group:
        permission["UserIdGroupPairs"] = [{"GroupId": group}]
    if ingress:
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[permission])
    else:
        ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=[permission])


def gateway_security_group(aws, vpc: Vpc, egress_cidr: str | None) -> str:
    """The resource gateway's SG: no default egress, egress 443 to ``egress_cidr`` if given."""
    ec2 = aws("ec2")
    sg_id = ec2.create_security_group(
        GroupName=f"gateway-{vpc.id}-{time.time_ns()}",
        Description="resource gateway",
        VpcId=vpc.id,
    )["GroupId"]
    ec2.revoke_security_group_egress(
        GroupId=sg_id,
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    if egress_cidr:
        allow_https(ec2, sg_id, ingress=False, cidr=egress_cidr)
    return sg_id


@dataclass
class PrivatePath:
    """Every resource of the modelled path, ready for an HTTP Task."""

    vpc: Vpc
    api: Api
    gateway_id: str
    gateway_sg_id: str
    configuration_arn: str
    connection_arn: str


def create_private_connection(
    aws, *, name: str, api_key: str | None, configuration_arn: str | None
) -> str:
    """An API_KEY connection (x-api-key), private when ``configuration_arn`` is given."""
    kwargs = {}
    if configuration_arn:
        kwargs["InvocationConnectivityParameters"] = {
            "ResourceParameters": {"ResourceConfigurationArn": configuration_arn}
        }
    return aws("events").create_connection(
        Name=name,
        AuthorizationType="API_KEY",
        AuthParameters={
            "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": api_key or "none"}
        },
        **kwargs,
    )["ConnectionArn"]


def wait_for_connection(aws, name: str, state: str = "ACTIVE", timeout: float = 10.0) -> dict:
    """Poll describe_connection until ``state`` (the sandbox's warm-up is seconds at most)."""
    events = aws("events")
    deadline = time.monotonic() + timeout
    while True:
        described = events.describe_connection(Name=name)
        if described["ConnectionState"] == state or time.monotonic() > deadline:
            return described
        time.sleep(0.02)


def build_private_path(
    aws,
    *,
    gateway_egress_cidr: str | None = "10.0.0.0/16",
    endpoint_ingress: bool = True,
    domain_name: str | None = None,
    policy_vpce: str | None = None,
    wait: bool = True,
) -> PrivatePath:
    """The lab's architecture, built with boto3; the keyword arguments break one link each."""
    vpc = create_vpc_with_endpoint(aws, endpoint_ingress=endpoint_ingress)
    api = deploy_api(aws, policy=allow_only_from(policy_vpce or vpc.endpoint_id))
    sg_id = gateway_security_group(aws, vpc, gateway_egress_cidr)
    lattice = aws("vpc-lattice")
    gateway = lattice.create_resource_gateway(
        name="lab-gateway",
        vpcIdentifier=vpc.id,
        subnetIds=vpc.subnet_ids,
        securityGroupIds=[sg_id],
        ipAddressType="IPV4",
    )
    configuration = lattice.create_resource_configuration(
        name="lab-configuration",
        type="SINGLE",
        resourceGatewayIdentifier=gateway["id"],
        portRanges=["443"],
        protocol="TCP",
        resourceConfigurationDefinition={
            "dnsResource": {
                "domainName": domain_name or vpc.endpoint_dns_name,
                "ipAddressType": "IPV4",
            }
        },
    )
    connection_arn = create_private_connection(
        aws, name="lab-connection", api_key=api.api_key, configuration_arn=configuration["arn"]
    )
    if wait:
        wait_for_connection(aws, "lab-connection")
    return PrivatePath(
        vpc=vpc,
        api=api,
        gateway_id=gateway["id"],
        gateway_sg_id=sg_id,
        configuration_arn=configuration["arn"],
        connection_arn=connection_arn,
    )


# --------------------------------------------------------------------------- Step Functions


def http_task_definition(
    url: str,
    connection_arn: str,
    *,
    jsonata: bool = False,
    headers: dict | None = None,
    retry: list | None = None,
    catch: list | None = None,
    extra: dict | None = None,
) -> dict:
    """A one-state machine calling ``url`` with GET through ``connection_arn``."""
    if jsonata:
        task = {
            "Type": "Task",
            "Resource": "arn:aws:states:::http:invoke",
            "Arguments": {
                "ApiEndpoint": url,
                "Method": "GET",
                "InvocationConfig": {"ConnectionArn": connection_arn},
                **({"Headers": headers} if headers else {}),
                **(extra or {}),
            },
            "End": True,
        }
    else:
        task = {
            "Type": "Task",
            "Resource": "arn:aws:states:::http:invoke",
            "Parameters": {
                "ApiEndpoint": url,
                "Method": "GET",
                "Authentication": {"ConnectionArn": connection_arn},
                **({"Headers": headers} if headers else {}),
                **(extra or {}),
            },
            "End": True,
        }
    if retry:
        task["Retry"] = retry
    states = {"Call": task}
    if catch:
        task["Catch"] = catch
        task.pop("End")
        task["Next"] = "Done"
        states["Caught"] = {"Type": "Pass", "End": True}
        states["Done"] = {"Type": "Pass", "End": True}
    definition = {"StartAt": "Call", "States": states}
    if jsonata:
        definition["QueryLanguage"] = "JSONata"
    return definition


def ensure_execution_role(aws, name: str = ROLE_ARN.rsplit("/", 1)[-1]) -> str:
    """A role Step Functions may assume, allowed what an HTTP Task needs (on any resource),
    unless one of that name exists already (a test about IAM makes its own first)."""
    iam = aws("iam")
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        pass
    trust = {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"},
             "Action": "sts:AssumeRole"}  # fmt: skip
    arn = iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [trust]}),
    )["Role"]["Arn"]
    actions = ["states:InvokeHTTPEndpoint", "events:RetrieveConnectionCredentials",
               "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]  # fmt: skip
    iam.put_role_policy(
        RoleName=name,
        PolicyName="http-task",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
            }
        ),
    )
    return arn


def create_state_machine(aws, definition: dict, *, express: bool = False, name: str = "lab") -> str:
    """Create the state machine (and its role, when the sandbox evaluates roles); its ARN."""
    ensure_execution_role(aws)
    return aws("stepfunctions").create_state_machine(
        name=name,
        definition=json.dumps(definition),
        roleArn=ROLE_ARN,
        type="EXPRESS" if express else "STANDARD",
    )["stateMachineArn"]


def run_execution(aws, state_machine_arn: str, *, name: str | None = None, timeout=20.0) -> dict:
    """Start an execution and wait for its end; returns describe_execution."""
    sfn = aws("stepfunctions")
    kwargs = {"name": name} if name else {}
    execution_arn = sfn.start_execution(stateMachineArn=state_machine_arn, **kwargs)["executionArn"]
    return run_execution_by_arn(aws, execution_arn, timeout=timeout)


def run_execution_by_arn(aws, execution_arn: str, *, timeout=20.0) -> dict:
    """Wait for a started execution's end; returns describe_execution."""
    sfn = aws("stepfunctions")
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        if time.monotonic() > deadline:
            raise AssertionError(f"execution {execution_arn} still RUNNING after {timeout} s")
        time.sleep(0.005)


def history(aws, execution_arn: str) -> list[dict]:
    """The execution's history events, in order."""
    return aws("stepfunctions").get_execution_history(executionArn=execution_arn)["events"]


def task_failure(aws, execution_arn: str) -> dict:
    """The last TaskFailed event's details (error, cause, resource, resourceType)."""
    failed = [e for e in history(aws, execution_arn) if e["type"] == "TaskFailed"]
    assert failed, "the execution has no TaskFailed event"
    return failed[-1]["taskFailedEventDetails"]
