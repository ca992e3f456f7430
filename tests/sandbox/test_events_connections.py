"""EventBridge connections with private connectivity in the sandbox.

Server tests run with ``connection_warmup_seconds`` 0 (states settle at once)
unless a test is about the warm-up; the timeline itself is tested in-process
with explicit clock values, so no test depends on how fast the machine is.
"""

from __future__ import annotations

import itertools
import json
import time

import pytest
from botocore.exceptions import ClientError
from lab_api_client import lab_api
from shape_check import checked

pytestmark = pytest.mark.sandbox

ACCOUNT = "123456789012"
REGION = "us-east-1"
KEY_VALUE = "lab-secret-value-0123456789"
API_KEY = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": KEY_VALUE}}
_names = itertools.count()


@pytest.fixture(scope="module")
def fresh(sandbox):
    lab_api(sandbox, "reset", {})
    return sandbox


@pytest.fixture
def warmup(fresh):
    """Set the sandbox's warm-up for one test; restores 0 afterwards."""

    def set_to(seconds: float) -> None:
        lab_api(fresh, "config", {"connection_warmup_seconds": seconds})

    set_to(0)
    yield set_to
    set_to(0)


@pytest.fixture
def events(warmup, sandbox_client):
    return checked(sandbox_client("events"))


@pytest.fixture
def lattice(fresh, sandbox_client):
    return checked(sandbox_client("vpc-lattice"))


@pytest.fixture
def configuration(fresh, sandbox_client, lattice):
    """An ACTIVE resource configuration on a gateway in a new VPC."""
    ec2 = sandbox_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.60.0.0/24")["Subnet"]["SubnetId"]
    gateway = lattice.create_resource_gateway(
        name=f"gw-{next(_names)}", vpcIdentifier=vpc, subnetIds=[subnet]
    )
    return lattice.create_resource_configuration(
        name=f"rc-{next(_names)}",
        type="SINGLE",
        resourceGatewayIdentifier=gateway["id"],
        portRanges=["443"],
        resourceConfigurationDefinition={
            "dnsResource": {"domainName": "api.example.internal", "ipAddressType": "IPV4"}
        },
    )


def _private(events, configuration_arn, name=None):
    name = name or f"conn-{next(_names)}"
    created = events.create_connection(
        Name=name,
        AuthorizationType="API_KEY",
        AuthParameters=API_KEY,
        InvocationConnectivityParameters={
            "ResourceParameters": {"ResourceConfigurationArn": configuration_arn}
        },
    )
    return name, created


def _missing_arn(configuration):
    return configuration["arn"][:-17] + "0" * 17


# --------------------------------------------------------------------------- create / describe


def test_a_private_connection_starts_creating(events, warmup, configuration):
    warmup(60)

    _, created = _private(events, configuration["arn"])

    assert created["ConnectionState"] == "CREATING"


def test_describe_keeps_the_connectivity_parameters_with_an_association(events, configuration):
    name, _ = _private(events, configuration["arn"])

    described = events.describe_connection(Name=name)

    parameters = described["InvocationConnectivityParameters"]["ResourceParameters"]
    assert parameters["ResourceConfigurationArn"] == configuration["arn"]
    assert ":servicenetworkresourceassociation/snra-" in parameters["ResourceAssociationArn"]


def test_a_private_connection_is_active_after_the_warm_up(events, configuration):
    name, _ = _private(events, configuration["arn"])

    assert events.describe_connection(Name=name)["ConnectionState"] == "ACTIVE"


def test_a_warming_connection_reaches_active_when_polled(events, warmup, configuration):
    warmup(0.3)
    name, _ = _private(events, configuration["arn"])

    seen = []
    for _ in range(200):
        seen.append(events.describe_connection(Name=name)["ConnectionState"])
        if seen[-1] == "ACTIVE":
            break
        time.sleep(0.02)

    order = ["CREATING", "AUTHORIZING", "ACTIVE"]
    assert seen[-1] == "ACTIVE"
    assert [order.index(s) for s in seen] == sorted(order.index(s) for s in seen)


def test_the_association_is_a_managed_lattice_association_of_the_configuration(
    events, lattice, configuration
):
    name, _ = _private(events, configuration["arn"])
    described = events.describe_connection(Name=name)
    arn = described["InvocationConnectivityParameters"]["ResourceParameters"][
        "ResourceAssociationArn"
    ]

    association = lattice.get_service_network_resource_association(
        serviceNetworkResourceAssociationIdentifier=arn
    )

    assert association["isManagedAssociation"] is True
    assert association["resourceConfigurationArn"] == configuration["arn"]
    assert association["status"] == "ACTIVE"


def test_a_missing_resource_configuration_fails_connectivity_with_a_reason(events, configuration):
    name, _ = _private(events, _missing_arn(configuration))

    described = events.describe_connection(Name=name)

    assert described["ConnectionState"] == "FAILED_CONNECTIVITY"
    assert _missing_arn(configuration) in described["StateReason"]


def test_a_connection_without_connectivity_is_authorized_as_before(events):
    name = f"conn-{next(_names)}"

    created = events.create_connection(
        Name=name, AuthorizationType="API_KEY", AuthParameters=API_KEY
    )

    described = events.describe_connection(Name=name)
    assert created["ConnectionState"] == described["ConnectionState"] == "AUTHORIZED"
    assert "InvocationConnectivityParameters" not in described


def test_describe_never_returns_the_api_key_value(events, sandbox_client, configuration):
    name, _ = _private(events, configuration["arn"])
    client = sandbox_client("events")
    bodies = []
    client.meta.events.register(
        "before-parse.eventbridge.DescribeConnection",
        lambda response_dict, **_: bodies.append(response_dict["body"]),
    )

    described = client.describe_connection(Name=name)

    assert KEY_VALUE.encode() not in bodies[-1]
    assert described["AuthParameters"]["ApiKeyAuthParameters"] == {"ApiKeyName": "x-api-key"}


def test_the_secret_arn_is_a_real_secret_holding_the_key(events, sandbox_client, configuration):
    name, _ = _private(events, configuration["arn"])
    secret_arn = events.describe_connection(Name=name)["SecretArn"]

    value = sandbox_client("secretsmanager").get_secret_value(SecretId=secret_arn)

    assert json.loads(value["SecretString"])["api_key_value"] == KEY_VALUE


def test_a_duplicate_name_is_refused(events, configuration):
    name, _ = _private(events, configuration["arn"])

    with pytest.raises(ClientError) as refused:
        _private(events, configuration["arn"], name=name)

    assert refused.value.response["Error"]["Code"] == "ResourceAlreadyExistsException"


def test_list_connections_reports_the_evaluated_state(events, configuration):
    name, _ = _private(events, _missing_arn(configuration))

    rows = events.list_connections(NamePrefix=name)["Connections"]

    assert [(r["Name"], r["ConnectionState"]) for r in rows] == [(name, "FAILED_CONNECTIVITY")]


def test_list_connections_filters_by_state(events, configuration):
    name, _ = _private(events, configuration["arn"])

    failed = events.list_connections(ConnectionState="FAILED_CONNECTIVITY")["Connections"]
    active = events.list_connections(ConnectionState="ACTIVE")["Connections"]

    assert name in [r["Name"] for r in active]
    assert name not in [r["Name"] for r in failed]


def test_the_configuration_cannot_be_deleted_while_a_connection_uses_it(
    events, lattice, configuration
):
    _private(events, configuration["arn"])

    with pytest.raises(ClientError) as refused:
        lattice.delete_resource_configuration(resourceConfigurationIdentifier=configuration["id"])

    assert refused.value.response["Error"]["Code"] == "ConflictException"


# --------------------------------------------------------------------------- update / delete


def test_update_goes_through_updating(events, warmup, configuration):
    name, _ = _private(events, configuration["arn"])
    warmup(60)

    updated = events.update_connection(Name=name, Description="rotated")

    assert updated["ConnectionState"] == "UPDATING"


def test_pointing_at_another_configuration_replaces_the_association(
    events, lattice, configuration, sandbox_client
):
    name, _ = _private(events, configuration["arn"])
    old = events.describe_connection(Name=name)["InvocationConnectivityParameters"][
        "ResourceParameters"
    ]["ResourceAssociationArn"]
    other = lattice.create_resource_configuration(
        name=f"rc-{next(_names)}",
        type="SINGLE",
        resourceGatewayIdentifier=configuration["resourceGatewayId"],
        portRanges=["443"],
        resourceConfigurationDefinition={"dnsResource": {"domainName": "other.example.internal"}},
    )

    events.update_connection(
        Name=name,
        InvocationConnectivityParameters={
            "ResourceParameters": {"ResourceConfigurationArn": other["arn"]}
        },
    )

    now = events.describe_connection(Name=name)["InvocationConnectivityParameters"][
        "ResourceParameters"
    ]
    remaining = [a["arn"] for a in lattice.list_service_network_resource_associations()["items"]]
    assert now["ResourceConfigurationArn"] == other["arn"]
    assert now["ResourceAssociationArn"] != old
    assert old not in remaining


def test_a_new_key_value_reaches_the_secret(events, sandbox_client, configuration):
    name, _ = _private(events, configuration["arn"])

    events.update_connection(
        Name=name, AuthParameters={"ApiKeyAuthParameters": {"ApiKeyValue": "rotated-value"}}
    )

    described = events.describe_connection(Name=name)
    secret = sandbox_client("secretsmanager").get_secret_value(SecretId=described["SecretArn"])
    assert json.loads(secret["SecretString"])["api_key_value"] == "rotated-value"
    assert described["AuthParameters"]["ApiKeyAuthParameters"]["ApiKeyName"] == "x-api-key"


def test_delete_answers_deleting_and_removes_association_and_secret(
    events, lattice, sandbox_client, configuration
):
    name, _ = _private(events, configuration["arn"])
    described = events.describe_connection(Name=name)
    association = described["InvocationConnectivityParameters"]["ResourceParameters"][
        "ResourceAssociationArn"
    ]

    deleted = events.delete_connection(Name=name)

    remaining = [a["arn"] for a in lattice.list_service_network_resource_associations()["items"]]
    assert deleted["ConnectionState"] == "DELETING"
    assert association not in remaining
    with pytest.raises(ClientError):
        sandbox_client("secretsmanager").describe_secret(SecretId=described["SecretArn"])


# --------------------------------------------------------------------------- in-process


@pytest.fixture
def inprocess(moto_inprocess):
    """A connection on an ACTIVE resource configuration, in-process; warm-up 10 s."""
    from lab.sandbox import control

    control.update_settings({"connection_warmup_seconds": 10})
    ec2 = moto_inprocess("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.70.0.0/24")["Subnet"]["SubnetId"]
    lattice = moto_inprocess("vpc-lattice")
    gateway = lattice.create_resource_gateway(name="gw-in", vpcIdentifier=vpc, subnetIds=[subnet])
    configuration = lattice.create_resource_configuration(
        name="rc-in",
        type="SINGLE",
        resourceGatewayIdentifier=gateway["id"],
        portRanges=["443"],
        resourceConfigurationDefinition={"dnsResource": {"domainName": "api.example.internal"}},
    )
    events = moto_inprocess("events")
    arn = events.create_connection(
        Name="conn-in",
        AuthorizationType="API_KEY",
        AuthParameters=API_KEY,
        InvocationConnectivityParameters={
            "ResourceParameters": {"ResourceConfigurationArn": configuration["arn"]}
        },
    )["ConnectionArn"]
    return {"arn": arn, "configuration": configuration, "events": events}


def _evaluate_at(connection_arn, seconds_after_start):
    from lab.sandbox.events import find_connection, models

    connection = find_connection(ACCOUNT, REGION, connection_arn)
    when = connection.lab.connectivity_started_at + seconds_after_start
    return models.evaluate_state(connection, ACCOUNT, REGION, now=when)


@pytest.mark.parametrize(
    ("after", "state"), [(0, "CREATING"), (4.9, "CREATING"), (5, "AUTHORIZING"), (10, "ACTIVE")]
)
def test_the_state_follows_the_warm_up_timeline(inprocess, after, state):
    assert _evaluate_at(inprocess["arn"], after) == (state, None)


def test_a_configuration_that_is_not_active_fails_connectivity(inprocess):
    from lab.sandbox.vpclattice import lattice_backend

    configuration = lattice_backend(ACCOUNT, REGION).get_resource_configuration(
        inprocess["configuration"]["id"]
    )
    configuration.status = "UPDATE_FAILED"

    state, reason = _evaluate_at(inprocess["arn"], 10)

    assert state == "FAILED_CONNECTIVITY"
    assert "UPDATE_FAILED" in reason


def test_connection_runtime_gives_the_http_task_what_eventbridge_adds(inprocess):
    from lab.sandbox.events import connection_runtime

    runtime = connection_runtime(ACCOUNT, REGION, inprocess["arn"])

    assert runtime.authorization_type == "API_KEY"
    assert runtime.api_key_name == "x-api-key"
    assert runtime.api_key_value == KEY_VALUE
    assert runtime.auth_headers == {"x-api-key": KEY_VALUE}
    assert runtime.resource_configuration_arn == inprocess["configuration"]["arn"]
    assert runtime.state == "CREATING"


def test_the_model_describe_cloudformation_reads_has_the_association_and_no_key(inprocess):
    from lab.sandbox.events import find_connection

    described = find_connection(ACCOUNT, REGION, inprocess["arn"]).describe()

    parameters = described["InvocationConnectivityParameters"]["ResourceParameters"]
    assert parameters["ResourceAssociationArn"].startswith("arn:aws:vpc-lattice:")
    assert KEY_VALUE not in json.dumps(described, default=str)


def test_an_update_with_the_same_configuration_keeps_the_association(inprocess):
    events = inprocess["events"]
    before = events.describe_connection(Name="conn-in")["InvocationConnectivityParameters"]

    events.update_connection(
        Name="conn-in",
        InvocationConnectivityParameters={
            "ResourceParameters": {"ResourceConfigurationArn": inprocess["configuration"]["arn"]}
        },
    )

    after = events.describe_connection(Name="conn-in")["InvocationConnectivityParameters"]
    assert after == before


def test_connection_runtime_of_an_unknown_arn_is_none(moto_inprocess):
    from lab.sandbox.events import connection_runtime

    arn = f"arn:aws:events:{REGION}:{ACCOUNT}:connection/nope/00000000-0000-0000-0000-000000000000"

    assert connection_runtime(ACCOUNT, REGION, arn) is None


def test_the_warm_up_comes_from_the_environment(monkeypatch):
    from lab.sandbox import control

    monkeypatch.setenv("LAB_SANDBOX_WARMUP_SECONDS", "7.5")
    control.reset_settings()
    try:
        assert control.get_setting("connection_warmup_seconds") == 7.5
    finally:
        monkeypatch.delenv("LAB_SANDBOX_WARMUP_SECONDS")
        control.reset_settings()


def test_secret_values_in_invocation_parameters_are_hidden():
    from lab.sandbox.events.models import public_auth_parameters

    shown = public_auth_parameters(
        {
            "InvocationHttpParameters": {
                "HeaderParameters": [
                    {"Key": "x-open", "Value": "visible", "IsValueSecret": False},
                    {"Key": "x-hidden", "Value": "hidden", "IsValueSecret": True},
                ]
            }
        }
    )

    assert shown["InvocationHttpParameters"]["HeaderParameters"] == [
        {"Key": "x-open", "Value": "visible", "IsValueSecret": False},
        {"Key": "x-hidden", "IsValueSecret": True},
    ]


def test_the_connection_secret_is_named_as_on_aws(moto_inprocess):
    """(recorded) EventBridge names a connection's managed secret
    `events!connection/<connection-name>/<uuid>` (LocalStack's parity snapshots of AWS, events
    test_api_destinations_and_connection test_connection_secrets: "Name":
    "events!connection/<connection-name>/<secret-uuid>"; AWS's KMS policy examples match
    `events!connection/*`). moto added a fourth segment, `/auth`."""
    import re

    events = moto_inprocess("events")
    events.create_connection(Name="named", AuthorizationType="API_KEY", AuthParameters=API_KEY)
    secret_arn = events.describe_connection(Name="named")["SecretArn"]
    secrets = moto_inprocess("secretsmanager")
    secret = secrets.describe_secret(SecretId=secret_arn)
    uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    assert re.fullmatch(f"events!connection/named/{uuid}", secret["Name"])
    assert secret["ARN"] == secret_arn
    assert re.fullmatch(
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:events!connection/named/{uuid}-"
        "[A-Za-z]{6}", secret_arn)
    value = secrets.get_secret_value(SecretId=secret["Name"])["SecretString"]
    assert json.loads(value)["api_key_value"] == KEY_VALUE
    events.update_connection(
        Name="named", AuthParameters={"ApiKeyAuthParameters": {"ApiKeyValue": "rotated"}})
    assert json.loads(secrets.get_secret_value(SecretId=secret_arn)["SecretString"])[
        "api_key_value"] == "rotated"
    events.delete_connection(Name="named")
    with pytest.raises(ClientError):
        secrets.describe_secret(SecretId=secret_arn)


def test_delete_answers_last_authorized_time_and_describe_then_says_failed(moto_inprocess):
    """(recorded, same snapshots, test_delete_connection) DeleteConnection answers
    ConnectionArn, ConnectionState DELETING, CreationTime, LastAuthorizedTime,
    LastModifiedTime; DescribeConnection of the deleted connection is ResourceNotFoundException
    "Failed to describe the connection(s). Connection '<name>' does not exist."."""
    events = checked(moto_inprocess("events"))
    events.create_connection(Name="gone", AuthorizationType="API_KEY", AuthParameters=API_KEY)
    deleted = events.delete_connection(Name="gone")
    assert sorted(k for k in deleted if k != "ResponseMetadata") == [
        "ConnectionArn", "ConnectionState", "CreationTime", "LastAuthorizedTime",
        "LastModifiedTime"]
    assert deleted["ConnectionState"] == "DELETING"
    with pytest.raises(ClientError) as missing:
        events.describe_connection(Name="gone")
    assert missing.value.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "Failed to describe the connection(s). Connection 'gone' does not exist."}
